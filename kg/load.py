"""An export (`kg export --format nq` or `trig`) loaded into a new store, on every core.

Restoring a store, moving it to another machine, or filling it with graphs that extraction jobs
elsewhere produced should not mean extracting every transcript again. Oxigraph's bulk loader
writes RocksDB's files directly and releases Python's lock while it does, so kg cuts the file
into pieces at line ends and loads them from several threads at once (1.8x on 2 cores). A bulk
load is not a transaction, so it goes into a new folder beside the store, which is renamed into
place only once the load, its checks and the entities graph are done: a bad file or a crash
leaves the store as it was.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from ontology import ONTOLOGY_IRI

from .errors import LoadError, StoreError, StoreLocked
from .iris import Iris
from .store import Store

FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
CHUNK_BYTES = 16_000_000  # a piece of the file one thread loads; a few per thread are in memory at once
TRIG_BATCH_QUADS = 50_000
_PARSER_PREFIX = re.compile(r"^Parser error (?:at|between) line [\w ]*?: ")  # its place in the piece


@dataclass(frozen=True)
class Loaded:
    documents: int
    triples: int  # in the named graphs, as `kg list` and `kg add` count them
    seconds: dict[str, float]  # wall time of each step, for `make bench`


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = now - self._last
        self._last = now


def load_export(paths: list[str | Path], store_path: str | Path, threads: int | None = None,
                iris: Iris = Iris()) -> Loaded:
    """Load the files into a new store at `store_path`, which must not hold documents yet.

    Every quad must be in a named graph: a document's graph, the entities graph or the ontology's.
    The entities graph is computed again from the documents, as `kg add` does."""
    target = Path(store_path).resolve()  # a link to a store elsewhere: load beside the store itself
    sources = [Path(p) for p in paths]
    for source in sources:
        _check_source(source)
    with _Target(target) as place:
        staging = _staging_folder(target)
        try:
            loaded = _build(staging, sources, threads or len(os.sched_getaffinity(0)), iris)
            place.replace_with(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return loaded


def _build(staging: Path, sources: list[Path], threads: int, iris: Iris) -> Loaded:
    store = Store(staging, iris)
    try:
        clock = _Clock()
        _bulk_load(store, sources, threads)
        clock.lap("bulk load")
        documents = _check_graphs(store, sources, iris)
        clock.lap("checks")
        # The pieces' files overlap, and every lookup searches them all: compacted, the entities'
        # SELECTs take 5 s instead of 17 at 5,000 documents. Compacted once more with the entities
        # graph in, the questions run 8-12 % faster than with it in a file of its own.
        store.compact()
        clock.lap("compaction")
        store.refresh_entities(everything=True)  # an export's own entities graph may be stale
        store.ensure_ontology()
        store.new_generation()
        clock.lap("entities")
        store.compact()
        clock.lap("compaction again")
        return Loaded(len(documents), len(store), clock.laps)
    finally:
        store.close()  # before its folder moves, or is removed


def _check_source(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise LoadError("kg load reads N-Quads (.nq) or TriG (.trig), as 'kg export' writes them", str(path))
    if not path.is_file():
        raise LoadError("no such file" if not path.exists() else "not a regular file", str(path))


# -- the target store ---------------------------------------------------------------------------
class _Target:
    """The store to fill, locked from the start of the load to the end, so that no other kg process
    (a `kg add`, another `kg load`) creates or writes it meanwhile; a store that holds documents is
    refused.

    The lock is RocksDB's own: a POSIX lock on the folder's LOCK file, made (with the folder) if the
    store does not exist yet. kg takes it rather than opening the old store for writing, since
    RocksDB writes into its folder by name as it closes, which after the rename is the new store's.
    A POSIX lock keeps out other processes only: a writer in this process must be closed first."""

    def __init__(self, path: Path):
        self.path = path
        self.lock: int | None = None
        self.made = False  # the folder did not exist: a failed load removes it again

    def __enter__(self) -> "_Target":
        if self.path.exists() and not self.path.is_dir():
            raise LoadError("not a store folder", str(self.path))
        if self.path.is_dir() and not _no_store_yet(self.path) and not (self.path / "CURRENT").exists():
            raise LoadError("the folder holds files but no store; give an empty or new folder", str(self.path))
        try:
            self.made = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            self.lock = os.open(self.path / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"cannot create the store folder: {e.strerror}", str(self.path)) from None
        try:
            fcntl.lockf(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if not self._holds_the_lock_file():  # removed by a failing load meanwhile: not a lock
                raise OSError("the LOCK file changed")
        except OSError:
            self._unlock()
            raise StoreLocked("the store is in use by another kg process; wait for it to finish",
                              str(self.path)) from None
        try:
            held = len(Store(self.path, read_only=True).documents(count_triples=False)) if (self.path / "CURRENT").exists() else 0
        except BaseException:
            self._unlock()
            raise
        if held:
            self._unlock()
            raise LoadError(f"the store already holds {held} documents; 'kg load' fills an empty store "
                            "(give a new --store, or 'kg add' the transcripts)", str(self.path))
        return self

    def replace_with(self, staging: Path) -> None:
        """Rename the new store to the target's name. The old (empty) target is moved aside first,
        still locked, and removed once the new store is in place."""
        aside = self.path.parent / f".{self.path.name}.replaced-{os.getpid()}"
        shutil.rmtree(aside, ignore_errors=True)
        try:
            os.rename(self.path, aside)
        except OSError as e:
            raise StoreError(f"cannot move the empty store aside: {e.strerror}", str(self.path)) from None
        try:
            os.rename(staging, self.path)
        except OSError as e:
            try:
                os.rename(aside, self.path)
            except OSError:
                pass  # something else took the name meanwhile; the old store was empty
            raise StoreError(f"cannot move the loaded store into place: {e.strerror}", str(self.path)) from None
        self._unlock()
        shutil.rmtree(aside, ignore_errors=True)

    def _holds_the_lock_file(self) -> bool:
        """Whether the file this load locked is still the store's LOCK file."""
        try:
            mine, there = os.fstat(self.lock), os.stat(self.path / "LOCK")
        except (OSError, TypeError):
            return False
        return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)

    def _unlock(self) -> None:
        if self.lock is not None:
            os.close(self.lock)  # closing the file releases its POSIX lock
            self.lock = None

    def __exit__(self, error_type, *exc) -> None:
        try:
            if error_type is not None and self.made and self._holds_the_lock_file() and _no_store_yet(self.path):
                shutil.rmtree(self.path, ignore_errors=True)
        except OSError:
            pass  # the folder is gone already
        finally:
            self._unlock()


def _no_store_yet(folder: Path) -> bool:
    """Whether the folder holds nothing but what a refused RocksDB open leaves: its LOCK file and
    its LOG (written before it tries the lock)."""
    return all(p.name == "LOCK" or p.name.startswith("LOG") for p in folder.iterdir())


def _staging_folder(target: Path) -> Path:
    """A new folder beside the target (same file system, so the final rename is atomic). Folders that
    a killed load left behind are removed first; their process ids say they are not running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in [*target.parent.glob(f".{target.name}.loading-*"), *target.parent.glob(f".{target.name}.replaced-*")]:
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    staging = target.parent / f".{target.name}.loading-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    return staging


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the bulk load ------------------------------------------------------------------------------
def _bulk_load(store: Store, sources: list[Path], threads: int) -> None:
    """Load every piece into its named graph and, as triples, into the default graph (the union),
    `threads` pieces at a time; the first error stops the load."""
    window: deque[Future] = deque()
    failed = threading.Event()

    def load(piece: _Piece) -> None:
        if failed.is_set():
            return
        try:
            if b"_:" in piece.data:  # blank nodes, or those two characters in a literal
                store.bulk_add(_quads(piece))
            else:
                store.bulk_load_quads(piece.data)
                store.bulk_load_union(_as_triples(piece))
        except SyntaxError as e:
            failed.set()
            raise LoadError(_syntax_message(e, piece.first_line), str(piece.source)) from None
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(threads, thread_name_prefix="kg-load") as pool:
        try:
            for number, source in enumerate(sources):
                for piece in _pieces(source, number):
                    while len(window) >= 2 * threads:  # a few pieces per thread in memory, not the file
                        window.popleft().result()
                    window.append(pool.submit(load, piece))
            while window:
                window.popleft().result()
        except BaseException:
            failed.set()
            for future in window:
                future.cancel()
            raise


@dataclass(frozen=True)
class _Piece:
    source: Path
    file_number: int  # scopes the file's blank node labels
    first_line: int  # of the file, 1-based, for error messages
    data: bytes  # N-Quads


def _pieces(source: Path, number: int) -> Iterator[_Piece]:
    """The file as N-Quads pieces of about CHUNK_BYTES, each ending at a line end (N-Quads has one
    statement per line); TriG is parsed and written out as N-Quads first."""
    if FORMATS[source.suffix.lower()] is ox.RdfFormat.TRIG:
        yield from _trig_pieces(source, number)
        return
    line = 1
    with source.open("rb") as f:
        while True:
            data = f.read(CHUNK_BYTES)
            if not data:
                return
            if not data.endswith(b"\n"):
                data += f.readline()
            yield _Piece(source, number, line, data)
            line += data.count(b"\n")


def _trig_pieces(source: Path, number: int) -> Iterator[_Piece]:
    batch: list[ox.Quad] = []
    try:
        for quad in ox.parse(path=str(source), format=ox.RdfFormat.TRIG):
            batch.append(quad)
            if len(batch) >= TRIG_BATCH_QUADS:
                yield _Piece(source, number, 0, ox.serialize(batch, format=ox.RdfFormat.N_QUADS))
                batch = []
    except SyntaxError as e:
        raise LoadError(_syntax_message(e, 1), str(source)) from None
    if batch:
        yield _Piece(source, number, 0, ox.serialize(batch, format=ox.RdfFormat.N_QUADS))


def _as_triples(piece: _Piece) -> bytes:
    """The piece's quads as N-Triples, for the default graph. Parsing the piece again also checks
    that every quad is in a named graph."""
    return ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in _named(piece)),
                        format=ox.RdfFormat.N_TRIPLES)


def _quads(piece: _Piece) -> list[ox.Quad]:
    """The piece's quads, each blank node's label prefixed with its file's number: labels are
    local to a file, and the same label in two files names two blank nodes."""
    def scoped(term):
        return ox.BlankNode(f"f{piece.file_number}x{term.value}") if isinstance(term, ox.BlankNode) else term

    return [ox.Quad(scoped(q.subject), q.predicate, scoped(q.object), scoped(q.graph_name)) for q in _named(piece)]


def _named(piece: _Piece) -> Iterator[ox.Quad]:
    for quad in ox.parse(piece.data, format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise LoadError(f"a triple outside any named graph ({quad.subject} {quad.predicate} …): kg keeps "
                            "every triple in its document's graph", str(piece.source))
        yield quad


def _syntax_message(error: SyntaxError, first_line: int) -> str:
    reason = _PARSER_PREFIX.sub("", str(error.msg))
    if error.lineno and first_line:
        return f"line {first_line + error.lineno - 1}: {reason}"
    return reason


# -- checks -------------------------------------------------------------------------------------
def _check_graphs(store: Store, sources: list[Path], iris: Iris) -> list:
    """Every named graph must be a kg document, the entities graph or the ontology: a foreign graph
    would be queried with the documents but never listed, replaced or removed with them."""
    documents = store.documents(count_triples=False)
    known = {d.iri for d in documents} | {str(iris.entities_graph), ONTOLOGY_IRI}
    where = sources[0] if len(sources) == 1 else ", ".join(str(s) for s in sources)
    for graph in store.named_graph_names():
        if graph not in known:
            raise LoadError(f"graph <{graph}> is not a kg document (no ekg:EarningsCall or ekg:ResearchNote "
                            "with its source and hash in it)", str(where))
    if not documents:
        raise LoadError("no kg document graphs in it", str(where))
    return documents
