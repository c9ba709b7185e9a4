"""The store: one graph per document, no-op rebuilds, replacement that touches nothing else."""

import os
import shutil

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.export import export
from kg.ingest import ingest
from kg.store import Store
from kg.validate import validate_store


def quads(store, graph):
    return {str(q) for q in store._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


@pytest.fixture
def corpus(tmp_path, seeds):
    """A writable copy of two seeds (the seeds themselves are never written)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("002_7cb600e89a562d2e.txt", "004_1f0b45879ee6eeb9.txt"):
        shutil.copy(seeds / name, folder / name)
    return folder


def test_one_named_graph_per_document_named_by_its_iri(store):
    docs = {d.source: d.iri for d in store.documents()}
    assert docs["000_d70e09fd955d15f6.txt"] == "https://w3id.org/earnings-kg/id/call/calix-2023-q4"
    assert docs["004_1f0b45879ee6eeb9.txt"].startswith("https://w3id.org/earnings-kg/id/note/calix-2024-q4-")
    graphs = {g.value for g in store._store.named_graphs()}
    assert set(docs.values()) | {"https://w3id.org/earnings-kg/id/graph/entities",
                                 "https://w3id.org/earnings-kg/ontology"} == graphs


def test_documents_are_listed_alike_with_or_without_their_triple_counts(store):
    counted, uncounted = store.documents(), store.documents(count_triples=False)
    assert [(d.iri, d.kind, d.source, d.sha256, d.period) for d in counted] == \
           [(d.iri, d.kind, d.source, d.sha256, d.period) for d in uncounted]
    assert len(counted) == 5 and all(d.triples is None for d in uncounted)
    for d in counted:  # each count is its graph's
        assert d.triples == len(list(store.query(f"SELECT * WHERE {{ GRAPH <{d.iri}> {{ ?s ?p ?o }} }}", union=False)))


def test_a_page_of_documents_is_read_by_their_iris(store):
    every = store.documents(count_triples=False)
    assert store.document_iris() == [d.iri for d in every]
    some = [every[3].iri, every[1].iri]
    assert store.documents(count_triples=False, iris=some) == [every[1], every[3]]
    assert [d.triples for d in store.documents(iris=some)] == [d.triples for d in store.documents() if d.iri in some]
    assert store.documents(iris=[]) == []


def test_documents_are_found_by_iri_or_file_name_and_hostile_names_find_none(store):
    every = {d.iri: d for d in store.documents(count_triples=False)}
    note = next(d for d in every.values() if d.kind == "ResearchNote")
    assert store.documents_named(note.source) == [note]
    assert store.documents_named(note.iri) == [note]
    for name in ['x" } } DROP ALL', "> } <script>", "a\\b.txt", "002_7cb600e89a562d2e", note.iri + "x", ""]:
        assert store.documents_named(name) == []


def test_every_document_graph_conforms_to_the_shapes_on_its_own(store):
    assert validate_store(store) == {}


def test_rebuilding_unchanged_documents_is_a_no_op(tmp_path, corpus, either_way):
    store = Store(tmp_path / "store")
    first = ingest([corpus], store, workers=1)
    before = export(store, "nq")
    second = ingest([corpus], store, workers=1)
    assert len(first.added) == 2 and second.unchanged == [str(p) for p in sorted(corpus.iterdir())]
    assert not second.added and not second.replaced
    assert export(store, "nq") == before


def test_a_changed_document_replaces_its_graph_and_nothing_else(tmp_path, corpus, either_way):
    store = Store(tmp_path / "store")
    ingest([corpus], store, workers=1)
    call = "https://w3id.org/earnings-kg/id/call/calix-2020-q4"
    note = next(d.iri for d in store.documents() if d.kind == "ResearchNote")
    call_before, note_before = quads(store, call), quads(store, note)

    path = corpus / "004_1f0b45879ee6eeb9.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("$206 million", "$207 million"), encoding="utf-8")
    report = ingest([corpus], store, workers=1)

    assert report.replaced == [str(path)] and len(report.unchanged) == 1
    assert quads(store, call) == call_before
    after = quads(store, note)
    assert after != note_before
    assert any('"207000000"' in q for q in after) and not any('"206000000"' in q for q in after)
    assert len(store.documents()) == 2


def test_removing_a_document_leaves_the_others(tmp_path, corpus):
    store_dir = tmp_path / "store"
    assert main(["add", str(corpus), "--store", str(store_dir)]) == 0
    assert main(["remove", "004_1f0b45879ee6eeb9.txt", "--store", str(store_dir)]) == 0
    store = Store(store_dir, read_only=True)
    assert [d.source for d in store.documents()] == ["002_7cb600e89a562d2e.txt"]
    labels = {r["l"] for r in store.select("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    assert "Carl Russo" in labels


def test_same_input_same_output(tmp_path, corpus):
    outputs = []
    for run in ("a", "b"):
        store = Store(tmp_path / run)
        ingest([corpus], store, workers=1)
        outputs.append(sorted(export(store, "nq").decode().splitlines()))
    assert outputs[0] == outputs[1]


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    from kg.errors import StoreLocked

    first = Store(tmp_path / "store")
    with pytest.raises(StoreLocked, match="in use"):
        Store(tmp_path / "store")
    del first


def test_every_iri_is_ascii_and_the_export_parses(built):
    quads_ = list(ox.parse(path=str(built / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads_) > 1000
    iris = {t.value for q in quads_ for t in (q.subject, q.predicate, q.object, q.graph_name)
            if isinstance(t, ox.NamedNode)}
    assert all(iri.isascii() and " " not in iri for iri in iris)


def test_a_build_compacts_the_store_keeping_every_quad(tmp_path, corpus, monkeypatch):
    compactions = []
    real = Store.compact
    monkeypatch.setattr(Store, "compact", lambda self: (compactions.append(self.path), real(self)))
    store = Store(tmp_path / "store")
    ingest([corpus], store, workers=1)
    assert compactions == [tmp_path / "store"]  # two documents written into an empty store

    before = export(store, "nq")
    store.compact()
    assert export(store, "nq") == before
    assert store.select("SELECT ?d WHERE { ?d a <https://w3id.org/earnings-kg/ontology#EarningsCall> }")


@pytest.mark.parametrize("written, stored, compact", [
    (0, 5, False), (5, 5, True), (1, 5, True), (1, 1000, False), (99, 1000, False), (100, 1000, True)])
def test_compaction_only_after_writing_a_tenth_of_the_store(written, stored, compact):
    from kg.store import worth_compacting

    assert worth_compacting(written, stored) is compact


def test_a_call_taken_over_by_another_file_stays_when_its_old_file_moves_on(tmp_path, seeds, either_way):
    """b.txt held a call; in one run a.txt (read first) takes that call over and b.txt now holds
    another: b.txt's new call must replace only what b.txt still holds, not a.txt's call."""
    folder = tmp_path / "in"
    folder.mkdir()
    x, y = seeds / "002_7cb600e89a562d2e.txt", seeds / "000_d70e09fd955d15f6.txt"
    shutil.copy(x, folder / "b.txt")
    store = Store(tmp_path / "store")
    ingest([folder], store, workers=1)
    (x_iri,) = [d.iri for d in store.documents(count_triples=False)]

    shutil.copy(x, folder / "a.txt")
    shutil.copy(y, folder / "b.txt")
    ingest([folder], store, workers=1)
    held = {d.source: d.iri for d in store.documents(count_triples=False)}
    assert held["a.txt"] == x_iri and held.keys() == {"a.txt", "b.txt"} and held["b.txt"] != x_iri


def test_a_newer_copy_of_a_stored_call_under_another_name_replaces_it(tmp_path, seeds, either_way):
    """`kg add` of one file names nothing else: the stored call it holds again (same document IRI,
    other bytes, other name) is found all the same, replaced, and said so."""
    store = Store(tmp_path / "store")
    call = seeds / "002_7cb600e89a562d2e.txt"
    ingest([call, seeds / "004_1f0b45879ee6eeb9.txt"], store, workers=1)
    newer = tmp_path / "calix-q4-corrected.txt"
    newer.write_text(call.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    report = ingest([newer], store, workers=1)
    assert report.replaced == [str(newer)] and report.documents == 2
    assert any(f"holds the same document as {call.name}" in w for w in report.warnings)
    held = sorted(d.source for d in store.documents(count_triples=False))
    assert held == ["004_1f0b45879ee6eeb9.txt", newer.name]


def test_adding_a_few_files_does_not_list_every_stored_document(tmp_path, corpus, monkeypatch):
    store = Store(tmp_path / "store")
    ingest([corpus], store, workers=1)
    listed = []
    documents = Store.documents
    monkeypatch.setattr(Store, "documents", lambda self, *a, **k: listed.append(k.get("iris")) or documents(self, *a, **k))
    path = corpus / "004_1f0b45879ee6eeb9.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("$206 million", "$207 million"), encoding="utf-8")
    report = ingest([path], store, workers=1)
    assert report.replaced == [str(path)] and report.documents == 2
    assert listed and None not in listed  # each lookup names the documents it wants


def test_documents_are_found_by_file_name_or_hash_and_hostile_names_find_none(store):
    docs = store.documents(count_triples=False)
    note = next(d for d in docs if d.kind == "ResearchNote")
    assert store.documents_from([note.source], []) == [note]
    assert store.documents_from([], [note.sha256, "0" * 64]) == [note]
    assert store.documents_from([d.source for d in docs], []) == docs
    assert store.documents_from(['x" } } DROP ALL', "> } <script>", "a\\b.txt", ""], ["'\"'"]) == []
    assert store.document_count() == len(docs)
    undecodable = "note-\udcff.txt"  # a file name that is not UTF-8, as Python reads it
    assert store.documents_from([undecodable], []) == [] and store.documents_named(undecodable) == []


def test_a_much_smaller_copy_of_a_stored_call_says_so_when_it_replaces_it(tmp_path, seeds, either_way):
    """The later file of one call wins, but a copy cut short loses most of the call: the warning
    gives both sizes and says how to put the whole call back."""
    store = Store(tmp_path / "store")
    call = seeds / "000_d70e09fd955d15f6.txt"
    ingest([call], store, workers=1)
    (before,) = store.documents()
    lines = call.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "calix-q4-partial.txt"
    cut.write_text("".join(lines[:len(lines) // 4]), encoding="utf-8")

    report = ingest([cut], store, workers=1)
    (after,) = store.documents()
    assert after.iri == before.iri and after.triples < before.triples / 2
    (warning,) = [w for w in report.warnings if "holds the same document" in w]
    assert warning.endswith(f"and replaced it; its graph went from {before.triples:,} to {report.triples[cut.name]:,} "
                            f"triples: if this file is cut short, add {call.name} again")


def test_a_file_name_that_is_not_utf8_fails_alone(tmp_path, seeds, either_way):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seeds / "002_7cb600e89a562d2e.txt", folder / "ok.txt")
    shutil.copy(seeds / "004_1f0b45879ee6eeb9.txt", os.fsencode(folder) + b"/note-\xff.txt")
    report = ingest([folder], Store(tmp_path / "store"), workers=1)
    assert report.added == [str(folder / "ok.txt")] and report.documents == 1
    (failure,) = report.failed
    assert failure[1].endswith("note-\udcff.txt: the file name is not valid UTF-8; rename the file")


def test_two_stores_of_the_same_input_export_the_same_bytes_blank_nodes_included(tmp_path, corpus):
    """The ontology's blank nodes (its restrictions and lists) are labelled by what they say, not
    afresh by each store, so exports can be compared with diff."""
    exports = []
    for name in ("a", "b"):
        store = Store(tmp_path / name)
        ingest([corpus], store, workers=1)
        store.ensure_ontology()  # again: an unchanged ontology stays as it is
        exports.append(export(store, "nq"))
    assert b"_:o" in exports[0] and exports[0] == exports[1]
