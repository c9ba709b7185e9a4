"""A reader that opens the store during a build (as `kg serve`'s query workers do) sees every
document whole or not at all, and a union that matches the documents it sees."""

import subprocess
import sys
import time

from kg.store import Store

PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
UNION = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DISTINCT_IN_GRAPHS = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def snapshot(store_dir) -> tuple[dict[str, int], int, int] | None:
    try:
        store = Store(store_dir, read_only=True)
        graphs = {s["g"].value: int(s["n"].value) for s in store.query(PER_GRAPH)}
        union = int(next(iter(store._store.query(UNION)))["n"].value)
        distinct = int(next(iter(store._store.query(DISTINCT_IN_GRAPHS)))["n"].value)
        return graphs, union, distinct
    except Exception:  # noqa: BLE001 - the store may not exist yet
        return None


def test_readers_during_a_build_see_whole_documents(tmp_path, ten_documents, ten_documents_whole):
    folder = ten_documents
    whole = {d.iri: d.triples for d in ten_documents_whole}

    store_dir = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "add", str(folder), "--store", str(store_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            got = snapshot(store_dir)
            if got is not None:
                seen.append(got)
            time.sleep(0.05)
    finally:
        proc.kill() if proc.poll() is None else None
        _, err = proc.communicate()
    assert proc.returncode == 0, err
    final = snapshot(store_dir)
    assert final is not None
    seen.append(final)

    documents_seen = set()
    for graphs, union, distinct in seen:
        documents = {g: n for g, n in graphs.items() if g in whole}
        for g, n in documents.items():
            assert n == whole[g], f"{g} seen with {n} of its {whole[g]} triples"
        assert union == distinct  # the union in the default graph moves with the documents
        documents_seen.add(len(documents))
    assert max(documents_seen) == len(whole) == 10
    assert len(documents_seen) >= 3  # the readers did look while the build was going on
