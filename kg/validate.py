"""SHACL validation of each document graph on its own, with the ontology and the entities graph.

pyshacl validates a dataset as the union of its graphs, where a fact missing from one document
can be found in another; the contract wants every document to stand on its own.
"""

from __future__ import annotations

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph

from ontology import ONTOLOGY_TTL, SHAPES_TTL

from .store import Store


def _graph(store: Store, name: str) -> Graph:
    data = store._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def validate_graph(data: Graph) -> tuple[bool, str]:
    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    ontology = Graph().parse(ONTOLOGY_TTL, format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    return bool(conforms), text


def validate_store(store: Store) -> dict[str, str]:
    """Document IRI -> report, for the documents that do not conform."""
    entities = _graph(store, str(store.iris.entities_graph))
    problems = {}
    for doc in store.documents(count_triples=False):
        conforms, text = validate_graph(_graph(store, doc.iri) + entities)
        if not conforms:
            problems[doc.iri] = text
    return problems
