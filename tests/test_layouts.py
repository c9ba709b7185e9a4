"""Other layouts: the seeds rewritten as `Name: text`, timestamped blocks, sectioned transcripts and
the header layouts of transcript services give the same facts as the bilingual originals.

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


def _stamp(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _headed(path: Path, header, doubled: bool = False, participants: bool = False) -> str:
    """The seed with each turn opened by `header(block, seconds)` on a line of its own, the words below."""
    blocks, call = _blocks(path)
    qa = next((t.order for t in call.turns if t.section == Section.QUESTION_AND_ANSWER), None)
    out = ["Acme Transcripts - machine generated", ""]
    if participants:  # as Seeking Alpha prints them: who is on the call, then headers with the name only
        seen: dict[str, str] = {}
        for b in blocks:
            if b.speaker:
                seen.setdefault(b.speaker, b.title)
        out += ["Company Participants", ""]
        out += [f"{n} - {t}" for n, t in seen.items() if "Analyst" not in t] + ["", "Conference Call Participants", ""]
        out += [f"{n} - {t}" for n, t in seen.items() if "Analyst" in t] + ["", "Presentation", ""]
    seconds = 0
    for order, b in enumerate(blocks, start=1):
        if participants and order == qa:
            out += ["Question-and-Answer Session", ""]
        line = header(b, seconds)
        out += [line, line] if doubled else [line]
        out += [p.text for p in b.paragraphs] + [""]
        seconds += 37 * len(b.paragraphs)
    return "\n".join(out)


HEADED = {
    "dash": lambda b, _: f"{b.speaker} - {b.title}" if b.speaker else "Operator",
    "em dash": lambda b, _: f"{b.speaker} \u2014 {b.title}" if b.speaker else "Operator",
    "comma": lambda b, _: f"{b.speaker}, {b.title}" if b.speaker else "Operator",
    "capitals": lambda b, _: f"{b.speaker} - {b.title}".upper() if b.speaker else "OPERATOR",
    "time first": lambda b, t: f"[{_stamp(t)}] {b.speaker or 'Operator'}",
    "time after": lambda b, t: f"{b.speaker or 'Operator'}  {_stamp(t)}",
    "time in brackets": lambda b, t: f"{b.speaker or 'Operator'} [{_stamp(t)}]:",
}


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


@pytest.mark.parametrize("name", SEEDS[:2])
@pytest.mark.parametrize("form", HEADED)
def test_a_seed_with_the_headers_of_transcript_services_gives_the_same_facts(tmp_path, seeds, originals, name, form):
    path = tmp_path / name
    path.write_text(_headed(seeds / name, HEADED[form]), encoding="utf-8")
    assert detect(path.read_text(encoding="utf-8"), str(path))[0] == ("timestamped" if "time" in form else "headed")
    assert facts(extract(path)) == originals[name]


@pytest.mark.parametrize("name", SEEDS[:2])
def test_doubled_english_headers_and_seeking_alpha_participant_lists_give_the_same_facts(tmp_path, seeds, originals, name):
    for i, (doubled, listed, header) in enumerate([(True, False, HEADED["dash"]),
                                                   (False, True, lambda b, _: b.speaker or "Operator")]):
        path = tmp_path / f"{i}-{name}"
        path.write_text(_headed(seeds / name, header, doubled=doubled, participants=listed), encoding="utf-8")
        assert detect(path.read_text(encoding="utf-8"), str(path))[0] == "headed"
        assert facts(extract(path)) == originals[name], (doubled, listed)


SMALL_CALL = """Operator
Good afternoon and welcome to the Widgetco first quarter 2025 earnings call. I will now turn the call over to {cfo}.

{cfo} {sep} Chief Financial Officer
Thank you. First quarter revenue was $120 million.
Looking ahead: we expect revenue of $125 million to $130 million in the second quarter.

Operator
Our first question comes from Jane Roe with Acme Securities.

{analyst} {sep} {firm}
How is demand?

{cfo} {sep} Chief Financial Officer
Demand is strong.
"""


@pytest.mark.parametrize("sep", ["-", "--", "\u2013"])
def test_an_analyst_whose_header_names_her_firm_is_an_analyst_of_that_firm(tmp_path, sep):
    path = tmp_path / "call.txt"
    path.write_text(SMALL_CALL.format(cfo="Anne-Marie Sorensen", analyst="Jane Roe", firm="Acme Securities", sep=sep),
                    encoding="utf-8")
    call = read(path)
    people = {p.name: (p.role.value, p.firm) for p in call.participants}
    assert people == {"Anne-Marie Sorensen": ("Executive", None), "Jane Roe": ("Analyst", "Acme Securities")}
    assert [(x.asked_by, x.answered_by) for x in call.exchanges] == [("Jane Roe", ("Anne-Marie Sorensen",))]


def test_a_firm_in_the_header_counts_without_an_introduction_and_beside_the_word_analyst(tmp_path):
    text = SMALL_CALL.format(cfo="Emile Castineira", analyst="Émile Roe", firm="Acme & Sons -- Analyst", sep="--")
    path = tmp_path / "call.txt"
    path.write_text(text.replace("Our first question comes from Jane Roe with Acme Securities.", "Next question."),
                    encoding="utf-8")
    people = {p.name: (p.role.value, p.firm) for p in read(path).participants}
    assert people["Émile Roe"] == ("Analyst", "Acme & Sons")


def test_lines_with_a_colon_in_a_colon_transcript_are_not_speakers(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text(
        "Operator: Welcome to the Widgetco first quarter 2025 earnings call. Over to Ann Lee.\n"
        "Ann Lee: Thank you. Three priorities for the year: growth, margin and cash.\n"
        "Looking ahead: we expect revenue of $125 million in the second quarter.\n"
        "Gross margin: 28.1%.\n"
        "Outlook: strong.\n"
        "Operator: Our first question comes from Jane Roe with Acme Securities.\n"
        "Unidentified Analyst: How is demand?\n"
        "Ann Lee: Demand is strong.\n", encoding="utf-8")
    call = read(path)
    assert {p.name: p.role.value for p in call.participants} == {"Ann Lee": "Executive", "Unidentified Analyst": "Analyst"}
    assert any("Looking ahead: we expect" in p.text for p in call.turns[1].paragraphs)


def test_two_headers_of_one_person_in_a_call_make_one_participation_that_conforms(tmp_path):
    from kg.ingest import ingest
    from kg.store import Store
    from kg.validate import validate_store

    folder = tmp_path / "calls"
    folder.mkdir()
    path = folder / "call.txt"
    path.write_text(SMALL_CALL.format(cfo="Ann Lee", analyst="Joe Galloway", firm="Analyst", sep="-")
                    + "\nJoseph T. Galloway - MD & Senior Research Analyst\nAnd margins?\n\nAnn Lee - Chief Financial Officer\nUp.\n",
                    encoding="utf-8")
    galloway = [p for p in extract(path).participations if "galloway" in p.person]
    assert [(p.name_as_printed, p.title) for p in galloway] == [("Joe Galloway", "Analyst")]
    store = Store(tmp_path / "store")
    assert ingest([folder], store, workers=1).added
    assert validate_store(store) == {}
