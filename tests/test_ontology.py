"""The OWL ontology (ontology/ekg.ttl) and the SHACL shapes (ontology/shapes.ttl).

Checks that both parse, that every term is declared and documented, that the terms the contract
and the competency queries use exist, and that the shapes accept a small conforming document graph
and reject specific broken variants of it at the expected node.
"""

import re
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, Literal, URIRef

from ontology import CUR, EKG, ONTOLOGY_IRI, ONTOLOGY_TTL, SHAPES_TTL, UNIT

XSD = str(rdflib.XSD)  # a plain string: pytest's collector trips over rdflib's XSD namespace object

REPO = Path(__file__).resolve().parents[1]
DESIGN = REPO.parent / "shared" / "design"
EKG_NAME = re.compile(r"\bekg:([A-Za-z][A-Za-z0-9_]*)")

METRICS = [
    "Revenue", "GrossMargin", "OperatingExpenses", "NetIncome", "EarningsPerShare", "FreeCashFlow",
    "CashAndInvestments", "RemainingPerformanceObligations", "CurrentRemainingPerformanceObligations",
    "DaysSalesOutstanding", "InventoryTurns", "InventoryDeposits", "PurchaseCommitments",
    "ShareRepurchase", "NewCustomers", "CustomerCount",
]


@pytest.fixture(scope="module")
def ont():
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(SHAPES_TTL, format="turtle")


def ekg_terms(g, *types):
    return {s for t in types for s in g.subjects(RDF.type, t) if str(s).startswith(str(EKG))}


def names_in(path):
    return set(EKG_NAME.findall(path.read_text(encoding="utf-8")))


def design_file(*parts):
    path = DESIGN.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared design folder not found at {DESIGN}")
    return path


# --- the ontology itself -------------------------------------------------------------------------

def test_both_files_parse(ont, shapes):
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ont
    assert len(ont) > 300 and len(shapes) > 300
    assert set(shapes.subjects(RDF.type, SH.NodeShape))


def test_ontology_header(ont):
    o = URIRef(ONTOLOGY_IRI)
    for p in (RDFS.label, RDFS.comment, OWL.versionInfo):
        assert ont.value(o, p) is not None, p


def test_classes_and_properties_are_documented(ont):
    classes = ekg_terms(ont, OWL.Class)
    props = ekg_terms(ont, OWL.ObjectProperty, OWL.DatatypeProperty)
    assert len(classes) >= 20 and len(props) >= 44
    missing = []
    for t in classes | props:
        for p in (RDFS.label, RDFS.comment):
            if not any(getattr(v, "language", None) == "en" for v in ont.objects(t, p)):
                missing.append((t, p))
    for t in props:
        missing += [(t, p) for p in (RDFS.domain, RDFS.range) if ont.value(t, p) is None]
    assert not missing


def test_property_kinds_match_ranges(ont):
    literal_ranges = {RDF.langString} | {r for r in ont.objects(None, RDFS.range) if str(r).startswith(XSD)}
    for p in ekg_terms(ont, OWL.DatatypeProperty):
        assert ont.value(p, RDFS.range) in literal_ranges, p
    for p in ekg_terms(ont, OWL.ObjectProperty):
        assert ont.value(p, RDFS.range) not in literal_ranges, p
    assert not ekg_terms(ont, OWL.ObjectProperty) & ekg_terms(ont, OWL.DatatypeProperty)


def test_individuals_are_documented(ont):
    classes = [EKG[c] for c in ("Role", "Section", "Kind", "Basis", "Unit", "ChangeType")]
    individuals = {i for c in classes for i in ont.subjects(RDF.type, c)}
    assert len(individuals) == 4 + 2 + 3 + 2 + 6 + 2
    for i in individuals:
        assert ont.value(i, RDFS.label) is not None and ont.value(i, RDFS.comment) is not None, i


def test_alignment_with_standards(ont):
    assert (EKG.EarningsCall, RDFS.subClassOf, URIRef("https://schema.org/Event")) in ont
    assert (EKG.FiscalPeriod, RDFS.subClassOf, URIRef("http://www.w3.org/2006/time#ProperInterval")) in ont
    oa = "http://www.w3.org/ns/oa#"
    for ours, theirs in (("quote", "exact"), ("start", "start"), ("end", "end")):
        assert (EKG[ours], RDFS.subPropertyOf, URIRef(oa + theirs)) in ont
    assert ont.value(EKG.USD, SKOS.exactMatch) == CUR.USD
    assert ont.value(EKG.Percent, SKOS.exactMatch) == UNIT.PERCENT
    assert ont.value(EKG.Days, SKOS.exactMatch) == UNIT.DAY
    company_domain = ont.value(EKG.company, RDFS.domain)
    members = set(ont.collection(ont.value(company_domain, OWL.unionOf)))
    assert members == {EKG.EarningsCall, EKG.ResearchNote, EKG.MetricObservation}


def test_metric_concepts(ont):
    declared = set(ont.subjects(SKOS.inScheme, EKG.Metrics))
    assert declared == {EKG[m] for m in METRICS}
    for m in declared:
        assert (m, RDF.type, SKOS.Concept) in ont
        labels = [l for l in ont.objects(m, SKOS.prefLabel) if l.language == "en"]
        assert len(labels) == 1, m
        assert ont.value(m, SKOS.definition) is not None, m
    assert ont.value(EKG.Revenue, SKOS.closeMatch) == URIRef("http://fasb.org/us-gaap/2024#Revenues")
    for m in ("FreeCashFlow", "DaysSalesOutstanding", "InventoryTurns", "NewCustomers", "CustomerCount"):
        assert ont.value(EKG[m], SKOS.closeMatch) is None, m


def test_competency_query_terms_are_declared(ont):
    queries = sorted(design_file("competency").glob("*.rq"))
    assert len(queries) == 12
    used = set().union(*(names_in(q) for q in queries))
    assert {"Revenue", "customerOf", "translation"} <= used
    assert not {n for n in used if (EKG[n], RDF.type, None) not in ont}


def test_contract_and_layout_terms_are_declared(ont):
    used = names_in(design_file("vocabulary.md")) | names_in(REPO / "docs" / "graph-layout.md")
    assert not {n for n in used if (EKG[n], RDF.type, None) not in ont}


def test_shapes_use_only_declared_terms(ont, shapes):
    used = {t for t in shapes.all_nodes() if isinstance(t, URIRef) and str(t).startswith(str(EKG))}
    assert used and not {t for t in used if (t, RDF.type, None) not in ont}


def test_every_shape_explains_itself(shapes):
    targeted = set(shapes.subjects(SH.targetClass, None))
    assert len(targeted) == 13
    named = targeted | {p for s in targeted for p in shapes.objects(s, SH.property)}
    named |= {m for s in targeted for x in shapes.objects(s, SH.xone) for m in shapes.collection(x)}
    for s in named:
        assert shapes.value(s, SH.message) is not None or shapes.value(s, RDFS.comment) is not None, s


# --- the shapes on a small document graph --------------------------------------------------------

DOC = """
@base <https://w3id.org/earnings-kg/id/> .
@prefix ekg: <https://w3id.org/earnings-kg/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .

<call/calix-2023-q4> a ekg:EarningsCall ; ekg:company <org/calix> ; ekg:period <period/calix/2023-q4> ;
    dcterms:source "calix-2023-q4.txt" ; ekg:sha256 "%s" .
<org/calix> a org:Organization ; rdfs:label "Calix"@en ; skos:altLabel "Calix, Inc."@en .
<org/verizon> a org:Organization ; rdfs:label "Verizon"@en ; ekg:customerOf <org/calix> .
<org/jefferies> a ekg:ResearchFirm ; rdfs:label "Jefferies"@en .
<period/calix/2023-q4> a ekg:FiscalPeriod ; ekg:fiscalYear 2023 ; ekg:fiscalQuarter 4 ; rdfs:label "FY2023 Q4" .
<period/calix/2024-q1> a ekg:FiscalPeriod ; ekg:fiscalYear 2024 ; ekg:fiscalQuarter 1 ; rdfs:label "FY2024 Q1" .
<person/cory-sindelar> a foaf:Person ; rdfs:label "Cory Sindelar"@en , "柯瑞·辛德拉"@zh-Hant ;
    skos:altLabel "Cory J. Sindelar"@en .
<person/george-notter> a foaf:Person ; rdfs:label "George Notter"@en .
<call/calix-2023-q4/participation/cory-sindelar> a ekg:Participation ; ekg:participant <person/cory-sindelar> ;
    ekg:call <call/calix-2023-q4> ; ekg:participantRole ekg:Executive ; ekg:title "CFO" ;
    ekg:nameAsPrinted "Cory Sindelar" ; ekg:affiliation <org/calix> .
<call/calix-2023-q4/turn/1> a ekg:Turn ; ekg:call <call/calix-2023-q4> ; ekg:order 1 ;
    ekg:section ekg:QuestionAndAnswer ; ekg:speaker <person/george-notter> ; ekg:text "How big is Verizon?"@en .
<call/calix-2023-q4/turn/2> a ekg:Turn ; ekg:call <call/calix-2023-q4> ; ekg:order 2 ;
    ekg:section ekg:QuestionAndAnswer ; ekg:speaker <person/cory-sindelar> ; ekg:mentions <org/verizon> ;
    ekg:text "Revenue was $264.7 million. Verizon is a customer. We expect $225 million to $231 million."@en ;
    ekg:translation "營收為 2.647 億美元。"@zh-Hant .
<call/calix-2023-q4/exchange/1> a ekg:Exchange ; ekg:call <call/calix-2023-q4> ; ekg:askedBy <person/george-notter> ;
    ekg:answeredBy <person/cory-sindelar> ; ekg:question <call/calix-2023-q4/turn/1> ; ekg:answer <call/calix-2023-q4/turn/2> .
<call/calix-2023-q4/observation/1> a ekg:MetricObservation ; ekg:metric ekg:Revenue ; ekg:company <org/calix> ;
    ekg:period <period/calix/2023-q4> ; ekg:kind ekg:Reported ; ekg:basis ekg:GAAP ; ekg:unit ekg:USD ;
    ekg:value "264700000"^^xsd:decimal ; ekg:statedBy <person/cory-sindelar> ;
    prov:wasDerivedFrom <call/calix-2023-q4/turn/2> ; ekg:evidence <call/calix-2023-q4/observation/1/evidence> .
<call/calix-2023-q4/observation/1/evidence> a ekg:Evidence , oa:TextQuoteSelector , oa:TextPositionSelector ;
    ekg:quote "Revenue was $264.7 million" ; ekg:start 0 ; ekg:end 26 ; ekg:paragraph 1 ;
    ekg:paragraphTranslation "營收為 2.647 億美元。"@zh-Hant .
<call/calix-2023-q4/observation/2> a ekg:MetricObservation ; ekg:metric ekg:Revenue ; ekg:company <org/calix> ;
    ekg:period <period/calix/2024-q1> ; ekg:kind ekg:Guidance ; ekg:unit ekg:USD ;
    ekg:lowValue "225000000"^^xsd:decimal ; ekg:highValue "231000000"^^xsd:decimal ;
    prov:wasDerivedFrom <call/calix-2023-q4/turn/2> ; ekg:evidence <call/calix-2023-q4/observation/2/evidence> .
<call/calix-2023-q4/observation/2/evidence> a ekg:Evidence ;
    ekg:quote "$225 million to $231 million" ; ekg:start 61 ; ekg:end 89 .
<call/calix-2023-q4/assertion/1> a ekg:Assertion ; rdf:subject <org/verizon> ; rdf:predicate ekg:customerOf ;
    rdf:object <org/calix> ; prov:wasDerivedFrom <call/calix-2023-q4/turn/2> ;
    ekg:evidence <call/calix-2023-q4/assertion/1/evidence> .
<call/calix-2023-q4/assertion/1/evidence> a ekg:Evidence ; ekg:quote "Verizon is a customer" ; ekg:start 28 ; ekg:end 49 .
""" % ("0123456789abcdef" * 4)

ID = "https://w3id.org/earnings-kg/id/"
OBS, PERSON = URIRef(ID + "call/calix-2023-q4/observation/1"), URIRef(ID + "person/cory-sindelar")
PERIOD, TURN = URIRef(ID + "period/calix/2023-q4"), URIRef(ID + "call/calix-2023-q4/turn/2")
FIRM = URIRef(ID + "org/jefferies")


def doc():
    return Graph().parse(data=DOC, format="turtle")


def results(data, ont, shapes):
    """(conforms, {(focus, path, component)}) of validating one document graph."""
    conforms, report, _ = validate(data, shacl_graph=shapes, ont_graph=ont, inference="none")
    found = {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.sourceConstraintComponent))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    return conforms, found


def test_sample_quotes_match_their_offsets():
    g = doc()
    text = str(g.value(TURN, EKG.text))
    for ev in g.subjects(RDF.type, EKG.Evidence):
        start, end = g.value(ev, EKG.start).toPython(), g.value(ev, EKG.end).toPython()
        assert text[start:end] == str(g.value(ev, EKG.quote))


def test_conforming_document_passes(ont, shapes):
    conforms, found = results(doc(), ont, shapes)
    assert conforms, found


def _value_as_double(g):
    g.set((OBS, EKG.value, Literal(264700000.0)))


def _only_low_value(g):
    g.remove((OBS, EKG.value, None))
    g.add((OBS, EKG.lowValue, Literal("264700000", datatype=XSD + "decimal")))


def _two_english_labels(g):
    g.add((PERSON, RDFS.label, Literal("Cory J Sindelar", lang="en")))


def _fifth_quarter(g):
    g.set((PERIOD, EKG.fiscalQuarter, Literal(5)))


def _turn_without_text(g):
    g.remove((TURN, EKG.text, None))


def _firm_without_label(g):  # reached only through ekg:ResearchFirm rdfs:subClassOf org:Organization
    g.remove((FIRM, RDFS.label, None))


@pytest.mark.parametrize(
    "breakit, focus, path, component",
    [
        (_value_as_double, OBS, EKG.value, SH.DatatypeConstraintComponent),
        (_only_low_value, OBS, None, SH.XoneConstraintComponent),
        (_two_english_labels, PERSON, RDFS.label, SH.QualifiedMaxCountConstraintComponent),
        (_fifth_quarter, PERIOD, EKG.fiscalQuarter, SH.MaxInclusiveConstraintComponent),
        (_turn_without_text, TURN, EKG.text, SH.MinCountConstraintComponent),
        (_firm_without_label, FIRM, RDFS.label, SH.QualifiedMinCountConstraintComponent),
    ],
    ids=["value-double", "only-low-value", "two-en-labels", "quarter-5", "turn-no-text", "firm-no-label"],
)
def test_broken_document_fails_at_expected_node(ont, shapes, breakit, focus, path, component):
    g = doc()
    breakit(g)
    conforms, found = results(g, ont, shapes)
    assert not conforms
    assert (focus, path, component) in found, found
    assert {f for f, _, _ in found} == {focus}, found
