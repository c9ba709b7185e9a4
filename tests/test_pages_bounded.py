"""An entity page reads and shows a bounded number of rows, however many facts point at the entity
(at 1,000 documents ekg:Turn has 47,519 links; at 20,000 it would have a million)."""

import re

import pytest

from kg import pages

EKG = "https://w3id.org/earnings-kg/ontology#"
EXCHANGE = "https://w3id.org/earnings-kg/id/call/calix-2020-q4/exchange/2"


def table_rows(text: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">.*?</table>', text, re.S)
    return re.findall(r"<tr><td>.*?</td></tr>", table.group(0), re.S) if table else []


def heading_count(text: str, title: str) -> int:
    return int(re.search(rf"<h2>{title} \(([\d,]+)\)</h2>", text).group(1).replace(",", ""))


def count(store, pattern: str) -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)


def test_links_past_the_cap_are_counted_and_the_shown_ones_keep_their_evidence(store, monkeypatch):
    links = count(store, f"?s ?p <{EKG}Revenue>")
    whole = pages.entity_page(store, EKG + "Revenue", {}).html("n")
    assert heading_count(whole, "Linked from") == links and len(table_rows(whole, "kg-in")) == links
    assert "more; query /sparql for all" not in whole
    assert sum("<blockquote>" in row for row in table_rows(whole, "kg-in")) >= links - 2  # observations' quotes

    monkeypatch.setattr(pages, "MAX_FACTS", 3)
    capped = pages.entity_page(store, EKG + "Revenue", {}).html("n")
    shown = table_rows(capped, "kg-in")
    assert len(shown) == 3 and set(shown) <= set(table_rows(whole, "kg-in"))  # each row as in the whole page
    assert any("<blockquote>" in row for row in shown)  # the evidence of the rows shown is still read
    assert capped.count("<blockquote>") == sum(row.count("<blockquote>") for row in shown)  # and only theirs
    assert heading_count(capped, "Linked from") == links
    assert f"… and {links - 3:,} more; query /sparql for all." in capped


class CountingReads:
    """The real store, counting the rows its queries return to the page."""

    def __init__(self, store):
        self.store, self.rows = store, 0

    def query(self, sparql: str, *args, **kwargs):
        result = self.store.query(sparql, *args, **kwargs)
        if isinstance(result, bool):
            return result
        rows = list(result)
        self.rows += len(rows)
        return rows


def test_what_a_page_reads_follows_the_cap_not_the_links(store, monkeypatch):
    reads = {}
    for cap in (3, 500):
        monkeypatch.setattr(pages, "MAX_FACTS", cap)
        counting = CountingReads(store)
        pages.entity_page(counting, EKG + "Revenue", {})
        reads[cap] = counting.rows
    assert reads[3] < reads[500] / 2  # 18 links, their quotes and labels, against 3 of each


def test_properties_past_the_read_cap_are_counted(store, monkeypatch):
    facts = heading_count(pages.entity_page(store, EXCHANGE, {}).html("n"), "Facts")
    assert facts > 10
    monkeypatch.setattr(pages, "MAX_OUT_ROWS", 10)  # fewer than the exchange's properties: not all are read
    capped = pages.entity_page(store, EXCHANGE, {}).html("n")
    assert heading_count(capped, "Facts") == facts
    assert f"… and {facts - len(table_rows(capped, 'kg-out')):,} more; query /sparql for all." in capped
    assert 0 < len(table_rows(capped, "kg-out")) <= 10


@pytest.mark.parametrize("cap", [1, 500])
def test_a_page_under_the_cap_is_whole(store, monkeypatch, cap):
    monkeypatch.setattr(pages, "MAX_FACTS", cap)
    calix = pages.entity_page(store, "https://w3id.org/earnings-kg/id/org/calix", {}).html("n")
    links = count(store, "?s ?p <https://w3id.org/earnings-kg/id/org/calix>")
    assert heading_count(calix, "Linked from") == links
    assert len(table_rows(calix, "kg-in")) == min(cap, links)


def test_the_documents_page_comes_in_pages_each_document_once_with_its_count(store, monkeypatch):
    monkeypatch.setattr(pages, "DOCS_PER_PAGE", 2)
    expected = {d.iri: d.triples for d in store.documents()}
    seen = {}
    for number in (1, 2, 3):
        text = pages.docs_page(store, {}, number).html("n")
        rows = table_rows(text, "kg-docs")
        assert len(rows) == (2 if number < 3 else 1)
        assert f"documents {2 * number - 1}–{2 * number - 1 + len(rows) - 1} of 5" in text
        assert ('rel="next"' in text) == (number < 3) and ('rel="prev"' in text) == (number > 1)
        for row in rows:
            iri = re.search(r'href="/doc\?iri=([^"]+)"', row).group(1)
            count = int(re.search(r'<span class="kg-num">([\d,]+)</span>', row).group(1).replace(",", ""))
            seen[iri] = count
    from urllib.parse import unquote

    assert {unquote(k): v for k, v in seen.items()} == expected  # every document once, with its own count
    assert pages.docs_page(store, {}, 99).html("n") == pages.docs_page(store, {}, 3).html("n")  # past the end: the last
    monkeypatch.setattr(pages, "DOCS_PER_PAGE", 500)
    whole = pages.docs_page(store, {}).html("n")
    assert "5 documents (" in whole and 'rel="next"' not in whole and len(table_rows(whole, "kg-docs")) == 5
