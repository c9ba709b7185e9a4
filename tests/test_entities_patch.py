"""The entities graph patched after a few documents change must be the graph recomputed from all
of them, in its own graph and in the union; a writer killed before its refresh must not leave it
stale for good."""

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.store
from kg.cli import main
from kg.entities import entities_graph
from kg.ingest import extract_one, ingest
from kg.store import Store, nt

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus(seeds, tmp_path_factory) -> list[Path]:
    """Twelve documents: the seeds and calls generated from them (see bench/corpus.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import Generator
    finally:
        sys.path.remove(str(ROOT / "bench"))
    folder = tmp_path_factory.mktemp("corpus")
    Generator(seeds).write(12, folder)
    files = sorted(folder.glob("*.txt"))
    assert len(files) >= 12
    return files


class Refreshes:
    """What each entities refresh was asked for: None (everything) or the entities it patched."""

    def __init__(self, monkeypatch):
        self.seen: list = []

        def spy(select, iris, only=None):
            self.seen.append(None if only is None else set(only))
            return entities_graph(select, iris, only)

        monkeypatch.setattr(kg.store, "entities_graph", spy)


def triples(rdf: str) -> set:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(rdf, format=ox.RdfFormat.N_TRIPLES)}


def assert_entities_current(store: Store) -> None:
    """The stored entities graph is what recomputing it from every document gives, and the union
    (the default graph) holds exactly the named graphs' triples."""
    oxs = store._store
    recomputed = triples(nt(entities_graph(lambda q: store.select(q, union=False), store.iris)))
    stored = {(q.subject, q.predicate, q.object)
              for q in oxs.quads_for_pattern(None, None, None, ox.NamedNode(str(store.iris.entities_graph)))}
    assert stored == recomputed, (f"missing {sorted(map(str, recomputed - stored))[:5]}, "
                                  f"extra {sorted(map(str, stored - recomputed))[:5]}")
    named = {(q.subject, q.predicate, q.object) for q in oxs.quads_for_pattern(None, None, None)
             if not isinstance(q.graph_name, ox.DefaultGraph)}
    union = {(q.subject, q.predicate, q.object) for q in oxs.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert union == named


def label_of(store: Store, entity_key: str) -> list[str]:
    return [r["l"] for r in store.select(
        f"SELECT ?l WHERE {{ GRAPH <{store.iris.entities_graph}> {{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
        f"FILTER(STRENDS(STR(?e), '/{entity_key}')) }}", union=False)]


def renamed(path: Path, folder: Path) -> tuple[Path, str]:
    """A copy of the call under the same file name with its first analyst renamed: a person only it
    mentions."""
    text = path.read_text(encoding="utf-8")
    name = re.search(r"^(\S+ \S+) - (?:Senior )?Analyst", text, re.M)[1]
    folder.mkdir(exist_ok=True)
    copy = folder / path.name
    copy.write_text(text.replace(name, "Quentin Zyzzyva"), encoding="utf-8")
    return copy, name


def test_patched_entities_are_the_recomputed_ones(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(Store, "PATCH_AT_MOST", 100.0)  # patch always: a corpus this small changes much of it
    store = Store(tmp_path / "store")
    store.ensure_ontology()
    refreshes = Refreshes(monkeypatch)
    assert not ingest(corpus[:8], store, workers=2).failed
    assert refreshes.seen == [None]  # a first build computes everything
    assert_entities_current(store)

    assert len(ingest(corpus[8:], store, workers=2).added) == len(corpus) - 8
    assert refreshes.seen[-1] is not None and refreshes.seen[-1]
    assert_entities_current(store)

    call = next(p for p in corpus[8:] if re.search(r"^\S+ \S+ - Analyst", p.read_text(encoding="utf-8"), re.M))
    copy, old_name = renamed(call, tmp_path / "edited")
    report = ingest([copy], store, workers=1)
    assert report.replaced == [str(copy)] and refreshes.seen[-1] is not None
    assert_entities_current(store)
    assert label_of(store, "quentin-zyzzyva") == ["Quentin Zyzzyva"]

    (iri,) = [d.iri for d in store.documents(count_triples=False) if d.source == copy.name]
    store.remove_document(iri)
    store.refresh_entities()
    assert refreshes.seen[-1] is not None
    assert_entities_current(store)
    assert label_of(store, "quentin-zyzzyva") == []  # in no document any more: gone, from the union too
    assert not store.path.joinpath(Store.STALE_MARK).exists()


def test_many_changes_recompute_everything(corpus, tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    ingest(corpus[:5], store, workers=1)
    refreshes = Refreshes(monkeypatch)
    monkeypatch.setattr(Store, "PATCH_AT_MOST", 0.0)
    ingest(corpus[5:8], store, workers=2)
    assert refreshes.seen == [None]
    assert_entities_current(store)


def test_a_writer_killed_before_its_refresh_is_caught_up_by_the_next(corpus, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in corpus[:3]:
        (folder / p.name).write_bytes(p.read_bytes())
    assert main(["add", str(folder), "--store", str(tmp_path / "store")]) == 0
    assert capsys.readouterr().out.strip().endswith("the store holds 3 documents")

    # What a `kg add` killed after storing a document, before its refresh, leaves behind.
    writer = Store(tmp_path / "store")
    got = extract_one(str(corpus[8]))
    writer.put_document(got.iri, got.ntriples)
    writer.flush()
    writer.close()
    assert (tmp_path / "store" / Store.STALE_MARK).exists()

    refreshes = Refreshes(monkeypatch)
    assert main(["add", str(folder), "--store", str(tmp_path / "store")]) == 0  # nothing changed...
    assert capsys.readouterr().out.strip() == "0 added, 0 replaced, 3 unchanged, 0 failed; the store holds 4 documents"
    assert refreshes.seen == [None]  # ...but what the killed writer changed is unknown: all is recomputed
    assert not (tmp_path / "store" / Store.STALE_MARK).exists()
    assert_entities_current(Store(tmp_path / "store"))


def test_ctrl_c_just_after_a_document_is_written(corpus, tmp_path, monkeypatch):
    """Ctrl-C arrives as pyoxigraph's update returns, before the store notes what the document
    mentions: the refresh of the interrupted run must still cover that document."""
    monkeypatch.setattr(Store, "PATCH_AT_MOST", 100.0)
    store = Store(tmp_path / "store")
    ingest(corpus[:6], store, workers=1)
    real, puts = Store._update, []

    def update(self, sparql):
        real(self, sparql)
        if "DROP SILENT GRAPH" in sparql and self._changed is not None:  # a document put while patching
            puts.append(sparql)
            if len(puts) == 2:
                raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Store, "_update", update)
        with pytest.raises(KeyboardInterrupt):
            ingest(corpus[6:9], store, workers=1)
    assert len(store.documents(count_triples=False)) == 8
    assert_entities_current(store)
