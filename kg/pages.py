"""The web UI of `kg serve`: the query page, the documents, one document, one entity (or turn).

Each page is built from SPARQL over the store. Every value from the data goes into the HTML
through `esc` (html.escape), or into a JSON block with <, > and & written as \\u escapes; links
carry IRIs URL-encoded, and only ever point into this server.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import zip_longest
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .store import Store

TEMPLATES = Path(__file__).parent / "templates"

EKG = "https://w3id.org/earnings-kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SPARQL_PREFIXES = f"""PREFIX ekg: <{EKG}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX prov: <{PROV}>
"""

LABELS = {RDFS + "label": "label", SKOS + "prefLabel": "preferred label", SKOS + "altLabel": "alias"}
TEXTS = (EKG + "text", EKG + "translation")
DOCUMENT_TYPES = (EKG + "EarningsCall", EKG + "ResearchNote")
ROLE_ORDER = {EKG + "Operator": 0, EKG + "Executive": 1, EKG + "InvestorRelations": 2, EKG + "Analyst": 3}
MAX_FACTS = 500  # rows per direction on an entity page
DOCS_PER_PAGE = 500  # rows of the documents page
# What an entity page reads, at most: a page stays fast and small however many facts point at the
# entity (at 1,000 documents ekg:Turn has 47,519; reading them all took 1.7 s and 50 MB).
MAX_OUT_ROWS = 10 * MAX_FACTS  # its own properties, types, labels and texts included
MAX_CLAIMS = 10 * MAX_FACTS  # claims about its facts
# The parts of a document have no labels: name them after the document ("turn 4 · Calix FY2023 Q4 earnings call").
PART = re.compile(r"^(?P<doc>.+/(?:call|note)/[^/]+)/(?P<kind>turn|exchange|observation|assertion|participation)"
                  r"/(?P<key>[^/]+)(?P<rest>/evidence)?$")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def json_block(element_id: str, value: object) -> str:
    data = json.dumps(value, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{esc(element_id)}">{data}</script>'


def href(path: str, iri: str, fragment: str = "") -> str:
    """An attribute-ready link into this server: `/entity?iri=…`, `/doc?iri=…`."""
    key = "graph" if path == "/store" else "iri"
    return esc(f"{path}?{key}={quote(iri, safe='')}{fragment}")


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Page:
    name: str          # the body's data-kg-page
    title: str         # plain text (escaped here)
    body: str          # HTML, its data already escaped
    script: str = ""   # kg's own JavaScript

    def html(self, nonce: str) -> str:
        script = f'<script nonce="{esc(nonce)}">\n{self.script}</script>' if self.script else ""
        slots = {"title": esc(self.title), "page": esc(self.name), "nonce": esc(nonce),
                 "body": self.body, "script": script}
        # One pass: text put into a slot is never read again as a slot.
        return re.sub(r"\{\{(\w+)\}\}", lambda m: slots[m.group(1)], _template("serve.html"))


class View:
    """Renders terms: IRIs as links with their labels, literals with language or datatype."""

    def __init__(self, store: Store, prefixes: dict[str, str]):
        self.store = store
        self.prefixes = {**prefixes, "owl": OWL}
        self.labels: dict[str, str] = {}

    def learn_labels(self, terms) -> None:
        """Fetch the preferred label of every IRI among `terms` (English first)."""
        wanted = {t.value for t in terms if isinstance(t, ox.NamedNode)}
        wanted |= {m["doc"] for iri in wanted if (m := PART.match(iri))}
        iris = sorted(wanted - set(self.labels))
        best: dict[str, tuple[int, str]] = {}
        for i in range(0, len(iris), 300):
            values = " ".join(str(ox.NamedNode(x)) for x in iris[i:i + 300])
            for r in self.store.query(f"{SPARQL_PREFIXES}SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} "
                                      "?x rdfs:label|skos:prefLabel ?l }"):
                label = r["l"]
                if not isinstance(label, ox.Literal):
                    continue
                rank = (0 if label.language == "en" else 1 if not label.language else 2, label.value)
                if r["x"].value not in best or rank < best[r["x"].value]:
                    best[r["x"].value] = rank
        self.labels.update({iri: rank[1] for iri, rank in best.items()})

    def compact(self, iri: str) -> str:
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns):]}"
        return iri

    def name(self, term) -> str:
        """Plain text for a term: its label, or the compact IRI."""
        if isinstance(term, ox.NamedNode):
            if term.value in self.labels:
                return self.labels[term.value]
            m = PART.match(term.value)
            if m and m["doc"] in self.labels:
                return f"{m['kind']} {m['key']}{' evidence' if m['rest'] else ''} · {self.labels[m['doc']]}"
            return self.compact(term.value)
        return term.value if term is not None else ""

    def node(self, term, text: str | None = None) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return (f'<a href="{href("/entity", term.value)}" title="{esc(term.value)}">'
                    f"{esc(text if text is not None else self.name(term))}</a>")
        if isinstance(term, ox.BlankNode):
            return f"_:{esc(term.value)}"
        if isinstance(term, ox.Literal):
            return self.literal(term)
        return esc(term)

    def predicate(self, term) -> str:
        return self.node(term, self.compact(term.value))

    def literal(self, lit: ox.Literal, limit: int = 400) -> str:
        value = lit.value if len(lit.value) <= limit else lit.value[: limit - 1] + "…"
        if lit.language:
            return f'<span lang="{esc(lit.language)}">{esc(value)}</span><span class="kg-lang">@{esc(lit.language)}</span>'
        if lit.datatype.value != XSD_STRING:
            return f'{esc(value)}<span class="kg-dt">{esc(self.compact(lit.datatype.value))}</span>'
        return esc(value)


def _table(header: list[str], rows: list[list[str]], attrs: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _number(lit) -> str:
    if lit is None:
        return ""
    try:
        d = Decimal(lit.value)
    except (InvalidOperation, AttributeError):
        return esc(lit.value)
    return esc(f"{int(d):,}" if d == d.to_integral_value() else f"{d:,}")


def _tail(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


# -- evidence ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quote:
    fact: str
    quote: str
    translation: str | None
    paragraph: int | None
    turn: str | None
    claim: tuple[str, str, str] | None  # (subject, predicate, object) of an ekg:Assertion


def _quotes(store: Store, node: str, linking: list[str]) -> list[Quote]:
    """The evidence of the entity itself, of the fact nodes `linking` to it that its page shows, and
    of the claims (`ekg:Assertion`s) of its facts and of those links."""
    shown = " ".join(str(ox.NamedNode(iri)) for iri in [node[1:-1], *linking])
    linked = " ".join(str(ox.NamedNode(iri)) for iri in linking)
    rows = store.query(f"""{SPARQL_PREFIXES}
        SELECT DISTINCT ?fact ?quote ?translation ?paragraph ?turn ?s ?p ?o WHERE {{
          {{ VALUES ?fact {{ {shown} }} }}
          UNION {{ SELECT ?fact WHERE {{ ?fact rdf:subject {node} }} LIMIT {MAX_CLAIMS} }}
          UNION {{ VALUES ?from {{ {linked} }} ?fact rdf:subject ?from ; rdf:object {node} }}
          ?fact ekg:evidence ?ev . ?ev ekg:quote ?quote .
          OPTIONAL {{ ?ev ekg:paragraphTranslation ?translation }}
          OPTIONAL {{ ?ev ekg:paragraph ?paragraph }}
          OPTIONAL {{ ?fact prov:wasDerivedFrom ?turn }}
          OPTIONAL {{ ?fact rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }}
        }}""")
    out = []
    for r in rows:
        paragraph = r["paragraph"]
        try:
            number = int(paragraph.value) if paragraph is not None else None
        except ValueError:
            number = None
        claim = (r["s"].value, r["p"].value, r["o"].value) if r["s"] is not None else None
        out.append(Quote(r["fact"].value, r["quote"].value, r["translation"].value if r["translation"] else None,
                         number, r["turn"].value if r["turn"] is not None else None, claim))
    return sorted(set(out), key=lambda q: (q.fact, q.quote))


def _turn_link(view: View, turn: str | None, paragraph: int | None) -> str:
    if not turn:
        return ""
    text = view.name(ox.NamedNode(turn))
    if paragraph:
        text += f", paragraph {paragraph}"
    return f'<a href="{href("/entity", turn, f"#p{paragraph}" if paragraph else "")}">{esc(text)}</a>'


def _quote_html(view: View, q: Quote, translation: str = "inline") -> str:
    zh = ""
    if q.translation and translation == "inline":
        zh = f'<p class="kg-zh" lang="zh-Hant">{esc(q.translation)}</p>'
    elif q.translation:
        zh = f'<details><summary>中文</summary><p class="kg-zh" lang="zh-Hant">{esc(q.translation)}</p></details>'
    source = _turn_link(view, q.turn, q.paragraph)
    return (f"<blockquote><p>“{esc(q.quote)}”</p>{zh}"
            + (f'<p class="kg-note">{source}</p>' if source else "") + "</blockquote>")


# -- pages ---------------------------------------------------------------------------------------
def index_page(saved: dict[str, tuple[str, str]], prefixes: dict[str, str], chosen: str | None = None,
               text: str | None = None) -> Page:
    """The query editor, preloaded with the saved competency queries."""
    names = list(saved)
    chosen = chosen if chosen in saved else (names[0] if names else "")
    description, preset = saved.get(chosen, ("", ""))
    options = "\n".join(f'<option value="{esc(n)}"{" selected" if n == chosen else ""}>'
                        f"{esc(n)} · {esc(d)}</option>" for n, (d, _) in saved.items())
    body = f"""<h1>Query the graph</h1>
<p class="kg-note">SPARQL 1.1 over every document; the default graph is the union of all graphs.
IRIs in the answer link to their entity pages. The endpoint for programs is <code>/sparql</code>.</p>
<form id="kg-form" method="post" action="/sparql">
  <div class="kg-controls">
    <label for="kg-saved">Saved query</label>
    <select id="kg-saved">{options}</select>
  </div>
  <p id="kg-description" class="kg-note">{esc(description)}</p>
  <textarea id="kg-editor" name="query" rows="16" spellcheck="false">{esc(text if text is not None else preset)}</textarea>
  <div class="kg-controls">
    <button type="submit" id="kg-run">Run</button>
    <span class="kg-note">Ctrl+Enter runs the query.</span>
    <span id="kg-status" class="kg-note"></span>
  </div>
</form>
<div id="kg-results"></div>
{json_block("kg-queries", {n: {"description": d, "text": t} for n, (d, t) in saved.items()})}
{json_block("kg-prefixes", {**prefixes, "owl": OWL})}"""
    return Page("index", "Query", body, _template("serve-query.js"))


def docs_page(store: Store, prefixes: dict[str, str] | None = None, page: int = 1) -> Page:
    """The documents, `DOCS_PER_PAGE` at a time in the order of their IRIs, each with its triple
    count: counted for the page's documents only (counting every document reads every quad: 2.5 s
    at 5,000 documents)."""
    every = store.document_iris()  # then the page's documents only: at 20,000 documents 0.4 s, not 2.2
    pages = max(1, -(-len(every) // DOCS_PER_PAGE))
    page = min(max(page, 1), pages)
    on_page = every[(page - 1) * DOCS_PER_PAGE:page * DOCS_PER_PAGE]
    docs = store.documents(count_triples=False, iris=on_page)
    triples = store.triple_counts([d.iri for d in docs])
    view = View(store, prefixes or {})
    view.learn_labels([ox.NamedNode(d.iri) for d in docs])
    rows = [[f'<a href="{href("/doc", d.iri)}">{esc(view.name(ox.NamedNode(d.iri)))}</a>',
             esc(d.kind), esc(d.period), f'<span class="kg-num">{triples.get(d.iri, 0):,}</span>', esc(d.source),
             f'<a href="{href("/entity", d.iri)}">facts</a> · <a href="{href("/store", d.iri)}">Turtle</a>']
            for d in docs]
    shown = f"{len(every):,} documents" if pages == 1 else (
        f"documents {(page - 1) * DOCS_PER_PAGE + 1:,}–{(page - 1) * DOCS_PER_PAGE + len(on_page):,} of {len(every):,}")
    links = " · ".join(f'<a href="/docs?page={n}" rel="{rel}">{label}</a>'
                       for n, rel, label in ((page - 1, "prev", "previous"), (page + 1, "next", "next"))
                       if 1 <= n <= pages)
    body = (f"<h1>Documents</h1>\n<p class=\"kg-note\">{shown} "
            f'(<a href="/store?default">all of the graph as Turtle</a>){" · " + links if links else ""}.</p>\n'
            + _table(["document", "type", "period", "triples", "source", "links"], rows, ' id="kg-docs"'))
    return Page("docs", "Documents", body)


def entity_page(store: Store, iri: str, prefixes: dict[str, str]) -> Page | None:
    """Everything the store says about one IRI, both directions, with the evidence of its facts.
    A turn's page shows its text beside its translation, paragraph by paragraph (`#p3`)."""
    node = str(ox.NamedNode(iri))
    # The union holds each triple once, so no DISTINCT; and no ORDER BY, which pyoxigraph makes
    # slower than reading every row: past the caps the rows are the first ones in the store's order.
    out = sorted({(r["p"], r["o"]) for r in store.query(f"SELECT ?p ?o WHERE {{ {node} ?p ?o }} LIMIT {MAX_OUT_ROWS}")},
                 key=lambda t: (t[0].value, str(t[1])))
    inc = sorted({(r["s"], r["p"]) for r in store.query(f"SELECT ?s ?p WHERE {{ ?s ?p {node} }} LIMIT {MAX_FACTS}")},
                 key=lambda t: (t[1].value, str(t[0])))
    if not out and not inc:
        return None
    inc_total = _count(store, f"?s ?p {node}") if len(inc) == MAX_FACTS else len(inc)
    quotes = _quotes(store, node, [s.value for s, _ in inc if isinstance(s, ox.NamedNode)])
    view = View(store, prefixes)
    view.learn_labels([ox.NamedNode(iri)] + [t for pair in out + inc for t in pair]
                      + [ox.NamedNode(q.turn) for q in quotes if q.turn])

    types = [o for p, o in out if p.value == RDF + "type"]
    labels = [(p, o) for p, o in out if p.value in LABELS and isinstance(o, ox.Literal)]
    texts = {p.value: o for p, o in out if p.value in TEXTS and isinstance(o, ox.Literal)}
    facts = [(p, o) for p, o in out if p.value != RDF + "type" and p.value not in texts
             and not (p.value in LABELS and isinstance(o, ox.Literal))]
    title = view.name(ox.NamedNode(iri))

    parts = [f"<h1>{esc(title)}</h1>", f'<p class="kg-iri">{esc(iri)}</p>']
    if types:
        parts.append("<p>" + " · ".join(view.node(t) for t in types) + "</p>")
    if any(t.value in DOCUMENT_TYPES for t in types):
        parts.append(f'<p><a href="{href("/doc", iri)}">the document page</a> · '
                     f'<a href="{href("/store", iri)}">its graph as Turtle</a></p>')

    if texts:
        en = _paragraphs(texts[EKG + "text"].value) if EKG + "text" in texts else []
        zh = _paragraphs(texts[EKG + "translation"].value) if EKG + "translation" in texts else []
        rows = "\n".join(f'<tr id="p{i}"><td class="kg-num">{i}</td><td lang="en">{esc(a or "")}</td>'
                         + (f'<td lang="zh-Hant" class="kg-zh">{esc(b or "")}</td>' if zh else "") + "</tr>"
                         for i, (a, b) in enumerate(zip_longest(en, zh), start=1))
        head = "<th>¶</th><th>text</th>" + ("<th>translation</th>" if zh else "")
        parts.append(f'<h2>Text</h2>\n<table class="kg-paragraphs" id="kg-text"><thead><tr>{head}</tr></thead>'
                     f"<tbody>\n{rows}\n</tbody></table>")

    if labels:
        rows = [[esc(LABELS[p.value]), view.literal(o), esc(o.language or "")]
                for p, o in sorted(labels, key=lambda t: (list(LABELS).index(t[0].value), t[1].value))]
        parts.append("<h2>Labels and aliases</h2>\n" + _table(["kind", "name", "language"], rows, ' id="kg-labels"'))

    own = [q for q in quotes if q.fact == iri]
    if own:
        parts.append("<h2>Evidence</h2>\n" + "\n".join(_quote_html(view, q) for q in own))

    claims: dict[tuple[str, str, str], list[Quote]] = {}
    by_fact: dict[str, list[Quote]] = {}
    for q in quotes:
        if q.claim:
            claims.setdefault(q.claim, []).append(q)
        by_fact.setdefault(q.fact, []).append(q)

    if facts:
        rows = []
        for p, o in facts[:MAX_FACTS]:
            evidence = claims.get((iri, p.value, o.value), []) if not isinstance(o, ox.Literal) else []
            rows.append([view.predicate(p), view.node(o) + "".join(_quote_html(view, q) for q in evidence)])
        unread = _count(store, f"{node} ?p ?o") - len(out) if len(out) == MAX_OUT_ROWS else 0
        parts.append(f"<h2>Facts ({len(facts) + unread:,})</h2>\n" + _table(["property", "value"], rows, ' id="kg-out"'))
        if len(facts) + unread > len(rows):
            parts.append(f'<p class="kg-note">… and {len(facts) + unread - len(rows):,} more; query /sparql for all.</p>')

    if inc:
        rows = []
        for s, p in inc:
            evidence = [] if p.value.startswith(RDF) else (
                by_fact.get(s.value, []) + claims.get((s.value, p.value, iri), []))
            rows.append([view.node(s) + "".join(_quote_html(view, q) for q in evidence), view.predicate(p)])
        parts.append(f"<h2>Linked from ({inc_total:,})</h2>\n" + _table(["subject", "property"], rows, ' id="kg-in"'))
        if inc_total > len(inc):
            parts.append(f'<p class="kg-note">… and {inc_total - len(inc):,} more; query /sparql for all.</p>')
    return Page("entity", title, "\n".join(parts))


def _count(store: Store, pattern: str) -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)


def doc_page(store: Store, iri: str, prefixes: dict[str, str]) -> Page | None:
    """One call or note: what it is, who took part in which role, the exchanges, the figures, the turns."""
    node = str(ox.NamedNode(iri))

    def q(where: str):
        return list(store.query(f"{SPARQL_PREFIXES}SELECT * WHERE {{ GRAPH {node} {{ {where} }} }}"))

    head = q(f"{node} ?p ?o")
    types = {r["o"].value for r in head if r["p"].value == RDF + "type"}
    if not types & set(DOCUMENT_TYPES):
        return None
    participants = q("?part a ekg:Participation ; ekg:participant ?person . "
                     "OPTIONAL { ?part ekg:participantRole ?role } OPTIONAL { ?part ekg:title ?title } "
                     "OPTIONAL { ?part ekg:affiliation ?affiliation }")
    exchanges = q("?x a ekg:Exchange ; ?p ?o")
    figures = q("?m a ekg:MetricObservation ; ?p ?o")
    evidence = q("?m a ekg:MetricObservation ; ekg:evidence ?ev . ?ev ekg:quote ?quote . "
                 "OPTIONAL { ?ev ekg:paragraphTranslation ?translation } OPTIONAL { ?ev ekg:paragraph ?paragraph } "
                 "OPTIONAL { ?m prov:wasDerivedFrom ?turn }")
    turns = q("?t a ekg:Turn ; ekg:order ?order . OPTIONAL { ?t ekg:speaker ?speaker } "
              "OPTIONAL { ?t ekg:section ?section } OPTIONAL { ?t ekg:text ?text }")

    view = View(store, prefixes)
    view.learn_labels([ox.NamedNode(iri)] + [t for rows in (head, participants, exchanges, figures, turns)
                                              for r in rows for t in r])
    title = view.name(ox.NamedNode(iri))
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="kg-iri">{esc(iri)}</p>',
             f'<p><a href="{href("/entity", iri)}">all facts about it</a> · '
             f'<a href="{href("/store", iri)}">its graph as Turtle</a> · <a href="/docs">all documents</a></p>']

    about = [[view.predicate(r["p"]), view.node(r["o"])] for r in sorted(head, key=lambda r: r["p"].value)
             if r["p"].value not in (RDF + "type", RDFS + "label", *TEXTS)]
    parts.append(_table(["property", "value"], about, ' id="kg-about"'))

    if participants:
        people = sorted(participants, key=lambda r: (ROLE_ORDER.get(r["role"].value if r["role"] else "", 9),
                                                     view.name(r["person"])))
        rows = [[view.node(r["person"]), view.node(r["role"]) if r["role"] else "",
                 esc(r["title"].value) if r["title"] else "", view.node(r["affiliation"])] for r in people]
        parts.append(f"<h2>Participants ({len(rows)})</h2>\n"
                     + _table(["person", "role", "title", "affiliation"], rows, ' id="kg-participants"'))

    if exchanges:
        grouped: dict[str, dict[str, list]] = {}
        for r in exchanges:
            grouped.setdefault(r["x"].value, {}).setdefault(r["p"].value, []).append(r["o"])

        def turns_of(terms) -> str:
            ordered = sorted(terms, key=lambda t: int(_tail(t.value)) if _tail(t.value).isdigit() else 0)
            return ", ".join(view.node(t, _tail(t.value)) for t in ordered)

        rows = []
        for x, props in sorted(grouped.items(), key=lambda kv: int(_tail(kv[0])) if _tail(kv[0]).isdigit() else 0):
            rows.append([view.node(ox.NamedNode(x), _tail(x)),
                         ", ".join(view.node(t) for t in props.get(EKG + "askedBy", [])),
                         ", ".join(view.node(t) for t in sorted(props.get(EKG + "answeredBy", []), key=view.name)),
                         turns_of(props.get(EKG + "question", [])), turns_of(props.get(EKG + "answer", []))])
        parts.append(f"<h2>Exchanges ({len(rows)})</h2>\n" + _table(
            ["#", "asked by", "answered by", "question turns", "answer turns"], rows, ' id="kg-exchanges"'))

    if figures:
        obs: dict[str, dict[str, object]] = {}
        for r in figures:
            obs.setdefault(r["m"].value, {})[r["p"].value] = r["o"]
        quotes: dict[str, list[Quote]] = {}
        for r in evidence:
            paragraph = int(r["paragraph"].value) if r["paragraph"] is not None and r["paragraph"].value.isdigit() else None
            quotes.setdefault(r["m"].value, []).append(Quote(
                r["m"].value, r["quote"].value, r["translation"].value if r["translation"] else None, paragraph,
                r["turn"].value if r["turn"] is not None else None, None))
        rows = []
        for m, props in sorted(obs.items(), key=lambda kv: int(_tail(kv[0])) if _tail(kv[0]).isdigit() else 0):
            if EKG + "value" in props:
                value = _number(props[EKG + "value"])
            elif EKG + "lowValue" in props or EKG + "highValue" in props:
                value = f"{_number(props.get(EKG + 'lowValue'))}–{_number(props.get(EKG + 'highValue'))}"
            else:
                value = ""
            unit = props.get(EKG + "unit")
            kind = _tail(props[EKG + "kind"].value) if EKG + "kind" in props else ""
            change = props.get(EKG + "changeOf")
            rows.append([
                view.node(ox.NamedNode(m), _tail(m)),
                view.node(props.get(EKG + "metric")),
                esc(kind + (f" ({_tail(change.value)} change)" if change is not None else "")),
                f'<span class="kg-num">{value}</span>' + (f" {esc(_tail(unit.value))}" if unit is not None else ""),
                view.node(props.get(EKG + "period")),
                esc(_tail(props[EKG + "basis"].value)) if EKG + "basis" in props else "",
                view.node(props.get(EKG + "statedBy")),
                "".join(_quote_html(view, q, translation="folded") for q in quotes.get(m, [])),
            ])
        parts.append(f"<h2>Figures ({len(rows)})</h2>\n" + _table(
            ["#", "metric", "kind", "value", "period", "basis", "stated by", "evidence"], rows, ' id="kg-figures"'))

    if turns:
        rows = []
        for r in sorted(turns, key=lambda r: int(r["order"].value)):
            text = r["text"].value if r["text"] is not None else ""
            rows.append([view.node(r["t"], r["order"].value),
                         esc(_tail(r["section"].value)) if r["section"] is not None else "",
                         view.node(r["speaker"]) if r["speaker"] is not None else '<span class="kg-note">operator</span>',
                         esc(text[:200] + ("…" if len(text) > 200 else ""))])
        parts.append(f"<h2>Turns ({len(rows)})</h2>\n" + _table(["#", "section", "speaker", "text"], rows, ' id="kg-turns"'))

    texts = {r["p"].value: r["o"] for r in head if r["p"].value in TEXTS}
    if EKG + "text" in texts:
        paragraphs = "\n".join(f'<p id="p{i}">{esc(p)}</p>' for i, p in enumerate(_paragraphs(texts[EKG + "text"].value), 1))
        parts.append(f"<h2>Text</h2>\n{paragraphs}")
    return Page("doc", title, "\n".join(parts))
