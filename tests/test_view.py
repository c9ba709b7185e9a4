"""The graph page's data and HTML: what becomes a node and a link, what is folded into them (figures,
quotes, roles as they were), that the data is escaped, and that the page runs in Chromium offline.
The interactions are tested in a real browser in test_graph_page.py."""

import functools
import html
import io
import json
import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF

from browser import CHROMIUM, run_chromium as _run_chromium
from kg import view
from kg.view import page_data, render_html, write_html, write_page
from kg.view_model import format_value, mention_snippet, opening_snippet
from kg.view_read import TurnText
from ontology import EKG, ORG, SCHEMA

ID = Namespace("https://w3id.org/earnings-kg/id/")
HOSTILE = 'Eve <script>alert(1)</script> "Quote" & Co'
HOSTILE_ALIAS = '<img src=x onerror="document.body.dataset.kgPwned=1">'
BEAD_TEXT = "Thank you. We had a good quarter.\n\nStates are approving plans. The Bead money arrives in 2025, we think."
BEAD_ZH = "謝謝。我們這季不錯。\n\n各州正在批准計畫。BEAD 資金預計 2025 年到位。"
QUESTION = "Can you talk about <b>margins</b>? And Texas."


def small_graph() -> Graph:
    g = Graph()
    a = g.add

    def entity(iri, cls, label, *alts):
        for c in (cls if isinstance(cls, tuple) else (cls,)):
            a((iri, RDF.type, c))
        a((iri, RDFS.label, Literal(label, lang="en")))
        for alt in alts:
            a((iri, SKOS.altLabel, alt if isinstance(alt, Literal) else Literal(alt, lang="en")))

    # ontology bits that must not become nodes
    a((EKG.ResearchFirm, RDFS.subClassOf, ORG.Organization))
    a((EKG.EarningsCall, RDFS.subClassOf, SCHEMA.Event))
    a((EKG.Executive, RDF.type, EKG.Role))
    a((EKG.Executive, RDFS.label, Literal("Executive", lang="en")))
    a((EKG.Analyst, RDF.type, EKG.Role))

    calix, jefferies, ntia, acme = ID["org/calix"], ID["org/jefferies"], ID["org/ntia"], ID["org/acme-fiber"]
    bead, smartbiz, texas = ID["program/bead"], ID["product/smartbiz"], ID["place/texas"]
    entity(calix, ORG.Organization, "Calix", "Calix Inc.")
    entity(jefferies, ORG.Organization, "Jefferies", "Jefferies LLC")
    a((jefferies, RDF.type, EKG.ResearchFirm))
    entity(ntia, (EKG.GovernmentAgency, ORG.Organization), "NTIA")
    entity(acme, ORG.Organization, "Acme Fiber")
    entity(bead, EKG.GovernmentProgram, "BEAD", "Broadband Equity, Access, and Deployment",
           Literal("寬頻公平接取與部署計畫", lang="zh-Hant"))
    a((bead, EKG.administeredBy, ntia))
    entity(smartbiz, EKG.Product, "SmartBiz")
    a((smartbiz, EKG.offeredBy, calix))
    entity(texas, SCHEMA.AdministrativeArea, "Texas")
    # customerOf, with its assertion node
    a((acme, EKG.customerOf, calix))
    assertion = ID["call/calix-2024-q1/assertion/1"]
    a((assertion, RDF.type, EKG.Assertion))
    a((assertion, RDF.subject, acme))
    a((assertion, RDF.predicate, EKG.customerOf))
    a((assertion, RDF.object, calix))

    weening, notter, eve = ID["person/michael-weening"], ID["person/george-notter"], ID["person/eve-hostile"]
    entity(weening, FOAF.Person, "Michael Weening", "Mike Weening")
    entity(notter, FOAF.Person, "George Notter")
    entity(eve, FOAF.Person, HOSTILE, HOSTILE_ALIAS)

    periods = {}
    for year, q in ((2023, 4), (2024, 1)):
        p = ID[f"period/calix/{year}-q{q}"]
        a((p, RDF.type, EKG.FiscalPeriod))
        a((p, EKG.fiscalYear, Literal(year)))
        a((p, EKG.fiscalQuarter, Literal(q)))
        a((p, RDFS.label, Literal(f"FY{year} Q{q}", lang="en")))
        periods[(year, q)] = p

    def call(slug, period):
        c = ID[f"call/{slug}"]
        a((c, RDF.type, EKG.EarningsCall))
        a((c, EKG.company, calix))
        a((c, EKG.period, period))
        a((c, URIRef("http://purl.org/dc/terms/source"), Literal(f"{slug}.txt")))
        return c

    call1 = call("calix-2023-q4", periods[(2023, 4)])
    call2 = call("calix-2024-q1", periods[(2024, 1)])

    def participation(c, person, role, org, title):
        p = URIRef(f"{c}/participation/{person.rsplit('/', 1)[1]}")
        a((p, RDF.type, EKG.Participation))
        a((p, EKG.participant, person))
        a((p, EKG.call, c))
        a((p, EKG.participantRole, role))
        a((p, EKG.affiliation, org))
        a((p, EKG.title, Literal(title)))
        a((person, ORG.memberOf, org))  # the ORG shortcut: must not add an edge

    participation(call1, weening, EKG.Executive, calix, "President and CEO")
    participation(call2, weening, EKG.Executive, calix, "President and CEO")
    participation(call1, notter, EKG.Analyst, jefferies, "Analyst")
    participation(call2, eve, EKG.Analyst, jefferies, "Analyst")

    def turn(c, n, *mentions, text="…", translation=None, speaker=None):
        t = URIRef(f"{c}/turn/{n}")
        a((t, RDF.type, EKG.Turn))
        a((t, EKG.call, c))
        a((t, EKG.order, Literal(n)))
        if speaker:
            a((t, EKG.speaker, speaker))
        a((t, EKG.text, Literal(text, lang="en")))
        if translation:
            a((t, EKG.translation, Literal(translation, lang="zh-Hant")))
        for m in mentions:
            a((t, EKG.mentions, m))
        return t

    turn(call1, 1, bead, smartbiz)
    t2 = turn(call1, 2, bead)           # a second mention of BEAD: still one edge
    turn(call2, 1, bead, ntia, texas, text=BEAD_TEXT, translation=BEAD_ZH, speaker=weening)
    question = turn(call2, 2, text=QUESTION)
    answer = turn(call2, 3, calix)

    exchange = ID["call/calix-2024-q1/exchange/1"]
    a((exchange, RDF.type, EKG.Exchange))
    a((exchange, EKG.call, call2))
    a((exchange, EKG.askedBy, eve))
    a((exchange, EKG.answeredBy, weening))
    a((exchange, EKG.question, question))
    a((exchange, EKG.answer, answer))

    # figures: structural nodes folded into the page's charts and quotes, never drawn as entities
    def observation(c, n, period, kind, turn=None, quote=None, zh=None, **values):
        obs = URIRef(f"{c}/observation/{n}")
        a((obs, RDF.type, EKG.MetricObservation))
        a((obs, EKG.metric, EKG.Revenue))
        a((obs, EKG.company, calix))
        a((obs, EKG.period, period))
        a((obs, EKG.kind, kind))
        a((obs, EKG.unit, EKG.USD))
        a((obs, EKG.statedBy, weening))
        for key, value in values.items():
            a((obs, EKG[key], Literal(value)))
        a((obs, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), turn or URIRef(f"{c}/turn/1")))
        if quote:
            ev = URIRef(f"{obs}/evidence")
            a((obs, EKG.evidence, ev))
            a((ev, EKG.quote, Literal(quote)))
            if zh:
                a((ev, EKG.paragraphTranslation, Literal(zh, lang="zh-Hant")))
        return obs

    observation(call1, 1, periods[(2023, 4)], EKG.Reported, t2, "revenue of $264.7 million", "營收為 2.647 億美元",
                value=264700000)
    observation(call1, 2, periods[(2024, 1)], EKG.Guidance, t2, "revenue of $225 million to $231 million",
                lowValue=225000000, highValue=231000000)
    observation(call2, 1, periods[(2024, 1)], EKG.Reported, None, "revenue of $228 million", value=228000000)
    change = observation(call2, 2, periods[(2024, 1)], EKG.Reported, value=3)   # "up 3%": not on the chart
    a((change, EKG.changeOf, EKG.Sequential))

    note = ID["note/calix-2024-q1-jefferies"]
    a((note, RDF.type, EKG.ResearchNote))
    a((note, EKG.company, calix))
    a((note, EKG.period, periods[(2024, 1)]))
    return g


# 15 entities: 4 organisations (one firm, one agency), programme, product, place, 3 people,
# 2 periods, 2 calls, 1 note. Links, one per ordered pair:
#   call1, call2, note -> calix (about) and -> their period ............... 6
#   Weening -> call1, call2 (spoke at), -> Calix (works for) ............. 3
#   Notter -> call1, -> Jefferies; Eve -> call2 (spoke at · asked in), -> Jefferies ... 4
#   call1 -> BEAD, SmartBiz; call2 -> BEAD, NTIA, Texas, Calix (mentions; call2->Calix merges with about) 5
#   BEAD -> NTIA, SmartBiz -> Calix, Acme -> Calix ....................... 3
NODES, EDGES = 15, 21


@pytest.fixture(scope="module")
def data() -> dict:
    return page_data(small_graph())


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(small_graph(), title="Calix <test> & \"friends\"")


def by_label(data: dict) -> dict[str, int]:
    return {n["l"]: i for i, n in enumerate(data["nodes"])}


def links(data: dict) -> dict[tuple[str, str], dict]:
    labels = [n["l"] for n in data["nodes"]]
    return {(labels[e["f"]], labels[e["t"]]): e for e in data["edges"]}


def test_no_remote_resources(page):
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "https://cdn" not in page and "//unpkg" not in page


def test_data_is_escaped_json_in_a_data_block(page):
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page and "<b>margins" not in page
    assert "Calix &lt;test&gt; &amp; &quot;friends&quot;" in page
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert block and "<" not in block.group(1) and ">" not in block.group(1) and "&" not in block.group(1)
    data = json.loads(block.group(1))
    assert HOSTILE in [n["l"] for n in data["nodes"]]
    assert page.count("</script>") == 4   # the error counter, the data, vis-network, the page script


def test_entities_become_nodes_and_structure_becomes_labelled_links(data):
    assert len(data["nodes"]) == NODES and len(data["edges"]) == EDGES
    rels = {pair: " · ".join(e["r"]) for pair, e in links(data).items()}
    assert rels[("Michael Weening", "calix-2023-q4")] == "spoke at (Executive)"
    assert rels[("George Notter", "Jefferies")] == "analyst at"
    assert rels[("Michael Weening", "Calix")] == "works for"
    assert rels[(HOSTILE, "calix-2024-q1")] == "spoke at (Analyst) · asked in"
    assert rels[("calix-2023-q4", "BEAD")] == "mentions"
    assert rels[("calix-2024-q1", "Calix")] == "about · mentions"
    assert rels[("calix-2023-q4", "FY2023 Q4")] == "in period"
    assert rels[("BEAD", "NTIA")] == "administered by"
    assert rels[("Acme Fiber", "Calix")] == "customer of"
    assert rels[("SmartBiz", "Calix")] == "offered by"
    assert links(data)[("calix-2023-q4", "BEAD")]["c"] == [2]          # two turns, one link
    assert "c" not in links(data)[("Acme Fiber", "Calix")]              # the triple and its assertion: once
    types = {}
    for n in data["nodes"]:
        types[data["types"][n["t"]][1]] = types.get(data["types"][n["t"]][1], 0) + 1
    assert types == {"Earnings call": 2, "Research note": 1, "Fiscal period": 2, "Person": 3,
                     "Research firm": 1, "Government agency": 1, "Government programme": 1,
                     "Product": 1, "Place": 1, "Organisation": 2}
    bead = data["nodes"][by_label(data)["BEAD"]]
    assert "Broadband Equity, Access, and Deployment" in bead["a"] and bead["z"] == ["寬頻公平接取與部署計畫"]
    assert all("x" in n and "y" in n for n in data["nodes"])
    assert data["mode"] == "full"
    assert data["folded"] == {"turns": 5, "exchanges": 1, "participations": 4, "observations": 4,
                              "evidence": 0, "assertions": 1}


def test_nodes_and_links_know_their_documents_and_periods(data):
    ids = by_label(data)
    period = {d: data["periods"][data["docs"][d]["p"]]["l"] for d in range(len(data["docs"]))}
    periods_of = lambda label: sorted({period[d] for d in data["nodes"][ids[label]]["d"]})  # noqa: E731
    assert periods_of("Michael Weening") == ["FY2023 Q4", "FY2024 Q1"]
    assert periods_of(HOSTILE) == ["FY2024 Q1"]
    assert periods_of("SmartBiz") == ["FY2023 Q4"]
    assert "d" not in data["nodes"][ids["Acme Fiber"]]         # only a timeless relation
    assert data["nodes"][ids["FY2024 Q1"]]["p"] == 1
    assert [period[d] for d in links(data)[("Michael Weening", "Calix")]["d"]] == ["FY2023 Q4", "FY2024 Q1"]


def test_roles_and_firms_are_kept_as_each_call_gives_them(data):
    ids = by_label(data)
    call2 = next(d for d in data["docs"] if data["nodes"][d["n"]]["l"] == "calix-2024-q1")
    assert [ids[HOSTILE], "Analyst", "Analyst", ids["Jefferies"]] in call2["sp"]
    [asked] = call2["as"]
    assert asked[0] == ids[HOSTILE] and asked[1] == ids["Jefferies"] and asked[4] == [ids["Michael Weening"]]
    assert data["quotes"][asked[3]]["e"] == QUESTION and data["quotes"][asked[3]]["k"] == "question"


def test_quotes_come_from_evidence_and_from_the_turns_that_name_an_entity(data):
    ids = by_label(data)
    bead = [data["quotes"][q] for q in data["nodes"][ids["BEAD"]]["q"]]
    assert {"e": "The Bead money arrives in 2025, we think.", "k": "mention", "d": 1,
            "z": data["zh"].index("各州正在批准計畫。BEAD 資金預計 2025 年到位。"),
            "b": ids["Michael Weening"]} in bead   # the turn's speaker
    weening = [data["quotes"][q]["e"] for q in data["nodes"][ids["Michael Weening"]]["q"]]
    assert "revenue of $264.7 million" in weening
    figure = next(q for q in data["quotes"] if q["e"] == "revenue of $264.7 million")
    assert data["zh"][figure["z"]] == "營收為 2.647 億美元"


def test_each_company_metric_has_a_series_of_reported_points_against_earlier_guidance(data):
    [series] = data["series"]
    assert data["metrics"][series["m"]] == "Revenue" and series["u"] == "USD"
    labels = [data["periods"][p]["l"] for p, *_ in series["pts"]]
    assert labels == ["FY2023 Q4", "FY2024 Q1"]                      # the change ("up 3%") is left out
    assert [v for _, v, *_ in series["pts"]] == [264700000, 228000000]
    [(p, low, high, fig)] = series["gd"]
    assert (data["periods"][p]["l"], low, high) == ("FY2024 Q1", 225000000, 231000000)
    given_in = data["docs"][data["figs"][fig]["d"]]["p"]
    assert data["periods"][given_in]["l"] == "FY2023 Q4"            # given a quarter earlier


def test_past_the_budget_the_page_opens_on_groups_by_type_and_year():
    data = page_data(small_graph(), budget=5)
    assert data["mode"] == "overview"
    covered = {i for g in data["groups"] for i in g["n"]}
    assert covered == set(range(NODES))
    people_2024 = next(g for g in data["groups"] if data["types"][g["t"]][0] == "person" and g["y"] == 2024)
    assert sorted(data["nodes"][i]["l"] for i in people_2024["n"]) == sorted([HOSTILE, "Michael Weening"])
    assert any(g["y"] is None for g in data["groups"])              # Acme Fiber: no document dates it


def test_snippets_cut_the_sentence_and_align_the_translation():
    text = TurnText("t", "First paragraph here.\n\nOne. The BEAD program helps. Three.", "第一段。\n\n一。BEAD 計畫有幫助。三。")
    assert mention_snippet(text, ["BEAD program", "BEAD"]) == ("The BEAD program helps.", "一。BEAD 計畫有幫助。三。")
    assert mention_snippet(text, ["NTIA"]) is None
    assert opening_snippet(text) == ("First paragraph here.", "第一段。")
    assert format_value(264700000, "USD") == "$265M" and format_value(55.5, "Percent") == "55.5%"


def test_deterministic(page):
    assert render_html(small_graph(), title="Calix <test> & \"friends\"") == page


def test_the_page_written_piece_by_piece_is_the_same_page(page, data, monkeypatch):
    """`write_page` never holds the page whole (at 20,000 documents its JSON is 180 MB): the
    data goes out a few thousand list items at a time, each piece escaped on its own. Cut into
    pieces of one item, or two, or three, it is still the same page (whose escaping
    `test_data_is_escaped_json_in_a_data_block` checks)."""
    pieces = view._json_pieces
    assert "".join(pieces(data)) == json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for batch in (1, 2, 3):
        monkeypatch.setattr(view, "_json_pieces", functools.partial(pieces, batch=batch))
        out = io.BytesIO()
        write_page(small_graph(), out, title="Calix <test> & \"friends\"")
        assert out.getvalue().decode("utf-8") == page, batch


def test_a_page_that_fails_half_way_leaves_the_old_one(tmp_path):
    """The page is written as it is made: written in place, a failure would leave half of one."""
    target = write_html(small_graph(), tmp_path / "graph.html", title="Calix test")
    before = target.read_bytes()
    with pytest.raises(AttributeError):
        write_html(object(), target)  # not a graph: fails once the file is being written
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["graph.html"]


HOVER_PROBE = """<script>
(function probe() {
  if (document.body.dataset.kgStatus !== "drawn") { setTimeout(probe, 50); return; }
  var id = kgPage.data.nodes.findIndex(function (n) { return n.l.indexOf("Eve") === 0; });
  var p = network.canvasToDOM(network.getPositions([id])[id]);
  var canvas = document.querySelector("#mynetwork canvas");
  var r = canvas.getBoundingClientRect();
  canvas.dispatchEvent(new MouseEvent("mousemove",
      {clientX: r.left + p.x, clientY: r.top + p.y, bubbles: true}));
  setTimeout(function () { document.body.dataset.kgHovered = "yes"; }, 800);
})();
</script>"""
def _png_non_white(path: Path) -> int:
    """How many pixels of an 8-bit RGB/RGBA PNG are not near-white (a tiny PNG reader, no Pillow)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    count = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for i in range(0, stride, bpp):
            if line[i] < 200 or line[i + 1] < 200 or line[i + 2] < 200:
                count += 1
        prev = line
    return count


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
                    reason="chromium is not installed")
def test_page_runs_offline_in_chromium(tmp_path):
    target = write_html(small_graph(), tmp_path / "graph.html", title="Calix test")
    size = target.stat().st_size
    assert 300_000 < size < 2_000_000

    dom = _run_chromium(tmp_path, "--dump-dom", target.as_uri())
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:2000]
    body = body.group(0)
    assert 'data-kg-status="drawn"' in body
    assert 'data-kg-errors="0"' in body
    assert f'data-kg-nodes="{NODES}"' in body
    assert f'data-kg-edges="{EDGES}"' in body
    assert "kg-pwned" not in body.lower()
    assert "<canvas" in dom

    # Hover the hostile node (a probe appended to a copy of the page): its tooltip shows the
    # name as text, with no element made from it.
    page = target.read_text(encoding="utf-8")
    cut = page.rindex("</body>")
    probed = tmp_path / "probed.html"
    probed.write_text(page[:cut] + HOVER_PROBE + page[cut:], encoding="utf-8")
    dom = _run_chromium(tmp_path, "--dump-dom", probed.as_uri())
    tip = re.search(r'<div class="vis-tooltip"[^>]*>(.*?)</div></div>', dom, re.S)
    assert tip, dom[-3000:]
    assert html.escape(HOSTILE, quote=False) in tip.group(1)
    assert html.escape(HOSTILE_ALIAS, quote=False) in tip.group(1)
    assert "<script" not in tip.group(1) and "<img" not in tip.group(1)
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-kg-errors="0"' in body and 'data-kg-hovered="yes"' in body
    assert "kg-pwned" not in body.lower()

    shot = tmp_path / "page.png"
    _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,800", target.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000
    assert _png_non_white(shot) > 5_000
    if os.environ.get("KG_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["KG_KEEP_SCREENSHOT"])


def test_a_dataset_reads_as_the_union_of_its_graphs():
    from rdflib import Dataset

    ds = Dataset()
    part = ds.graph(URIRef("https://example.org/g1"))
    for triple in small_graph():
        part.add(triple)
    data = page_data(ds)
    assert len(data["nodes"]) == NODES and len(data["edges"]) == EDGES


def test_kg_view_writes_the_page_of_a_store_with_its_budget(built, tmp_path):
    from kg.cli import main

    target = tmp_path / "graph.html"
    assert main(["view", "--store", str(built / "store"), "-o", str(target), "--budget", "10"]) == 0
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', target.read_text("utf-8"), re.S)
    data = json.loads(block.group(1))
    assert data["mode"] == "overview" and data["budget"] == 10 and len(data["nodes"]) > 10
    assert {data["types"][g["t"]][0] for g in data["groups"]} >= {"call", "person", "period"}


def test_past_the_turn_budget_the_page_leaves_the_turns_out_and_keeps_what_they_say(monkeypatch):
    """Past TURN_BUDGET turns the page does not read them all (a quarter of its reading at 5,000
    documents): it carries their count, and the quotes cut from turns keep their speakers."""
    from kg import view_read

    full = page_data(small_graph())
    monkeypatch.setattr(view_read, "TURN_BUDGET", 0)
    lean = page_data(small_graph())
    assert full["turns"] and full["turnsOmitted"] == 0
    assert lean["turns"] == [] and lean["turnsOmitted"] == len(full["turns"])
    assert any("b" in q for q in full["quotes"] if q["k"] == "mention")
    rest = lambda data: {k: v for k, v in data.items() if k not in ("turns", "turnsOmitted")}  # noqa: E731
    assert rest(lean) == rest(full)


def test_graphs_from_elsewhere_a_turn_in_two_calls_and_a_figure_without_a_metric():
    """kg's shapes rule both out, but the page also reads rdflib graphs and other stores."""
    g = small_graph()
    turn = ID["call/calix-2023-q4/turn/1"]              # mentions BEAD and SmartBiz
    g.add((turn, EKG.call, ID["call/calix-2024-q1"]))
    odd = ID["call/calix-2023-q4/observation/odd"]
    g.add((odd, RDF.type, EKG.MetricObservation))
    g.add((odd, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), turn))
    data = page_data(g)
    assert "mentions" in links(data)[("calix-2024-q1", "SmartBiz")]["r"]   # from the turn, in both calls
    assert "mentions" in links(data)[("calix-2023-q4", "SmartBiz")]["r"]
    assert len(data["figs"]) == len(page_data(small_graph())["figs"])     # no metric: no figure
