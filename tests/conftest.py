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
