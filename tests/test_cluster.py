"""`kg build --scheduler`: extraction on a real Dask cluster (a scheduler and two worker processes,
started here with Dask's own commands on 127.0.0.1), stored here as a local build stores it."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import cluster
from kg.cli import main
from kg.errors import ClusterError

distributed = pytest.importorskip("distributed")
DASK = str(Path(sys.executable).with_name("dask"))
ONTOLOGY = "https://w3id.org/earnings-kg/ontology"


def start(args: list[str], folder: Path, name: str) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("w")
    return subprocess.Popen([DASK, *args], cwd=folder, stdout=log, stderr=subprocess.STDOUT)


def scheduler_in(folder: Path) -> tuple[subprocess.Popen, Path]:
    """A scheduler on a free loopback port, and the scheduler file it writes once it listens."""
    file = folder / "scheduler.json"
    proc = start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                  "--scheduler-file", str(file)], folder, "scheduler")
    deadline = time.time() + 60
    while not (file.exists() and file.stat().st_size and "address" in file.read_text()):
        assert proc.poll() is None, (folder / "scheduler.log").read_text()
        assert time.time() < deadline, "the Dask scheduler did not start in 60 s"
        time.sleep(0.2)
    return proc, file


def stop(*procs: subprocess.Popen) -> None:
    """In order: workers before their scheduler, so that none waits to reconnect."""
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two single-threaded worker processes, as `docs/scale.md` advises."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler, file = scheduler_in(folder)
    workers = start(["worker", "--scheduler-file", str(file), "--nworkers", "2", "--nthreads", "1",
                     "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder)], folder, "workers")
    client = distributed.Client(scheduler_file=str(file), set_as_default=False, timeout=30)
    try:
        client.wait_for_workers(2, timeout=60)
        yield client, file
    finally:
        client.close()
        stop(workers, scheduler)


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


def test_a_build_on_the_cluster_stores_what_a_local_build_stores(dask_cluster, built, seeds, tmp_path, capsys):
    client, file = dask_cluster
    started = time.time()
    client.get_task_stream(start=started)  # from now on the scheduler records every task
    code = main(["build", str(seeds), "--scheduler", str(file), "--store", str(tmp_path / "store"),
                 "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "extracting on the Dask cluster at tcp://127.0.0.1:" in out and "(2 workers, 2 threads)" in out
    assert "5 added, 0 replaced, 0 unchanged, 0 failed" in out

    tasks = client.get_task_stream(start=started)
    assert sorted(t["key"].split("-")[0] for t in tasks) == ["extract_data"] * 5  # one per seed, on the cluster
    assert len({t["worker"] for t in tasks}) == 2  # both workers had a share

    (here, here_blank), (local, local_blank) = kg_quads(tmp_path / "store"), kg_quads(built / "store")
    assert len(here) > 9_000 and here == local and here_blank == local_blank


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
    from kg.store import Store

    assert [d.source for d in Store(tmp_path / "store", read_only=True).documents()] == ["a.txt"]


def test_an_unreachable_scheduler_is_one_line_and_no_store(tmp_path, seeds, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"  # free, and nothing listens on it
    code = main(["build", str(seeds), "--scheduler", address, "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"kg: cannot reach the Dask scheduler at {address}: ") and err.count("\n") == 1
    assert not (tmp_path / "store").exists()


def test_a_cluster_that_cannot_do_the_work_is_refused_before_the_store_opens(tmp_path, seeds, capsys, monkeypatch):
    """First no workers at all; then a worker whose Python has another kg installed."""
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    scheduler, file = scheduler_in(tmp_path)
    procs = [scheduler]
    try:
        with pytest.raises(ClusterError, match="has no workers .*none joined in 1 s.*dask worker"):
            with cluster.dask_jobs(str(file)):
                pass

        older = tmp_path / "older"  # found first on the worker's path: an older kg's metadata
        (older / "kg-0.0.9.dist-info").mkdir(parents=True)
        (older / "kg-0.0.9.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: kg\nVersion: 0.0.9\n")
        log = (tmp_path / "worker.log").open("w")
        procs.append(subprocess.Popen([DASK, "worker", "--scheduler-file", str(file), "--nthreads", "1",
                                       "--host", "127.0.0.1", "--no-dashboard"], cwd=tmp_path, stdout=log,
                                      stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(older)}))
        monkeypatch.setattr(cluster, "CONNECT_SECONDS", 60.0)  # for the worker to start
        code = main(["build", str(seeds), "--scheduler", str(file), "--store", str(tmp_path / "store")])
    finally:
        stop(*reversed(procs))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert re.search(r"the Dask worker tcp://127\.0\.0\.1:\d+ \(scheduler .*\) has kg 0\.0\.9, this machine kg 0\.1\.0", err)
    assert not (tmp_path / "store").exists()


def test_workers_and_scheduler_together_are_a_usage_error(seeds, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["build", str(seeds), "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"])
    assert exit.value.code == 2 and "give one or the other" in capsys.readouterr().err
