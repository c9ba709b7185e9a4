"""The query workers of `kg serve` when they are stopped from two threads at once: the races that
made `kg serve` end with "OSError: [Errno 9] Bad file descriptor" on SIGTERM in CI."""

from __future__ import annotations

import threading
import time

from kg import querypool
from kg.querypool import QueryPool


class CountingPipe:
    """The worker's pipe, counting how often it is closed; closing takes a while, as under load."""

    def __init__(self, conn):
        self.conn = conn
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        time.sleep(0.2)
        self.conn.close()

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_a_worker_stopped_from_two_threads_at_once_is_stopped_once(built):
    pool = QueryPool(built / "store", 1, {})
    try:
        worker = next(iter(pool._workers))
        pipe = worker.conn = CountingPipe(worker.conn)
        both = threading.Barrier(2)

        def stop() -> None:
            both.wait()
            worker.stop()

        threads = [threading.Thread(target=stop) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert pipe.closed == 1  # twice could close a descriptor meanwhile given to something else
        assert not worker.process.is_alive()
    finally:
        pool.close()


def test_a_replacement_starting_while_the_pool_closes_does_not_outlive_it(built, monkeypatch):
    pool = QueryPool(built / "store", 1, {})
    started, closed, real = [], threading.Event(), querypool.Worker

    def slow_to_register(process, conn):
        """A new worker's process is running, but the pool learns of it only after it closed."""
        started.append(process)
        closed.wait(10)
        return real(process, conn)

    monkeypatch.setattr(querypool, "Worker", slow_to_register)
    pool._replace(next(iter(pool._workers)))  # a runaway's worker killed: a replacement starts
    deadline = time.monotonic() + 10
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started, "the replacement did not start"
    pool.close()
    closed.set()
    deadline = time.monotonic() + 10
    while started[0].is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not started[0].is_alive(), "a worker started during shutdown was left running"
    assert pool.pids() == set()  # the one that fails without the fix: the pool still counted it
