"""`kg load`: an export bulk loaded into a new store gives the same graph, or nothing changes.

The pieces are made small here so that the seeds' export is cut into many of them, loaded by
several threads at once, as a big export is.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.load
from kg.cli import main
from kg.errors import LoadError, StoreLocked
from kg.load import load_export
from kg.query import resolve_query, rows, run, saved_queries
from kg.store import Store

@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(kg.load, "CHUNK_BYTES", 50_000)
    monkeypatch.setattr(kg.load, "TRIG_BATCH_QUADS", 200)


def first_document(built) -> str:
    return Store(built / "store", read_only=True).documents()[0].iri


def without_blank_nodes(path) -> set:
    """The store's quads, but those with a blank node (the ontology's lists: their labels are new
    in every copy of the ontology)."""
    store = ox.Store.read_only(str(path))
    return {q for q in store if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


def answers(path) -> dict:
    store = Store(path, read_only=True)
    return {name: sorted(map(tuple, rows(run(store, resolve_query(name)))[1])) for name in saved_queries()}


@pytest.mark.parametrize("export", ["graph.nq", "graph.trig"])
def test_a_loaded_export_is_the_store_it_came_from(tmp_path, built, small_pieces, export):
    assert (built / "graph.nq").stat().st_size > 20 * kg.load.CHUNK_BYTES  # many pieces
    loaded = load_export([built / export], tmp_path / "store", threads=3)

    original = Store(built / "store", read_only=True)
    assert loaded.documents == len(original.documents()) == 5
    assert loaded.triples == len(original)
    assert without_blank_nodes(tmp_path / "store") == without_blank_nodes(built / "store")
    assert union_of_named_graphs(tmp_path / "store") == default_graph(tmp_path / "store")
    assert answers(tmp_path / "store") == answers(built / "store")
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no staging folder left


def test_both_formats_are_cut_into_many_pieces(built, small_pieces):
    for export in ("graph.nq", "graph.trig"):
        pieces = list(kg.load._pieces(built / export, 0))
        assert len(pieces) > 10
        assert sum(len(list(ox.parse(p.data, format=ox.RdfFormat.N_QUADS))) for p in pieces) == \
            len(list(ox.parse(path=str(built / "graph.nq"), format=ox.RdfFormat.N_QUADS)))


def union_of_named_graphs(path) -> set:
    store = ox.Store.read_only(str(path))
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store
            if not isinstance(q.graph_name, ox.DefaultGraph)}


def default_graph(path) -> set:
    store = ox.Store.read_only(str(path))
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def test_blank_nodes_keep_their_identity_across_pieces_and_in_the_union(tmp_path, built, small_pieces):
    """The bulk loader renames a file's blank nodes on each call: kg must not, or one node cut
    across two pieces (or stored once in its graph and once in the union) becomes two."""
    data = (built / "graph.nq").read_bytes()
    lines = [f'_:n <http://example.org/p> "{i}" <{first_document(built)}> .\n'.encode() for i in range(3)]
    third = len(data) // 3
    cut1, cut2 = data.index(b"\n", third) + 1, data.index(b"\n", 2 * third) + 1
    source = tmp_path / "with-blank.nq"
    source.write_bytes(lines[0] + data[:cut1] + lines[1] + data[cut1:cut2] + lines[2] + data[cut2:])

    load_export([source], tmp_path / "store", threads=2)
    store = ox.Store.read_only(str(tmp_path / "store"))
    named = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None, None)
             if not isinstance(q.graph_name, ox.DefaultGraph)}
    union = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None,
                                                        ox.DefaultGraph())}
    assert len(named) == 1 and named == union
    assert len(list(store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None, None))) == 6


def test_the_same_blank_node_label_in_two_files_names_two_nodes(tmp_path, built):
    doc = first_document(built)
    extra = tmp_path / "extra.nq"
    extra.write_text(f'_:n <http://example.org/p> "second file" <{doc}> .\n')
    first = tmp_path / "first.nq"
    first.write_bytes(f'_:n <http://example.org/p> "first file" <{doc}> .\n'.encode() + (built / "graph.nq").read_bytes())
    load_export([first, extra], tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    subjects = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None, None)}
    assert len(subjects) == 2


def test_an_empty_store_is_filled(tmp_path, built):
    empty = Store(tmp_path / "store")
    empty.ensure_ontology()
    del empty
    load_export([built / "graph.nq"], tmp_path / "store")
    assert len(Store(tmp_path / "store", read_only=True).documents()) == 5


def test_a_folder_left_by_a_refused_open_is_filled(tmp_path, built):
    """A `kg add` refused by a load's lock leaves RocksDB's LOG beside the LOCK file: still no store."""
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "LOCK").write_bytes(b"")
    (tmp_path / "store" / "LOG").write_text("RocksDB log\n")
    load_export([built / "graph.nq"], tmp_path / "store")
    assert len(Store(tmp_path / "store", read_only=True).documents()) == 5


def test_a_store_with_documents_is_refused_and_kept(tmp_path, built):
    target = tmp_path / "store"
    load_export([built / "graph.nq"], target)
    before = without_blank_nodes(target)
    with pytest.raises(LoadError, match="already holds 5 documents"):
        load_export([built / "graph.nq"], target)
    assert without_blank_nodes(target) == before


def test_a_store_another_process_writes_is_refused(tmp_path, built):
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from kg.store import Store; s = Store(sys.argv[1]); "
         "s.ensure_ontology(); s.flush(); print('open', flush=True); time.sleep(60)", str(tmp_path / "store")],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        assert writer.stdout.readline() == "open\n"
        with pytest.raises(StoreLocked):
            load_export([built / "graph.nq"], tmp_path / "store")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    finally:
        writer.kill()
        writer.wait()


def test_a_new_store_is_locked_while_it_loads(tmp_path, built, monkeypatch):
    """Nothing is at the path until the rename, yet a `kg add` that came meanwhile would have its
    documents deleted by it: the path is made and locked from the start."""
    checking, go_on = threading.Event(), threading.Event()
    check = kg.load._check_graphs

    def slow_check(*args):
        checking.set()
        assert go_on.wait(60)
        return check(*args)

    monkeypatch.setattr(kg.load, "_check_graphs", slow_check)
    loading = threading.Thread(target=load_export, args=([built / "graph.nq"], tmp_path / "store"))
    loading.start()
    try:
        assert checking.wait(60)
        other = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(built / "graph.nq"), "--store",
                                str(tmp_path / "store")], capture_output=True, text=True,
                               cwd=Path(__file__).resolve().parents[1])
        assert other.returncode == 1 and "in use by another kg process" in other.stderr
        writer = subprocess.run([sys.executable, "-c", "import sys; from kg.store import Store; Store(sys.argv[1])",
                                 str(tmp_path / "store")], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parents[1])
        assert writer.returncode != 0 and "in use by another kg process" in writer.stderr
    finally:
        go_on.set()
        loading.join()
    assert len(Store(tmp_path / "store", read_only=True).documents()) == 5


def test_a_link_to_a_store_elsewhere_is_followed(tmp_path, built):
    (tmp_path / "disk").mkdir()
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "store").symlink_to(tmp_path / "disk" / "store", target_is_directory=True)
    load_export([built / "graph.nq"], tmp_path / "home" / "store")
    assert (tmp_path / "home" / "store").is_symlink()
    assert len(Store(tmp_path / "disk" / "store", read_only=True).documents()) == 5
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["store"]


def broken_copy(built, tmp_path, line: int, text: bytes) -> Path:
    lines = (built / "graph.nq").read_bytes().splitlines(keepends=True)
    lines[line - 1] = text
    path = tmp_path / "broken.nq"
    path.write_bytes(b"".join(lines))
    return path


@pytest.mark.parametrize("bad, message", [
    (b'<http://x/s> <http://x/p> "cut\n', r"line 4000: Line jumps are not allowed"),
    (b"<s> <http://x/p> <http://x/o> <http://x/g> .\n", r"line 4000: No scheme found"),
    (b'_:b <http://x/p> "a blank node: the slower path" <http://x/g>\n', r"line 4001: Quads must be followed by a dot"),
    (b"<http://x/s> <http://x/p> <http://x/o> .\n", r"a triple outside any named graph"),
])
def test_a_bad_line_names_the_file_and_line_and_leaves_the_store(tmp_path, built, small_pieces, bad, message):
    target = tmp_path / "store"
    empty = Store(target)
    empty.ensure_ontology()
    del empty
    before = without_blank_nodes(target)
    source = broken_copy(built, tmp_path, 4000, bad)
    with pytest.raises(LoadError, match=message) as raised:
        load_export([source], target, threads=2)
    assert str(raised.value).startswith(f"{source}: ") and "Parser error" not in str(raised.value)
    assert without_blank_nodes(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.nq", "store"]


def test_a_graph_that_is_not_a_kg_document_is_refused(tmp_path, built):
    source = tmp_path / "foreign.nq"
    source.write_bytes((built / "graph.nq").read_bytes()
                       + b"<http://x/s> <http://x/p> <http://x/o> <http://example.org/someone-else> .\n")
    with pytest.raises(LoadError, match="someone-else> is not a kg document"):
        load_export([source], tmp_path / "store")
    assert [p.name for p in tmp_path.iterdir()] == ["foreign.nq"]  # made to hold the lock, then removed


def test_a_file_with_no_documents_is_refused(tmp_path):
    source = tmp_path / "empty.nq"
    source.write_bytes(b"")
    with pytest.raises(LoadError, match="no kg document graphs"):
        load_export([source], tmp_path / "store")
    assert [p.name for p in tmp_path.iterdir()] == ["empty.nq"]


def test_a_folder_left_by_a_killed_load_is_removed(tmp_path, built):
    dead = 2 ** 22 + 12345  # above the default pid_max of 4194304
    assert not Path(f"/proc/{dead}").exists()
    left = tmp_path / f".store.loading-{dead}"
    left.mkdir()
    (left / "000001.sst").write_bytes(b"half written")
    mine = tmp_path / f".store.loading-{os.getppid()}"  # a running process's: not touched
    mine.mkdir()
    load_export([built / "graph.nq"], tmp_path / "store")
    assert not left.exists() and mine.exists()


def test_the_command_prints_one_line_and_exits_1_on_a_bad_file(tmp_path, built, capsys):
    wrong = tmp_path / "graph.ttl"
    wrong.write_text("<http://x/s> <http://x/p> <http://x/o> .\n")
    assert main(["load", str(wrong), "--store", str(tmp_path / "store")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kg: {wrong}: kg load reads N-Quads (.nq) or TriG")

    assert main(["load", str(built / "graph.nq"), "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"loaded 5 documents, {len(Store(built / 'store', read_only=True))} triples into ")


def test_extraction_results_written_as_nquads_load_into_the_store_a_build_makes(tmp_path, built, seeds):
    """The recipe of docs/scale.md: documents extracted elsewhere (here in this process), written as
    N-Quads and loaded, give the store `kg build` gives."""
    from kg.ingest import extract_one, find_inputs

    files, failed = find_inputs([seeds])
    assert not failed
    with open(tmp_path / "results.nq", "wb") as f:
        for result in map(extract_one, map(str, files)):
            assert not result.error
            graph = ox.NamedNode(result.iri)
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph)
                          for t in ox.parse(result.ntriples, format=ox.RdfFormat.N_TRIPLES)),
                         output=f, format=ox.RdfFormat.N_QUADS)
    load_export([tmp_path / "results.nq"], tmp_path / "store")
    assert without_blank_nodes(tmp_path / "store") == without_blank_nodes(built / "store")
