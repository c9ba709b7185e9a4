"""`kg push` against a real Virtuoso (Debian's virtuoso-opensource-7-bin), started here on loopback
with a throwaway database, and against a small stub server for what Virtuoso will not show
(basic authentication, a server whose counts differ)."""

import base64
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.ingest import ingest
from kg.store import Store

VIRTUOSO = shutil.which("virtuoso-t")
needs_virtuoso = pytest.mark.skipif(
    VIRTUOSO is None, reason="virtuoso-t not found: install Debian's virtuoso-opensource-7-bin (.ci/run does)")
TWO_SEEDS = ("002_7cb600e89a562d2e.txt", "004_1f0b45879ee6eeb9.txt")
ENTITIES = "https://w3id.org/earnings-kg/id/graph/entities"
ONTOLOGY = "https://w3id.org/earnings-kg/ontology"

# The sections of Virtuoso's default virtuoso.ini that a server needs, every file in one folder,
# both ports on loopback only. The new database's dba password is "dba".
INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort        = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads     = 10
CheckpointInterval = 60
NumberOfBuffers   = 10000
MaxDirtyBuffers   = 6000
DirsAllowed       = {dir}

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}
ServerThreads        = 10
MaxClientConnections = 10
MaxKeepAlives        = 10
KeepAliveTimeout     = 10

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, seeds):
    """Two seeds built into a store of their own (closed again, so `kg push` can open it)."""
    path = tmp_path_factory.mktemp("push") / "store"
    folder = path.parent / "in"
    folder.mkdir()
    for name in TWO_SEEDS:
        shutil.copy(seeds / name, folder / name)
    store = Store(path)
    store.ensure_ontology()
    report = ingest([folder], store, workers=1)
    assert len(report.added) == 2 and not report.failed
    del store
    return path


@pytest.fixture(scope="module")
def local_counts(store_path) -> dict[str, int]:
    """Triples per named graph, counted from the quads themselves."""
    store = Store(store_path, read_only=True)
    counts = {g.value: sum(1 for _ in store._store.quads_for_pattern(None, None, None, g))
              for g in store._store.named_graphs()}
    assert ENTITIES in counts and ONTOLOGY in counts and len(counts) == 4
    return counts


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """http://127.0.0.1:PORT of a Virtuoso started for this module, stopped (always) at its end."""
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_ports(2)
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    with open(folder / "console.log", "wb") as console:
        proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder,
                                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 40
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"virtuoso-t exited with {proc.returncode}: "
                                + (folder / "console.log").read_text(errors="replace")[-2000:])
                try:
                    sparql_json(base, "ASK {}", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("Virtuoso's HTTP port did not answer within 40 s: "
                                    + (folder / "console.log").read_text(errors="replace")[-2000:])
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            shutil.rmtree(folder, ignore_errors=True)


def sparql_json(base: str, query: str, timeout: float = 30):
    request = urllib.request.Request(f"{base}/sparql?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def server_counts(base: str, graphs) -> dict[str, int]:
    """Asked of Virtuoso's /sparql directly, not through kg."""
    counts = {}
    for g in graphs:
        rows = sparql_json(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")["results"]["bindings"]
        counts[g] = int(rows[0]["n"]["value"])
    return counts


def push(capsys, url, store_path, *options):
    code = main(["push", url, "--store", str(store_path), *options])
    out, err = capsys.readouterr()
    return code, out, err


DBA = ("--user", "dba", "--password", "dba", "--auth", "digest")


@needs_virtuoso
def test_every_graph_arrives_whole(virtuoso, store_path, local_counts, capsys):
    assert set(server_counts(virtuoso, local_counts).values()) == {0}
    code, out, err = push(capsys, f"{virtuoso}/sparql-graph-crud-auth", store_path, *DBA)
    assert code == 0, err
    assert server_counts(virtuoso, local_counts) == local_counts
    lines = out.strip().splitlines()
    assert len(lines) == len(local_counts) + 1
    for graph, n in local_counts.items():
        line = next(line for line in lines if line.startswith(graph + " "))
        assert f" {n} triples " in line and " HTTP 20" in line and line.endswith(" ok")
    assert lines[-1].startswith(f"pushed {len(local_counts)} graphs, {sum(local_counts.values())} triples")
    assert "every count matches" in lines[-1]
    # documents first, the entities graph and the ontology last
    assert {lines[-3].split()[0], lines[-2].split()[0]} == {ENTITIES, ONTOLOGY}


@needs_virtuoso
@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_pushing_again_replaces_each_graph(virtuoso, store_path, local_counts, capsys, fmt):
    url = f"{virtuoso}/sparql-graph-crud-auth"
    for _ in range(2):
        code, out, err = push(capsys, url, store_path, *DBA, "--format", fmt)
        assert code == 0, err
        assert server_counts(virtuoso, local_counts) == local_counts
    # and a literal in Chinese comes back as it went (the body is UTF-8)
    rows = sparql_json(virtuoso, "SELECT ?t WHERE { GRAPH ?g { ?s <https://w3id.org/earnings-kg/ontology#translation> ?t } "
                                 "FILTER(langMatches(lang(?t), 'zh-Hant')) } LIMIT 1")["results"]["bindings"]
    assert rows and any("\u4e00" <= c <= "\u9fff" for c in rows[0]["t"]["value"])


@needs_virtuoso
def test_a_wrong_password_fails_naming_the_graph_and_the_status(virtuoso, store_path, local_counts, capsys):
    code, out, err = push(capsys, f"{virtuoso}/sparql-graph-crud-auth", store_path,
                          "--user", "dba", "--password", "not-dba", "--auth", "digest")
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: ") and "Traceback" not in err
    first = next(iter(sorted(g for g in local_counts if g not in (ENTITIES, ONTOLOGY))))
    assert first in lines[0] and "401" in lines[0]


@needs_virtuoso
def test_no_credentials_is_refused(virtuoso, store_path, capsys):
    code, _, err = push(capsys, f"{virtuoso}/sparql-graph-crud-auth", store_path)
    assert code == 1 and "401" in err


# -- a stub Graph Store for basic authentication and a server that loses triples --------------------
class StubServer(BaseHTTPRequestHandler):
    graphs: dict[str, int] = {}
    auth = "Basic " + base64.b64encode(b"u:p").decode()
    lose = 0  # triples the server "loses" from every graph

    def do_PUT(self):
        if self.headers.get("Authorization") != self.auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="stub"')
            self.end_headers()
            return
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        triples = list(ox.parse(body, format=ox.RdfFormat.from_media_type(self.headers["Content-Type"])))
        self.graphs[graph] = max(0, len(triples) - self.lose)
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["query"][0]
        graph = query.split("GRAPH <", 1)[1].split(">", 1)[0]
        body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
            {"n": {"type": "literal", "value": str(self.graphs.get(graph, 0))}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    StubServer.graphs, StubServer.lose = {}, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_basic_auth_and_the_count_check(stub, store_path, local_counts, capsys):
    code, out, err = push(capsys, f"{stub}/data", store_path, "--user", "u", "--password", "p", "--auth", "basic")
    assert code == 0, err
    assert StubServer.graphs == local_counts and "every count matches" in out


def test_a_server_that_differs_is_reported(stub, store_path, local_counts, capsys):
    StubServer.lose = 1
    code, out, err = push(capsys, f"{stub}/data", store_path, "--user", "u", "--password", "p")
    assert code == 1
    assert out.count("DIFFERS: the server has") == len(local_counts)
    assert err.count("\n") == 1 and "the server holds" in err and "more graphs differ" in err


def test_an_unreachable_server_names_the_graph(store_path, capsys):
    (port,) = free_ports(1)
    code, _, err = push(capsys, f"http://127.0.0.1:{port}/data", store_path)
    assert code == 1 and "cannot reach" in err and "https://w3id.org/earnings-kg/id/" in err
