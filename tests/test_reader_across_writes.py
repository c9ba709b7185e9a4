"""Readers that stay open while a build changes the store: `kg serve` and its query workers.

A read-only RocksDB reader is not a snapshot. After a writer's flush or compaction deleted the
files it had found its data in, reading through it was undefined: on a 1,000-document store a
count asked for 2 GB at once and grew to 24 GB before the kernel killed it. Readers now reopen
when the store's version changes, and a query worker's memory is capped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request

import pytest

from kg.ingest import ingest
from kg.querypool import Job, QueryPool, Refused
from kg.serve import Limits, make_server
from kg.store import Store

CALLS = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/earnings-kg/ontology#EarningsCall> }"
READER = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a reader gone wrong must not take the machine
    from kg.store import Store
    memory, settle = sys.argv[3] == "memory", float(sys.argv[4])
    Store.UNION_SETTLE_SECONDS = settle
    store = Store(sys.argv[1], read_only=True, union_in_memory=memory)
    query = sys.argv[2]
    for line in sys.stdin:  # one count per line the test sends
        print(len(store.documents()), next(iter(store.query(query)))["n"].value, flush=True)
""")


@pytest.fixture
def halves(tmp_path, seeds):
    """Two folders: one seed, then the other four."""
    first, rest = tmp_path / "first", tmp_path / "rest"
    first.mkdir(), rest.mkdir()
    for i, seed in enumerate(sorted(seeds.glob("00*.txt"))):
        shutil.copy(seed, (first if i == 0 else rest) / seed.name)
    return first, rest


@pytest.mark.parametrize("mode, settle, calls_after", [
    ("disk", "0", "4"),
    ("memory", "0", "4"),  # the union copied again: the store has been quiet long enough
    ("memory", "3600", "1"),  # a build may still be writing: the old copy answers, the disk is reopened
], ids=["on-disk", "union-in-memory", "union-in-memory-while-writes-settle"])
def test_a_reader_open_across_a_build_reads_the_store_as_it_is_now(tmp_path, halves, mode, settle, calls_after):
    first, rest = halves
    writer = Store(tmp_path / "store")
    ingest([first], writer, workers=1)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path / "store"), CALLS, mode, settle],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["1", "1"]
        report = ingest([rest], writer, workers=1)  # four documents into a store of one: compacted too
        assert len(report.added) == 4
        reader.stdin.write("\n")
        reader.stdin.flush()
        # the documents (named graphs, read on disk): four calls and a research note; the calls (union)
        assert reader.stdout.readline().split() == ["5", calls_after]
    finally:
        reader.stdin.close()
        reader.wait(30)
    assert reader.returncode == 0, reader.stderr.read()


def test_kg_serve_answers_from_the_store_as_a_later_build_left_it(tmp_path, halves, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    first, rest = halves
    writer = Store(tmp_path / "store")
    ingest([first], writer, workers=1)
    server = make_server(Store(tmp_path / "store", read_only=True), "127.0.0.1", 0, Limits(workers=2), quiet=True)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def calls() -> int:
        request = urllib.request.Request(server.url + "sparql?query=" + urllib.parse.quote(CALLS),
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(json.load(answer)["results"]["bindings"][0]["n"]["value"])

    try:
        assert [calls() for _ in range(4)] == [1] * 4  # every worker has the store open
        with urllib.request.urlopen(server.url + "graph", timeout=60) as page:
            assert "calix-2025-q2" not in page.read().decode()
        ingest([rest], writer, workers=1)
        assert [calls() for _ in range(4)] == [4] * 4
        with urllib.request.urlopen(server.url + "docs", timeout=30) as page:  # read in the server process
            assert page.read().decode().count("calix-20") >= 4
        with urllib.request.urlopen(server.url + "graph", timeout=60) as page:  # made again for the new store
            assert "calix-2025-q2" in page.read().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_query_past_its_workers_memory_limit_gets_500_and_the_next_query_an_answer(built):
    pool = QueryPool(built / "store", 1, {}, memory_mb=256)
    json_results = "application/sparql-results+json"
    try:
        started = time.monotonic()
        with pytest.raises(Refused) as refused:  # a sorted cross product: gigabytes within seconds
            pool.run(Job("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f", None, None, json_results, None, 10), 120)
        assert refused.value.status == 500 and "out of memory" in str(refused.value)
        assert time.monotonic() - started < 60  # stopped by its memory, long before its time
        assert b"true" in pool.run(Job("ASK { ?s ?p ?o }", None, None, json_results, None, 10), 60).body
        assert pool.restarts == 1
    finally:
        pool.close()


def test_an_open_that_meets_a_compaction_is_tried_again_and_a_damaged_store_is_not(tmp_path, monkeypatch):
    """Opening while a writer compacts can find a file already deleted; the writer has then written
    a new version. With no new version, the error is the store's own and is reported at once."""
    from types import SimpleNamespace

    from kg import store as store_module

    opened, versions = [], iter(range(1000))

    def read_only(path):
        opened.append(path)
        if len(opened) == 1:
            raise RuntimeError("Corruption: IO error: No such file or directory: 000463.sst")
        return "a store"

    monkeypatch.setattr(store_module, "ox", SimpleNamespace(Store=SimpleNamespace(read_only=read_only)))
    monkeypatch.setattr(store_module, "_version", lambda path: next(versions))  # a writer at work
    assert store_module._open_read_only(tmp_path) == "a store" and len(opened) == 2

    opened.clear()
    monkeypatch.setattr(store_module, "_version", lambda path: ("MANIFEST-000005", 100, 1))  # nobody writing
    with pytest.raises(RuntimeError, match="Corruption"):
        store_module._open_read_only(tmp_path)
    assert len(opened) == 1


COUNT_DOCUMENTS = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g "
                   "<https://w3id.org/earnings-kg/ontology#sha256> ?sha } }")


def run_in_worker(store_path, job, evaluate, memory_mb):
    """One job through a real query worker (a forked process running `querypool.work`) whose
    `evaluate` is replaced, as a build's flush would interrupt it."""
    import multiprocessing

    from kg import querypool

    def worker(conn, ours):
        ours.close()  # forked with both ends: the worker sees the pipe close only once ours is closed here
        querypool.evaluate = evaluate
        querypool.work(conn, str(store_path), {}, memory_mb=memory_mb)

    here, there = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=worker, args=(there, here))
    process.start()
    there.close()
    try:
        assert here.recv() == "ready"
        here.send(job)
        return here.recv()
    finally:
        here.close()
        process.join(10)
        process.kill()


@pytest.mark.parametrize("memory_mb", [None, 2048])
def test_a_query_that_fails_as_a_build_moves_the_store_runs_again_on_the_new_files(tmp_path, built, memory_mb):
    """A build's flush or compaction can delete a file a query is reading (RocksDB: "No such file");
    the worker then follows the store and runs the query once more, instead of answering 500."""
    from kg import querypool

    shutil.copytree(built / "store", tmp_path / "store")
    source = Store(tmp_path / "store", read_only=True).documents()[0].source
    log = tmp_path / "calls"
    real = querypool.evaluate

    def evaluate(store, job, prefixes):
        with log.open("a") as f:
            f.write("call\n")
        if log.read_text().count("call") == 1:  # meanwhile a build removes a document
            subprocess.run([sys.executable, "-m", "kg.cli", "remove", source, "--store", str(tmp_path / "store")],
                           check=True, capture_output=True)
            raise OSError("IO error: No such file or directory: While open a file for random read: 000042.sst")
        return real(store, job, prefixes)

    answer = run_in_worker(tmp_path / "store", Job(COUNT_DOCUMENTS, None, None, "application/sparql-results+json",
                                                   None, 10), evaluate, memory_mb)
    assert not isinstance(answer, Refused), answer
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "4"  # the store as it is now
    assert log.read_text().count("call") == 2


@pytest.mark.parametrize("error, store_moves", [
    ("IO error: No such file or directory: 000042.sst", False),  # the store did not move: the file is not coming back
    ("Service failed: 502", True),  # not a file gone: the same query would fail again, or fetch twice
])
def test_other_failures_are_refused_without_running_the_query_again(tmp_path, built, error, store_moves):
    shutil.copytree(built / "store", tmp_path / "store")
    source = Store(tmp_path / "store", read_only=True).documents()[0].source
    log = tmp_path / "calls"

    def evaluate(store, job, prefixes):
        with log.open("a") as f:
            f.write("call\n")
        if store_moves:
            subprocess.run([sys.executable, "-m", "kg.cli", "remove", source, "--store", str(tmp_path / "store")],
                           check=True, capture_output=True)
        raise OSError(error)

    answer = run_in_worker(tmp_path / "store", Job(COUNT_DOCUMENTS, None, None, "application/sparql-results+json",
                                                   None, 10), evaluate, None)
    assert isinstance(answer, Refused) and answer.status == 500 and error in answer.message
    assert log.read_text().count("call") == 1
