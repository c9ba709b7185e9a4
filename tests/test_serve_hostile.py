"""`kg serve` under load and under attack, on the store `kg build` made of the seeds.

- a few hundred concurrent queries, every answer checked against the store read directly;
- cross products that would run for hours: stopped at the timeout (their worker killed and
  replaced), again and again, while other queries are answered;
- bodies over the limit: 413 before the body is read;
- updates, LOAD and SERVICE by every route: refused, and nothing fetched or written;
- paths that try to read files: nothing but the pages.

Every server here listens on 127.0.0.1 and is stopped by the test that started it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest

from kg.query import resolve_query, rows, run, saved_queries
from kg.serve import KgServer, Limits, make_server
from kg.store import Store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^11 rows to count
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # streams: the row limit stops it
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@contextmanager
def serving(store: Store, limits: Limits = Limits()):
    server = make_server(store, "127.0.0.1", 0, limits, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def base(server: KgServer) -> str:
    return server.url.rstrip("/")


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
         timeout: float = 60):
    """(status, headers, body) of one request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def ask(url: str, query: str, how: str = "GET", timeout: float = 60):
    """A SPARQL query by GET, form POST or direct POST."""
    accept = {"Accept": JSON_RESULTS}
    if how == "GET":
        return http(f"{url}/sparql?{urlencode({'query': query})}", headers=accept, timeout=timeout)
    if how == "form":
        return http(url + "/sparql", urlencode({"query": query}).encode(),
                    {**accept, "Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)
    return http(url + "/sparql", query.encode(), {**accept, "Content-Type": "application/sparql-query"},
                timeout=timeout)


def answer_rows(body: bytes) -> tuple[list[str], list[list[str]]]:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    return names, sorted([b.get(n, {}).get("value", "") for n in names] for b in doc["results"]["bindings"])


@pytest.fixture(scope="module")
def expected(store) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each saved query's answer, from the store directly."""
    out = {}
    for name in saved_queries():
        header, found = rows(run(store, resolve_query(name)))
        out[name] = (header, sorted(found))
    assert sum(1 for _, found in out.values() if found) >= 10, "the saved queries find nothing to compare"
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- load ------------------------------------------------------------------------------------------
def test_300_concurrent_queries_from_30_threads_are_all_answered_whole(store, expected):
    names = sorted(expected)
    jobs = [(names[i % len(names)], ("GET", "form", "direct")[i % 3]) for i in range(300)]
    random.Random(7).shuffle(jobs)
    took: list[float] = []

    with serving(store, Limits(timeout=30)) as server:
        url = base(server)

        def one(job):
            name, how = job
            started = time.perf_counter()
            status, _, body = ask(url, resolve_query(name), how)
            took.append(time.perf_counter() - started)
            return name, how, status, body

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=30) as pool:
            answers = list(pool.map(one, jobs))
        wall = time.perf_counter() - started
        assert server.pool.restarts == 0
    for name, how, status, body in answers:
        assert status == 200, (name, how, body[:300])
        assert answer_rows(body) == expected[name], (name, how)
    assert len(answers) == 300
    print(f"\n300 queries from 30 threads in {wall:.2f} s: median {statistics.median(took) * 1000:.0f} ms, "
          f"p95 {sorted(took)[284] * 1000:.0f} ms, max {max(took) * 1000:.0f} ms")


# -- runaway queries -------------------------------------------------------------------------------
def test_cross_products_are_stopped_at_the_timeout_and_the_server_keeps_answering(store, expected):
    with serving(store, Limits(timeout=1.0, workers=4)) as server:
        url = base(server)
        first = server.pool.pids()
        assert len(first) == 4

        def normal_queries_while(busy: threading.Event, results: list) -> None:
            names = sorted(expected)
            i = 0
            while not busy.is_set():
                name = names[i % len(names)]
                status, _, body = ask(url, resolve_query(name))
                results.append((name, status, answer_rows(body) == expected[name] if status == 200 else body))
                i += 1

        def runaways(n: int) -> list[tuple[int, float, bytes]]:
            def one(_):
                started = time.monotonic()
                status, _, body = ask(url, RUNAWAY, timeout=30)
                return status, time.monotonic() - started, body
            with ThreadPoolExecutor(max_workers=n) as pool:
                return list(pool.map(one, range(n)))

        # two at a time, three times, while a client keeps asking ordinary questions
        done, ordinary = threading.Event(), []
        asker = threading.Thread(target=normal_queries_while, args=(done, ordinary))
        asker.start()
        try:
            stopped = [r for _ in range(3) for r in runaways(2)]
        finally:
            done.set()
            asker.join(30)
        for status, seconds, body in stopped:
            assert status == 503 and b"did not finish within 1 s" in body, body
            assert seconds < 5, seconds
        assert len(ordinary) >= 10 and all(status == 200 and ok is True for _, status, ok in ordinary), ordinary

        # more at once than there are workers: each one is stopped or turned away, none hangs
        burst = runaways(8)
        assert all(status == 503 for status, _, _ in burst), burst
        assert max(seconds for _, seconds, _ in burst) < 5
        assert server.pool.restarts >= 6 + 4

        # and then the server is whole again: its killed workers gone, four fresh ones, answering
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (server.pool._idle.qsize() < 4 or len(server.pool.pids()) < 4):
            time.sleep(0.05)
        assert len(server.pool.pids()) == 4
        assert not any(alive(pid) for pid in first), "a killed worker is still running"
        for name in sorted(expected) * 3:
            status, _, body = ask(url, resolve_query(name))
            assert status == 200 and answer_rows(body) == expected[name], name

        # a cross product that streams is cut off by the row limit, before the timeout
        status, _, body = ask(url, CROSS)
        assert status == 413 and b"more than 10,000 rows" in body, body  # not the timeout's 503


def descendants(pid: int) -> set[int]:
    """Processes below `pid` (children, grandchildren), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def ignore_ctrl_c() -> None:
    """What a shell without job control does to the commands it starts in the background."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop, started", [(signal.SIGINT, "in the foreground"),
                                           (signal.SIGINT, "in the background"),
                                           (signal.SIGTERM, "in the background")],
                         ids=["ctrl-c", "ctrl-c-when-started-in-the-background", "sigterm"])
def test_kg_serve_survives_a_runaway_and_leaves_no_process_behind_when_stopped(built, stop, started):
    """The real command: its workers are killed at the timeout, and all of them at Ctrl-C or SIGTERM,
    even when it was started with Ctrl-C ignored (CI runners and `cmd &` in a script do that)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(built / "store"),
                             "--port", "0", "--timeout", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=ignore_ctrl_c if started == "in the background" else None)
    try:
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0].rstrip("/")
        assert urlsplit(url).hostname == "127.0.0.1"
        workers = descendants(proc.pid)
        assert len(workers) >= 4  # the fork server and four workers
        status, _, body = ask(url, RUNAWAY, timeout=30)
        assert status == 503 and b"was stopped" in body
        status, _, body = ask(url, "ASK { ?s ?p ?o }")
        assert status == 200 and b"true" in body
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err, err
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in workers | descendants(proc.pid)):
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "a worker outlived kg serve"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- request bodies --------------------------------------------------------------------------------
def raw_request(url: str, head: bytes, body: bytes = b"", wait: float = 5) -> tuple[bytes, float]:
    """Send bytes as they are and read the answer, without sending more; (answer, seconds)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        started = time.monotonic()
        sock.sendall(head + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return answer, time.monotonic() - started


def test_a_body_over_the_limit_gets_413_before_it_is_read(store):
    with serving(store) as server:
        url = base(server)
        # the client announces ten gigabytes and sends 64 KB: the answer cannot wait for the rest
        head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 10000000000\r\n\r\n")
        answer, seconds = raw_request(url, head, b"#" * 65536)
        assert answer.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in answer, answer[:300]
        assert b"10,000,000,000 bytes; the limit is 1,048,576" in answer and seconds < 3, seconds
        # a form as large, and odd lengths
        form = head.replace(b"application/sparql-query", b"application/x-www-form-urlencoded")
        assert raw_request(url, form, b"query=" + b"x" * 4096)[0].startswith(b"HTTP/1.1 413 ")
        for length, status in ((b"-1", b"400"), (b"lots", b"400")):
            answer, _ = raw_request(url, head.replace(b"10000000000", length))
            assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
        chunked = head.replace(b"Content-Length: 10000000000", b"Transfer-Encoding: chunked")
        assert raw_request(url, chunked, b"10\r\n" + b"#" * 16 + b"\r\n")[0].startswith(b"HTTP/1.1 411 ")
        # a client that sends all of a body just over the limit still reads the 413
        status, _, body = http(url + "/sparql", b"ASK {} #" + b"x" * (1 << 20),
                               {"Content-Type": "application/sparql-query"})
        assert status == 413 and b"limit" in body
        assert ask(url, "ASK { ?s ?p ?o }")[0] == 200


# -- updates, LOAD and SERVICE ---------------------------------------------------------------------
@contextmanager
def listener():
    """A TCP port that counts who connects to it: proof that nothing was fetched."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(1024))
                except OSError:
                    hits.append(b"")
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", hits
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_updates_load_and_service_are_refused_by_every_route_and_nothing_is_fetched(built, store):
    before = len(Store(built / "store", read_only=True))
    with listener() as (trap, hits), serving(store) as server:
        url = base(server)
        updates = [
            'INSERT DATA { <http://example.org/s> <http://example.org/p> "x" }',
            'insert data { graph <http://example.org/g> { <http://example.org/s> <http://example.org/p> "x" } }',
            "DROP ALL", "drop silent default", "CLEAR ALL", "CREATE GRAPH <http://example.org/g>",
            f"LOAD <{trap}/data.ttl>", f"LOAD SILENT <{trap}/data.ttl> INTO GRAPH <http://example.org/g>",
            "COPY DEFAULT TO <http://example.org/g>", "MOVE DEFAULT TO <http://example.org/g>",
            "ADD DEFAULT TO <http://example.org/g>", "DELETE WHERE { ?s ?p ?o }",
            "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "# a comment first\nPREFIX ex: <http://example.org/>\nBASE <http://example.org/>\nDELETE DATA { ex:s ex:p ex:o }",
        ]
        for update in updates:
            for how in ("GET", "form", "direct"):
                status, _, body = ask(url, update, how)
                assert status == 403 and b"read-only" in body, (update, how, status, body)
            for request in (
                (f"{url}/sparql?{urlencode({'update': update})}", None, {}),
                (url + "/sparql", urlencode({"update": update}).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded"}),
                (url + "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}),
            ):
                assert http(*request)[0] == 403, (update, request[0])
        # an update behind a query is not a query: the parser refuses it
        for smuggled in ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "ASK {} INSERT DATA { <a:b> <a:c> <a:d> }"):
            assert ask(url, smuggled)[0] in (400, 403), smuggled
        # nothing but GET (and, on /sparql, POST) on any route
        for path in ("/store?default", "/store?graph=" + quote("http://example.org/g", safe=""), "/", "/docs",
                     "/graph", "/doc?iri=x:y", "/entity?iri=x:y"):
            for method in ("PUT", "DELETE", "PATCH", "POST"):
                status, _, _ = http(url + path, b"<a:b> <a:c> <a:d> .", {"Content-Type": "text/turtle"}, method)
                assert status == 405, (method, path, status)
        services = [
            f"SELECT * WHERE {{ SERVICE <{trap}/sparql> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{trap}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{trap}/sparql> {{ ?x ?p ?o }} }} }} LIMIT 1",
            f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{trap}/> {{ ?s ?p ?o }} }} }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o . # a comment\nSERVICE\n<{trap}/> {{ ?a ?b ?c }} }}",
            f"ASK {{ SERVICE <{trap}/> {{ ?s ?p ?o }} }}",
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{trap}/> {{ ?s ?p ?o }} }}",
        ]
        for query in services:
            for how in ("GET", "form", "direct"):
                status, _, body = ask(url, query, how)
                assert status == 400 and b"--allow-service" in body, (query, how, status, body)
        # FROM and DESCRIBE name IRIs; they are never fetched
        assert ask(url, f"SELECT * FROM <{trap}/data.ttl> WHERE {{ ?s ?p ?o }}")[0] == 200
        assert http(f"{url}/sparql?{urlencode({'query': f'DESCRIBE <{trap}/x>'})}")[0] == 200
        assert ask(url, "ASK { <http://example.org/s> ?p ?o }")[2].find(b"false") > 0
    assert hits == [], "the server fetched a URL"
    assert len(Store(built / "store", read_only=True)) == before


# -- files -----------------------------------------------------------------------------------------
PROBES = [
    "/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd", "/%252e%252e/%252e%252e/etc/passwd",
    "//etc/passwd", "/etc/passwd", "/../../../../etc/passwd", "/static//etc/passwd",
    "/static/..%5c..%5cetc%5cpasswd", "/..\\..\\etc\\passwd", "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/templates/serve.html", "/kg/templates/serve.html", "/static/serve.html", "/serve.html", "/graph.js",
    "/kg/serve.py", "/README.md", "/pyproject.toml", "/graph/../../etc/passwd", "/docs/..%2f..%2fetc%2fpasswd",
    "/proc/self/environ", "/.git/config",
]
SECRETS = (b"root:x:0:", b"{{body}}", b"[build-system]", b"import ", b"[core]", b"PATH=")


def assert_no_file_in(body: bytes, where: str) -> None:
    for secret in SECRETS:
        assert secret not in body, f"{where}: the answer holds a file ({secret!r})"


def test_no_path_reads_a_file(store, tmp_path):
    link = tmp_path / "passwd-link"
    link.symlink_to("/etc/passwd")
    with serving(store) as server:
        url = base(server)
        for path in PROBES + [str(link), "/" + quote(str(link)), "/static/" + quote(str(link), safe="")]:
            status, _, body = http(url + path)
            assert status in (400, 404), (path, status)
            assert_no_file_in(body, path)
        # parameters that name files are names, not paths
        for path in ("/entity?iri=" + quote("file:///etc/passwd", safe=""), "/doc?iri=" + quote(f"file://{link}", safe=""),
                     "/store?graph=" + quote("file:///etc/passwd", safe="")):
            status, _, body = http(url + path)
            assert status == 404, (path, status)
            assert_no_file_in(body, path)
        for path in ("/?q=../../etc/passwd", "/?q=/etc/passwd", "/?query=" + quote("LOAD <file:///etc/passwd>")):
            status, _, body = http(url + path)
            assert status == 200, (path, status)
            assert_no_file_in(body, path)
        # request targets in absolute form, and ones that are not paths at all
        for target in (b"http://127.0.0.1/etc/passwd", b"file:///etc/passwd", b"../../etc/passwd", b"*"):
            answer, _ = raw_request(url, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert answer.split(b" ", 2)[1] in (b"400", b"404"), (target, answer[:100])
            assert_no_file_in(answer, target.decode())
