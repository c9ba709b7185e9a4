"""The entities graph: what depends on several documents, recomputed from the document graphs.

One `rdfs:label` per person: the first and last name their own speaker headers use in most
documents, ties going to the most recent document; one per organisation: the form most
documents write (a known canonical name wins); and the facts of every fiscal period.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Collection, Iterable

from rdflib import FOAF, RDF, RDFS, Graph, Literal, URIRef

from extract.gazetteer import ALL
from extract.model import FiscalPeriod
from extract.names import first_last
from ontology import EKG, ORG, SCHEMA

from .build import bind_prefixes, integer
from .iris import Iris

PREFIX = """
PREFIX ekg: <https://w3id.org/earnings-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
"""
# What the entities graph labels: typed so in some document.
ENTITY_TYPE_IRIS = frozenset(str(t) for t in (FOAF.Person, ORG.Organization, EKG.ResearchFirm, EKG.GovernmentAgency,
                                             EKG.GovernmentProgram, EKG.Product, SCHEMA.AdministrativeArea))
ENTITY_TYPES = " ".join(f"<{t}>" for t in sorted(ENTITY_TYPE_IRIS))

Rows = Iterable[dict[str, str]]
Select = Callable[[str], Rows]  # runs a SELECT over the store, rows of plain strings


def entities_graph(select: Select, iris: Iris = Iris(), only: Collection[str] | None = None) -> Graph:
    """The entities graph of the store `select` reads (its queries read every named graph; the
    entities and ontology graphs hold nothing they look for). With `only` (entity and period IRIs),
    just the triples about those of them that some document still mentions: what `Store` patches in
    after a few documents changed, instead of reading every document again (5 s at 5,000 documents)."""
    g = bind_prefixes(Graph())
    known = {str(iris.base) + _prefix_of(k.type.value) + "/" + k.key: k.label for k in ALL}

    headers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select(PREFIX + f"SELECT ?g ?e ?name WHERE {{ {values_clause('e', only)} GRAPH ?g {{ ?x ekg:participant ?e ; ekg:nameAsPrinted ?name }} }}"):
        headers[row["e"]][first_last(row["name"])].add(row["g"])

    # A gazetteer entry's label is fixed, so its documents need not be read, only whether one still
    # types it: BEAD or the FCC are named by most calls, and reading them all made patching after
    # one call cost as much as recomputing everything.
    fixed = {e for e in only if e in known and e not in headers} if only is not None else set()
    rest = set(only) - fixed if only is not None else None  # None: every entity
    entities: set[str] = set()
    if fixed:
        for row in select(PREFIX + f"SELECT ?e WHERE {{ {values_clause('e', fixed)} FILTER EXISTS {{ GRAPH ?g {{ ?e a ?t . "
                                   f"VALUES ?t {{ {ENTITY_TYPES} }} }} }} }}"):
            entities.add(row["e"])

    forms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # entity -> form -> docs
    typed: set[tuple[str, str]] = set()  # (document, entity) where the document types the entity
    persons: set[str] = set()
    if rest is None or rest:
        where = values_clause("e", rest)
        # With the entities given, their types are filtered here: as a second VALUES in the query
        # it took 6.6 s instead of 1.3 for 1,500 entities at 5,000 documents.
        kinds = "" if rest is not None else f"VALUES ?t {{ {ENTITY_TYPES} }}"
        for row in select(PREFIX + f"SELECT ?g ?e ?t WHERE {{ {where} GRAPH ?g {{ ?e a ?t . {kinds} FILTER(isIRI(?e)) }} }}"):
            if row["t"] in ENTITY_TYPE_IRIS:
                typed.add((row["g"], row["e"]))
                if row["t"].endswith("Person"):
                    persons.add(row["e"])
        # Joined here, not in SPARQL: as an OPTIONAL of the query above it took 4.8 s at 5,000
        # documents, as two queries 1.6 s.
        for row in select(PREFIX + f"SELECT ?g ?e ?alt WHERE {{ {where} GRAPH ?g {{ ?e skos:altLabel ?alt "
                                   "FILTER(langMatches(lang(?alt), 'en')) } }"):
            if (row["g"], row["e"]) in typed:
                forms[row["e"]][row["alt"]].add(row["g"])
    entities.update(e for _, e in typed)

    if only is None:
        dated = select(PREFIX + "SELECT ?g ?p WHERE { GRAPH ?g { ?g ekg:period ?p } }")
    else:  # only the documents that name these entities
        docs = {d for d, _ in typed} | {d for names in headers.values() for ds in names.values() for d in ds}
        dated = select(PREFIX + f"SELECT ?g ?p WHERE {{ {values_clause('g', docs)} GRAPH ?g {{ ?g ekg:period ?p }} }}") if docs else ()
    recency: dict[str, FiscalPeriod] = {}
    for row in dated:
        period = iris.parse_period(row["p"])
        if period:
            recency[row["g"]] = period

    def newest(docs: Iterable[str]) -> tuple:
        periods = [recency.get(d, FiscalPeriod(0)) for d in docs]
        best = max(periods) if periods else FiscalPeriod(0)
        return (best.year, best.quarter or 0)

    for entity in sorted(entities):
        if entity in headers:
            label = _most_documents(headers[entity], newest)
        elif entity in known:
            label = known[entity]
        elif forms.get(entity):
            label = _most_documents(_by_case_folded(forms[entity]), newest)
            if entity in persons:
                full = {f: d for f, d in forms[entity].items() if len(f.split()) >= 2}
                if full:
                    label = first_last(_most_documents(full, newest))
        else:
            label = entity.rsplit("/", 1)[-1]
        g.add((URIRef(entity), RDFS.label, Literal(label, lang="en")))

    periods = {row["e"] for row in select(PREFIX + f"SELECT DISTINCT ?e WHERE {{ {values_clause('e', only)} GRAPH ?g {{ ?s ekg:period ?e }} }}")}
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


def mentioned_in(select: Select, graphs: Collection[str]) -> set[str]:
    """The entities and periods whose triples in the entities graph these document graphs bear on.
    It may name more than those (alternative names in any language, participants no document
    types): those are looked up and found to need nothing."""
    if not graphs:
        return set()
    rows = select(PREFIX + f"""SELECT DISTINCT ?x WHERE {{ {values_clause('g', graphs)} GRAPH ?g {{
        {{ ?x a ?t VALUES ?t {{ {ENTITY_TYPES} }} }} UNION {{ ?x skos:altLabel ?alt }}
        UNION {{ ?s ekg:participant ?x }} UNION {{ ?s ekg:period ?x }} FILTER(isIRI(?x)) }} }}""")
    return {row["x"] for row in rows}


def values_clause(variable: str, iris: Collection[str] | None) -> str:
    """`VALUES ?variable { <iri> ... }`, or nothing for no restriction. The IRIs come from the store
    (or from kg's own minting), so they are valid IRIs already."""
    if iris is None:
        return ""
    return f"VALUES ?{variable} {{ {' '.join(f'<{i}>' for i in sorted(iris))} }}"


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



