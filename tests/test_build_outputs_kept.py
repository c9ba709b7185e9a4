"""A build that finds nothing new keeps the files it wrote last time; any change to the store, to
the files, or `--force` writes them again."""

import os
import shutil
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from extract.errors import KgError
from kg.cli import main
from kg.export import write_build_outputs
from kg.ingest import extract_one, ingest
from kg.store import Store

OUTPUTS = ("graph.trig", "graph.nq", "graph.ttl", "graph.jsonld", "graph.html")


def build(capsys, folder, tmp_path, *extra) -> tuple[str, dict[str, int]]:
    """`kg build`: its last line, and each output's modification time."""
    assert main(["build", str(folder), "--store", str(tmp_path / "store"), "-o", str(tmp_path / "out"),
                 "--workers", "1", *extra]) == 0
    out = capsys.readouterr().out.splitlines()
    line = next(x for x in out if x.startswith(("wrote ", "kept ")))
    return line, {name: (tmp_path / "out" / name).stat().st_mtime_ns for name in OUTPUTS}


def test_outputs_are_written_again_only_when_something_changed(seeds, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    first, second, third = sorted(seeds.glob("00*.txt"))[:3]
    for seed in (first, second):
        shutil.copy(seed, folder / seed.name)

    line, made = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ")
    line, again = build(capsys, folder, tmp_path)
    assert line == f"kept the files in {tmp_path / 'out'}: nothing changed since they were written (--force writes them again)"
    assert again == made  # nothing new: not one file rewritten

    assert main(["add", str(third), "--store", str(tmp_path / "store")]) == 0  # the store changes
    line, after_add = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ") and all(after_add[n] != made[n] for n in OUTPUTS)
    (doc,) = [d for d in Store(tmp_path / "store", read_only=True).documents(count_triples=False)
              if d.source == third.name]
    assert f"<{doc.iri}>" in (tmp_path / "out" / "graph.nq").read_text(encoding="utf-8")

    assert main(["remove", third.name, "--store", str(tmp_path / "store")]) == 0
    line, _ = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ") and f"<{doc.iri}>" not in (tmp_path / "out" / "graph.nq").read_text(encoding="utf-8")

    (tmp_path / "out" / "graph.html").unlink()  # an output gone
    line, _ = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ") and (tmp_path / "out" / "graph.html").exists()

    with (tmp_path / "out" / "graph.ttl").open("a", encoding="utf-8") as f:  # an output edited
        f.write("# edited\n")
    line, _ = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ") and "# edited" not in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")

    line, _ = build(capsys, folder, tmp_path)
    assert line.startswith("kept ")
    line, _ = build(capsys, folder, tmp_path, "--force")
    assert line.startswith("wrote ")

    for token in (None, ""):  # a store an older kg made, or an empty token: unknown, so written
        generation = tmp_path / "store" / Store.GENERATION
        generation.unlink() if token is None else generation.write_text(token)
        line, _ = build(capsys, folder, tmp_path)
        assert line.startswith("wrote ")
        line, _ = build(capsys, folder, tmp_path)  # with a generation from now on
        assert line.startswith("kept ")

    # A writer that does not renew the generation (an older kg, another tool): the documents differ.
    writer = Store(tmp_path / "store")
    got = extract_one(str(third))
    writer._renewed = True  # as if it knew nothing of generations
    writer.put_document(got.iri, got.ntriples)
    writer.refresh_entities()
    writer.close()
    line, _ = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ") and f"<{got.iri}>" in (tmp_path / "out" / "graph.nq").read_text(encoding="utf-8")


def test_one_writer_changing_the_store_twice_makes_two_generations(seeds, tmp_path):
    """A program that builds, writes the outputs, and builds again with the same Store."""
    first, second = sorted(seeds.glob("00*.txt"))[:2]
    store = Store(tmp_path / "store")
    ingest([first], store, workers=1)
    assert write_build_outputs(store, tmp_path / "out")[1]
    generation = store.generation()
    ingest([second], store, workers=1)
    assert store.generation() != generation
    assert write_build_outputs(store, tmp_path / "out")[1]
    assert not write_build_outputs(store, tmp_path / "out")[1]


def test_one_call_under_two_names_is_stored_once_and_the_outputs_then_kept(seeds, tmp_path, capsys, either_way):
    """A copy and a link of one call beside it: the builds after the first find nothing new."""
    folder = tmp_path / "in"
    folder.mkdir()
    seed = sorted(seeds.glob("00*.txt"))[0]
    shutil.copy(seed, folder / "call.txt")
    shutil.copy(seed, folder / "call-copy.txt")
    (folder / "call-link.txt").symlink_to(folder / "call.txt")
    line, made = build(capsys, folder, tmp_path)
    assert line.startswith("wrote ")
    for _ in range(2):
        line, again = build(capsys, folder, tmp_path)
        assert line.startswith("kept ") and again == made
    assert len(Store(tmp_path / "store", read_only=True).documents(count_triples=False)) == 1


def test_a_file_that_now_holds_another_call_says_what_it_removed(seeds, tmp_path, capsys, either_way):
    first, second = sorted(seeds.glob("00*.txt"))[:2]
    (tmp_path / "q3").mkdir()
    (tmp_path / "q4").mkdir()
    shutil.copy(first, tmp_path / "q3" / "transcript.txt")
    shutil.copy(second, tmp_path / "q4" / "transcript.txt")
    assert main(["add", str(tmp_path / "q3"), "--store", str(tmp_path / "store")]) == 0
    (before,) = Store(tmp_path / "store", read_only=True).documents(count_triples=False)
    capsys.readouterr()
    assert main(["add", str(tmp_path / "q4"), "--store", str(tmp_path / "store")]) == 0
    err = capsys.readouterr().err
    assert f"transcript.txt: now holds " in err and f"{before.iri}, which a file of this name held before, was removed" in err


def test_leftovers_of_a_killed_build_go_but_not_a_build_at_work_nor_other_files(tmp_path):
    from kg.export import _remove_leftovers

    out = tmp_path / "out"
    out.mkdir()
    old, fresh, mine = out / ".graph.nq.ab12cd34", out / ".graph.nq.zz99yy88", out / ".graph.nq.mine-keep"
    for f in (old, fresh, mine):
        f.write_text("x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    os.utime(mine, (time.time() - 3600, time.time() - 3600))
    _remove_leftovers([out / "graph.nq"])
    assert not old.exists() and fresh.exists() and mine.exists()


def test_two_inputs_of_one_file_name_are_refused(seeds, tmp_path, capsys):
    """kg knows a document by its file name: two such files would replace each other on every build."""
    first, second = sorted(seeds.glob("00*.txt"))[:2]
    for quarter, seed in (("q3", first), ("q4", second)):
        (tmp_path / "in" / quarter).mkdir(parents=True)
        shutil.copy(seed, tmp_path / "in" / quarter / "transcript.txt")
    code = main(["add", str(tmp_path / "in"), str(tmp_path / "in" / "q3"), "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{tmp_path / 'in' / 'q4' / 'transcript.txt'}: has the same file name as {tmp_path / 'in' / 'q3' / 'transcript.txt'}" in err
    assert err.count("same file name") == 1  # q3/transcript.txt named twice is one file, not two
    assert len(Store(tmp_path / "store", read_only=True).documents(count_triples=False)) == 1


def test_a_loaded_store_has_a_generation_of_its_own(built, tmp_path):
    """`kg load` makes a store whose documents no build has written outputs for."""
    assert main(["load", str(built / "graph.nq"), "--store", str(tmp_path / "store")]) == 0
    loaded = Store(tmp_path / "store", read_only=True).generation()
    assert loaded and loaded != Store(built / "store", read_only=True).generation()


def test_past_a_size_the_files_are_written_side_by_side_with_the_same_bytes(seeds, tmp_path, monkeypatch):
    """From PARALLEL_FROM documents each file is written by a process of its own, reading the
    store alongside the build: the same files as one after another, and an error in one of them
    comes back whole (its message and file)."""
    from kg import export

    store = Store(tmp_path / "store")
    ingest(sorted(seeds.glob("*.txt")), store, workers=1)
    write_build_outputs(store, tmp_path / "one", force=True)

    in_processes = []
    monkeypatch.setattr(export, "PARALLEL_FROM", 0)
    monkeypatch.setattr(export, "_write_in_processes",
                        lambda *args, real=export._write_in_processes: in_processes.append(args) or real(*args))
    write_build_outputs(store, tmp_path / "side", force=True, processes=2)
    assert in_processes and len(in_processes[0][1]) == len(OUTPUTS)
    for name in OUTPUTS:
        assert (tmp_path / "side" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name

    (tmp_path / "bad" / "graph.nq").mkdir(parents=True)  # a folder where a file goes
    with pytest.raises(KgError) as stopped:
        write_build_outputs(store, tmp_path / "bad", force=True, processes=2)
    assert str(stopped.value) == f"{tmp_path / 'bad' / 'graph.nq'} is a folder: name the file to write"

    # After an error no file starts: on two cores the page (first) fails at once, TriG runs
    # beside it to its end, and JSON-LD, N-Quads and Turtle never start.
    monkeypatch.setattr(export, "_write_from", _page_fails_at_once)
    with pytest.raises(KgError, match="the page failed"):
        write_build_outputs(store, tmp_path / "page", force=True, processes=2)
    assert sorted(p.name for p in (tmp_path / "page").iterdir()) == ["graph.trig"]


def _page_fails_at_once(store_path, path, fmt):
    """A stand-in for a build file's process (importable by it, so at module level)."""
    if fmt is None:
        raise KgError("the page failed")
    time.sleep(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("written")


def test_a_ctrl_c_sent_to_the_build_alone_stops_the_file_being_written(built, tmp_path, monkeypatch):
    """`kill -INT` of the build process, not its group (a supervisor, a script), stops its
    writing processes too, and they leave no unfinished file: the build used to wait for them
    (at 5,000 documents, for half a minute)."""
    from kg import export

    out = tmp_path / "out"
    monkeypatch.setattr(export, "_write_from", _write_from_slowly)

    def interrupt_the_build_once_writing():
        deadline = time.monotonic() + 60
        while not (out / "started").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        if (out / "started").exists():  # else the test fails without it, and no later test gets it
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_the_build_once_writing, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        export._write_in_processes(str(built / "store"), [(out / "graph.nq", "nq")], processes=1)
    assert os.listdir(out) == ["started"]  # neither graph.nq nor its temporary file


def _write_from_slowly(store_path, path, fmt):
    """kg's own `_write_from`, in a writing process where a file takes 30 s to write and says when
    it has started (at module level, so that the process can import it)."""
    from kg import export

    def slowly(store, path, fmt):
        export.write_atomically(path, lambda f: ((path.parent / "started").touch(), time.sleep(30)))

    export.write_output = slowly
    export._write_from(store_path, path, fmt)


def test_a_ctrl_c_while_a_writing_process_starts_stops_it_quietly(built, tmp_path, monkeypatch, capfd):
    """A Ctrl-C in the second or so a writing process takes to start used to kill it with a
    traceback, printed after the build's one line. It is now held back until the process can
    take it, and the file it was started for is not written."""
    from kg import export

    class InterruptedAtStart(ProcessPoolExecutor):
        def submit(self, *job):
            future = super().submit(*job)
            for pid in self._processes:  # Ctrl-C at the terminal: the process group, just started
                _wait_until_python_catches_ctrl_c(pid)
                os.kill(pid, signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
            return future

    monkeypatch.setattr(export, "ProcessPoolExecutor", InterruptedAtStart)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        export._write_in_processes(str(built / "store"), [(out / "graph.nq", "nq")], processes=1)
    assert not out.exists()
    assert "Traceback" not in capfd.readouterr().err


def _wait_until_python_catches_ctrl_c(pid: int) -> None:
    """Until the process's Python has its Ctrl-C handler: earlier, a Ctrl-C ends it silently."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            caught = next(int(line.split()[1], 16) for line in status if line.startswith("SigCgt:"))
        if caught & (1 << (signal.SIGINT - 1)):
            return
        time.sleep(0.001)
