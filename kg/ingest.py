"""Files into the store: find the inputs, extract each (in parallel), replace its graph.

A document that fails is reported and skipped; the others still go in. A document whose bytes
have not changed since it was stored is not extracted again. What kg changed or skipped to read
a document that went in (a guessed encoding, a speaker with no words, an older copy of the same
call it replaced) comes back as a warning.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, TypeVar

from extract.decode import Source, decode, read_source
from extract.errors import KgError
from extract.model import Document
from extract.pipeline import extract_source

from .build import document_graph
from .errors import StoreError
from .store import Store, nt, worth_compacting

INPUT_SUFFIXES = (".txt",)
# Up to this many input files, the stored documents they concern are looked up (a few ms each);
# past it, every stored document is listed (at 20,000 documents 1.3 s).
LOOKUP_AT_MOST = 100


@dataclass
class Report:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    warnings: list[str] = field(default_factory=list)  # "path: what was changed or skipped"
    triples: dict[str, int] = field(default_factory=dict)  # source -> triples in its graph
    documents: int = 0  # in the store afterwards

    @property
    def ok(self) -> bool:
        return not self.failed


def find_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files named, and the `.txt` files inside folders named, in a stable order; and the paths that
    name nothing to read, each with its reason, so that one mistyped path does not stop the rest."""
    found: list[Path] = []
    failed: list[tuple[str, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # Not only regular files: a pipe or a dangling link named *.txt is reported, not skipped.
            inside = sorted(f for f in p.rglob("*") if not f.is_dir() and f.suffix.lower() in INPUT_SUFFIXES
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not inside:
                failed.append((str(p), f"{p}: folder has no transcript files (*.txt)"))
            found.extend(inside)
        elif p.exists() or p.is_symlink():
            found.append(p)  # extraction says what is wrong with it, if anything
        else:
            failed.append((str(p), f"{p}: no such file or folder"))
    # A document is known by its file's name (its dcterms:source): two inputs of one name would
    # each replace the other's document, on every build.
    first: dict[str, Path] = {}
    seen: set[object] = set()  # one file named twice (a folder and a file in it, a link) is read once
    for f in found:
        try:
            st = f.stat()
            key: object = (st.st_dev, st.st_ino)
        except OSError:  # a dangling link: extraction says so
            key = os.path.realpath(f)
        if key in seen:
            continue
        seen.add(key)
        if f.name in first:
            failed.append((str(f), f"{f}: has the same file name as {first[f.name]}, and kg tells documents "
                                   "apart by file name: rename one of them"))
        else:
            first[f.name] = f
    return list(first.values()), failed


def file_sha256(path: Path) -> str:
    """The hash of a regular file, read in chunks; "" for anything else (extraction says why)."""
    if not path.is_file():
        return ""  # a pipe would block the read
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


@dataclass(frozen=True)
class Extracted:
    """What a worker sends back: small and flat, so that a big corpus streams through."""

    path: str
    source: str | None = None
    iri: str | None = None
    ntriples: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def extract_one(path: str) -> Extracted:
    """Run in a worker: the document's graph as N-Triples, or the one-line reason it failed."""
    return _extracted(path, lambda: read_source(path))


def extract_data(path: str, data: bytes) -> Extracted:
    """`extract_one` for a worker on another machine, which may not see this machine's files: the
    file's bytes come with the task, and messages still name the file by its path here."""
    return _extracted(path, lambda: decode(data, Path(path).name, path))


def _extracted(path: str, source: Callable[[], Source]) -> Extracted:
    try:
        Path(path).name.encode("utf-8")
    except UnicodeEncodeError:  # bytes Python could not decode: the graph could not name its source
        return Extracted(path, error=f"{path}: the file name is not valid UTF-8; rename the file")
    try:
        doc: Document = extract_source(source())
        iri, graph = document_graph(doc)
        return Extracted(path, doc.source, str(iri), nt(graph), warnings=doc.warnings)
    except KgError as e:
        return Extracted(path, error=str(e))
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
        return Extracted(path, error=f"{path}: internal error while extracting ({type(e).__name__}: {e})")


class Jobs(Protocol):
    """Extraction elsewhere (`kg/cluster.py`): each file's `Extracted`, in the order of the files,
    with a bounded number in flight. It may raise a `KgError` that stops the build (a cluster lost)."""

    where: str  # for the build's summary, e.g. "the Dask cluster at tcp://10.0.0.5:8786 (8 workers, 8 threads)"

    def results(self, paths: list[str]) -> Iterator[Extracted]: ...


def ingest(paths: Iterable[str | Path], store: Store, workers: int | None = None,
           progress: Callable[[str], None] | None = None, force: bool = False, jobs: Jobs | None = None) -> Report:
    """Extract the files (in `workers` local processes, or as `jobs` elsewhere) and store each
    document as its results come back, in the order of the files."""
    report = Report()
    files, report.failed = find_inputs(paths)
    todo: list[str] = []
    shas = {f.name: file_sha256(f) for f in files}
    # What the store holds that these files concern: a few files' documents are looked up, many
    # files' found in the list of every document, which costs the same for one file or all.
    listed = len(files) > LOOKUP_AT_MOST
    known = (store.documents(count_triples=False) if listed
             else store.documents_from(list(shas), sorted({s for s in shas.values() if s})))
    existing: dict[str, dict[str, str]] = {}  # source -> {document IRI: sha256}
    owners: dict[str, str] = {}  # document IRI -> source, as the store holds it now
    for d in known:
        existing.setdefault(d.source, {})[d.iri] = d.sha256
        owners[d.iri] = d.source
    tracked = set(owners)  # the IRIs whose owner (or absence) `owners` knows; all of them if listed

    def owner(iri: str) -> str | None:
        """Which file's document `iri` is, if the store holds it: the one an extracted file replaces."""
        if not listed and iri not in tracked:
            tracked.add(iri)
            owners.update((d.iri, d.source) for d in store.documents(count_triples=False, iris=[iri]))
        return owners.get(iri)

    stored_as = {sha: source for source, docs in existing.items() for sha in docs.values()}
    for f in files:
        sha = shas[f.name]
        old = existing.get(f.name, {})
        other = stored_as.get(sha, f.name)
        if old and not force and all(s == sha for s in old.values()):
            report.unchanged.append(str(f))
        elif not force and sha and other != f.name and shas.get(other) == sha:
            # A copy of another input, stored under that one's name, which still holds these bytes:
            # extracting it again would take the document from the other file, and the next build
            # would give it back, each time.
            report.unchanged.append(str(f))
        else:
            todo.append(str(f))

    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 and len(todo) > 1 and not jobs else None
    results: Iterable[Extracted]
    if jobs:
        results = jobs.results(todo) if todo else iter(())
    elif pool:
        results = in_order(lambda path: pool.submit(extract_one, path), todo, 4 * workers, _lost)
    else:
        results = map(extract_one, todo)
    try:
        for n, got in enumerate(results, start=1):
            if progress:
                progress(f"[{n}/{len(todo)}] {Path(got.path).name}")
            if got.error or not got.ntriples or not got.iri or not got.source:
                report.failed.append((got.path, got.error or f"{got.path}: nothing extracted"))
                continue
            # What this file held when the run began, unless another file of this run took it over.
            previous = tuple(i for i in existing.get(got.source, {}) if owners.get(i) == got.source)
            held_by = owner(got.iri)
            other = held_by if held_by != got.source else None
            had = store.triple_counts([got.iri]).get(got.iri, 0) if other is not None else 0
            try:
                store.put_document(got.iri, got.ntriples, replaces=previous)
            except KgError as e:
                report.failed.append((got.path, f"{got.path}: {e}"))
                continue
            for iri in previous:
                owners.pop(iri, None)
            owners[got.iri] = got.source
            tracked.add(got.iri)
            report.warnings.extend(f"{got.path}: {w}" for w in got.warnings)
            if other is not None:
                # Two files of one call (a scraper saved it twice, or a newer copy): the later wins.
                now = got.ntriples.count("\n")
                shrunk = (f"; its graph went from {had:,} to {now:,} triples: if this file is cut short, "
                          f"add {other} again") if now < had / 2 else ""
                report.warnings.append(f"{got.path}: holds the same document as {other} ({got.iri}), "
                                       f"and replaced it{shrunk}")
            gone = [i for i in previous if i != got.iri]
            if gone:  # the file now holds another call: what it held before is no longer stored
                report.warnings.append(f"{got.path}: now holds {got.iri}; {', '.join(gone)}, which a file of "
                                       "this name held before, was removed")
            (report.replaced if previous or other else report.added).append(got.path)
            report.triples[got.source] = got.ntriples.count("\n")
    except (KgError, KeyboardInterrupt):
        # Extraction stopped (a cluster lost, Ctrl-C): what was stored stays, with the entities graph
        # (labels, periods) brought up to date for it. A second Ctrl-C here leaves the store marked
        # stale, and the next writer recomputes the graph.
        if report.added or report.replaced:
            if pool is not None:
                pool.shutdown(cancel_futures=True)  # the workers' CPU, for the recomputation
            store.refresh_entities()
            store.flush()
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if report.added or report.replaced or store.entities_stale():
        store.refresh_entities()  # also when an earlier build was stopped before it could
    store.flush()
    report.documents = len(owners) if listed else store.document_count()
    if worth_compacting(len(report.added) + len(report.replaced), report.documents):
        try:
            store.compact()
        except StoreError as e:  # the documents are stored: only the speed of later queries suffers
            report.warnings.append(f"{e} (the documents are stored; queries are slower until a later build "
                                   "compacts the store)")
    return report


def _lost(path: str, error: BaseException) -> Extracted:
    """A document whose worker failed, not its extraction: a process killed (out of memory, say), a
    cluster's worker or scheduler gone. The document is reported; the others still go in."""
    return Extracted(path, error=f"{path}: its extraction was lost ({type(error).__name__}: {error}); "
                                 "run the build again to retry it")


T = TypeVar("T")


def in_order(submit: Callable[[str], Future], items: list[str], window: int,
             lost: Callable[[str, BaseException], T]) -> Iterator[T]:
    """The results of `submit(item)` for each item, in order, with at most `window` in flight; an
    item whose job failed (an exception from `submit` or from its future) gives `lost(item, error)`.

    `Executor.map` submits every document at once and keeps each result until it is read, so a
    store slower than the workers would hold the whole corpus's graphs in memory; this keeps
    memory bounded by the largest documents, not by the corpus."""

    def start(item: str) -> tuple[str, Future]:
        try:
            return item, submit(item)
        except Exception as e:  # noqa: BLE001 - e.g. a process pool broken by a killed worker
            return item, _failed(e)

    todo = iter(items)
    pending = deque(start(item) for item in itertools.islice(todo, window))
    while pending:
        item, future = pending.popleft()
        try:
            result = future.result()
        except Exception as e:  # noqa: BLE001 - one lost job must not stop the others
            result = lost(item, e)
        pending.extend(start(item) for item in itertools.islice(todo, 1))
        yield result


def _failed(error: BaseException) -> Future:
    future: Future = Future()
    future.set_exception(error)
    return future


def progress_printer(stream=None) -> Callable[[str], None] | None:
    """A one-line progress display on a terminal; nothing when output goes to a file or a pipe."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def show(message: str) -> None:
        stream.write("\r\033[K" + message)
        stream.flush()

    return show


