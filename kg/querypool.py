"""SPARQL queries in worker processes that can be stopped: the part of `kg serve` that evaluates them.

pyoxigraph cannot cancel a running query, but the operating system can stop a process. Each
worker opens the store read-only (`Store.read_only`) and evaluates one query at a time; the server
lends a query an idle worker and waits for the answer until the deadline. A worker still busy at
the deadline is killed and a fresh one started in the background, so a runaway query costs its
timeout and a restart, never a slot for good.

Workers are forked from a small server process (multiprocessing's `forkserver`) that has kg's
modules loaded already: a replacement is ready in tens of milliseconds, and no worker inherits the
HTTP server's threads or sockets.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import re
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .errors import MalformedQuery, QueryError, StoreError
from .rewrite import columns
from .store import Store

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
READY = "ready"
FILE_GONE = ("No such file", "Corruption")  # how RocksDB reports a file a writer deleted under a reader
START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
COPY_TIMEOUT = 1800.0  # and to copy the union into memory as well (about 7 CPU-s per 1,000 documents)


class Refused(Exception):
    """An answer other than 200, decided while evaluating: the status and a message for people.

    Raised in a worker and sent back to the server whole, so its arguments are all it holds.
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers or {})
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Job:
    """One query, as the server read it from the request; plain values, to cross a pipe."""

    sparql: str
    default_graphs: tuple[str, ...] | None  # the protocol's dataset (None: the query's or the store's)
    named_graphs: tuple[str, ...] | None
    results_type: str | None  # the negotiated media type for SELECT and ASK; None: none acceptable
    graph_type: str | None  # for CONSTRUCT and DESCRIBE
    max_rows: int
    graph_fallback: str | None = None  # the client's next graph format, for a graph RDF/XML cannot carry


@dataclass(frozen=True)
class Answer:
    content_type: str
    body: bytes


# An XML name for the end of a predicate (RDF/XML writes each predicate as an element), and the
# characters XML 1.0 cannot carry at all.
_XML_LOCAL_NAME = re.compile(r"[^\W\d][\w.-]*$")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rdf_xml_problem(triples: list[ox.Triple]) -> str | None:
    """Why these triples cannot be RDF/XML, or None. pyoxigraph writes broken XML for them
    (a predicate ending in "/" or a digit, a form feed in a literal) instead of failing."""
    for t in triples:
        if not _XML_LOCAL_NAME.search(t.predicate.value):
            return f"the predicate <{t.predicate.value}> does not end in an XML name"
        if isinstance(t.object, ox.Literal) and _NOT_IN_XML.search(t.object.value):
            return "a literal holds a control character XML cannot carry"
    return None


def union_rdf_xml_problem(store: Store) -> str | None:
    """`rdf_xml_problem` for the store's whole union, asked of the store rather than read into
    Python: its predicates (a few dozen, 0.3 s at 1,000 documents), then any literal XML cannot
    carry (2.2 s, a regex over every literal). Only data loaded from elsewhere has either, but the
    union is streamed, so a 200 once sent cannot become the error it should have been."""
    predicates = [r["p"] for r in store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")]
    bad = next((p for p in predicates if not _XML_LOCAL_NAME.search(p)), None)
    if bad is not None:
        return f"the predicate <{bad}> does not end in an XML name"
    if store.query(r'ASK { ?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), '
                   r'"[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]")) }'):
        return "a literal holds a control character XML cannot carry"
    return None


# -- in a worker -----------------------------------------------------------------------------------
def evaluate(store: Store, job: Job, prefixes: dict[str, str]) -> Answer:
    """Run the query and serialise at most `max_rows` rows (or triples) of its result."""
    dataset = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        dataset = {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
                   "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}
    result = store.query(job.sparql, **dataset)
    results_format = ox.QueryResultsFormat.from_media_type(job.results_type) if job.results_type else None
    graph_format = ox.RdfFormat.from_media_type(job.graph_type) if job.graph_type else None
    if isinstance(result, ox.QueryBoolean):
        if results_format is None:
            raise Refused(406, "ASK answers in JSON, XML, CSV or TSV; the Accept header names none of them")
        return Answer(content_type(results_format), result.serialize(format=results_format))
    if isinstance(result, ox.QueryTriples):
        if graph_format is None:
            raise Refused(406, "CONSTRUCT and DESCRIBE answer in Turtle, N-Triples, JSON-LD or RDF/XML; "
                               "the Accept header names none of them")
        triples = list(dict.fromkeys(_collect(result, job.max_rows, "triples")))
        problem = rdf_xml_problem(triples) if graph_format == ox.RdfFormat.RDF_XML else None
        if problem and job.graph_fallback:
            graph_format, problem = ox.RdfFormat.from_media_type(job.graph_fallback), None
        if problem:
            raise Refused(406, f"this graph cannot be written as RDF/XML: {problem}; ask for Turtle, N-Triples or JSON-LD")
        use = prefixes if graph_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD) else None
        return Answer(content_type(graph_format), ox.serialize(triples, format=graph_format, prefixes=use))
    if results_format is None:
        raise Refused(406, "SELECT answers in JSON, XML, CSV or TSV; the Accept header names none of them")
    variables = columns(job.sparql, [v.value for v in result.variables])
    # The rows are counted before anything is written, so the answer is either whole or an error;
    # pyoxigraph then writes the requested format from the JSON of those rows.
    body = results_json(variables, _collect(result, job.max_rows, "rows"))
    if results_format != ox.QueryResultsFormat.JSON:
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=results_format)
    return Answer(content_type(results_format), body)


def content_type(fmt) -> str:
    media = fmt.media_type
    return media if "charset" in media or not media.startswith("text/") else media + "; charset=utf-8"


def _collect(items, limit: int, what: str) -> list:
    out = []
    for item in items:
        out.append(item)
        if len(out) > limit:
            raise Refused(413, f"the result has more than {limit:,} {what} (the server's --max-rows); "
                               "add a LIMIT or narrow the query")
    return out


def term_json(term) -> dict:
    """A term as SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(variables: list[str], solutions: list) -> bytes:
    bindings = [{v: term_json(s[v]) for v in variables if s[v] is not None} for s in solutions]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def outcome(store: Store, job: Job, prefixes: dict[str, str]) -> Answer | Refused:
    """The answer, or the refusal to send instead: whatever happens, something the server can send."""
    try:
        return evaluate(store, job, prefixes)
    except Refused as e:
        return e
    except MalformedQuery as e:
        return Refused(400, str(e))
    except (QueryError, OSError) as e:
        return Refused(500, f"the query failed: {e}")
    except Exception as e:  # noqa: BLE001 - a bug must not take the worker down
        return Refused(500, f"internal error: {type(e).__name__}: {e}")


def work(conn: Connection, path: str, prefixes: dict[str, str], union_in_memory: bool = False,
         memory_mb: int | None = None) -> None:
    """A worker's life: open the store, then answer queries until the server goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which then stops us
    try:
        store = Store(path, read_only=True, union_in_memory=union_in_memory)
    except StoreError as e:
        conn.send(str(e))
        return
    conn.send(READY)
    limit = None

    def follow() -> bool:
        """Reopen the store if a build changed it since the last look; whether it did. Reopening
        (and copying the union again) is the worker's own memory, not a query's: the memory limit
        is lifted meanwhile, and measured again from what the worker then holds."""
        nonlocal limit
        if memory_mb is None:
            return store.refresh()
        set_memory_limit(None)
        reopened = False
        try:
            reopened = store.refresh()
        finally:
            if limit is None or reopened:
                limit = address_space() + memory_mb * 2**20
            set_memory_limit(limit)
        return reopened

    def answer_for(job: Job) -> Answer | Refused:
        # Its own function, so that nothing of one query (a refusal's traceback holds the result and
        # with it the old store) outlives it into the next query's reopening.
        try:
            follow()
        except StoreError as e:
            return Refused(500, str(e))
        answer = outcome(store, job, prefixes)
        if isinstance(answer, Refused) and answer.status == 500 and any(m in answer.message for m in FILE_GONE):
            # A build's flush or compaction deleted a file the query was reading: once the store has
            # moved on, the query runs again, once, on the files that are there now.
            try:
                if follow():
                    answer = outcome(store, job, prefixes)
            except StoreError:
                pass  # the first refusal says enough
        return answer.with_traceback(None) if isinstance(answer, Refused) else answer

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer_for(job))


def address_space() -> int:
    """Bytes of address space this process holds now."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmSize:")) * 1024


def set_memory_limit(limit: int | None) -> None:
    """Cap this process's address space at `limit` bytes, or lift the cap (None). Only the soft
    limit is set, so that it can be lifted again.

    A time limit alone let a query take all the machine's memory first: a cross product sorted
    grows by gigabytes a second. Past the limit the allocation fails, the worker dies, the client
    gets 500 and the pool starts another worker."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if limit is None:
        soft = hard
    else:
        soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# -- in the server ---------------------------------------------------------------------------------
@dataclass(eq=False)  # compared and hashed by identity: a set holds the live ones
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    _stopping: threading.Lock = field(default_factory=threading.Lock)
    _stopped: bool = False

    def stop(self) -> None:
        """Kill it, whatever it is doing (a query cannot be interrupted any other way).

        Safe to call from several threads at once: the server's shutdown and the thread that
        started the worker can both stop it, and closing its pipe twice at the same moment could
        close a file descriptor the process has meanwhile given to something else (EBADF)."""
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
            self.process.kill()
            # A killed process is gone at once, but its exit status comes back through the fork
            # server; never let a late status hold up a restart or the server's shutdown.
            self.process.join(timeout=5)
            self.conn.close()


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


class QueryPool:
    """`size` workers on the store at `path`; `run` lends one to a query until its deadline."""

    def __init__(self, path: str | Path, size: int, prefixes: dict[str, str], union_in_memory: bool = False,
                 memory_mb: int | None = None):
        self._path = str(path)
        self._union_in_memory = union_in_memory
        self._memory_mb = memory_mb
        self._prefixes = dict(prefixes)
        self._context = _context()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.restarts = 0  # workers killed at a deadline (or lost) and replaced
        try:
            for worker in [self._start() for _ in range(size)]:
                self._ready(worker)
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise

    def run(self, job: Job, timeout: float) -> Answer:
        """The query's answer; `Refused` with 503 when no worker is free or the answer is late."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Refused(503, "the server is busy: every query worker is taken; try again later",
                          {"Retry-After": str(max(1, round(timeout)))}) from None
        late = True
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer = worker.conn.recv()
                late = False
        except (EOFError, OSError):
            raise Refused(500, "the worker evaluating the query stopped (out of memory?); try again") from None
        finally:
            if late:
                self._replace(worker)
            else:
                self._idle.put(worker)
        if late:
            raise Refused(503, f"the query did not finish within {timeout:g} s and was stopped; narrow it, "
                               "add a LIMIT, or start kg serve with a longer --timeout")
        if isinstance(answer, Refused):
            raise answer
        return answer

    def pids(self) -> set[int]:
        with self._lock:
            return {w.process.pid for w in self._workers}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
        for worker in workers:
            worker.stop()

    # -- workers -----------------------------------------------------------------------------------
    def _start(self) -> Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=work, args=(theirs, self._path, self._prefixes, self._union_in_memory, self._memory_mb),
            name="kg-query", daemon=True)
        process.start()
        theirs.close()
        worker = Worker(process, mine)
        with self._lock:
            closed = self._closed
            if not closed:
                self._workers.add(worker)
        if closed:  # the pool closed while this one was starting: it would be left running
            worker.stop()
            raise StoreError("the query workers are stopping", self._path)
        return worker

    def _ready(self, worker: Worker) -> None:
        wait = COPY_TIMEOUT if self._union_in_memory else START_TIMEOUT
        if not worker.conn.poll(wait):
            worker.stop()
            raise StoreError(f"a query worker did not open the store within {wait:g} s", self._path)
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            message = f"it stopped (exit code {worker.process.exitcode})"
        if message != READY:
            worker.stop()
            raise StoreError(f"a query worker cannot open the store: {message}", self._path)

    def _replace(self, worker: Worker) -> None:
        """Kill the worker now; its replacement joins the idle ones when it has opened the store."""
        with self._lock:
            self._workers.discard(worker)
            self.restarts += 1
        worker.stop()
        threading.Thread(target=self._restock, name="kg-query-restart", daemon=True).start()

    def _restock(self) -> None:
        with self._lock:
            if self._closed:
                return
        try:
            worker = self._start()
            self._ready(worker)
        except (StoreError, OSError) as e:
            with self._lock:
                closed = self._closed  # closing kills the ones starting too: nothing to report
            if not closed:
                print(f"kg: cannot restart a query worker; {e}", file=sys.stderr)
            return
        with self._lock:
            closed = self._closed
        if closed:
            worker.stop()
        else:
            self._idle.put(worker)
