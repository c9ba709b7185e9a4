"""Extraction on an existing Dask cluster, for a corpus one machine extracts too slowly.

Documents are independent, so `kg build --scheduler ADDRESS` hands each one to Dask's distributed
scheduler instead of local processes, and stores the results here as they come back, as a local
build does. kg runs no scheduler of its own: the cluster is started and sized with Dask's tools
(`dask scheduler`, `dask worker`, dask-jobqueue, dask-kubernetes, ...). Its workers need the same
kg installed (`pip install '.[dask]'` of this repository); they need not see this machine's
files, since each task carries its file's bytes (a transcript is rarely 1 MB).

spaCy holds the GIL, so a worker extracts one document per thread at a time and no faster with
more threads: start workers with `--nthreads 1` and one worker process per core.
"""

from __future__ import annotations

import importlib.metadata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import ClusterError
from .ingest import Jobs

CONNECT_SECONDS = 10.0  # to reach the scheduler, and for a first worker to join it


@contextmanager
def dask_jobs(scheduler: str, timeout: float | None = None) -> Iterator[Jobs]:
    """Jobs on the Dask cluster whose scheduler is at `scheduler` (an address such as
    tcp://host:8786, or the JSON scheduler file `dask scheduler --scheduler-file` writes).

    Checks before any document is sent, so that a build never half-runs on a cluster that cannot
    do it: the scheduler answers, it has a worker, and every worker runs this version of kg."""
    timeout = CONNECT_SECONDS if timeout is None else timeout
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs Dask's distributed scheduler, which is not installed: "
                           "pip install 'kg[dask]' (or pip install distributed)") from None
    where = {"scheduler_file": scheduler} if Path(scheduler).is_file() else {"address": scheduler}
    try:
        client = Client(timeout=timeout, set_as_default=False, **where)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
    executor = None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers "
                               f"(none joined in {timeout:.0f} s): start some with 'dask worker'") from None
        _check_versions(client, scheduler)
        executor = client.get_executor(pure=False)
        threads = client.nthreads()
        yield Jobs(executor, slots=max(1, sum(threads.values())),
                   where=f"the Dask cluster at {client.scheduler.address} ({len(threads)} workers, "
                         f"{sum(threads.values())} threads)")
    finally:
        if executor is not None:
            executor.shutdown(wait=False)  # cancels what an interrupted build left running
        client.close()


def _check_versions(client, scheduler: str) -> None:
    """Every worker must run the kg this machine runs, or one build's documents would be extracted
    by different rules. A worker without kg at all could not even return its results."""
    here = importlib.metadata.version("kg")
    found = client.run(importlib.metadata.version, "kg", on_error="return")
    for worker, version in sorted(found.items()):
        if version != here:
            has = f"kg {version}" if isinstance(version, str) else "no kg installed"
            raise ClusterError(f"the Dask worker {worker} (scheduler {scheduler}) has {has}, this machine "
                               f"kg {here}: install this kg on every worker (pip install '.[dask]')")
