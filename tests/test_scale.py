"""What keeps a long build's memory flat: bounded work in flight, and regular store flushes."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from kg.ingest import in_order
from kg.store import Store


def test_documents_come_back_in_order_with_a_bounded_number_in_flight():
    started, lock = [], threading.Lock()
    done = []

    def work(item: str) -> str:
        with lock:
            started.append(item)
        time.sleep(0.001 * (int(item) % 3))  # finish out of order
        return item * 2

    items = [str(n) for n in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for got in in_order(lambda item: pool.submit(work, item), items, window=5, lost=None):
            done.append(got)
            with lock:
                assert len(started) - len(done) <= 5  # never more than the window ahead of the reader
    assert done == [i * 2 for i in items]


def test_a_lost_job_is_reported_in_its_place_and_the_others_still_come():
    """A worker that dies (a process killed, a cluster's worker gone) loses its document only."""

    def work(item: str) -> str:
        if item == "3":
            raise RuntimeError("worker died")
        return item

    def submit(item: str):
        if item == "5":
            raise OSError("pool is broken")
        return pool.submit(work, item)

    with ThreadPoolExecutor(max_workers=2) as pool:
        got = list(in_order(submit, [str(n) for n in range(8)], window=3,
                            lost=lambda item, e: f"lost {item}: {e}"))
    assert got == ["0", "1", "2", "lost 3: worker died", "4", "lost 5: pool is broken", "6", "7"]


class CountingStore(Store):
    FLUSH_EVERY_BYTES = 2_000  # instead of megabytes

    def flush(self) -> None:
        self.flushes = getattr(self, "flushes", 0) + 1
        super().flush()


def test_the_store_flushes_as_it_goes(tmp_path):
    store = CountingStore(tmp_path / "s")
    for n in range(10):
        lines = "\n".join(f"<https://example.org/s{n}-{i}> <https://example.org/p> \"{'x' * 50}\" ." for i in range(20))
        store.put_document(f"https://example.org/doc/{n}", lines)
    assert store.flushes >= 5  # each document's update is about 4,000 characters
    assert len(store) == 200


def rows(result) -> list[tuple[str, ...]]:
    """Solutions, sorted; a GROUP_CONCAT's parts sorted too, since their order is the engine's."""
    names = [v.value for v in result.variables]
    return sorted(tuple(" | ".join(sorted(getattr(s[n], "value", "").split(" | "))) for n in names) for s in result)


def test_a_union_in_memory_gives_the_same_answers(built):
    """`kg serve` reads the union from a copy in memory; queries that name graphs still go to disk."""
    from kg.query import resolve_query, saved_queries

    disk = Store(built / "store", read_only=True)
    memory = Store(built / "store", read_only=True, union_in_memory=True)
    assert memory._union is not None and len(memory._union) > 1000
    for name in saved_queries():
        q = resolve_query(name)
        assert rows(memory.query(q)) == rows(disk.query(q)), name
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert next(iter(memory.query(graphs)))["n"].value == next(iter(disk.query(graphs)))["n"].value != "0"
