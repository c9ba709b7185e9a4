"""Copy the store to another SPARQL server, one named graph at a time.

Every named graph (each document, the entities graph, the ontology) goes over by the SPARQL 1.1
Graph Store HTTP Protocol, `PUT URL?graph=IRI`, which replaces that graph on the server: pushing
twice leaves the server as pushing once. After each PUT the server's SPARQL query endpoint is asked
how many triples the graph holds there, and a difference from the local count is reported.
Standard library only (urllib), with HTTP basic or digest authentication.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from ontology import ONTOLOGY_IRI, PREFIXES

from .errors import PushError
from .store import Store

CONTENT_TYPES = {
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
}
TIMEOUT = 120  # seconds, for one request


@dataclass
class GraphPush:
    graph: str
    triples: int  # in the local store
    status: int  # HTTP status of the PUT
    remote: int | None = None  # triples the server reports afterwards (None: not checked)
    seconds: float = 0.0

    @property
    def matches(self) -> bool:
        return self.remote == self.triples


@dataclass
class PushReport:
    url: str
    graphs: list[GraphPush] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def differences(self) -> list[GraphPush]:
        return [g for g in self.graphs if not g.matches]


def default_sparql_endpoint(url: str) -> str:
    """The query endpoint next to a Graph Store endpoint: the URL's origin + `/sparql`."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/sparql", "", ""))


def local_graphs(store: Store) -> list[tuple[str, int]]:
    """Every named graph with its triple count: documents first, then the entities graph, the
    ontology, and any other graph."""
    counts = {r["g"]: int(r["n"]) for r in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False)}
    docs = {d.iri for d in store.documents(count_triples=False)}
    order = {str(store.iris.entities_graph): 1, str(ONTOLOGY_IRI): 2}

    def key(g: str) -> tuple[int, str]:
        return (0 if g in docs else order.get(g, 3), g)

    return [(g, counts[g]) for g in sorted(counts, key=key)]


def serialise_graph(store: Store, graph: str, fmt: str = "nt") -> bytes:
    rdf_format, _ = CONTENT_TYPES[fmt]
    triples = sorted(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                                 union=False), key=str)
    prefixes = {**PREFIXES, "id": store.iris.base} if rdf_format is ox.RdfFormat.TURTLE else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


def opener(urls: list[str], user: str | None, password: str | None,
           auth: str | None = None) -> urllib.request.OpenerDirector:
    """An opener that authenticates to these URLs: `basic` sends the credentials with every request,
    `digest` answers the server's digest challenge, and None answers whichever challenge comes."""
    if user is None:
        return urllib.request.build_opener()
    handlers: list[urllib.request.BaseHandler] = []
    if auth in (None, "digest"):
        digest = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        digest.add_password(None, urls, user, password or "")
        handlers.append(urllib.request.HTTPDigestAuthHandler(digest))
    if auth == "basic":
        basic = urllib.request.HTTPPasswordMgrWithPriorAuth()
        basic.add_password(None, urls, user, password or "", is_authenticated=True)
        handlers.append(urllib.request.HTTPBasicAuthHandler(basic))
    elif auth is None:  # no prior auth here: it would send a Basic header to a digest server after a success
        handlers.append(urllib.request.HTTPBasicAuthHandler(digest))
    return urllib.request.build_opener(*handlers)


def _with_params(url: str, **params: str) -> str:
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(params)


def _send(open_, request: urllib.request.Request, graph: str, what: str) -> tuple[int, bytes]:
    try:
        with open_(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        detail = e.read(300).decode("utf-8", "replace").strip().splitlines()
        hint = f" ({detail[0][:120]})" if detail and not detail[0].lstrip().startswith("<") else ""
        if e.code in (401, 403) and not hint:
            hint = " (check the user, the password and the authentication scheme)"
        raise PushError(f"{what} failed: HTTP {e.code} {e.reason}{hint}", graph) from None
    except urllib.error.URLError as e:
        raise PushError(f"{what} failed: cannot reach {request.full_url.split('?')[0]} ({e.reason})", graph) from None
    except (OSError, http.client.HTTPException) as e:
        raise PushError(f"{what} failed: {type(e).__name__}: {e}", graph) from None


def put_graph(open_, url: str, graph: str, body: bytes, fmt: str = "nt") -> int:
    _, content_type = CONTENT_TYPES[fmt]
    request = urllib.request.Request(_with_params(url, graph=graph), data=body, method="PUT",
                                     headers={"Content-Type": f"{content_type}; charset=utf-8"})
    status, _ = _send(open_, request, graph, "PUT")
    return status


def remote_count(open_, endpoint: str, graph: str) -> int:
    """The graph's triple count on the server, by its SPARQL query endpoint (JSON results)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(_with_params(endpoint, query=query),
                                     headers={"Accept": "application/sparql-results+json"})
    _, body = _send(open_, request, graph, f"counting triples at {endpoint}")
    try:
        bindings = json.loads(body)["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, TypeError):
        raise PushError(f"counting triples at {endpoint}: not SPARQL JSON results: {body[:80]!r}", graph) from None


def push(store: Store, url: str, user: str | None = None, password: str | None = None,
         auth: str | None = None, fmt: str = "nt", sparql: str | None = None,
         progress: Callable[[GraphPush], None] | None = None) -> PushReport:
    """PUT every named graph to the Graph Store endpoint `url`, then check its count on the server.

    Stops at the first request that fails, with a `PushError` naming the graph and the HTTP status.
    Count differences do not stop the push: they are in the report's `differences`.
    """
    if fmt not in CONTENT_TYPES:
        raise PushError(f"unknown format {fmt!r} (use one of {', '.join(CONTENT_TYPES)})")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PushError(f"not an http(s) URL: {url}")
    endpoint = sparql or default_sparql_endpoint(url)
    # Credentials go to the query endpoint only on the same origin as the Graph Store endpoint.
    same_origin = urllib.parse.urlsplit(endpoint)[:2] == urllib.parse.urlsplit(url)[:2]
    open_ = opener([url, endpoint] if same_origin else [url], user, password, auth).open
    report = PushReport(url)
    started = time.perf_counter()
    for graph, triples in local_graphs(store):
        t0 = time.perf_counter()
        status = put_graph(open_, url, graph, serialise_graph(store, graph, fmt), fmt)
        result = GraphPush(graph, triples, status, remote_count(open_, endpoint, graph))
        result.seconds = time.perf_counter() - t0
        report.graphs.append(result)
        if progress:
            progress(result)
    report.seconds = time.perf_counter() - started
    return report
