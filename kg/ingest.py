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
from .iris import Iris
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


def _extract_one(path: str) -> tuple[str, Document | None, str | None, str | None]:
    """Run in a worker: (path, document, graph IRI's N-Triples, error)."""
    try:
        doc = extract(path)
        iri, graph = document_graph(doc)
        return path, doc, str(iri) + "\n" + nt(graph), None
    except KgError as e:
        return path, None, None, str(e)
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
        return path, None, None, f"{path}: internal error while extracting ({type(e).__name__}: {e})"


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
    results: Iterable[tuple[str, Document | None, str | None, str | None]]
    if workers == 1 or len(todo) < 2:
        results = map(_extract_one, todo)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_extract_one, todo, chunksize=1)
    try:
        for n, (path, doc, body, error) in enumerate(results, start=1):
            if progress:
                progress(f"[{n}/{len(todo)}] {Path(path).name}")
            if error or doc is None or body is None:
                report.failed.append((path, error or f"{path}: nothing extracted"))
                continue
            iri, triples = body.split("\n", 1)
            previous = tuple(existing.get(doc.source, {}))
            try:
                store.put_document(iri, triples, replaces=previous)
            except KgError as e:
                report.failed.append((path, f"{path}: {e}"))
                continue
            (report.replaced if previous else report.added).append(path)
            report.triples[doc.source] = triples.count("\n") + 1
    finally:
        if pool is not None:
            pool.shutdown()
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


__all__ = ["ingest", "find_inputs", "Report", "Iris"]
