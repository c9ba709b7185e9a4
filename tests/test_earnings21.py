"""Other companies' calls (Earnings-21, read in place from ../shared/data): anonymous `Speaker N`
transcripts get their company, fiscal quarter and speakers' names from what the call says.

The dataset's metadata gives the true company and quarter; it is used to measure, never to read.
"""

import csv
import difflib
import re
from pathlib import Path

import pytest

from extract.errors import KgError
from extract.read import read

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "earnings21"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/earnings21 is not there")


def same_company(ours: str, theirs: str) -> bool:
    a, b = ours.lower(), theirs.lower()
    words = {w for w in re.findall(r"[a-z]{4,}", b) if w not in {"corp", "company", "inc", "holdings", "international"}}
    initials = "".join(w[0] for w in theirs.split() if w[0].isupper())
    return (any(w in a for w in words) or a.split()[0] in b.split() or difflib.SequenceMatcher(None, a, b).ratio() > 0.6
            or (ours.isupper() and len(initials) >= 3 and ours.startswith(initials[:3])))


@pytest.fixture(scope="module")
def calls():
    meta = {r["file_id"]: r for r in csv.DictReader(open(DATA / "earnings21-file-metadata.csv", encoding="utf-8"))}
    result = {}
    for path in sorted((DATA / "derived_txt").glob("*.txt")):
        try:
            result[path.stem] = (meta[path.stem], read(path))
        except KgError as e:
            result[path.stem] = (meta[path.stem], e)
    return result


def test_company_and_quarter_are_right_for_nine_calls_in_ten(calls):
    right = [fid for fid, (m, call) in calls.items() if not isinstance(call, Exception)
             and call.period.quarter == int(m["financial_quarter"]) and same_company(call.company, m["company_name"])]
    assert len(right) >= 0.9 * len(calls), sorted(set(calls) - set(right))


def test_nine_turns_in_ten_have_a_named_speaker(calls):
    turns = [t for _, call in calls.values() if not isinstance(call, Exception) for t in call.turns]
    named = [t for t in turns if t.is_operator or not re.match(r"(?i)speaker \d", t.speaker or "")]
    assert len(named) >= 0.9 * len(turns), f"{len(named)} of {len(turns)}"


def test_a_call_that_is_not_an_earnings_call_is_a_clear_error_not_an_empty_graph(calls):
    failures = {fid: e for fid, (_, e) in calls.items() if isinstance(e, Exception)}
    assert all("cannot tell which" in str(e) for e in failures.values())


def test_named_speakers_get_roles_and_analysts_their_firms(calls):
    _, travelers = calls["4360366"]
    roles = {p.name: p.role.value for p in travelers.participants}
    assert roles.get("Elyse Greenspan") == "Analyst" and roles.get("Dan Frey") == "Executive"
    assert travelers.company == "Travelers" and travelers.period.quarter == 2


def test_a_voice_nobody_named_is_a_person_of_that_call_only():
    from extract.pipeline import extract

    doc = extract(DATA / "derived_txt" / "4387865.txt")
    keys = {p.person for p in doc.participations}
    assert "person/steven-humphreys" in keys, "Steve, named from the introductions and the analyst's 'Steve,'"
    unnamed = [k for k in keys if "speaker" in k]
    assert unnamed and all(k.startswith("person/identiv-2020-q3-speaker-") for k in unnamed)
