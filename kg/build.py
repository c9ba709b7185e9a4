"""Facts to triples: one rdflib graph per document, in the ontology's vocabulary.

Everything here belongs to the one document: its node, its people's participations, turns,
exchanges, figures with their evidence, and each entity's type and the names this document
wrote. Labels chosen across documents and the periods' own facts go to the entities graph
(`kg.entities`), so that no triple is stated by two documents.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from extract.model import Document, EntityType, Span
from ontology import EKG, OA, ORG, PREFIXES, SCHEMA

from .iris import Iris

TYPE_CLASS = {
    EntityType.PERSON: FOAF.Person,
    EntityType.ORGANIZATION: ORG.Organization,
    EntityType.RESEARCH_FIRM: EKG.ResearchFirm,
    EntityType.AGENCY: EKG.GovernmentAgency,
    EntityType.PROGRAM: EKG.GovernmentProgram,
    EntityType.PRODUCT: EKG.Product,
    EntityType.PLACE: SCHEMA.AdministrativeArea,
}
RELATION = {"customerOf": EKG.customerOf, "competitorOf": EKG.competitorOf, "partnerOf": EKG.partnerOf}


def decimal(value: Decimal) -> Literal:
    """A decimal literal in canonical form, so that every store writes it back the same way."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal(text, datatype=XSD.decimal)


def integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def text(value: str) -> Literal:
    return Literal(value, datatype=XSD.string)


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), replace=True)
    graph.bind("person", Namespace(Iris().base + "person/"))
    graph.bind("orgid", Namespace(Iris().base + "org/"))
    return graph


def document_graph(doc: Document, iris: Iris = Iris()) -> tuple[URIRef, Graph]:
    """The document's IRI (also the name of its graph) and the graph itself."""
    g = bind_prefixes(Graph())
    d = iris.document(doc)
    company = iris.entity(doc.company)
    period = iris.period(doc.company, doc.period)

    g.add((d, RDF.type, EKG.EarningsCall if doc.kind == "call" else EKG.ResearchNote))
    g.add((d, EKG.company, company))
    g.add((d, EKG.period, period))
    g.add((d, DCTERMS.source, text(doc.source)))
    what = "earnings call" if doc.kind == "call" else f"research note ({doc.source})"
    g.add((d, RDFS.label, Literal(f"{doc.company_name} {doc.period.label} {what}", lang="en")))
    g.add((d, EKG.sha256, text(doc.sha256)))
    if doc.kind == "note":
        g.add((d, EKG.sentimentLabel, text(doc.sentiment_label or "")))
        g.add((d, EKG.sentimentScore, decimal(doc.sentiment_score or Decimal(0))))
        g.add((d, EKG.text, Literal(doc.turns[0].text, lang="en")))

    for e in doc.entities:
        node = iris.entity(e.key)
        g.add((node, RDF.type, TYPE_CLASS[e.type]))
        for name in e.names:
            g.add((node, SKOS.altLabel, Literal(name, lang="en")))
        if e.label and e.label not in e.names:
            g.add((node, SKOS.altLabel, Literal(e.label, lang="en")))
        for name in e.zh_names:
            g.add((node, SKOS.altLabel, Literal(name, lang="zh-Hant")))
        if e.administered_by:
            g.add((node, EKG.administeredBy, iris.entity(e.administered_by)))
        if e.offered_by:
            g.add((node, EKG.offeredBy, iris.entity(e.offered_by)))

    turn_node = _turns(g, doc, d, iris)
    source_of = (lambda order: d) if doc.kind == "note" else turn_node

    for p in doc.participations:
        part = URIRef(f"{d}/participation/{p.person.split('/', 1)[1]}")
        person = iris.entity(p.person)
        g.add((part, RDF.type, EKG.Participation))
        g.add((part, EKG.participant, person))
        g.add((part, EKG.call, d))
        g.add((part, EKG.participantRole, EKG[p.role.value]))
        g.add((part, EKG.nameAsPrinted, text(p.name_as_printed)))
        if p.title:
            g.add((part, EKG.title, text(p.title)))
        if p.affiliation:
            g.add((part, EKG.affiliation, iris.entity(p.affiliation)))
            g.add((person, ORG.memberOf, iris.entity(p.affiliation)))

    for n, x in enumerate(doc.exchanges, start=1):
        ex = URIRef(f"{d}/exchange/{n}")
        g.add((ex, RDF.type, EKG.Exchange))
        g.add((ex, EKG.call, d))
        g.add((ex, EKG.askedBy, iris.entity(x.asked_by)))
        for person in x.answered_by:
            g.add((ex, EKG.answeredBy, iris.entity(person)))
        for order in x.questions:
            g.add((ex, EKG.question, turn_node(order)))
        for order in x.answers:
            g.add((ex, EKG.answer, turn_node(order)))

    for n, f in enumerate(doc.figures, start=1):
        obs = URIRef(f"{d}/observation/{n}")
        g.add((obs, RDF.type, EKG.MetricObservation))
        g.add((obs, EKG.metric, EKG[f.metric]))
        g.add((obs, EKG.company, company))
        g.add((obs, EKG.period, iris.period(doc.company, f.period)))
        g.add((obs, EKG.kind, EKG[f.kind.value]))
        g.add((obs, EKG.unit, EKG[f.unit]))
        if f.basis:
            g.add((obs, EKG.basis, EKG[f.basis.value]))
        if f.change:
            g.add((obs, EKG.changeOf, EKG[f.change.value]))
        if f.value is not None:
            g.add((obs, EKG.value, decimal(f.value)))
        else:
            g.add((obs, EKG.lowValue, decimal(f.low)))  # type: ignore[arg-type]
            g.add((obs, EKG.highValue, decimal(f.high)))  # type: ignore[arg-type]
        if f.speaker:
            g.add((obs, EKG.statedBy, iris.entity(f.speaker)))
        g.add((obs, PROV.wasDerivedFrom, source_of(f.span.turn)))
        _evidence(g, obs, f.span, doc)

    for n, r in enumerate(doc.relations, start=1):
        subject, obj = iris.entity(r.subject), iris.entity(r.object)
        g.add((subject, RELATION[r.predicate], obj))
        a = URIRef(f"{d}/assertion/{n}")
        g.add((a, RDF.type, EKG.Assertion))
        g.add((a, RDF.subject, subject))
        g.add((a, RDF.predicate, RELATION[r.predicate]))
        g.add((a, RDF.object, obj))
        g.add((a, PROV.wasDerivedFrom, source_of(r.span.turn)))
        _evidence(g, a, r.span, doc)
    return d, g


def _turns(g: Graph, doc: Document, d: URIRef, iris: Iris):
    def node(order: int) -> URIRef:
        return URIRef(f"{d}/turn/{order}")

    if doc.kind == "note":
        return node
    mentioned: dict[int, set[str]] = {}
    for m in doc.mentions:
        mentioned.setdefault(m.span.turn, set()).add(m.key)
    for t in doc.turns:
        turn = node(t.order)
        g.add((turn, RDF.type, EKG.Turn))
        g.add((turn, EKG.call, d))
        g.add((turn, EKG.order, integer(t.order)))
        g.add((turn, EKG.section, EKG[t.section.value]))
        g.add((turn, EKG.text, Literal(t.text, lang="en")))
        if t.translation:
            g.add((turn, EKG.translation, Literal(t.translation, lang="zh-Hant")))
        speaker = doc.speakers.get(t.order)
        if speaker:
            g.add((turn, EKG.speaker, iris.entity(speaker)))
        for key in sorted(mentioned.get(t.order, ())):
            g.add((turn, EKG.mentions, iris.entity(key)))
    return node


def _evidence(g: Graph, fact: URIRef, span: Span, doc: Document) -> None:
    ev = URIRef(f"{fact}/evidence")
    g.add((fact, EKG.evidence, ev))
    g.add((ev, RDF.type, EKG.Evidence))
    g.add((ev, RDF.type, OA.TextQuoteSelector))
    g.add((ev, RDF.type, OA.TextPositionSelector))
    g.add((ev, EKG.quote, text(span.quote)))
    g.add((ev, EKG.start, integer(span.start)))
    g.add((ev, EKG.end, integer(span.end)))
    g.add((ev, EKG.paragraph, integer(span.paragraph)))
    turn = next((t for t in doc.turns if t.order == span.turn), None)
    if turn is not None and 0 < span.paragraph <= len(turn.paragraphs):
        translation = turn.paragraphs[span.paragraph - 1].translation
        if translation:
            g.add((ev, EKG.paragraphTranslation, Literal(translation, lang="zh-Hant")))
