"""Files into the store: find the inputs, extract each (in parallel), replace its graph.

A document that fails is reported and skipped; the others still go in. A document whose bytes
have not changed since it was stored is not extracted again.
"""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract.errors import KgError, UnreadableInput
from extract.model import Document
from extract.pipeline import extract

from .build import document_graph
from .store import Store, nt

INPUT_SUFFIXES = (".txt",)


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    triples: dict[str, int] = field(default_factory=dict)  # source -> triples in its graph

    @property
    def ok(self) -> bool:
        return not self.failed


def find_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the `.txt` files inside folders named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            inside = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not inside:
                raise UnreadableInput("folder has no transcript files (*.txt)", str(p))
            found.extend(inside)
        elif p.exists():
            found.append(p)
        else:
            raise UnreadableInput("no such file or folder", str(p))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Extracted:
    """What a worker sends back: small and flat, so that a big corpus streams through."""

    path: str
    source: str | None = None
    iri: str | None = None
    ntriples: str | None = None
    error: str | None = None


def extract_one(path: str) -> Extracted:
    """Run in a worker: the document's graph as N-Triples, or the one-line reason it failed."""
    try:
        doc: Document = extract(path)
        iri, graph = document_graph(doc)
        return Extracted(path, doc.source, str(iri), nt(graph))
    except KgError as e:
        return Extracted(path, error=str(e))
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
        return Extracted(path, error=f"{path}: internal error while extracting ({type(e).__name__}: {e})")


def ingest(paths: Iterable[str | Path], store: Store, workers: int | None = None,
           progress: Callable[[str], None] | None = None, force: bool = False) -> Report:
    report = Report()
    files = find_inputs(paths)
    todo: list[str] = []
    existing = {}
    for d in store.documents():
        existing.setdefault(d.source, {})[d.iri] = d.sha256
    for f in files:
        sha = hashlib.sha256(f.read_bytes()).hexdigest() if f.is_file() else ""
        old = existing.get(f.name, {})
        if old and not force and all(s == sha for s in old.values()):
            report.unchanged.append(str(f))
        else:
            todo.append(str(f))

    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 and len(todo) > 1 else None
    results: Iterable[Extracted] = pool.map(extract_one, todo, chunksize=1) if pool else map(extract_one, todo)
    try:
        for n, got in enumerate(results, start=1):
            if progress:
                progress(f"[{n}/{len(todo)}] {Path(got.path).name}")
            if got.error or not got.ntriples or not got.iri or not got.source:
                report.failed.append((got.path, got.error or f"{got.path}: nothing extracted"))
                continue
            previous = tuple(existing.get(got.source, {}))
            try:
                store.put_document(got.iri, got.ntriples, replaces=previous)
            except KgError as e:
                report.failed.append((got.path, f"{got.path}: {e}"))
                continue
            (report.replaced if previous else report.added).append(got.path)
            report.triples[got.source] = got.ntriples.count("\n")
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if report.added or report.replaced:
        store.refresh_entities()
    store.flush()
    return report


def progress_printer(stream=None) -> Callable[[str], None] | None:
    """A one-line progress display on a terminal; nothing when output goes to a file or a pipe."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def show(message: str) -> None:
        stream.write("\r\033[K" + message)
        stream.flush()

    return show


