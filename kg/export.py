"""Serialisations of the store: the standard RDF formats, and the files a build writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .store import Store

FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, True),
    "nt": (ox.RdfFormat.N_TRIPLES, True),
    "nq": (ox.RdfFormat.N_QUADS, False),
    "trig": (ox.RdfFormat.TRIG, False),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
}
BUILD_FILES = {"graph.trig": "trig", "graph.nq": "nq", "graph.ttl": "ttl", "graph.jsonld": "jsonld"}


def export(store: Store, fmt: str) -> bytes:
    """Formats without graph names (Turtle, N-Triples) carry the union of every graph."""
    rdf_format, union = FORMATS[fmt]
    return store.dump(rdf_format, union=union)


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def union_graph(store: Store) -> Graph:
    """The union of every graph as an rdflib graph (for the page and for validation)."""
    return Graph().parse(data=store.dump(ox.RdfFormat.N_TRIPLES, union=True).decode("utf-8"), format="nt")


def write_build_outputs(store: Store, outdir: Path) -> list[Path]:
    from .view import render_html

    written = []
    for name, fmt in BUILD_FILES.items():
        path = outdir / name
        write_atomically(path, export(store, fmt))
        written.append(path)
    page = outdir / "graph.html"
    write_atomically(page, render_html(union_graph(store), title="kg: earnings calls").encode("utf-8"))
    written.append(page)
    return written
