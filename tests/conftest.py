"""Shared fixtures: the seeds, and one build of them that the end-to-end tests read."""

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():  # CI clones the repo with ../shared beside it
    SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def seeds() -> Path:
    assert SEEDS.is_dir(), f"the seeds are expected at {SEEDS}"
    return SEEDS


@pytest.fixture
def ten_documents(tmp_path, seeds) -> Path:
    """A folder of ten documents: the seeds, and copies of them as other fiscal years' calls; for
    tests that need a build long enough to interrupt or to watch."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, seed in enumerate(sorted(seeds.glob("00*.txt")) * 2):
        text = seed.read_text(encoding="utf-8")
        if i >= 5:
            text = text.replace("2020", "2010").replace("2023", "2013").replace("2024", "2014").replace("2025", "2015")
        (folder / f"{i:02d}-{seed.name}").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def ten_documents_whole(ten_documents) -> list:
    """What the ten documents are when stored whole: built once in memory, to compare a store with."""
    from kg.ingest import ingest
    from kg.store import Store

    reference = Store(None)
    ingest([ten_documents], reference, workers=1)
    return reference.documents()


@pytest.fixture(scope="session")
def built(tmp_path_factory, seeds):
    """`kg build` of the five seeds, once per test run: the output folder (store in `store/`)."""
    from kg.cli import main

    out = tmp_path_factory.mktemp("build")
    code = main(["build", str(seeds), "--store", str(out / "store"), "-o", str(out), "--workers", "2"])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def store(built):
    from kg.store import Store

    return Store(built / "store", read_only=True)


@pytest.fixture(params=["looked up", "listed"])
def either_way(request, monkeypatch) -> str:
    """An ingest learns what the store holds by looking up what its files concern (a few files) or
    by listing every document (many): the rules for changed, copied and moved files must hold both
    ways, so tests of them run twice."""
    import kg.ingest

    monkeypatch.setattr(kg.ingest, "LOOKUP_AT_MOST", 10_000 if request.param == "looked up" else 0)
    return request.param
