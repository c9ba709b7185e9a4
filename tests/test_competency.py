"""The twelve competency questions on the seeds, as ../shared/design/competency/README.md expects.

Each is asked of the embedded store and of `graph.trig` loaded into rdflib with the default graph
as the union: another engine must give the same answers from the exported file.
"""

from decimal import Decimal

import pytest
from rdflib import Dataset

from kg.query import resolve_query, rows, run, saved_queries


def answer(store, name):
    header, body = rows(run(store, resolve_query(name)))
    return [dict(zip(header, r)) for r in body]


def test_the_twelve_questions_ship_with_kg():
    assert sorted(saved_queries()) == [
        "01-calls", "02-executives", "03-analysts", "04-affiliation-history", "05-who-asked-about-bead",
        "06-revenue", "07-guidance-vs-reported", "08-programs", "09-customers", "10-evidence", "11-aliases",
        "12-note-sentiment",
    ]


def test_01_four_calls_and_one_note(store):
    got = [(r["type"], r["company"], r["year"], r.get("quarter")) for r in answer(store, "01")]
    assert got == [
        ("EarningsCall", "Calix", "2020", "4"),
        ("EarningsCall", "Calix", "2023", "4"),
        ("EarningsCall", "Calix", "2024", "3"),
        ("ResearchNote", "Calix", "2024", "4"),
        ("EarningsCall", "Calix", "2025", "2"),
    ]


def test_02_company_people_with_role_and_title(store):
    got = {(r["year"], r["quarter"], r["name"], r["role"], r["title"]) for r in answer(store, "02")}
    assert {
        ("2020", "4", "Carl Russo", "Executive", "CEO & Director"),
        ("2020", "4", "Cory Sindelar", "Executive", "CFO & CAO"),
        ("2020", "4", "Michael Weening", "Executive", "President & COO"),
        ("2023", "4", "Jim Fanucchi", "InvestorRelations", "VP, IR"),
        ("2023", "4", "Michael Weening", "Executive", "President and CEO"),
        ("2023", "4", "Cory Sindelar", "Executive", "CFO"),
    } <= got
    assert ("2020", "4", "Thomas Dinges", "InvestorRelations") in {g[:4] for g in got}
    assert {("2024", "3", "Nancy Fazioli"), ("2025", "2", "Nancy Fazioli")} <= {g[:3] for g in got}
    rows_ = answer(store, "02")
    assert len(rows_) == len({(r["year"], r["quarter"], r["name"]) for r in rows_}), "one row per person per call"


def test_03_analysts_with_firms_and_the_speaker_asks(store):
    got = {(r["year"], r["quarter"], r["analyst"], r["firm"]) for r in answer(store, "03")}
    assert {
        ("2020", "4", "Christian Schwab", "Craig-Hallum"),
        ("2020", "4", "George Notter", "Jefferies"),
        ("2020", "4", "Paul Silverstein", "Cowen"),
        ("2020", "4", "Richard Valera", "Needham & Company"),
        ("2020", "4", "Tim Savageaux", "Northland Capital Markets"),
    } == {g for g in got if g[:2] == ("2020", "4")}
    assert ("2023", "4", "Joe Cardoso", "JPMorgan") in got
    assert not any(g[2] == "Samik Chatterjee" for g in got if g[:2] == ("2023", "4"))
    assert ("2025", "2", "George Notter", "Wolfe Research") in got


def test_04_affiliation_history(store):
    got = [(r["year"], r["quarter"], r["firm"]) for r in answer(store, "04")]
    assert got == [("2020", "4", "Jefferies"), ("2023", "4", "Jefferies"), ("2025", "2", "Wolfe Research")]


def test_05_who_asked_about_bead(store):
    got = {(r["year"], r["quarter"], r["analyst"]) for r in answer(store, "05")}
    assert {("2023", "4", "George Notter"), ("2025", "2", "Mike Genovese")} <= got


REVENUE = [
    ("2023", "4", "Reported", "264700000", None, None),
    ("2024", "1", "Guidance", None, "225000000", "231000000"),
    ("2024", "3", "Reported", "201000000", None, None),
    ("2024", "4", "Guidance", None, "201000000", "207000000"),
    ("2024", "4", "Reported", "206000000", None, None),
    ("2025", "1", "Guidance", None, "204000000", "210000000"),
    ("2025", "2", "Reported", "242000000", None, None),
    ("2025", "3", "Guidance", None, "243000000", "249000000"),
]


def test_06_reported_revenue_and_guidance(store):
    got = [(r["year"], r["quarter"], r["kind"], r.get("value") or None, r.get("low") or None, r.get("high") or None)
           for r in answer(store, "06")]
    assert got == REVENUE
    note = [r for r in answer(store, "06") if r["year"] == "2024" and r["quarter"] == "4" and r["kind"] == "Reported"]
    assert note[0]["source"] == "004_1f0b45879ee6eeb9.txt"


def test_07_guidance_against_reported(store):
    got = [(r["year"], r["quarter"], r["low"], r["high"], r["reported"], r["within"]) for r in answer(store, "07")]
    assert ("2024", "4", "201000000", "207000000", "206000000", "true") in got


def test_08_programmes_with_agencies(store):
    got = {(r["year"], r["quarter"], r["program"], r.get("agency")) for r in answer(store, "08")}
    assert ("2020", "4", "RDOF", "FCC") in got
    fy23 = {g[2] for g in got if g[:2] == ("2023", "4")}
    assert {"BEAD", "RDOF", "ARPA", "ReConnect", "Enhanced A-CAM"} <= fy23
    assert any("Tribal" in p for p in fy23)


def test_09_customers_with_quotes(store):
    got = {r["customer"]: r["quote"] for r in answer(store, "09")}
    assert "CenturyLink" in got and "Verizon" in got
    assert "CenturyLink" in got["CenturyLink"] and "customer" in got["CenturyLink"]
    assert "Verizon" in got["Verizon"] and "customer" in got["Verizon"]


def test_10_evidence_with_exact_words_and_translation(store):
    got = answer(store, "10")
    metrics = {r["metric"] for r in got}
    assert {"Revenue", "Remaining performance obligations", "Current remaining performance obligations",
            "Gross margin", "Free cash flow"} <= metrics
    for r in got:
        assert r["speaker"] and r["translation"], r
        if r["metric"] in {"Revenue", "Gross margin", "Free cash flow"}:
            assert r["speaker"] == "Cory Sindelar", r
    revenue = next(r for r in got if r["metric"] == "Revenue")
    assert revenue["value"] == "242000000" and "$242 million" in revenue["quote"]


def test_10_quotes_are_exact_substrings_of_their_turn(store):
    q = """PREFIX ekg: <https://w3id.org/earnings-kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?text ?quote ?start ?end WHERE { ?m ekg:evidence [ ekg:quote ?quote ; ekg:start ?start ; ekg:end ?end ] ;
      prov:wasDerivedFrom/ekg:text ?text }"""
    header, body = rows(run(store, q))
    assert len(body) > 50
    for text, quote, start, end in body:
        assert text[int(start):int(end)] == quote


def test_11_people_known_under_several_names(store):
    got = {r["name"]: set(r["aliases"].split(" | ")) for r in answer(store, "11")}
    assert {"Timothy Savageaux", "Timothy Paul Savageaux"} <= got["Tim Savageaux"]
    assert "Cory J. Sindelar" in got["Cory Sindelar"]
    assert "Timothy Savageaux" not in got, "one node per person"


def test_12_note_sentiment(store):
    assert [(r["year"], r["quarter"], r["label"], Decimal(r["score"])) for r in answer(store, "12")] == [
        ("2024", "4", "moderately positive", Decimal("0.62"))
    ]


@pytest.fixture(scope="module")
def trig_dataset(built):
    ds = Dataset(default_union=True)
    ds.parse(built / "graph.trig", format="trig")
    return ds


def _rdflib_rows(ds, sparql):
    return {_normal(tuple("" if v is None else str(v) for v in row)) for row in ds.query(sparql)}


def _normal(row):
    """GROUP_CONCAT's order is the engine's own: compare the parts, not their order."""
    return tuple(" | ".join(sorted(v.split(" | "))) for v in row)


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_graph_trig_in_another_store_gives_the_same_answers(store, trig_dataset, name):
    sparql = resolve_query(name)
    header, body = rows(run(store, sparql))
    ours = {_normal(tuple(r)) for r in body}
    theirs = _rdflib_rows(trig_dataset, sparql)
    assert ours == theirs
    assert ours, f"{name} returned no rows"


def test_chinese_names_from_the_translation_are_aliases(store):
    q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT DISTINCT ?name ?zh WHERE { ?p rdfs:label ?name ; skos:altLabel ?zh FILTER(langMatches(lang(?zh), "zh-Hant")) }"""
    got = {(r["name"], r["zh"]) for r in (dict(zip(rows(run(store, q))[0], b)) for b in rows(run(store, q))[1])}
    assert ("George Notter", "喬治·諾特") in got and ("Ryan Koontz", "瑞安·孔茨") in got
    # one English label per person all the same: the Chinese name is an alias, not a second rdfs:label
    labels = rows(run(store, "SELECT ?p (COUNT(?l) AS ?n) WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; "
                             "<http://www.w3.org/2000/01/rdf-schema#label> ?l } GROUP BY ?p HAVING (COUNT(?l) > 1)"))[1]
    assert labels == []
