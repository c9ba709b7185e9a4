"""What the graph page needs from the store, read with SPARQL into plain records.

The page never sees RDF: this module asks the store (kg's own, a bare pyoxigraph store, or an
rdflib graph loaded into one) a fixed set of SELECT queries and returns small frozen records that
`kg.view_model` folds into nodes, links, figures and quotes. Queries are written for the union
default graph and return each fact once per engine (`SELECT DISTINCT`); the document a fact
comes from is found through the graph's own links (`prov:wasDerivedFrom` a turn of a call, or the
document itself), not through graph membership, so an rdflib graph without named graphs reads
the same.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pyoxigraph as ox

from ontology import EKG

#: The page carries every turn (for drawing them on request) up to this many; past it, reading
#: them all took a quarter of the time the page spent reading at 5,000 documents, for nothing it shows.
TURN_BUDGET = 30_000

PREFIXES = """PREFIX ekg: <https://w3id.org/earnings-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

#: Display types of entities, most specific first: an entity with several types takes the first.
#: (key, class IRI, legend label, colour, vis-network shape)
ENTITY_TYPES: list[tuple[str, str, str, str, str]] = [
    ("call", str(EKG.EarningsCall), "Earnings call", "#9c755f", "star"),
    ("note", str(EKG.ResearchNote), "Research note", "#ff9da7", "hexagon"),
    ("period", str(EKG.FiscalPeriod), "Fiscal period", "#bab0ac", "dot"),
    ("person", "http://xmlns.com/foaf/0.1/Person", "Person", "#4e79a7", "dot"),
    ("firm", str(EKG.ResearchFirm), "Research firm", "#e15759", "square"),
    ("agency", str(EKG.GovernmentAgency), "Government agency", "#76b7b2", "square"),
    ("program", str(EKG.GovernmentProgram), "Government programme", "#59a14f", "diamond"),
    ("product", str(EKG.Product), "Product", "#edc948", "triangle"),
    ("place", "https://schema.org/AdministrativeArea", "Place", "#b07aa1", "triangleDown"),
    ("org", "http://www.w3.org/ns/org#Organization", "Organisation", "#f28e2b", "square"),
]
_RANK = {cls: i for i, (_, cls, _, _, _) in enumerate(ENTITY_TYPES)}

#: Direct entity-to-entity properties and the words a link says for them.
DIRECT = {
    str(EKG.company): "about",
    str(EKG.period): "in period",
    str(EKG.administeredBy): "administered by",
    str(EKG.offeredBy): "offered by",
    str(EKG.customerOf): "customer of",
    str(EKG.competitorOf): "competitor of",
    str(EKG.partnerOf): "partner of",
}


@dataclass(frozen=True)
class Period:
    iri: str
    year: int
    quarter: int | None
    label: str


@dataclass(frozen=True)
class Document:
    iri: str
    kind: str                # "call" or "note"
    company: str | None
    period: str | None
    source: str
    label: str | None
    sentiment: str | None    # a note's label and score, "moderately positive (0.62)"


@dataclass(frozen=True)
class Participation:
    call: str
    person: str
    role: str | None         # local name: Executive, Analyst, InvestorRelations, Operator
    title: str | None
    organisation: str | None


@dataclass(frozen=True)
class Exchange:
    iri: str
    call: str
    asker: str
    answerers: tuple[str, ...]
    questions: tuple[str, ...]   # question turns, in order


@dataclass(frozen=True)
class Mention:
    turn: str
    call: str
    entity: str
    order: int


@dataclass(frozen=True)
class Turn:
    iri: str
    call: str
    order: int
    speaker: str | None
    section: str | None


@dataclass(frozen=True)
class Observation:
    iri: str
    metric: str
    company: str | None
    period: str | None
    kind: str                # Reported, Guidance, Target
    basis: str | None
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    change: str | None       # Sequential, YearOverYear, or None for a level
    stated_by: str | None
    document: str | None
    turn: str | None
    quote: str | None
    translation: str | None  # the Chinese paragraph the quote sits in


@dataclass(frozen=True)
class Assertion:
    iri: str
    subject: str
    predicate: str
    object: str
    document: str | None
    turn: str | None
    quote: str | None
    translation: str | None


@dataclass(frozen=True)
class TurnText:
    iri: str
    text: str
    translation: str | None
    speaker: str | None = None


@dataclass
class Records:
    """Everything the page shows, as read from the store; IRIs are plain strings."""

    entities: dict[str, str] = field(default_factory=dict)          # IRI -> type key
    labels: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)  # (text, lang, preferred)
    periods: dict[str, Period] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    participations: list[Participation] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    direct: list[tuple[str, str, str]] = field(default_factory=list)   # (s, property IRI, o)
    member_of: list[tuple[str, str]] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    concept_labels: dict[str, str] = field(default_factory=dict)      # metric IRI -> prefLabel
    counts: dict[str, int] = field(default_factory=dict)             # structural nodes folded away
    turns_omitted: int = 0    # turns not read: more than TURN_BUDGET (then `turns` is empty)
    turn_text: Callable[[Iterable[str]], dict[str, TurnText]] | None = None


def local(iri: str | None) -> str | None:
    if iri is None:
        return None
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Source:
    """A SPARQL endpoint over the union of every graph: kg's Store, a pyoxigraph Store, or an
    rdflib graph (copied into an in-memory pyoxigraph store, so both read the same way)."""

    def __init__(self, source):
        from rdflib import Graph

        if isinstance(source, Graph):
            flat = source
            if hasattr(source, "quads"):  # a Dataset: every graph's triples, as one
                flat = Graph()
                for s, p, o, _ in source.quads((None, None, None, None)):
                    flat.add((s, p, o))
            store = ox.Store()
            store.load(flat.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
            self._query = store.query
        elif isinstance(source, ox.Store):
            self._query = source.query
        else:  # kg.store.Store: its default graph is the union of all graphs
            self._query = source.query

    def rows(self, sparql: str) -> list[tuple[str | None, ...]]:
        result = self._query(PREFIXES + sparql)
        # By position, once each: by name, twice, took a quarter of the time of a large read.
        columns = range(len(result.variables))
        return [tuple(None if (term := s[i]) is None else term.value for i in columns) for s in result]


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None   # JSON has no NaN or infinity


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def read(source) -> Records:
    """Read the page's records from a store or graph (see :class:`Source`)."""
    src = source if isinstance(source, Source) else Source(source)
    r = Records()

    classes = " ".join(f"<{cls}>" for _, cls, _, _, _ in ENTITY_TYPES)
    for s, cls in src.rows(f"SELECT DISTINCT ?s ?c WHERE {{ ?s a ?c VALUES ?c {{ {classes} }} FILTER(isIRI(?s)) }}"):
        key = ENTITY_TYPES[_RANK[cls]][0]
        old = r.entities.get(s)
        if old is None or _RANK[cls] < next(i for i, t in enumerate(ENTITY_TYPES) if t[0] == old):
            r.entities[s] = key

    labels: dict[str, set] = defaultdict(set)
    for s, text, lang, pref in src.rows(
            "SELECT DISTINCT ?s ?o (LANG(?o) AS ?lang) ?pref WHERE { "
            "{ ?s rdfs:label ?o BIND(true AS ?pref) } UNION { ?s skos:altLabel ?o BIND(false AS ?pref) } "
            "FILTER(isLiteral(?o)) }"):
        if s in r.entities:
            labels[s].add((text, (lang or "").lower(), pref == "true"))
    r.labels = {s: sorted(v, key=lambda t: (not t[2], t[1], t[0])) for s, v in labels.items()}

    for p, year, quarter, label in src.rows(
            "SELECT DISTINCT ?p ?y ?q ?l WHERE { ?p a ekg:FiscalPeriod ; ekg:fiscalYear ?y "
            "OPTIONAL { ?p ekg:fiscalQuarter ?q } OPTIONAL { ?p rdfs:label ?l } }"):
        y, q = _int(year), _int(quarter)
        if y is not None and p not in r.periods:
            r.periods[p] = Period(p, y, q, label or (f"FY{y} Q{q}" if q else f"FY{y}"))

    for d, cls, company, period, source_name, label, slabel, score in src.rows(
            "SELECT ?d ?c (SAMPLE(?co) AS ?company) (SAMPLE(?pe) AS ?period) (SAMPLE(?src) AS ?source) "
            "(SAMPLE(?l) AS ?label) (SAMPLE(?sl) AS ?slabel) (SAMPLE(?sc) AS ?score) WHERE { "
            "?d a ?c VALUES ?c { ekg:EarningsCall ekg:ResearchNote } "
            "OPTIONAL { ?d ekg:company ?co } OPTIONAL { ?d ekg:period ?pe } OPTIONAL { ?d dcterms:source ?src } "
            "OPTIONAL { ?d rdfs:label ?l } OPTIONAL { ?d ekg:sentimentLabel ?sl } "
            "OPTIONAL { ?d ekg:sentimentScore ?sc } } GROUP BY ?d ?c"):
        kind = "call" if cls == str(EKG.EarningsCall) else "note"
        sentiment = None
        if slabel:
            sentiment = f"{slabel} ({float(score):.2f})" if _num(score) is not None else slabel
        r.documents[d] = Document(d, kind, company, period, source_name or local(d), label, sentiment)

    for call, person, role, title, org in src.rows(
            "SELECT DISTINCT ?call ?person ?role ?title ?org WHERE { ?x ekg:participant ?person ; ekg:call ?call "
            "OPTIONAL { ?x ekg:participantRole ?role } OPTIONAL { ?x ekg:title ?title } "
            "OPTIONAL { ?x ekg:affiliation ?org } }"):
        r.participations.append(Participation(call, person, local(role), title, org))

    # Exchanges, their answerers and their questions in three queries: in one, every answerer
    # came once per question (141,590 rows for 24,000 exchanges at 5,000 documents).
    asked: dict[str, dict] = {}
    for x, call, asker in src.rows("SELECT DISTINCT ?x ?call ?asker WHERE { ?x ekg:askedBy ?asker ; ekg:call ?call }"):
        asked.setdefault(x, {"call": call, "asker": asker, "answerers": set(), "questions": {}})
    for x, answerer in src.rows("SELECT DISTINCT ?x ?answerer WHERE { ?x ekg:answeredBy ?answerer }"):
        if x in asked:
            asked[x]["answerers"].add(answerer)
    for x, question, order in src.rows("SELECT DISTINCT ?x ?q ?order WHERE { ?x ekg:question ?q "
                                       "OPTIONAL { ?q ekg:order ?order } }"):
        if x in asked:
            asked[x]["questions"][question] = _int(order) or 0
    for x, e in sorted(asked.items()):
        questions = tuple(q for q, _ in sorted(e["questions"].items(), key=lambda kv: (kv[1], kv[0])))
        r.exchanges.append(Exchange(x, e["call"], e["asker"], tuple(sorted(e["answerers"])), questions))

    # The turns that mention something, then what each mentions: joined in one query, every
    # turn's call and order were looked up once per mention (12 s at 5,000 documents, now 8).
    where: dict[str, set[tuple[str, int]]] = defaultdict(set)   # turn -> (call, order), one in kg's graphs
    for turn, call, order in src.rows(
            "SELECT ?t ?call ?order WHERE { { SELECT DISTINCT ?t WHERE { ?t ekg:mentions [] } } "
            "?t ekg:call ?call OPTIONAL { ?t ekg:order ?order } }"):
        where[turn].add((call, _int(order) or 0))
    for turn, entity in src.rows("SELECT DISTINCT ?t ?e WHERE { ?t ekg:mentions ?e }"):
        for call, order in sorted(where.get(turn, ())):
            r.mentions.append(Mention(turn, call, entity, order))

    for key, cls in (("turns", "Turn"), ("exchanges", "Exchange"), ("participations", "Participation"),
                     ("observations", "MetricObservation"), ("evidence", "Evidence"), ("assertions", "Assertion")):
        [(n,)] = src.rows(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ekg:{cls} }}")
        r.counts[key] = int(n or 0)

    if r.counts["turns"] > TURN_BUDGET:
        r.turns_omitted = r.counts["turns"]
    else:
        for turn, call, order, speaker, section in src.rows(
                "SELECT ?t ?call (SAMPLE(?o) AS ?order) (SAMPLE(?sp) AS ?speaker) (SAMPLE(?se) AS ?section) WHERE { "
                "?t a ekg:Turn ; ekg:call ?call OPTIONAL { ?t ekg:order ?o } OPTIONAL { ?t ekg:speaker ?sp } "
                "OPTIONAL { ?t ekg:section ?se } } GROUP BY ?t ?call"):
            r.turns.append(Turn(turn, call, _int(order) or 0, speaker, local(section)))

    props = " ".join(f"<{p}>" for p in DIRECT)
    for s, p, o in src.rows(f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o VALUES ?p {{ {props} }} }}"):
        if s in r.entities and o in r.entities:
            r.direct.append((s, p, o))
    r.member_of = [(s, o) for s, o in src.rows("SELECT DISTINCT ?s ?o WHERE { ?s org:memberOf ?o }")]

    # Observations: each property read on its own and joined here. As one query with an OPTIONAL
    # per property, pyoxigraph looked every property up observation by observation: 14 of the
    # 20 s the page took to read at 5,000 documents. When a property has several values, the
    # page shows one (a second stater or quote adds nothing it shows): the first one read.
    obs: dict[str, dict[str, str]] = {}
    for m, metric in src.rows("SELECT ?m ?metric WHERE { ?m a ekg:MetricObservation ; ekg:metric ?metric }"):
        obs.setdefault(m, {"metric": metric})
    for key, prop in (("company", "ekg:company"), ("period", "ekg:period"), ("kind", "ekg:kind"),
                      ("basis", "ekg:basis"), ("value", "ekg:value"), ("low", "ekg:lowValue"),
                      ("high", "ekg:highValue"), ("unit", "ekg:unit"), ("change", "ekg:changeOf"),
                      ("by", "ekg:statedBy")):
        for m, value in src.rows(f"SELECT ?m ?v WHERE {{ ?m {prop} ?v }}"):
            fields = obs.get(m)
            if fields is not None:
                fields.setdefault(key, value)
    # Where it came from and its quote, each pair from one row (the call of that turn, the
    # translation of that quote's paragraph); observations without a metric are not read.
    sources: dict[str, tuple[str, str | None]] = {}
    for m, derived, call in src.rows("SELECT ?m ?from ?call WHERE { ?m a ekg:MetricObservation ; "
                                     "prov:wasDerivedFrom ?from OPTIONAL { ?from ekg:call ?call } }"):
        sources.setdefault(m, (derived, call))
    evidence: dict[str, tuple[str | None, str | None]] = {}
    for m, quote, zh in src.rows("SELECT ?m ?q ?zh WHERE { ?m a ekg:MetricObservation ; ekg:evidence ?e "
                                 "OPTIONAL { ?e ekg:quote ?q } OPTIONAL { ?e ekg:paragraphTranslation ?zh } }"):
        evidence.setdefault(m, (quote, zh))
    for m, f in sorted(obs.items()):
        derived, call = sources.get(m, (None, None))
        quote, zh = evidence.get(m, (None, None))
        document = call or (derived if derived in r.documents else None)
        r.observations.append(Observation(
            m, f["metric"], f.get("company"), f.get("period"), local(f.get("kind")) or "Reported",
            local(f.get("basis")), _num(f.get("value")), _num(f.get("low")), _num(f.get("high")),
            local(f.get("unit")), local(f.get("change")), f.get("by"), document, derived if call else None,
            quote, zh))

    seen: set = set()
    for a, s, p, o, derived, call, quote, zh in src.rows(
            "SELECT ?a ?s ?p ?o ?from ?call ?q ?zh WHERE { ?a a ekg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; "
            "rdf:object ?o OPTIONAL { ?a prov:wasDerivedFrom ?from OPTIONAL { ?from ekg:call ?call } } "
            "OPTIONAL { ?a ekg:evidence ?e OPTIONAL { ?e ekg:quote ?q } OPTIONAL { ?e ekg:paragraphTranslation ?zh } } } "
            "ORDER BY ?a"):
        if a in seen:
            continue
        seen.add(a)
        document = call or (derived if derived in r.documents else None)
        r.assertions.append(Assertion(a, s, p, o, document, derived if call else None, quote, zh))

    r.concept_labels = {c: l for c, l in src.rows(
        "SELECT ?c (SAMPLE(?l) AS ?label) WHERE { ?c skos:prefLabel ?l FILTER(langMatches(LANG(?l), 'en') || LANG(?l) = '') } "
        "GROUP BY ?c")}

    def turn_text(iris: Iterable[str]) -> dict[str, TurnText]:
        """The English text, Chinese translation and speaker of some turns, fetched in batches."""
        out: dict[str, TurnText] = {}
        wanted = sorted(set(iris))
        for start in range(0, len(wanted), 200):
            values = " ".join(f"<{t}>" for t in wanted[start:start + 200])
            for t, text, zh, speaker in src.rows(
                    f"SELECT ?t (SAMPLE(?x) AS ?text) (SAMPLE(?z) AS ?zh) (SAMPLE(?sp) AS ?speaker) WHERE {{ "
                    f"VALUES ?t {{ {values} }} ?t ekg:text ?x OPTIONAL {{ ?t ekg:translation ?z }} "
                    f"OPTIONAL {{ ?t ekg:speaker ?sp }} }} GROUP BY ?t"):
                if text is not None:
                    out[t] = TurnText(t, text, zh, speaker)
        return out

    r.turn_text = turn_text
    return r
