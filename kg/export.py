"""Serialisations of the store: the standard RDF formats, and the files a build writes."""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import platform
import re
import signal
import stat
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

import pyoxigraph as ox
from rdflib import Graph

from extract.errors import KgError

from .fingerprint import fingerprint
from .store import Store

FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, True),
    "nt": (ox.RdfFormat.N_TRIPLES, True),
    "nq": (ox.RdfFormat.N_QUADS, False),
    "trig": (ox.RdfFormat.TRIG, False),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
}
BUILD_FILES = {"graph.trig": "trig", "graph.nq": "nq", "graph.ttl": "ttl", "graph.jsonld": "jsonld"}


def export(store: Store, fmt: str, output: BinaryIO | None = None) -> bytes | None:
    """Formats without graph names (Turtle, N-Triples, GraphML) carry the union of every graph. The
    RDF formats are written to `output` as they are read, if it is given: held whole, the N-Quads of
    1,000 documents took 300 MB of memory."""
    if fmt == "graphml":
        data = graphml(store)
        if output is None:
            return data
        output.write(data)
        return None
    rdf_format, union = FORMATS[fmt]
    return store.dump(rdf_format, union=union, output=output)


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Write next to the target and rename, so a reader never sees half a file. `data` is the bytes,
    or a function that writes them to the file it is given. The file gets the usual permissions
    (0666 less the umask), not the private ones of a temporary file. A symbolic link is followed
    (the link stays); a device or a pipe is written into, never replaced by a file."""
    path = Path(path)
    if path.is_dir():
        raise KgError(f"{path} is a folder: name the file to write")
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False  # not there yet (or a dangling link): made below
    if special:  # a device, a pipe or a terminal ("-o /dev/stdout", "-o >(gzip > x)"): nothing to rename over
        _write_in_place(path, data)
        return
    if path.is_symlink():  # the file the link names is replaced; the link stays
        path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except (FileExistsError, NotADirectoryError):
        raise KgError(f"{path}: cannot write it: part of the path is a file, not a folder") from None
    except OSError as e:  # named by the file asked for, not the temporary one beside it
        raise KgError(f"{path}: cannot write it: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            _put(f, data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _put(f: BinaryIO, data: bytes | Callable[[BinaryIO], object]) -> None:
    if callable(data):
        data(f)
    else:
        f.write(data)


def _write_in_place(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Write straight into a file that is not a regular one, as a stream."""
    try:
        with open(path, "wb") as f:
            _put(f, data)
    except OSError as e:
        raise KgError(f"{path}: cannot write it: {e.strerror or e}") from None


def _umask() -> int:
    """The process's umask, read from /proc (setting it to read it would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it: put it back at once
    os.umask(mask)
    return mask


def union_graph(store: Store) -> Graph:
    """The union of every graph as an rdflib graph (for the page and for validation)."""
    return Graph().parse(data=store.dump(ox.RdfFormat.N_TRIPLES, union=True).decode("utf-8"), format="nt")


BUILD_STATE = ".kg-build.json"  # beside the outputs: what they were made from
PAGE_TITLE = "kg: earnings calls"
#: From this many documents `kg build` writes its files side by side, one process each, as many
#: at once as there are cores: at 5,000 documents one after another they took 171 s on 2 cores,
#: side by side 87 s. Below it, starting the processes would cost more than they save.
PARALLEL_FROM = 500


def write_build_outputs(store: Store, outdir: Path, force: bool = False,
                        processes: int = 1) -> tuple[list[Path], bool]:
    """The files a build leaves, and whether they were written now. They are kept when they were
    made from this store as it is, by this kg and these libraries, and are still as they were
    written: at 5,000 documents writing them takes minutes, and a build that found nothing new
    should not. The store "as it is" is its generation, which every kg writer renews, and its
    documents with their hashes, which catch a writer that does not (an older kg).

    With `processes` over 1 (`kg build` gives its cores) and PARALLEL_FROM documents or more, the
    files are written by that many processes at once. They start as Python's `spawn` starts them,
    so a script calling this needs the usual `if __name__ == "__main__":` guard."""
    paths = [outdir / name for name in (*BUILD_FILES, "graph.html")]
    documents = store.documents(count_triples=False)
    made_from = _made_from(store, documents)
    if not force and made_from is not None and _read_state(outdir) == {**made_from, "files": _stats(paths)}:
        return paths, False
    (outdir / BUILD_STATE).unlink(missing_ok=True)  # a build stopped from here on leaves no claim
    _remove_leftovers(paths)
    jobs = list(zip(paths, [*BUILD_FILES.values(), None]))
    if store.path is not None and len(documents) >= PARALLEL_FROM and processes > 1:
        store.flush()  # what the processes read is what RocksDB has on disk
        _write_in_processes(str(store.path), jobs, processes)
    else:
        for path, fmt in jobs:
            write_output(store, path, fmt)
    if made_from is not None:
        write_atomically(outdir / BUILD_STATE, json.dumps({**made_from, "files": _stats(paths)}).encode())
    return paths, True


def write_output(store: Store, path: Path, fmt: str | None) -> None:
    """One file of a build: an RDF format of `export`, or the graph page (`fmt` None)."""
    if fmt is None:
        from .view import write_page

        # Rendered once the file is known to be writable: at 5,000 documents that takes 30 s.
        write_atomically(path, lambda f: write_page(store, f, title=PAGE_TITLE))
    else:
        write_atomically(path, lambda f: export(store, fmt, f))


def _write_from(store_path: str, path: Path, fmt: str | None) -> None:
    """`write_output` in a process of its own, reading the store on disk alongside the build.
    Ctrl-C stops it, removing its unfinished file; one that came while the process was idle or
    starting stops it before it begins."""
    signal.signal(signal.SIGINT, _stop_writing)
    try:
        if _ctrl_c:
            raise KeyboardInterrupt
        store = Store(store_path, read_only=True)
        try:
            write_output(store, path, fmt)
        finally:
            store.close()
    finally:
        signal.signal(signal.SIGINT, _note_ctrl_c)


_ctrl_c = False  # in a writing process: whether a Ctrl-C came while it was not writing


def _note_ctrl_c(signum, frame) -> None:
    """Ctrl-C in a writing process that is not writing: noted for the next file, which then does
    not start. Raising it would kill the idle process with a traceback."""
    global _ctrl_c
    _ctrl_c = True


def _stop_writing(signum, frame) -> None:
    """The first Ctrl-C stops the file being written; the next ones are only noted. A build's
    Ctrl-C reaches a writing process twice (from the terminal, then from the build), and the
    second must not cut short the removal of the unfinished file."""
    signal.signal(signal.SIGINT, _note_ctrl_c)
    raise KeyboardInterrupt


def _start_writer(parent: int) -> None:
    """A writing process's start: Ctrl-C noted rather than raised while it waits for a file, and
    the process gone with the build that started it. Left running, it would read the store
    without its lock and put old files over a later build's.

    It starts with Ctrl-C blocked (`_submit`): one pressed in the second or so Python takes to
    start would have killed it with a traceback, printed after the build's own one line. Such a
    Ctrl-C arrives here, as the block is lifted, and is noted like any other."""
    signal.signal(signal.SIGINT, _note_ctrl_c)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build was already gone before the line above
        os._exit(1)


def _write_in_processes(store_path: str, jobs: list[tuple[Path, str | None]], processes: int) -> None:
    """The files written side by side, the longest first (the page, then TriG, JSON-LD, N-Quads,
    Turtle) so that the last to start are the short ones. A file is handed to a process only when
    one is free: after an error or Ctrl-C no more start (handed over beforehand, they would run
    to the end). The first error is raised once the running ones have ended. Ctrl-C stops them
    too, whether it came from the terminal or to the build alone, and each removes its
    unfinished file."""
    order = {None: 0, "trig": 1, "jsonld": 2, "nq": 3, "ttl": 4}
    todo = sorted(jobs, key=lambda job: order.get(job[1], 5))
    workers = min(processes, len(todo))
    # spawn: a process forked from this one would inherit RocksDB's threads' state, and one from
    # a fork server would not be this process's child (for _start_writer's link to it).
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_writer, initargs=(os.getpid(),),
                               mp_context=multiprocessing.get_context("spawn"))
    running: dict = {}
    try:
        while todo or running:
            while todo and len(running) < workers:
                path, fmt = todo.pop(0)
                running[_submit(pool, _write_from, store_path, path, fmt)] = path
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                path = running.pop(future)
                try:
                    future.result()
                except BrokenProcessPool:
                    raise KgError("the process writing it stopped (out of memory?)", str(path)) from None
    except KeyboardInterrupt:
        # A Ctrl-C sent to the build alone (kill -INT, a supervisor) stops the files being
        # written too, as the terminal's Ctrl-C does; the build would otherwise wait for them.
        # The pool's processes: concurrent.futures has no public list of them.
        for pid, process in (getattr(pool, "_processes", None) or {}).items():
            if process.is_alive():
                try:
                    os.kill(pid, signal.SIGINT)
                except OSError:
                    pass
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, *job):
    """`pool.submit`, with Ctrl-C held back meanwhile. The process it may start (it starts them on
    this thread) inherits the block and keeps it until `_start_writer` is ready for Ctrl-C. And
    a Ctrl-C taken meanwhile by another of this process's threads (RocksDB has some), which the
    block does not cover, is noted and raised once `submit` has returned, not inside it, where
    it could leave a process started but unknown to the pool.

    (Should multiprocessing start its resource tracker during `submit`, it lifts the block; a
    Ctrl-C in the new process's first second may then print a traceback, as before.)"""
    caught: list[int] = []
    # Only the main thread may set handlers; and a Ctrl-C the process ignores stays ignored.
    noting = (threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGINT) not in (signal.SIG_IGN, None))
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum)) if noting else None
    mask = None
    try:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        future = pool.submit(*job)
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if noting:
            signal.signal(signal.SIGINT, previous)
    if caught:
        signal.raise_signal(signal.SIGINT)  # to the handler it was meant for (KeyboardInterrupt)
    return future


def _remove_leftovers(paths: list[Path], quiet_seconds: float = 600) -> None:
    """The temporary files of a build killed while writing (at 5,000 documents, gigabytes): named as
    `write_atomically` names them, and untouched for ten minutes, so not another build's at work."""
    for path in paths:
        for left in path.parent.glob(f".{path.name}.*"):
            try:
                if re.fullmatch(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}", left.name) and \
                        time.time() - left.stat().st_mtime > quiet_seconds:
                    left.unlink()
            except OSError:
                pass


def _made_from(store: Store, stored: list) -> dict | None:
    generation = store.generation(create=True)
    if generation is None:
        return None
    documents = hashlib.sha256("".join(f"{d.iri} {d.sha256}\n" for d in stored).encode())
    return {"store": generation, "documents": documents.hexdigest(), "python": platform.python_version(),
            "code": fingerprint(("kg", "ontology"), ("pyoxigraph", "rdflib", "pyvis", "jinja2", "markupsafe"))}


def _stats(paths: list[Path]) -> dict[str, list[int]] | None:
    """Each file's size, times and inode (an edit that puts the modification time back still
    changes the inode's change time); None if one is missing."""
    try:
        return {p.name: [(st := p.stat()).st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] for p in paths}
    except OSError:
        return None


def _read_state(outdir: Path) -> dict | None:
    try:
        return json.loads((outdir / BUILD_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# -- property graphs: GraphML (networkx) and CSV for `neo4j-admin database import` ----------------
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                              "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                              "unsignedShort", "unsignedByte")}
NUMBERS = INTEGERS | {XSD + "decimal", XSD + "double", XSD + "float"}


@dataclass
class PropertyGraph:
    """The union of every graph as nodes and edges. Nodes are IRIs and blank nodes (`_:id`) that are
    described or pointed to; `rdf:type` becomes the node's types, a literal property with exactly one
    value on a node becomes an attribute, and a property whose value is a node becomes an edge."""

    nodes: dict[str, dict] = field(default_factory=dict)  # id -> {"label", "types", "props"}
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (start, end, predicate IRI)
    kinds: dict[str, type] = field(default_factory=dict)  # literal property IRI -> int, float, bool or str


@functools.cache
def _namespaces() -> tuple[tuple[str, str], ...]:
    from ontology import PREFIXES

    return tuple({**PREFIXES, "owl": "http://www.w3.org/2002/07/owl#"}.items())


def compact(iri: str) -> str:
    """`ekg:speaker` for a known namespace, else the IRI itself."""
    for prefix, ns in _namespaces():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _node_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _pick_label(literals: list) -> str | None:
    if not literals:
        return None
    return min(literals, key=lambda lit: (lit.language not in (None, "en"), lit.language or "", lit.value)).value


def _kind(datatypes: set[str]) -> type:
    if datatypes <= INTEGERS:
        return int
    if datatypes <= NUMBERS:
        return float
    if datatypes == {XSD + "boolean"}:
        return bool
    return str


def _convert(value: str, kind: type):
    if kind is bool:
        return value.strip() in ("true", "1")
    return kind(value)


def property_graph(store: Store) -> PropertyGraph:
    triples = sorted(set(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", union=False)), key=str)
    pg = PropertyGraph()
    literals: dict[str, dict[str, list]] = {}

    def node(term) -> str:
        key = _node_id(term)
        if key not in pg.nodes:
            pg.nodes[key] = {"label": None, "types": [], "props": {}}
            literals[key] = {}
        return key

    for t in triples:
        s, p, o = node(t.subject), t.predicate.value, t.object
        if isinstance(o, ox.Literal):
            literals[s].setdefault(p, []).append(o)
        elif p == RDF_TYPE and isinstance(o, ox.NamedNode):
            pg.nodes[s]["types"].append(compact(o.value))
        else:
            pg.edges.append((s, node(o), p))

    datatypes: dict[str, set[str]] = {}
    for values in literals.values():
        for p, lits in values.items():
            if len(lits) == 1 and p != RDFS_LABEL:
                datatypes.setdefault(p, set()).add(lits[0].datatype.value)
    pg.kinds = {p: _kind(d) for p, d in sorted(datatypes.items())}
    for key, values in literals.items():
        n = pg.nodes[key]
        n["label"] = _pick_label(values.get(RDFS_LABEL) or values.get(SKOS_PREF_LABEL) or [])
        n["types"] = sorted(set(n["types"]))
        n["props"] = {p: _convert(lits[0].value, pg.kinds[p])
                      for p, lits in sorted(values.items()) if len(lits) == 1 and p != RDFS_LABEL}
    return pg


def graphml(store: Store) -> bytes:
    """GraphML (networkx): node id = IRI, attributes `label`, `type` (CURIEs, space-separated) and
    the single-valued literal properties by CURIE; edges carry `type` (CURIE) and `iri`."""
    import io

    import networkx as nx

    pg = property_graph(store)
    g = nx.MultiDiGraph()
    for key, n in sorted(pg.nodes.items()):
        attrs = {compact(p): v for p, v in n["props"].items()}
        if n["label"] is not None:
            attrs["label"] = n["label"]
        if n["types"]:
            attrs["type"] = " ".join(n["types"])
        g.add_node(key, **attrs)
    for s, o, p in sorted(pg.edges):
        g.add_edge(s, o, type=compact(p), iri=p)
    out = io.BytesIO()
    nx.write_graphml(g, out, encoding="utf-8")
    return out.getvalue()


def _neo4j_name(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", compact(iri))


NEO4J_TYPES = {int: ":long", float: ":double", bool: ":boolean", str: ""}


def write_csv(store: Store, outdir: Path) -> list[Path]:
    """`nodes.csv` and `edges.csv` for `neo4j-admin database import` (headers `:ID`, `name`,
    `:LABEL` / `:START_ID`, `:END_ID`, `:TYPE`). Labels, types and property names are CURIEs with
    `_` for `:` (`ekg_Person`, `ekg_speaker`); every node also has the label `Resource`. Text
    literals may hold line breaks: import with `--multiline-fields=true`."""
    import csv
    import io

    pg = property_graph(store)
    columns: dict[str, str] = {}  # property IRI -> column name
    for p in pg.kinds:
        name = _neo4j_name(p)
        while name in columns.values() or name in ("iri", "name"):
            name += "_"
        columns[p] = name

    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow([":ID", "iri", "name", ":LABEL"] + [columns[p] + NEO4J_TYPES[k] for p, k in pg.kinds.items()])
    for key, n in sorted(pg.nodes.items()):
        labels = ";".join(["Resource"] + [re.sub(r"[^A-Za-z0-9_]", "_", t) for t in n["types"]])
        props = n["props"]
        w.writerow([key, key, n["label"] or "", labels]
                   + [_csv_value(props[p]) if p in props else "" for p in pg.kinds])
    edges = io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    w.writerow([":START_ID", ":END_ID", ":TYPE"])
    for s, o, p in sorted(pg.edges):
        w.writerow([s, o, _neo4j_name(p)])

    written = []
    for name, text in (("nodes.csv", nodes), ("edges.csv", edges)):
        write_atomically(outdir / name, text.getvalue().encode("utf-8"))
        written.append(outdir / name)
    return written


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
