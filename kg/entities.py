"""The entities graph: what depends on several documents, recomputed from the document graphs.

One `rdfs:label` per person: the first and last name their own speaker headers use in most
documents, ties going to the most recent document; one per organisation: the form most
documents write (a known canonical name wins); and the facts of every fiscal period.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from extract.gazetteer import ALL
from extract.model import FiscalPeriod
from extract.names import first_last
from ontology import EKG

from .build import bind_prefixes, integer
from .iris import Iris

PREFIX = """
PREFIX ekg: <https://w3id.org/earnings-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
"""
ENTITY_TYPES = "foaf:Person org:Organization ekg:ResearchFirm ekg:GovernmentAgency ekg:GovernmentProgram ekg:Product schema:AdministrativeArea"

Rows = Iterable[dict[str, str]]
Select = Callable[[str], Rows]  # runs a SELECT over the store, rows of plain strings


def entities_graph(select: Select, iris: Iris = Iris()) -> Graph:
    g = bind_prefixes(Graph())
    recency: dict[str, FiscalPeriod] = {}
    for row in select(PREFIX + "SELECT ?g ?p WHERE { GRAPH ?g { ?g ekg:period ?p } }"):
        period = iris.parse_period(row["p"])
        if period:
            recency[row["g"]] = period

    def newest(docs: Iterable[str]) -> tuple:
        periods = [recency.get(d, FiscalPeriod(0)) for d in docs]
        best = max(periods) if periods else FiscalPeriod(0)
        return (best.year, best.quarter or 0)

    forms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # entity -> form -> docs
    types: dict[str, str] = {}
    typed: set[tuple[str, str]] = set()  # (document, entity) where the document types the entity
    for row in select(PREFIX + f"SELECT ?g ?e ?t WHERE {{ GRAPH ?g {{ ?e a ?t . VALUES ?t {{ {ENTITY_TYPES} }} }} }}"):
        types.setdefault(row["e"], row["t"])
        typed.add((row["g"], row["e"]))
    # Joined here, not in SPARQL: as an OPTIONAL of the query above it took 4.8 s at 5,000
    # documents, as two queries 1.6 s.
    for row in select(PREFIX + "SELECT ?g ?e ?alt WHERE { GRAPH ?g { ?e skos:altLabel ?alt "
                               "FILTER(langMatches(lang(?alt), 'en')) } }"):
        if (row["g"], row["e"]) in typed:
            forms[row["e"]][row["alt"]].add(row["g"])

    headers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select(PREFIX + "SELECT ?g ?person ?name WHERE { GRAPH ?g { ?x ekg:participant ?person ; ekg:nameAsPrinted ?name } }"):
        headers[row["person"]][first_last(row["name"])].add(row["g"])

    known = {str(iris.base) + _prefix_of(k.type.value) + "/" + k.key: k.label for k in ALL}
    for entity, entity_type in sorted(types.items()):
        if entity in headers:
            label = _most_documents(headers[entity], newest)
        elif entity in known:
            label = known[entity]
        elif forms.get(entity):
            label = _most_documents(_by_case_folded(forms[entity]), newest)
            if entity_type.endswith("Person"):
                full = {f: d for f, d in forms[entity].items() if len(f.split()) >= 2}
                if full:
                    label = first_last(_most_documents(full, newest))
        else:
            label = entity.rsplit("/", 1)[-1]
        g.add((URIRef(entity), RDFS.label, Literal(label, lang="en")))

    periods = {row["p"] for row in select(PREFIX + "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ekg:period ?p } }")}
    for p in sorted(periods):
        period = iris.parse_period(p)
        if period is None:
            continue
        node = URIRef(p)
        g.add((node, RDF.type, EKG.FiscalPeriod))
        g.add((node, EKG.fiscalYear, integer(period.year)))
        if period.quarter:
            g.add((node, EKG.fiscalQuarter, integer(period.quarter)))
        g.add((node, RDFS.label, Literal(period.label, lang="en")))
    return g


def _prefix_of(type_value: str) -> str:
    return {"Person": "person", "GovernmentProgram": "program", "Product": "product", "Place": "place"}.get(type_value, "org")


def _most_documents(forms: dict[str, set[str]], newest: Callable[[Iterable[str]], tuple]) -> str:
    """The form used by most documents; ties to the most recent document, then the alphabet."""
    return max(sorted(forms), key=lambda f: (len(forms[f]), newest(forms[f])))


def _by_case_folded(forms: dict[str, set[str]]) -> dict[str, set[str]]:
    """Group "Northland capital markets" with "Northland Capital Markets"; keep the best-cased form."""
    groups: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for form, docs in forms.items():
        groups[form.casefold()][form] = docs
    merged: dict[str, set[str]] = {}
    for variants in groups.values():
        best = max(sorted(variants), key=lambda f: (len(variants[f]), sum(c.isupper() for c in f)))
        merged[best] = set().union(*variants.values())
    return merged



