"""The kg vocabulary: namespaces, the IRIs of the ontology and entities graphs, and the Turtle files.

The OWL ontology (`ekg.ttl`) and the SHACL shapes (`shapes.ttl`) are data; this module only
names them so that `kg` can load them without knowing where they live.
"""

from pathlib import Path

from rdflib import Namespace

EKG = Namespace("https://w3id.org/earnings-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")

#: The IRI of the ontology, also the name of the graph that holds it in a store.
ONTOLOGY_IRI = "https://w3id.org/earnings-kg/ontology"

HERE = Path(__file__).parent
ONTOLOGY_TTL = HERE / "ekg.ttl"
SHAPES_TTL = HERE / "shapes.ttl"

PREFIXES = {
    "ekg": str(EKG),
    "org": str(ORG),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "oa": str(OA),
}
