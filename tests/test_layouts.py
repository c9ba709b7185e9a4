"""Other layouts: the seeds rewritten as `Name: text`, timestamped blocks and sectioned transcripts
give the same facts as the bilingual originals.

The rewrites are made here, from the seeds as read, and never stored.
"""

from pathlib import Path

import pytest

from extract.layouts import detect, read_bilingual
from extract.model import Section
from extract.pipeline import extract
from extract.read import read

SEEDS = ["000_d70e09fd955d15f6.txt", "001_ebd5656515b85524.txt", "002_7cb600e89a562d2e.txt",
         "003_f2e96f1a61d65153.txt"]


def _blocks(path: Path):
    text = path.read_text(encoding="utf-8")
    layout, lines = detect(text, str(path))
    assert layout == "bilingual"
    return read_bilingual(lines, str(path)), read(path)


def as_colon(path: Path, bilingual: bool = False) -> str:
    blocks, _ = _blocks(path)
    out = []
    for b in blocks:
        name = b.speaker or "Operator"
        for i, p in enumerate(b.paragraphs):
            out.append(f"{name}: {p.text}" if i == 0 else p.text)
            if bilingual and p.translation:
                out.append(p.translation)
        out.append("")
    return "\n".join(out)


def as_timestamped(path: Path) -> str:
    blocks, _ = _blocks(path)
    out, seconds = [], 0
    for b in blocks:
        stamp = f"({seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d})"
        out.append(f"{b.speaker}, {b.title} {stamp}:" if b.speaker else f"Operator {stamp}:")
        out += [p.text for p in b.paragraphs] + [""]
        seconds += 37 * len(b.paragraphs)
    return "\n".join(out)


def as_sectioned(path: Path) -> str:
    blocks, call = _blocks(path)
    qa = next((t.order for t in call.turns if t.section == Section.QUESTION_AND_ANSWER), None)
    out = ["Prepared Remarks:", ""]
    for order, b in enumerate(blocks, start=1):
        if order == qa:
            out += ["Questions & Answers:", ""]
        out.append(f"{b.speaker} -- {b.title}" if b.speaker else "Operator")
        out += [p.text for p in b.paragraphs] + [""]
    out += ["Call participants:", ""]
    seen = []
    for b in blocks:
        if b.speaker and b.speaker not in seen:
            seen.append(b.speaker)
            out.append(f"{b.speaker} -- {b.title}")
    return "\n".join(out) + "\n"


def facts(doc):
    return {
        "people": {(p.person, p.role.value) for p in doc.participations},
        "firms": {(p.person, p.affiliation) for p in doc.participations if p.role.value == "Analyst"},
        "exchanges": [(x.asked_by, x.answered_by) for x in doc.exchanges],
        "programmes": {m.key for m in doc.mentions if m.type.value == "GovernmentProgram"},
        "figures": {(f.metric, f.kind, f.period, f.change, f.value, f.low, f.high, f.unit, f.basis, f.speaker)
                    for f in doc.figures},
        "customers": {(r.subject, r.predicate) for r in doc.relations},
        "call": (doc.company, doc.period),
    }


@pytest.fixture(scope="module")
def originals(seeds):
    return {name: facts(extract(seeds / name)) for name in SEEDS}


@pytest.mark.parametrize("name", SEEDS)
@pytest.mark.parametrize("layout, rewrite", [("colon", as_colon), ("timestamped", as_timestamped),
                                             ("sectioned", as_sectioned)])
def test_a_seed_in_another_layout_gives_the_same_facts(tmp_path, seeds, originals, name, layout, rewrite):
    path = tmp_path / name
    path.write_text(rewrite(seeds / name), encoding="utf-8")
    assert detect(path.read_text(encoding="utf-8"), str(path))[0] == layout
    assert facts(extract(path)) == originals[name]


def test_colon_layout_with_translations_keeps_them(tmp_path, seeds):
    path = tmp_path / "bilingual-colon.txt"
    path.write_text(as_colon(seeds / SEEDS[0], bilingual=True), encoding="utf-8")
    call = read(path)
    first = call.turns[0].paragraphs[0]
    assert "Calix" in first.text and first.translation and "Calix" in first.translation
    assert facts(extract(path))["figures"]
