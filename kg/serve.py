"""`kg serve`: the store over HTTP, read-only, on the standard library's http.server.

- `/sparql`: the SPARQL 1.1 Protocol. Queries by GET, form POST and direct POST; results by the
  Accept header; `default-graph-uri` / `named-graph-uri`; CORS open to every origin.
- `/store?graph=IRI`, `/store?default`: the read side of the Graph Store Protocol.
- `/`, `/docs`, `/doc?iri=`, `/entity?iri=`: a small web UI (`kg/pages.py`), with nothing remote.

Nothing here writes. The store is opened read-only, and an update is refused before it reaches the
store (403). The default graph is the union of every graph, unless the query (FROM, FROM NAMED)
or the request (`default-graph-uri`, `named-graph-uri`) names the dataset. Queries sent to
`/sparql` run in worker processes (`kg/querypool.py`), so that one past its deadline can be killed.
"""

from __future__ import annotations

import io
import ipaddress
import re
import secrets
import signal
import socket
import sys
import threading
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO, Callable, TypeVar
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from extract.errors import KgError
from ontology import PREFIXES

from . import pages
from .errors import StoreError
from .query import describe, saved_queries
from .querypool import Job, QueryPool, Refused, content_type, rdf_xml_problem, union_rdf_xml_problem
from .store import Store

T = TypeVar("T")

UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

# Media types a client may ask for, by the query's form.
RESULTS_FORMATS = {  # SELECT, ASK
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {  # CONSTRUCT, DESCRIBE and the Graph Store
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,  # what SPARQLWrapper asks CONSTRUCT for by default
}


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0           # seconds a query may take before the client gets 503
    max_rows: int = 10_000          # result rows (or triples) before the client gets 413
    max_body: int = 1 << 20         # request body bytes; a larger body is not read
    workers: int = 4                # worker processes: queries evaluated at once
    allow_service: bool = False     # SERVICE makes the server fetch other URLs: off unless asked
    union_in_memory: bool = False   # each worker answers from its own copy of the union in memory:
                                    # 3-4x faster, about 300 MB per 1,000 documents per worker
    memory_mb: int | None = 2048    # memory a worker may take for a query, beyond the store it holds


class HttpError(Exception):
    """An answer other than 200: the status and a message for people, sent as text/plain."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# -- reading a query without evaluating it ---------------------------------------------------------
# One pass over the text that recognises everything a keyword can hide in (comments, strings, IRIs,
# variables, prefixed names with their escapes, language tags, numbers), so that the words left are
# the query's keywords and function names. Enough to tell the query form, FROM and SERVICE apart
# without a second SPARQL parser; pyoxigraph's parser still decides whether the query is valid.
_TOKEN = re.compile(
    r"(?P<skip>#[^\n\r]*"
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|[?$]\w+"
    r"|@[A-Za-z]+(?:-[A-Za-z0-9]+)*"
    r"|_:[\w\-]+(?:\.+[\w\-]+)*"
    r"|(?:[^\W\d_][\w\-]*(?:\.+[\w\-]+)*)?:(?:[\w\-:%]|\\[_~.\-!$&'()*+,;=/?#@%]|\.+(?=[\w\-:%\\]))*"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<other>.)",
    re.S,
)


@dataclass(frozen=True)
class QueryShape:
    form: str            # SELECT, ASK, CONSTRUCT, DESCRIBE, an update's first keyword, or ""
    names_dataset: bool  # has FROM or FROM NAMED
    uses_service: bool

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS


def shape(sparql: str) -> QueryShape:
    words = [m.group("word").upper() for m in _TOKEN.finditer(sparql) if m.group("word")]
    form = next((w for w in words if w not in ("PREFIX", "BASE")), "")
    return QueryShape(form, "FROM" in words, "SERVICE" in words)


def dataset(default_uris: list[str], named_uris: list[str]) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The default and named graphs the request names, checked; (None, None) when it names none.

    The store's own default graph is the union of every graph (`kg.store`), and a query's FROM /
    FROM NAMED replaces it as the standard says. The protocol's graphs win over the query's, as
    the SPARQL Protocol says; named graphs left unnamed are then none, as with FROM.
    """
    if default_uris or named_uris:
        return (tuple(_iri(u, "default-graph-uri").value for u in default_uris),
                tuple(_iri(u, "named-graph-uri").value for u in named_uris))
    return None, None


def _iri(value: str, what: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as e:
        raise HttpError(400, f"{what}: not an absolute IRI: {value!r} ({e})") from None


# -- content negotiation ---------------------------------------------------------------------------
def ranked(accept: str | None, offers: dict[str, T], default: T) -> list[T]:
    """The formats on offer that the Accept header allows, best first (RFC 9110, 12.5.1): each
    media type takes the quality of the most specific range that matches it, so
    "application/sparql-results+json;q=0, */*" refuses JSON and takes anything else. Ties go to
    the client's order, then to `default`. No header allows `default` only."""
    if not accept or not accept.strip():
        return [default]
    ranges: list[tuple[str, float, int]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q, position))

    def quality(media_type: str) -> tuple[float, int] | None:
        best: tuple[int, float, int] | None = None
        for media, q, position in ranges:
            specific = 3 if media == media_type else 2 if media.endswith("/*") and media != "*/*" and \
                media_type.startswith(media[:-1]) else 1 if media == "*/*" else 0
            if specific and (best is None or specific > best[0]):
                best = (specific, q, position)
        return (best[1], best[2]) if best else None

    # A format refused by one of its names is refused ("application/sparql-results+json;q=0" is
    # not to be answered as "application/json" because "*/*" follows).
    refused = {fmt for media_type, fmt in offers.items() for media, q, _ in ranges if media == media_type and q <= 0}
    scored = []
    for order, (media_type, fmt) in enumerate(offers.items()):
        found = quality(media_type)
        if found is not None and found[0] > 0 and fmt not in refused:
            scored.append(((-found[0], found[1], fmt != default, order), fmt))
    result: list[T] = []
    for _, fmt in sorted(scored, key=lambda pair: pair[0]):
        if fmt not in result:
            result.append(fmt)
    return result


def negotiate(accept: str | None, offers: dict[str, T], default: T) -> T | None:
    """The format the Accept header prefers among `offers` (see `ranked`), None when it allows none."""
    formats = ranked(accept, offers, default)
    return formats[0] if formats else None


# -- HTTP ------------------------------------------------------------------------------------------
class KgServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of clients connecting at once overflowed it and
    # some were reset. Connections wait here; queries wait for a worker (until their timeout).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], store: Store, limits: Limits, quiet: bool = False):
        if store.path is None:
            raise StoreError("kg serve needs a store on disk: its query workers open it too")
        self.store = store
        self.limits = limits
        self.quiet = quiet
        self._graph_page: bytes | None = None
        self._graph_version: object = None
        self._graph_lock = threading.Lock()
        self.prefixes = {**PREFIXES, "id": store.iris.base}
        self.saved = {name: (describe(path), path.read_text(encoding="utf-8"))
                      for name, path in saved_queries().items()}
        self.pool: QueryPool | None = None  # socketserver closes the server when it cannot bind
        super().__init__(address, Handler)  # listens, or fails, before any worker starts
        try:
            self.pool = QueryPool(store.path, limits.workers, self.prefixes, limits.union_in_memory,
                                  limits.memory_mb)
        except BaseException:
            super().server_close()
            raise

    def server_close(self) -> None:
        super().server_close()
        if self.pool is not None:
            self.pool.close()

    def graph_page(self) -> bytes:
        # Made on first request, and again only after a build has changed the store.
        with self._graph_lock:
            version = self.store.version
            if self._graph_page is None or version != self._graph_version:
                from .view import write_page

                page = io.BytesIO()
                write_page(self.store, page, title="kg: earnings calls")
                self._graph_page = page.getvalue()
                self._graph_version = version
            return self._graph_page

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class KgServer6(KgServer):
    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    server: KgServer
    _unread = False  # a request body was left unread: the connection closes after the answer
    protocol_version = "HTTP/1.1"
    server_version = "kg"
    timeout = 30  # seconds an idle keep-alive connection stays open
    # Headers and body leave in two writes: with Nagle's algorithm the second waits for the
    # client's delayed ACK, 40 ms per request on a kept-alive connection.
    disable_nagle_algorithm = True

    # -- plumbing --------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:
            super().log_message(format, *args)

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        self._cors = url.path == "/sparql"
        self._read = False
        routes = {"/sparql": self.sparql, "/store": self.graph_store, "/": self.page_index,
                  "/docs": self.page_docs, "/doc": self.page_doc, "/entity": self.page_entity,
                  "/graph": self.page_graph}
        try:
            route = routes.get(url.path)
            if route is None:
                raise HttpError(404, f"nothing at {url.path}; try / for the query page or /sparql for SPARQL")
            allowed = ("GET", "HEAD", "POST", "OPTIONS") if url.path == "/sparql" else ("GET", "HEAD")
            if method not in allowed:
                raise HttpError(405, f"{url.path} is read-only and answers {', '.join(allowed)}",
                                {"Allow": ", ".join(allowed)})
            # HEAD is answered as GET, and the body left out (by _send and _stream).
            route("GET" if method == "HEAD" else method, parse_qs(url.query, keep_blank_values=True))
        except HttpError as e:
            self._send_error(e)
        except _Aborted:
            pass  # the client left, or the store failed, half-way through a streamed answer
        except StoreError as e:  # e.g. the store could not be reopened after a build changed it
            self._send_error(HttpError(500, str(e)))
        except Exception as e:  # noqa: BLE001 - one failed request must not stop the server
            traceback.print_exc(file=sys.stderr)
            self._send_error(HttpError(500, f"internal error: {type(e).__name__}: {e}"))

    def finish(self) -> None:
        """Close the connection; after a body left unread, without a reset that would lose the answer.

        A client still sending a body it was told is too large would get a reset (and lose the 413)
        if the socket closed with its bytes unread: send the end of the answer, then read and drop
        what comes for a moment, at most `max_body` bytes, before closing.
        """
        super().finish()
        if self._unread:
            try:
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(1.0)
                left = self.server.limits.max_body
                while left > 0 and (chunk := self.connection.recv(min(left, 1 << 16))):
                    left -= len(chunk)
            except OSError:
                pass

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self._cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.command == "POST" and not self._read:
            # The body was not read (too large, or not needed): it cannot be skipped on a kept-alive
            # connection, so close it.
            self.close_connection = True
            self._unread = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream(self, status: int, content_type: str, write: Callable[[BinaryIO], object],
                headers: dict[str, str] | None = None) -> None:
        """`_send` for a body too large to hold: `write(out)` writes it, and it goes out in HTTP/1.1
        chunks (to an HTTP/1.0 client, which knows no chunks, as it comes, ended by closing the
        connection). A failure half-way can no longer change the status: the connection is closed
        without the last chunk, which tells the client the body is incomplete; the server logs why,
        unless the client simply left."""
        chunked = self.request_version == "HTTP/1.1"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self._cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        out = _Chunked(self.wfile) if chunked else self.wfile
        try:
            write(out)
            if chunked:
                out.close()
        except Exception as e:
            self.close_connection = True
            if not isinstance(e, (BrokenPipeError, ConnectionResetError)):
                traceback.print_exc(file=sys.stderr)
            raise _Aborted() from None

    def _send_error(self, e: HttpError) -> None:
        self._send(e.status, "text/plain; charset=utf-8", (e.message.rstrip("\n") + "\n").encode("utf-8"), e.headers)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise HttpError(411, "send the body with a Content-Length, not chunked")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise HttpError(400, "Content-Length is not a number") from None
        limit = self.server.limits.max_body
        if length > limit:
            raise HttpError(413, f"the request body is {length:,} bytes; the limit is {limit:,}")
        if length < 0:
            raise HttpError(400, "Content-Length is negative")
        body = self.rfile.read(length) if length > 0 else b""
        self._read = True
        return body

    # -- SPARQL Protocol -----------------------------------------------------------------------
    def sparql(self, method: str, params: dict[str, list[str]]) -> None:
        if method == "OPTIONS":
            self._send(204, "text/plain", b"", {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                                "Access-Control-Allow-Headers": "Content-Type, Accept",
                                                "Access-Control-Max-Age": "86400"})
            return
        if method == "POST":
            media = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = self._body()
            if media == "application/sparql-update":
                raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
            if media == "application/x-www-form-urlencoded":
                for name, values in parse_qs(_text(body), keep_blank_values=True).items():
                    params.setdefault(name, []).extend(values)
            elif media == "application/sparql-query":
                if "query" in params:
                    raise HttpError(400, "a direct POST carries the query in its body, not also as ?query=")
                params["query"] = [_text(body)]
            else:
                raise HttpError(415, "POST a query as application/sparql-query or as an "
                                     "application/x-www-form-urlencoded form with query=")
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise HttpError(400, "send exactly one SPARQL query: ?query=… (GET or form POST), or the query "
                                 "as the body of a POST with Content-Type application/sparql-query")
        sparql = queries[0]
        query = shape(sparql)
        if query.is_update:
            raise HttpError(403, f"this endpoint is read-only: SPARQL updates ({query.form}) are refused")
        if query.uses_service and not self.server.limits.allow_service:
            raise HttpError(400, "SERVICE (federated query) is turned off on this endpoint; "
                                 "start kg serve with --allow-service to allow it")
        default_graphs, named_graphs = dataset(params.get("default-graph-uri", []), params.get("named-graph-uri", []))
        accept = self.headers.get("Accept")
        results_format = negotiate(accept, RESULTS_FORMATS, ox.QueryResultsFormat.JSON)
        graph_formats = ranked(accept, GRAPH_FORMATS, ox.RdfFormat.TURTLE)
        # RDF/XML cannot carry every graph: the client's next choice is sent then, if it has one.
        fallback = next((f.media_type for f in graph_formats[1:] if f != ox.RdfFormat.RDF_XML), None)
        job = Job(sparql, default_graphs, named_graphs,
                  results_format.media_type if results_format is not None else None,
                  graph_formats[0].media_type if graph_formats else None, self.server.limits.max_rows, fallback)
        try:
            answer = self.server.pool.run(job, self.server.limits.timeout)
        except Refused as e:
            raise HttpError(e.status, e.message, e.headers) from None
        self._send(200, answer.content_type, answer.body, {"Vary": "Accept"})

    # -- Graph Store Protocol, read side -------------------------------------------------------
    def graph_store(self, method: str, params: dict[str, list[str]]) -> None:
        formats = ranked(self.headers.get("Accept"), GRAPH_FORMATS, ox.RdfFormat.TURTLE)
        if not formats:
            raise HttpError(406, "graphs come as Turtle, N-Triples, JSON-LD or RDF/XML; the Accept header names none of them")
        fmt = formats[0]
        fallback = next((f for f in formats[1:] if f != ox.RdfFormat.RDF_XML), None)
        store = self.server.store
        if "default" in params and "graph" not in params:
            # kg's default graph is the union of every graph: sent as it is read, in chunks, rather than
            # held whole (the N-Triples of 1,000 documents are 190 MB). The store is reopened first if a
            # build changed it, so that a failure to do so is still a 500, not a cut-off 200.
            store.refresh()
            problem = union_rdf_xml_problem(store) if fmt == ox.RdfFormat.RDF_XML else None
            if problem and fallback is not None:
                fmt, problem = fallback, None
            if problem:
                raise HttpError(406, f"the union cannot be written as RDF/XML: {problem}; ask for Turtle, N-Triples or JSON-LD")
            self._stream(200, content_type(fmt), lambda out: store.dump(fmt, union=True, output=out),
                         {"Vary": "Accept"})
            return
        graphs = params.get("graph", [])
        if len(graphs) != 1 or "default" in params:
            raise HttpError(400, "name one graph: /store?graph=IRI, or /store?default for the union of all graphs")
        node = _iri(graphs[0], "graph")
        if not store.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}", union=False):
            raise HttpError(404, f"no graph {graphs[0]} in the store; /docs lists the documents")
        triples = sorted(set(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}",
                                         union=False)), key=str)
        problem = rdf_xml_problem(triples) if fmt == ox.RdfFormat.RDF_XML else None
        if problem and fallback is not None:
            fmt, problem = fallback, None
        if problem:
            raise HttpError(406, f"this graph cannot be written as RDF/XML: {problem}; ask for Turtle, N-Triples or JSON-LD")
        use = self.server.prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD) else None
        self._send(200, content_type(fmt), ox.serialize(triples, format=fmt, prefixes=use), {"Vary": "Accept"})

    # -- web UI --------------------------------------------------------------------------------
    def _page(self, page: pages.Page | None) -> None:
        if page is None:
            raise HttpError(404, "nothing is known about that IRI in this store")
        nonce = secrets.token_urlsafe(16)
        csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
        self._send(200, "text/html; charset=utf-8", page.html(nonce).encode("utf-8"),
                   {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})

    def _iri_param(self, params: dict[str, list[str]]) -> str:
        iris = params.get("iri", [])
        if len(iris) != 1:
            raise HttpError(400, "name one IRI: ?iri=…")
        return _iri(iris[0], "iri").value

    def page_index(self, method: str, params: dict[str, list[str]]) -> None:
        first = lambda name: (params.get(name) or [None])[0]  # noqa: E731
        self._page(pages.index_page(self.server.saved, self.server.prefixes, first("q"), first("query")))

    def page_docs(self, method: str, params: dict[str, list[str]]) -> None:
        number = (params.get("page") or ["1"])[0]
        if not re.fullmatch(r"[0-9]{1,9}", number):  # not str.isdigit, which takes "²"
            raise HttpError(400, "page is a number: /docs?page=2")
        self._page(pages.docs_page(self.server.store, self.server.prefixes, int(number)))

    def page_doc(self, method: str, params: dict[str, list[str]]) -> None:
        self._page(pages.doc_page(self.server.store, self._iri_param(params), self.server.prefixes))

    def page_entity(self, method: str, params: dict[str, list[str]]) -> None:
        self._page(pages.entity_page(self.server.store, self._iri_param(params), self.server.prefixes))

    def page_graph(self, method: str, params: dict[str, list[str]]) -> None:
        """The interactive graph page (kg view) of the store the server opened."""
        csp = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")  # nothing leaves the page
        self._send(200, "text/html; charset=utf-8", self.server.graph_page(),
                   {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"})


class _Aborted(Exception):
    """A streamed answer failed after its status was sent: nothing more can be said on the connection."""


class _Chunked(io.RawIOBase):
    """A binary file that writes HTTP/1.1 chunks of at least 64 kB to `wfile`."""

    SIZE = 1 << 16

    def __init__(self, wfile):
        super().__init__()
        self.wfile, self.pending = wfile, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pending += data
        if len(self.pending) >= self.SIZE:
            self._flush_chunk()
        return len(data)

    def _flush_chunk(self) -> None:
        if self.pending:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(self.pending), bytes(self.pending)))
            self.pending.clear()

    def close(self) -> None:
        if not self.closed:
            self._flush_chunk()
            self.wfile.write(b"0\r\n\r\n")
        super().close()


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8") from None


# -- starting it -----------------------------------------------------------------------------------
def make_server(store: Store, host: str = "127.0.0.1", port: int = 7878, limits: Limits = Limits(),
                quiet: bool = False) -> KgServer:
    """A server bound to host:port (0 for any free port), not yet serving: call `serve_forever`."""
    cls = KgServer6 if ":" in host else KgServer
    return cls((host, port), store, limits, quiet)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(store: Store, host: str = "127.0.0.1", port: int = 7878, timeout: float = 10.0,
          max_rows: int = 10_000, allow_service: bool = False, union_in_memory: bool = False,
          max_memory_mb: int = 2048) -> int:
    """Serve until interrupted (Ctrl-C)."""
    if timeout <= 0:
        raise KgError(f"--timeout must be more than 0 seconds, not {timeout:g}")
    if max_rows < 1:
        raise KgError(f"--max-rows must be at least 1, not {max_rows}")
    if max_memory_mb != 0 and max_memory_mb < 64:
        raise KgError(f"--max-memory must be at least 64 MB (or 0: no limit), not {max_memory_mb}")
    if not 0 <= port <= 65535:
        raise KgError(f"--port must be between 0 and 65535, not {port}")
    try:
        server = make_server(store, host, port, Limits(timeout=timeout, max_rows=max_rows,
                                                       allow_service=allow_service, union_in_memory=union_in_memory,
                                                       memory_mb=max_memory_mb or None))
    except OSError as e:
        raise KgError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    if not is_loopback(host):
        print(f"kg: warning: listening on {host}, not a loopback address: anyone who can reach it can "
              "read the whole store", file=sys.stderr)
    print(f"serving {store.path} at {server.url}  (SPARQL endpoint {server.url}sparql; Ctrl-C to stop)",
          flush=True)
    restore = stop_on_signals()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
        restore()
    return 0


def stop_on_signals() -> Callable[[], None]:
    """Stop on Ctrl-C and on SIGTERM, whatever this process inherited.

    A shell without job control starts background commands with SIGINT ignored, and Python then
    never raises KeyboardInterrupt; service managers (systemd, docker stop) send SIGTERM. Both must
    stop the server and its query workers. Returns a function that puts the old handlers back.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers; a caller's thread stops it itself

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return restore
