"""A build killed mid-way leaves every document whole or absent, and the store opens again."""

import os
import signal
import subprocess
import sys
import time

import pytest

from kg.ingest import ingest
from kg.store import Store, _drop
from kg.validate import validate_store


def test_a_killed_build_leaves_documents_whole_or_absent(tmp_path, ten_documents, ten_documents_whole):
    folder = ten_documents
    expected = {d.source: d.triples for d in ten_documents_whole}

    store_dir = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "add", str(folder), "--store", str(store_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        # Kill it once it has written something, in the middle of the run.
        while time.monotonic() < deadline and proc.poll() is None:
            if (store_dir / "CURRENT").exists():
                try:
                    if len(Store(store_dir, read_only=True).documents()) >= 3:
                        break
                except Exception:  # noqa: BLE001 - the store may be mid-creation
                    pass
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    store = Store(store_dir)  # opens: not locked, not corrupt
    stored = {d.source: d.triples for d in store.documents()}
    assert 0 < len(stored) < len(expected), f"killed after {len(stored)} of {len(expected)}: the test proves nothing"
    for source, triples in stored.items():
        assert triples == expected[source], f"{source} is half-written"
    # and the next build completes the rest
    report = ingest([folder], store, workers=1)
    assert not report.failed and {d.source: d.triples for d in store.documents()} == expected
    assert validate_store(store) == {}  # the entities graph too: every entity has its label


def stop_after(store_dir, proc, documents: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (store_dir / "CURRENT").exists():
            try:
                if len(Store(store_dir, read_only=True).documents()) >= documents:
                    return
            except Exception:  # noqa: BLE001 - the store may be mid-creation
                pass
        time.sleep(0.1)


def ignore_ctrl_c() -> None:
    """What a shell without job control (a script's `cmd &`, a CI runner) does to what it starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("started", ["in the foreground", "in the background"])
def test_ctrl_c_leaves_what_was_stored_with_its_entities(tmp_path, ten_documents, started):
    """Ctrl-C mid-build: the documents stored so far conform with the entities graph, at once; also
    when kg was started with Ctrl-C ignored."""
    store_dir = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "add", str(ten_documents), "--store", str(store_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ignore_ctrl_c if started == "in the background" else None)
    stop_after(store_dir, proc, 3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.endswith("kg: interrupted\n")
    store = Store(store_dir, read_only=True)
    assert 3 <= len(store.documents()) < 10, "the build ended before the interrupt: the test proves nothing"
    assert store.has_entities() and validate_store(store) == {}


def test_a_first_build_stopped_before_its_entities_gets_them_from_the_next(tmp_path, ten_documents):
    """Stopped (killed) after storing its documents but before it computed the entities graph once:
    the next build, with nothing to extract, computes it."""
    store = Store(tmp_path / "store")
    ingest([ten_documents], store, workers=1)
    store._update(_drop(str(store.iris.entities_graph)))  # as if the first build had not got that far
    assert not store.has_entities() and validate_store(store) != {}
    report = ingest([ten_documents], store, workers=1)
    assert not report.added and not report.replaced and len(report.unchanged) == 10
    assert store.has_entities() and validate_store(store) == {}
