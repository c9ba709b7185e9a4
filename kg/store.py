"""The embedded, persistent SPARQL store (pyoxigraph), one named graph per document.

Every change is one SPARQL update, which Oxigraph applies in one transaction: a document's old
graph is dropped and its new one inserted together, so a reader or a crash sees the document
either whole or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from ontology import ONTOLOGY_IRI, ONTOLOGY_TTL

from .entities import entities_graph, mentioned_in, values_clause
from .errors import MalformedQuery, QueryError, StoreError, StoreLocked
from .iris import Iris
from .rewrite import names_graphs, optimise

PREFIXES = """
PREFIX ekg: <https://w3id.org/earnings-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True)
class StoredDocument:
    iri: str
    kind: str
    source: str
    sha256: str
    period: str
    triples: int | None  # None when `documents(count_triples=False)`


def term_value(term) -> str | None:
    if term is None:
        return None
    return term.value


def nt(graph: Graph) -> str:
    return graph.serialize(format="nt")


class Store:
    """A kg store on disk (or in memory with `path=None`)."""

    # RocksDB holds what was written in memory until it is flushed; flushing after every few
    # megabytes keeps a long build's memory flat (a 200-document build: 411 MB -> 176 MB) instead
    # of growing with the corpus.
    FLUSH_EVERY_BYTES = 16_000_000
    UNION_SETTLE_SECONDS = 30.0  # a reader's copy of the union follows the store once it is this quiet
    # Above this share of the entities graph's subjects changed, `refresh_entities` reads every
    # document instead of patching. At 5,000 documents one call changes about 30 of 5,900 (patched
    # in 0.16 s, against 5 s for all), 500 calls 1,500 (3.2 s); at 900, 800 of 2,160 0.8 s (0.9 s).
    PATCH_AT_MOST = 0.4
    # In the store's folder from a writer's first document change until its entities graph is up to
    # date again: a writer killed in between leaves it, and the next one recomputes every entity.
    STALE_MARK = "kg-entities-stale"
    # A new random token in the store's folder from each writer that changes documents: what the
    # files `kg build` writes were made from, so that a build with nothing new can keep them.
    GENERATION = "kg-generation"

    def __init__(self, path: str | Path | None, iris: Iris = Iris(), read_only: bool = False,
                 union_in_memory: bool = False):
        self.path = Path(path) if path is not None else None
        self.iris = iris
        self._unflushed = 0
        self._read_only = read_only
        self._watch = read_only and self.path is not None  # a writer may change it under this reader
        self._version = _version(self.path) if self._watch else None
        self._reopening = threading.Lock()
        self._union: ox.Store | None = None
        self._union_wanted = union_in_memory and read_only
        self._union_version: StoreVersion | None = None  # the store's version the copy was made from
        # Entities and periods whose triples in the entities graph may be out of date; None when
        # unknown (a first build, a writer stopped before its refresh, a change interrupted), and
        # then all are recomputed.
        self._changed: set[str] | None = set()
        self._marked = False  # whether STALE_MARK is there, for this writer to remove
        self._writing = False  # whether this writer has changed documents
        self._renewed = False  # whether GENERATION is this writer's, since it was last read
        if self.path is not None:
            _check_is_store(self.path, read_only)
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = _open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except (OSError, RuntimeError) as e:  # RocksDB reports a damaged store as RuntimeError
            message = str(e)
            if "lock" in message.lower():
                raise StoreLocked("the store is in use by another kg process; wait for it to finish", str(self.path)) from None
            raise StoreError(f"cannot open the store: {message}", str(self.path)) from None
        if self._union_wanted:
            self._union, self._union_version = self._copy_union(), self._version
        if self.path is not None and not read_only and (self.path / self.STALE_MARK).exists():
            self._changed, self._marked = None, True  # an earlier writer was stopped before its refresh

    def _copy_union(self) -> ox.Store:
        """The union of all graphs (the store's default graph) copied into memory.

        For a long-running reader such as `kg serve`: Oxigraph answers 3-4 times faster from memory
        than from RocksDB (on a 2-core machine an index lookup costs about 7 µs on disk, 2 µs in
        memory), which brings every competency question at 1,000 documents near or under 100 ms.
        The copy costs about 7 CPU-seconds and 300 MB per 1,000 documents, so a one-off
        `kg query` does not make it. Queries that name graphs still read the store on disk."""
        union = ox.Store()
        union.bulk_extend(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return union

    # -- reading -------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Reopen the store if a writer has changed it since this reader opened it; whether it did.

        A read-only RocksDB reader is not a snapshot: it finds its data in files that a writer's
        flush or compaction deletes, and reading through it afterwards is undefined (measured: a
        count over a 1,000-document store asked for 2 GB at a time and grew to 24 GB). A reader
        that lives long, such as `kg serve` and its query workers, therefore checks the store's
        version (its RocksDB MANIFEST) before every read, at the cost of two `stat` calls, and sees
        a build's documents once the build has flushed them.

        The copy of the union in memory is independent of the files, so it stays safe to read; it
        is made again only once the store has not changed for `UNION_SETTLE_SECONDS`, not after
        every flush of a build that is still running (a copy costs seconds)."""
        if not self._watch:
            return False
        version = _version(self.path)
        changed = False
        with self._reopening:
            if version is not None and version != self._version:
                try:
                    store = _open_read_only(self.path)
                except (OSError, RuntimeError) as e:
                    raise StoreError(f"cannot reopen the store after a change: {e}", str(self.path)) from None
                self._store, self._version = store, version
                changed = True
            if (self._union_wanted and self._union_version != self._version and self._version is not None
                    and time.time() - self._version.mtime_ns / 1e9 >= self.UNION_SETTLE_SECONDS):
                self._union, changed = None, True  # let the old copy go before the new one is made
                try:
                    self._union, self._union_version = self._copy_union(), self._version
                except (OSError, RuntimeError):
                    pass  # the store changed again meanwhile: read it on disk, copy at a later read
        return changed

    def _reader(self) -> ox.Store:
        """The store to read: `refresh`ed first."""
        self.refresh()
        return self._store

    @property
    def version(self) -> StoreVersion | None:
        """Changes whenever a writer has changed the store (for a reader's caches); None if this
        Store is the writer or in memory."""
        self.refresh()
        return self._version

    def query(self, sparql: str, union: bool = True, **dataset):
        """Run SPARQL. The store's default graph *is* the union of all graphs (kept up to date by every
        write), so `union` needs no special mode; a query's FROM, or `dataset` (`default_graph`,
        `named_graphs`: lists of NamedNode), replaces it as the standard says."""
        engine = self._reader()
        if self._union is not None and not dataset and not names_graphs(sparql):
            engine = self._union
        try:
            rewritten = optimise(sparql)
            if rewritten != sparql:
                try:
                    return engine.query(rewritten, **dataset)
                except SyntaxError:
                    pass  # the rewrite is only ever an optimisation: run the query as written
            return engine.query(sparql, **dataset)
        except SyntaxError as e:
            raise MalformedQuery(f"malformed query: {e}") from None
        except OSError as e:
            raise QueryError(f"query failed: {e}") from None

    def select(self, sparql: str, union: bool = True) -> Iterator[dict[str, str]]:
        result = self.query(sparql, union)
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: term_value(solution[n]) for n in names if solution[n] is not None}

    def documents(self, count_triples: bool = True, iris: list[str] | None = None) -> list[StoredDocument]:
        """The stored documents (those of `iris` only, if given), by IRI. Counting their triples reads
        every quad of the store (0.9 s at 1,000 documents, against 0.06 s without), so a build or a
        removal, which only needs to know what is there, does without. Sorted here rather than by
        the query: pyoxigraph reads each IRI back from RocksDB to compare it (at 20,000 documents
        1 s of the query's 2). The types are a FILTER, not a second VALUES: with two, pyoxigraph
        read every document to find 500 of them (800 ms at 20,000 documents, 20 ms this way)."""
        count, group = ("(COUNT(*) AS ?n)", ". ?s ?pp ?o") if count_triples else ("", "")
        rows = self.select(
            PREFIXES
            + f"""SELECT ?g ?t ?source ?sha ?p {count} WHERE {{ {values_clause('g', iris)}
                 GRAPH ?g {{ ?g a ?t ; dcterms:source ?source ; ekg:sha256 ?sha ; ekg:period ?p {group} }}
                 FILTER(?t IN (ekg:EarningsCall, ekg:ResearchNote)) }}"""
            + (" GROUP BY ?g ?t ?source ?sha ?p" if count_triples else ""),
            union=False,
        )
        docs = []
        for r in rows:
            period = self.iris.parse_period(r["p"])
            docs.append(StoredDocument(r["g"], r["t"].rsplit("#", 1)[-1], r["source"], r["sha"],
                                       period.label if period else "", int(r["n"]) if count_triples else None))
        return sorted(docs, key=lambda d: d.iri)

    def document_iris(self) -> list[str]:
        """The IRIs of the stored documents (the graphs that say they are a call or a note), sorted:
        for a reader that shows a page of documents at a time. At 20,000 documents 0.1 s, against
        1.4 s for `documents`, which looks up each one's source, hash and period (so a graph that
        lacks one of them, which kg never writes, is listed here and not there). The types are a
        VALUES here, unlike there: as a FILTER, pyoxigraph reads every typed node (1.4 s)."""
        rows = self.select(PREFIXES + """SELECT ?g WHERE { GRAPH ?g { ?g a ?t }
                                          VALUES ?t { ekg:EarningsCall ekg:ResearchNote } }""", union=False)
        return sorted({r["g"] for r in rows})

    def triple_counts(self, graphs: list[str]) -> dict[str, int]:
        """Graph IRI -> its triples, for these graphs only."""
        if not graphs:
            return {}
        rows = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {values_clause('g', graphs)} GRAPH ?g {{ ?s ?p ?o }} }} "
                           "GROUP BY ?g", union=False)
        return {r["g"]: int(r["n"]) for r in rows}

    def documents_named(self, name: str) -> list[StoredDocument]:
        """The documents whose IRI or source file name is `name` (what `kg remove` is given): looked
        up, not found in the list of every document (at 20,000 documents 1.4 s)."""
        iris = {r["g"] for literal in _literals([name])
                for r in self.select(PREFIXES + f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g dcterms:source {literal} }} }}", union=False)}
        try:
            iris.add(ox.NamedNode(name).value)  # a valid IRI only: it goes into the query as it is
        except ValueError:
            pass
        return self.documents(count_triples=False, iris=sorted(iris))

    def documents_from(self, sources: list[str], shas: list[str]) -> list[StoredDocument]:
        """The documents stored from these file names or with these hashes: what an ingest of a few
        files needs to know, looked up instead of listing every document (1.3 s at 20,000)."""
        values = lambda variable, items: f"VALUES ?{variable} {{ {' '.join(_literals(items))} }}"
        rows = self.select(PREFIXES + f"""SELECT DISTINCT ?g WHERE {{
                               {{ {values('source', sources)} GRAPH ?g {{ ?g dcterms:source ?source }} }}
                               UNION {{ {values('sha', shas)} GRAPH ?g {{ ?g ekg:sha256 ?sha }} }} }}""", union=False)
        return self.documents(count_triples=False, iris=[r["g"] for r in rows])

    def document_count(self) -> int:
        """How many documents the store holds (as `document_iris` tells them)."""
        rows = self.select(PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a ?t }
                                          VALUES ?t { ekg:EarningsCall ekg:ResearchNote } }""", union=False)
        return int(next(rows)["n"])

    def __len__(self) -> int:
        """Quads in the named graphs (the default graph repeats them)."""
        store = self._reader()
        union = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
        return len(store) - int(union.value)  # counted by the store: 15x faster than iterating in Python

    # -- writing -------------------------------------------------------------------------------
    def put_document(self, iri: URIRef | str, graph: Graph | str, replaces: tuple[str, ...] = ()) -> None:
        """Replace the document's graph (and any graphs it supersedes) in one transaction."""
        self._before_change()
        with self._noting_changes():
            old = self._mentioned((*replaces, str(iri)))
            self._update(_replace(str(iri), graph if isinstance(graph, str) else nt(graph), replaces))
            self._note_changed(old | self._mentioned((str(iri),)))

    def remove_document(self, iri: str) -> None:
        self._before_change()
        with self._noting_changes():
            old = self._mentioned((iri,))
            self._update(_drop(iri))
            self._note_changed(old)

    @contextmanager
    def _noting_changes(self) -> Iterator[None]:
        """A change stopped half-way (Ctrl-C lands just after pyoxigraph's update returns, before
        what the document mentions is noted) makes what changed unknown: the refresh then
        recomputes every entity."""
        try:
            yield
        except BaseException:
            self._changed = None
            raise

    def refresh_entities(self, everything: bool = False) -> None:
        """Bring the entities graph up to date with the document graphs: patch in the entities and
        periods the documents changed since the last refresh mention, or recompute it whole when
        asked, when it was never computed, or when what changed is unknown or large."""
        changed = self._changed
        select: Callable[[str], Iterator[dict[str, str]]] = lambda q: self.select(q, union=False)
        subjects = self._entity_subjects()
        if everything or changed is None or subjects == 0 or len(changed) > self.PATCH_AT_MOST * subjects:
            self._update(_replace(str(self.iris.entities_graph), nt(entities_graph(select, self.iris))))
        elif changed:
            patch = entities_graph(select, self.iris, only=changed)
            self._update(_patch(str(self.iris.entities_graph), changed, nt(patch)))
        self._changed = set()
        if self._marked:
            self.path.joinpath(self.STALE_MARK).unlink(missing_ok=True)
            self._marked = False

    def _entity_subjects(self) -> int:
        """The entities and periods the entities graph describes (0 before it is first computed)."""
        rows = self._reader().query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{self.iris.entities_graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def entities_stale(self) -> bool:
        """Whether documents changed since the entities graph was computed, or it never was."""
        return self._changed is None or bool(self._changed) or not self.has_entities()

    def has_entities(self) -> bool:
        """Whether the entities graph has been computed (it is empty only before the first time)."""
        return bool(self._reader().query(f"ASK {{ GRAPH <{self.iris.entities_graph}> {{ ?s ?p ?o }} }}"))

    def generation(self, create: bool = False) -> str | None:
        """The token of the last writer that changed documents; None if unknown: an in-memory store,
        or one an older kg wrote, unless a writer is asked to `create` one."""
        if self.path is None:
            return None
        self._renewed = False  # what this writer changes from now on is a generation of its own
        try:
            token = self.path.joinpath(self.GENERATION).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            token = ""
        if not token and create and not self._read_only:
            self.new_generation()
            return self.generation()
        return token or None

    def new_generation(self) -> None:
        """Mark the store as changed for whoever recorded its generation (the build's outputs)."""
        if self.path is None:
            return
        staging = self.path / f".{self.GENERATION}.{os.getpid()}"
        try:
            staging.write_text(uuid.uuid4().hex + "\n", encoding="ascii")
            os.replace(staging, self.path / self.GENERATION)
        except OSError as e:
            raise StoreError(f"cannot write to the store: {e}", str(self.path)) from None

    def _before_change(self) -> None:
        """Before a writer changes documents: a new generation (once until it is next read), the
        stale mark (again after each refresh), and whether there is an entities graph to patch."""
        if not self._renewed:
            self.new_generation()
            self._renewed = True
        try:
            if self.path is not None and not self._marked:
                self.path.joinpath(self.STALE_MARK).touch()
                self._marked = True
        except OSError as e:
            raise StoreError(f"cannot write to the store: {e}", str(self.path)) from None
        if not self._writing:
            self._writing = True
            if not self.has_entities():
                self._changed = None  # a first build: every entity is recomputed anyway

    def _mentioned(self, graphs: tuple[str, ...]) -> set[str]:
        """What these graphs mention that the entities graph describes, while that is worth knowing."""
        if self._changed is None:
            return set()
        return mentioned_in(lambda q: self.select(q, union=False), graphs)

    def _note_changed(self, mentioned: set[str]) -> None:
        if self._changed is not None:
            self._changed |= mentioned

    def ensure_ontology(self) -> None:
        """Load the ontology into its own graph (and the union), replacing an older copy; an
        unchanged one is left as it is. Its blank nodes are labelled by what they say, not afresh
        (as INSERT DATA would), so two stores built from the same input export the same bytes."""
        quads = _ontology_quads()
        graph = ox.NamedNode(ONTOLOGY_IRI)
        if set(self._store.quads_for_pattern(None, None, None, graph)) == {q for q in quads if q.graph_name == graph}:
            return
        self._update(_drop(ONTOLOGY_IRI))
        try:
            self._store.extend(quads)
        except OSError as e:
            raise StoreError(f"cannot write to the store: {e}", str(self.path) if self.path else None) from None

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except (SyntaxError, OSError) as e:
            raise StoreError(f"cannot write to the store: {e}", str(self.path) if self.path else None) from None
        self._unflushed += len(sparql)
        if self._unflushed >= self.FLUSH_EVERY_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what RocksDB holds in memory to the store's files, where other processes read."""
        if self.path is not None and not self._read_only:
            self._store.flush()
        self._unflushed = 0

    def close(self) -> None:
        """Close the store's files now. They are otherwise closed when the last reference to this
        Store goes, which an exception's traceback can delay past the removal of the folder (RocksDB
        then writes into it again as it closes). The Store cannot be used afterwards."""
        self._store = None
        self._union = None

    def compact(self) -> None:
        """Rewrite the store's files whole and in order (RocksDB's full compaction).

        A build writes the store in many small flushes, and every index lookup then searches
        several files: compacted, the competency questions run 10-35 % faster at 1,000 documents
        and the store takes a sixth less disk, for about 1.7 s per 1,000 documents. The cost grows
        with the whole store, so callers compact after writing a good part of it
        (`worth_compacting`), not after every document."""
        if self.path is not None:
            try:
                self._store.optimize()
            except (OSError, RuntimeError) as e:
                raise StoreError(f"cannot compact the store: {e}", str(self.path)) from None

    def bulk_load_quads(self, nquads: bytes) -> None:
        """Add N-Quads with Oxigraph's bulk loader: no transaction, several threads may call it at
        once. Only for a store no one reads yet (`kg.load`); the caller puts the same triples into
        the union (`bulk_load_union`)."""
        self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)

    def bulk_load_union(self, ntriples: bytes) -> None:
        """Add N-Triples to the default graph (the union) with the bulk loader, as `bulk_load_quads`."""
        self._store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())

    def bulk_add(self, quads: list[ox.Quad]) -> None:
        """Add quads to their named graphs and to the union, keeping their blank nodes' labels (the
        bulk loader gives a file's blank nodes new labels on each call, so a blank node cut in two
        pieces, or loaded once into its graph and once into the union, would become two)."""
        self._store.bulk_extend(quads)
        self._store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)

    def named_graph_names(self) -> list[str]:
        return sorted(g.value for g in self._reader().named_graphs())

    # -- serialising ---------------------------------------------------------------------------
    def dump(self, fmt: ox.RdfFormat, union: bool = False, output: BinaryIO | None = None) -> bytes | None:
        """All quads (TriG, N-Quads) or the union of every graph as triples (Turtle, N-Triples): as
        bytes, or written to `output` as they are read (a dump of 5,000 documents is over 1 GB)."""
        prefixes = _prefixes() if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD) else None
        store = self._reader()
        if fmt.supports_datasets and not union:
            # Graph by graph: filtering every quad of the store read the union too, twice the quads
            # (N-Quads of 1,000 documents 9.7 s, this way 5.7 s, the same bytes).
            named = (q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g))
            return ox.serialize(named, output, format=fmt, prefixes=prefixes)
        return store.dump(output, format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)


class StoreVersion(NamedTuple):
    """The store's version as RocksDB records it: the MANIFEST that CURRENT names, with its size and
    modification time. Every flush and compaction (the writes that delete files) changes it."""
    manifest: str
    size: int
    mtime_ns: int


def _version(path: Path) -> StoreVersion | None:
    """The store's version now, or None while RocksDB is replacing its MANIFEST."""
    try:
        manifest = (path / "CURRENT").read_text().strip()
        stat = os.stat(path / manifest)
        return StoreVersion(manifest, stat.st_size, stat.st_mtime_ns)
    except OSError:  # being replaced this instant: the next read looks again
        return None


def _check_is_store(path: Path, read_only: bool) -> None:
    """Refuse a path that is not a store before RocksDB writes its files among someone else's (a
    mistyped --store naming the output folder, say), or answers with a bare `IO error`."""
    if path.exists() and not path.is_dir():
        raise StoreError("this is a file, not a store: --store names the folder of a store", str(path))
    if not path.exists() or (path / "CURRENT").exists():  # RocksDB's: every store has one
        return
    if read_only:
        raise StoreError("not a kg store (no database in this folder); run 'kg build' first", str(path))
    if not all(_BEFORE_CURRENT.fullmatch(p.name) for p in path.iterdir()):
        raise StoreError("not a kg store, and not empty: kg makes a store in an empty or new folder only, "
                         "so that it does not write among other files", str(path))


# The files RocksDB writes in a new store's folder before CURRENT, the file that makes it a store:
# a folder holding only these is a store being made (or whose making was killed), and RocksDB
# opens it or says it is locked. Nothing else passes: a user's "20240101.log" would be taken for a
# write-ahead log and deleted.
_BEFORE_CURRENT = re.compile(r"LOCK|LOG(?:\.old\.\d+)?|IDENTITY|MANIFEST-\d{6}|\d{6}\.dbtmp")


def _literals(texts: list[str]) -> list[str]:
    """Each text as a SPARQL literal; one that cannot be (a file name that is not valid UTF-8)
    names nothing kg could have stored."""
    found = []
    for text in texts:
        try:
            found.append(str(ox.Literal(text)))
        except ValueError:
            pass
    return found


def _open_read_only(path: Path, attempts: int = 20) -> ox.Store:
    """pyoxigraph's read-only open, tried again while a writer changes the store under it.

    Opening during a flush or compaction can read a MANIFEST that names a file the writer deletes
    a moment later (RocksDB: "Corruption: ... No such file"); the writer has then recorded a new
    version, so the open is tried again. An error with no new version is the store's own."""
    for attempt in range(attempts):
        before = _version(path)
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == attempts - 1 or _version(path) == before:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def worth_compacting(written: int, stored: int) -> bool:
    """Whether a run that wrote `written` of the `stored` documents should compact the store: when
    it wrote a tenth of them or more. Compaction costs about 2 ms per stored document, so this keeps
    it under 0.02 s per document written, 4 % of the pipeline's 0.5 CPU-s."""
    return written > 0 and 10 * written >= stored


@functools.lru_cache(maxsize=1)
def _ontology_quads() -> tuple[ox.Quad, ...]:
    """The ontology's triples in its graph and in the union, each blank node labelled by a hash of
    the triple that points at it and of what it says (the ontology's blank nodes are trees:
    restrictions and lists)."""
    graph = Graph().parse(ONTOLOGY_TTL, format="turtle")
    digest = lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    contents: dict[BNode, str] = {}
    labels: dict[BNode, str] = {}

    def content(node: BNode, seen: frozenset = frozenset()) -> str:  # what it says, nested nodes included
        if node not in contents:
            if node in seen:
                raise ValueError("the ontology has a cycle of blank nodes")
            contents[node] = digest("\n".join(sorted(
                f"{p.n3()} {content(o, seen | {node}) if isinstance(o, BNode) else o.n3()}"
                for p, o in graph.predicate_objects(node))))
        return contents[node]

    def term(node) -> str:  # and where it hangs: two lists' equal tails stay two nodes
        if not isinstance(node, BNode):
            return node.n3()
        if node not in labels:
            parents = sorted(f"{term(s)} {p.n3()}" for s, p in graph.subject_predicates(node))
            labels[node] = "_:o" + digest(f"{parents[:1]} {content(node)}")
        return labels[node]

    def ox_term(t):
        if isinstance(t, BNode):
            return ox.BlankNode(term(t)[2:])
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))) if t.datatype else ox.Literal(str(t))

    triples = [ox.Triple(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in graph]
    named = ox.NamedNode(ONTOLOGY_IRI)
    return tuple(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples for g in (named, ox.DefaultGraph()))


def _drop(graph: str) -> str:
    """Drop a graph, and from the default graph (the union) the triples no other graph holds."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }} ;\n"
            f"DROP SILENT GRAPH <{graph}> ;\n")


def _patch(graph: str, subjects: set[str], ntriples: str) -> str:
    """One update: replace in this graph, and in the union, the triples about these subjects."""
    values = values_clause("s", subjects)
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ {values} GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }} }} ;\n"
            f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ {values} GRAPH <{graph}> {{ ?s ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}}\n{ntriples}\n}}")


def _replace(graph: str, ntriples: str, replaces: tuple[str, ...] = ()) -> str:
    """One update: drop the old graphs, insert the new one into its graph and into the union.

    pyoxigraph's union default graph is slow to join over (more than 20x at a few hundred
    documents); keeping the union materialised as the store's default graph makes every query
    plain, and one update keeps both in step.
    """
    drops = "".join(_drop(g) for g in dict.fromkeys((*replaces, graph)))
    return f"{drops}INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}}\n{ntriples}\n}}"


def _prefixes() -> dict[str, str]:
    from ontology import PREFIXES as P

    return {**P, "id": Iris().base}
