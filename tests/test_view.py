"""The HTML view: what it draws, that it escapes the data, and that it runs in a real browser offline."""

import html
import os
import re
import shutil
import signal
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF

from browser import CHROMIUM, run_chromium as _run_chromium
from kg.view import build_network, render_html, write_html
from ontology import EKG, ORG, SCHEMA

ID = Namespace("https://w3id.org/earnings-kg/id/")
HOSTILE = 'Eve <script>alert(1)</script> "Quote" & Co'
HOSTILE_ALIAS = '<img src=x onerror="document.body.dataset.kgPwned=1">'


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

    def turn(c, n, *mentions):
        t = URIRef(f"{c}/turn/{n}")
        a((t, RDF.type, EKG.Turn))
        a((t, EKG.call, c))
        a((t, EKG.order, Literal(n)))
        a((t, EKG.text, Literal("…", lang="en")))
        for m in mentions:
            a((t, EKG.mentions, m))
        return t

    turn(call1, 1, bead, smartbiz)
    t2 = turn(call1, 2, bead)           # a second mention of BEAD: still one edge
    turn(call2, 1, bead, ntia, texas)
    question = turn(call2, 2)
    answer = turn(call2, 3, calix)

    exchange = ID["call/calix-2024-q1/exchange/1"]
    a((exchange, RDF.type, EKG.Exchange))
    a((exchange, EKG.call, call2))
    a((exchange, EKG.askedBy, eve))
    a((exchange, EKG.answeredBy, weening))
    a((exchange, EKG.question, question))
    a((exchange, EKG.answer, answer))

    # an observation and its evidence: not nodes, and their ekg:company/period add no edges
    obs = ID["call/calix-2023-q4/observation/1"]
    a((obs, RDF.type, EKG.MetricObservation))
    a((obs, EKG.company, calix))
    a((obs, EKG.period, periods[(2023, 4)]))
    a((obs, EKG.statedBy, weening))
    ev = URIRef(f"{obs}/evidence")
    a((obs, EKG.evidence, ev))
    a((ev, EKG.quote, Literal("revenue of $264.7 million")))
    a((obs, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), t2))

    note = ID["note/calix-2024-q1-jefferies"]
    a((note, RDF.type, EKG.ResearchNote))
    a((note, EKG.company, calix))
    a((note, EKG.period, periods[(2024, 1)]))
    return g


# 15 entities: 4 organisations (one firm, one agency), programme, product, place, 3 people,
# 2 periods, 2 calls, 1 note. Edges, one per ordered pair:
#   call1, call2, note -> calix (about) and -> their period ............... 6
#   Weening -> call1, call2 (spoke at), -> Calix (works for) ............. 3
#   Notter -> call1, -> Jefferies; Eve -> call2 (spoke at · asked in), -> Jefferies ... 4
#   call1 -> BEAD, SmartBiz; call2 -> BEAD, NTIA, Texas, Calix (mentions; call2->Calix merges with about) 5
#   BEAD -> NTIA, SmartBiz -> Calix, Acme -> Calix ....................... 3
NODES, EDGES = 15, 21


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(small_graph(), title="Calix <test> & \"friends\"")


def test_no_remote_resources(page):
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert not re.search(r"<script[^>]+\bsrc=", page, re.I)


def test_data_is_escaped(page):
    assert html.escape(HOSTILE) in page
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "Calix &lt;test&gt; &amp; &quot;friends&quot;" in page


def test_counts_and_mapping():
    net, legend = build_network(small_graph())
    assert len(net.nodes) == NODES
    assert len(net.edges) == EDGES
    labels = {n["id"]: n["label"] for n in net.nodes}
    edges = {(labels[e["from"]], labels[e["to"]]): e["label"] for e in net.edges}
    assert edges[("Michael Weening", "calix-2023-q4")] == "spoke at (Executive)"
    assert edges[("George Notter", "Jefferies")] == "analyst at"
    assert edges[("Michael Weening", "Calix")] == "works for"
    assert edges[(HOSTILE, "calix-2024-q1")] == "spoke at (Analyst) · asked in"
    assert edges[("calix-2023-q4", "BEAD")] == "mentions"
    assert edges[("calix-2024-q1", "Calix")] == "about · mentions"
    assert edges[("calix-2023-q4", "FY2023 Q4")] == "in period"
    assert edges[("BEAD", "NTIA")] == "administered by"
    assert edges[("Acme Fiber", "Calix")] == "customer of"
    assert edges[("SmartBiz", "Calix")] == "offered by"
    types = {row["label"]: row["count"] for row in legend}
    assert types == {"Earnings call": 2, "Research note": 1, "Fiscal period": 2, "Person": 3,
                     "Research firm": 1, "Government agency": 1, "Government programme": 1,
                     "Product": 1, "Place": 1, "Organisation": 2}
    bead = next(n for n in net.nodes if n["label"] == "BEAD")
    assert "Broadband Equity, Access, and Deployment" in bead["title"]
    assert "寬頻公平接取與部署計畫" in bead["title"]
    assert all("x" in n and "y" in n for n in net.nodes)
    assert net.options["physics"]["enabled"] is False


def test_deterministic(page):
    assert render_html(small_graph(), title="Calix <test> & \"friends\"") == page


HOVER_PROBE = """<script>
(function probe() {
  if (document.body.dataset.kgStatus !== "drawn") { setTimeout(probe, 50); return; }
  var id = nodes.get({filter: function (n) { return n.label.indexOf("Eve") === 0; }})[0].id;
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
