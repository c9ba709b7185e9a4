"""The exports read by other tools: Raptor's `rapper` (Debian's raptor2-utils) parses the RDF ones,
networkx reads the GraphML back, and the CSV files are what `neo4j-admin database import` takes."""

import csv
import re
import shutil
import subprocess

import networkx as nx
import pytest

from kg.cli import main

RAPPER = shutil.which("rapper")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CALL = "https://w3id.org/earnings-kg/id/call/calix-2023-q4"


def count(store, sparql: str) -> int:
    return int(next(iter(store.select(sparql, union=False)))["n"])


def distinct_triples(store) -> int:
    return count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")


def export(built, tmp_path, fmt: str, name: str):
    out = tmp_path / name
    assert main(["export", "--format", fmt, "--store", str(built / "store"), "-o", str(out)]) == 0
    return out


@pytest.mark.skipif(RAPPER is None, reason="rapper not found: install Debian's raptor2-utils (.ci/run does)")
@pytest.mark.parametrize("fmt, syntax, quads", [
    ("nt", "ntriples", False), ("ttl", "turtle", False), ("nq", "nquads", True), ("trig", "trig", True),
])
def test_rapper_reads_as_many_triples_as_kg_holds(built, store, tmp_path, fmt, syntax, quads):
    path = export(built, tmp_path, fmt, f"graph.{fmt}")
    done = subprocess.run([RAPPER, "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower() and "warning" not in done.stderr.lower(), done.stderr
    found = re.search(r"Parsing returned (\d+) (?:triples|statements)", done.stderr)
    assert found, done.stderr
    # the union formats hold each distinct triple once; the dataset formats every quad
    assert int(found.group(1)) == (len(store) if quads else distinct_triples(store))


def nodes_and_edges(store) -> tuple[int, int]:
    """What the property-graph exports should hold, counted by SPARQL: every subject and every
    non-literal object of a property other than rdf:type is a node; those properties are edges."""
    nodes = count(store, f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} FILTER(!isLiteral(?x) && ?p != <{RDF_TYPE}>) }} }}""")
    edges = count(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
        GRAPH ?g {{ ?s ?p ?o }} FILTER(!isLiteral(?o) && ?p != <{RDF_TYPE}>) }} }}""")
    return nodes, edges


def test_graphml_reads_back_with_every_node(built, store, tmp_path):
    g = nx.read_graphml(export(built, tmp_path, "graphml", "graph.graphml"))
    nodes, edges = nodes_and_edges(store)
    assert g.number_of_nodes() == nodes and g.number_of_edges() == edges
    call = g.nodes[CALL]
    assert call["type"] == "ekg:EarningsCall" and call["label"]
    assert any(d.get("type") == "ekg:speaker" for _, _, d in g.edges(data=True))
    years = [d["ekg:fiscalYear"] for _, d in g.nodes(data=True) if "ekg:fiscalYear" in d]
    assert 2023 in years and all(isinstance(y, int) for y in years)
    quotes = [d["ekg:quote"] for _, d in g.nodes(data=True) if "ekg:quote" in d]
    assert quotes and all(isinstance(q, str) and q for q in quotes)


def test_csv_has_the_neo4j_headers_and_no_dangling_edge(built, store, tmp_path):
    folder = export(built, tmp_path, "csv", "neo4j")
    with open(folder / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.reader(f))
    with open(folder / "edges.csv", newline="", encoding="utf-8") as f:
        edges = list(csv.reader(f))
    header = nodes[0]
    assert header[:4] == [":ID", "iri", "name", ":LABEL"] and edges[0] == [":START_ID", ":END_ID", ":TYPE"]
    # a typed column is name:type with a type neo4j knows; no other colon in a property name
    for column in header[4:]:
        assert re.fullmatch(r"[A-Za-z0-9_]+(:(long|double|boolean))?", column), column
    assert all(len(row) == len(header) for row in nodes[1:])
    ids = [row[0] for row in nodes[1:]]
    assert len(ids) == len(set(ids)) == nodes_and_edges(store)[0]
    assert len(edges) - 1 == nodes_and_edges(store)[1]
    known = set(ids)
    assert all(row[0] in known and row[1] in known and row[2] for row in edges[1:])
    row = dict(zip(header, next(r for r in nodes if r[0] == CALL)))
    assert "ekg_EarningsCall" in row[":LABEL"].split(";") and "Resource" in row[":LABEL"].split(";") and row["name"]


def test_csv_needs_a_folder(built, capsys):
    assert main(["export", "--format", "csv", "--store", str(built / "store")]) == 1
    assert "-o DIR" in capsys.readouterr().err
