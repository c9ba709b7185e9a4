"""`kg build --scheduler`: extraction on a real Dask cluster (schedulers and worker processes started
here with Dask's own commands, on 127.0.0.1), stored here as a local build stores it; and every way
a cluster can fail, each ending in one line and a store that is whole."""

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import cluster
from kg.cli import main
from kg.errors import ClusterError
from kg.store import Store

distributed = pytest.importorskip("distributed")
BIN = Path(sys.executable).parent
ONTOLOGY = "https://w3id.org/earnings-kg/ontology"
ROOT = Path(__file__).resolve().parents[1]


def start(args: list[str], folder: Path, name: str, env: dict | None = None) -> subprocess.Popen:
    with (folder / f"{name}.log").open("w") as log:
        return subprocess.Popen([str(BIN / "dask"), *args], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)  # its own group: killed with its children


def stop(*procs: subprocess.Popen, hard: bool = False) -> None:
    """In order: workers before their scheduler, so that none waits to reconnect."""
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def scheduler_in(folder: Path) -> tuple[subprocess.Popen, Path]:
    """A scheduler on a free loopback port, and the scheduler file it writes once it listens."""
    file = folder / "scheduler.json"
    proc = start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                  "--scheduler-file", str(file)], folder, "scheduler")
    deadline = time.time() + 60
    while not (file.exists() and "address" in file.read_text()):
        if proc.poll() is not None or time.time() > deadline:
            stop(proc)
            pytest.fail("the Dask scheduler did not start: " + (folder / "scheduler.log").read_text())
        time.sleep(0.2)
    return proc, file


def workers_for(file: Path, folder: Path, n: int, env: dict | None = None) -> subprocess.Popen:
    return start(["worker", "--scheduler-file", str(file), "--nworkers", str(n), "--nthreads", "1",
                  "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder)], folder, "workers", env)


@contextmanager
def a_cluster(folder: Path, n: int = 2, env: dict | None = None):
    """A scheduler and `n` single-threaded worker processes, as `docs/scale.md` advises."""
    scheduler, file = scheduler_in(folder)
    workers = workers_for(file, folder, n, env)
    try:
        client = distributed.Client(scheduler_file=str(file), set_as_default=False, timeout=30)
        try:
            client.wait_for_workers(n, timeout=60)
            yield client, file, scheduler, workers
        finally:
            client.close()
    finally:
        stop(workers, scheduler)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    with a_cluster(tmp_path_factory.mktemp("dask")) as (client, file, _, _):
        yield client, file


@pytest.fixture
def twenty(tmp_path, seeds) -> Path:
    """Twenty documents (the seeds as other years' calls): a build that lasts long enough to break."""
    folder = tmp_path / "twenty"
    folder.mkdir()
    for year in range(2001, 2005):
        for seed in sorted(seeds.glob("00*.txt")):
            text = seed.read_text(encoding="utf-8")
            for old, new in (("2020", year - 10), ("2023", year), ("2024", year + 5), ("2025", year + 6)):
                text = text.replace(old, str(new))
            (folder / f"{year}-{seed.name}").write_text(text, encoding="utf-8")
    return folder


def kg_quads(store: Path) -> tuple[set[ox.Quad], int]:
    """The quads without blank nodes, and how many have one: those are the ontology's OWL lists
    (in its graph and the union), which every store labels anew."""
    opened = ox.Store.read_only(str(store))
    named: set[ox.Quad] = set()
    blank = 0
    for q in opened.quads_for_pattern(None, None, None):
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank += 1
            assert isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name.value == ONTOLOGY
        else:
            named.add(q)
    return named, blank


def documents(store: Path) -> list:
    return Store(store, read_only=True).documents() if store.exists() else []


def kg_build(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "kg"), "build", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def when_stored(store: Path, build: subprocess.Popen, n: int = 1) -> None:
    """Wait until the build has stored `n` documents (a reader may open the store meanwhile)."""
    deadline = time.time() + 90
    while time.time() < deadline and build.poll() is None:
        try:
            if len(documents(store)) >= n:
                return
        except Exception:  # noqa: BLE001 - the store is being created this instant
            pass
        time.sleep(0.2)
    pytest.fail("the build stored nothing in 90 s, or ended first: " + (build.communicate()[1] if build.poll() is not None else ""))


def assert_whole(store: Path) -> None:
    """Every stored document conforms on its own, with labels in the entities graph for its entities."""
    assert main(["validate", "--store", str(store)]) == 0


# -- a cluster that works -------------------------------------------------------------------------
def test_a_build_on_the_cluster_stores_what_a_local_build_stores(dask_cluster, built, seeds, tmp_path, capsys):
    client, file = dask_cluster
    started = time.time()
    client.get_task_stream(start=started)  # from now on the scheduler records every task
    code = main(["build", str(seeds), "--scheduler", str(file), "--store", str(tmp_path / "store"),
                 "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "extracted on the Dask cluster at tcp://127.0.0.1:" in out and "(2 workers, 2 threads)" in out
    assert "5 added, 0 replaced, 0 unchanged, 0 failed" in out

    tasks = client.get_task_stream(start=started)
    assert sorted(t["key"].split("-")[0] for t in tasks) == ["extract_checked"] * 5  # one per seed, on the cluster
    assert len({t["worker"] for t in tasks}) == 2  # both workers had a share

    (here, here_blank), (local, local_blank) = kg_quads(tmp_path / "store"), kg_quads(built / "store")
    assert len(here) > 9_000 and here == local and here_blank == local_blank

    # Nothing to extract: the build needs no cluster, and says nothing of one.
    code = main(["build", str(seeds), "--scheduler", "tcp://127.0.0.1:1", "--store", str(tmp_path / "store"),
                 "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0 and "0 added, 0 replaced, 5 unchanged" in out and "Dask" not in out


def test_a_file_that_cannot_be_extracted_is_reported_and_the_others_go_in(dask_cluster, seeds, tmp_path, capsys):
    client, file = dask_cluster
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(next(seeds.glob("004_*.txt")).read_bytes())
    (folder / "b.txt").write_bytes(b"\x00\x01\x02" * 4000)  # binary: refused by the worker's decoding
    (folder / "c.txt").write_text("")  # empty: likewise
    (folder / "d.txt").symlink_to(tmp_path / "gone.txt")  # refused here, before anything is sent
    address = json.loads(file.read_text())["address"]
    code = main(["build", str(folder), "--scheduler", address, "--store", str(tmp_path / "store"),
                 "-o", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1
    assert f"{folder / 'b.txt'}: looks like binary data, not text" in captured.err
    assert f"{folder / 'c.txt'}: file is empty" in captured.err
    assert f"{folder / 'd.txt'}: no such file" in captured.err
    assert "1 added, 0 replaced, 0 unchanged, 3 failed" in captured.out
    assert [d.source for d in documents(tmp_path / "store")] == ["a.txt"]


def test_a_worker_that_joined_with_other_code_refuses_each_task(dask_cluster, seeds):
    """Workers join a cluster at any time: each task checks the worker runs this kg's code."""
    client, _ = dask_cluster
    path = str(next(seeds.glob("004_*.txt")))
    data = Path(path).read_bytes()
    other = client.submit(cluster.extract_checked, path, data, "0" * 16, pure=False).result(timeout=60)
    assert other.ntriples is None
    assert other.error.startswith(f"{path}: the Dask worker tcp://127.0.0.1:") and "runs other kg code" in other.error
    same = client.submit(cluster.extract_checked, path, data, cluster.code_fingerprint(), pure=False).result(timeout=60)
    assert same.error is None and same.ntriples.count("\n") > 100


def test_an_interrupted_build_leaves_nothing_running_and_the_store_whole(dask_cluster, twenty, tmp_path):
    client, file = dask_cluster
    build = kg_build(str(twenty), "--scheduler", str(file), "--store", str(tmp_path / "store"), "-o", str(tmp_path / "o"))
    when_stored(tmp_path / "store", build)
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130 and err == "kg: interrupted\n"
    tasks = lambda dask_scheduler: len(dask_scheduler.tasks)  # noqa: E731 - sent by value, run there
    deadline = time.time() + 20
    while client.run_on_scheduler(tasks) and time.time() < deadline:  # the scheduler forgets cancelled tasks
        time.sleep(0.2)
    assert client.run_on_scheduler(tasks) == 0
    assert 1 <= len(documents(tmp_path / "store")) < 20


# -- a cluster that cannot do the work ------------------------------------------------------------
def test_an_unreachable_scheduler_is_one_line_and_no_documents(tmp_path, seeds, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"  # free, and nothing listens on it
    code = main(["build", str(seeds), "--scheduler", address, "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"kg: cannot reach the Dask scheduler at {address}: ") and err.count("\n") == 1
    assert documents(tmp_path / "store") == []


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_listener_that_is_not_a_scheduler_is_refused_in_time(tmp_path, seeds, capsys, monkeypatch):
    """E.g. the dashboard's port given by mistake: Dask's client alone would wait for ever."""
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{web.server_address[1]}"
        code = main(["build", str(seeds), "--scheduler", address, "--store", str(tmp_path / "store")])
    finally:
        web.shutdown()
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith((f"kg: cannot reach the Dask scheduler at {address}: ", f"kg: {address} is not a Dask scheduler"))
    assert documents(tmp_path / "store") == []


@pytest.mark.parametrize("given, message", [
    ("", "--scheduler needs a scheduler's address"),
    ("http://127.0.0.1:8787", "http://127.0.0.1:8787: kg reaches Dask schedulers over tcp, tls, ws, wss, not http"),
    ("tcp://127.0.0.1", "tcp://127.0.0.1: not a Dask scheduler address (missing port number"),
    ("{tmp}/not-yet.json", "{tmp}/not-yet.json: no Dask scheduler file there (waited 1 s)"),
    ("{tmp}/empty.json", "{tmp}/empty.json: not a Dask scheduler file (KeyError: 'address')"),
    ("{tmp}/binary.json", "{tmp}/binary.json: not a Dask scheduler file (UnicodeDecodeError"),
])
def test_what_names_no_scheduler_is_one_line(tmp_path, seeds, capsys, monkeypatch, given, message):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    (tmp_path / "empty.json").write_text("{}")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    code = main(["build", str(seeds), "--scheduler", given.format(tmp=tmp_path), "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("kg: " + message.format(tmp=tmp_path)), err


def test_a_cluster_that_cannot_do_the_work_is_refused_before_any_document(tmp_path, seeds, capsys, monkeypatch):
    """First no workers at all; then a worker whose Python finds another kg's code first."""
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    scheduler, file = scheduler_in(tmp_path)
    procs = [scheduler]
    try:
        with pytest.raises(ClusterError, match="has no workers .*none joined in 1 s.*dask worker"):
            with cluster.dask_jobs(str(file)) as jobs:
                next(jobs.results([str(next(seeds.glob("004_*.txt")))]))

        other = tmp_path / "other"  # a checkout that differs by one line
        for package in ("kg", "extract", "ontology"):
            shutil.copytree(ROOT / package, other / package, ignore=shutil.ignore_patterns("__pycache__"))
        with (other / "extract" / "names.py").open("a") as f:
            f.write("\n# another version of the rules\n")
        procs.insert(0, workers_for(file, tmp_path, 1, {**os.environ, "PYTHONPATH": str(other)}))
        monkeypatch.setattr(cluster, "CONNECT_SECONDS", 60.0)  # for the worker to start
        code = main(["build", str(seeds), "--scheduler", str(file), "--store", str(tmp_path / "store")])
    finally:
        stop(*procs)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    assert "the Dask worker tcp://127.0.0.1:" in err and "has kg code " in err
    assert f"this machine kg code {cluster.code_fingerprint()}: install this kg on every worker" in err
    assert documents(tmp_path / "store") == []


@pytest.mark.parametrize("lost", ["scheduler", "workers"])
def test_a_cluster_lost_mid_build_stops_it_in_one_line_with_what_was_stored_whole(tmp_path, twenty, lost):
    with a_cluster(tmp_path, n=1) as (_, file, scheduler, workers):
        build = kg_build(str(twenty), "--scheduler", str(file), "--store", str(tmp_path / "store"), "-o",
                         str(tmp_path / "o"), env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"})
        when_stored(tmp_path / "store", build)
        stop(scheduler if lost == "scheduler" else workers, hard=True)
        out, err = build.communicate(timeout=90)
    assert build.returncode == 1
    if lost == "scheduler":
        assert err == f"kg: lost the Dask scheduler at {file}; the documents extracted so far are stored: " \
                      "run the build again for the rest\n"
    else:
        assert err == f"kg: the Dask cluster at {file} has had no workers for 3 s; the documents extracted so " \
                      "far are stored: run the build again for the rest\n"
    assert 1 <= len(documents(tmp_path / "store")) < 20
    assert_whole(tmp_path / "store")


def test_a_scheduler_lost_between_two_results_is_a_lost_scheduler(tmp_path, twenty, monkeypatch):
    """The build stores a result, then asks for the next: the scheduler that went meanwhile is
    reported as such, not as an internal error (the build then recomputes the entities graph)."""
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 3.0)
    with a_cluster(tmp_path, n=1) as (_, file, scheduler, _):
        with cluster.dask_jobs(str(file)) as jobs:
            results = jobs.results([str(p) for p in sorted(twenty.iterdir())])
            assert next(results).error is None
            stop(scheduler, hard=True)
            with pytest.raises(ClusterError, match="lost the Dask scheduler"):
                next(results)


def test_workers_and_scheduler_together_are_a_usage_error(seeds, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["build", str(seeds), "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"])
    assert exit.value.code == 2 and "give one or the other" in capsys.readouterr().err
