"""Research notes: a few paragraphs about one call, then a sentiment label and score.

A note rarely names the year ("Calix reported Q4 revenue"), so the year comes from what the
note looks forward to: a Q4 note that "expects 2025 gross margin improvement" is about 2024.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .decode import Source
from .errors import IncompleteDocument
from .model import FiscalPeriod, Note, Paragraph, Section, Turn
from .periods import QUARTER_THEN_YEAR, YEAR_THEN_QUARTER, Q_NOTATION, find_call_period

_REPORTED = re.compile(
    r"^(?P<company>[A-Z][\w&.'\u2019-]*(?:\s+[A-Z][\w&.'\u2019-]*){0,4}?)\s+(?:reported|posted|delivered|announced|said)\b"
)
_QUARTER = re.compile(r"\bQ(?P<q>[1-4])\b|\b(?P<ord>first|second|third|fourth)[\s-]+quarter\b", re.I)
_FUTURE_YEAR = re.compile(r"\b(?:expects?|guided|outlook|for|in)\s+(?P<year>20\d\d)\b")
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def read_note(lines: list[str], source: Source) -> Note:
    lowered = [line.strip().lower() for line in lines]
    marker = next(i for i, line in enumerate(lowered) if line in ("overall sentiment", "sentiment"))
    label = lines[marker + 1].strip() if marker + 1 < len(lines) else ""
    score_at = next((i for i, line in enumerate(lowered) if line.startswith("sentiment score")), None)
    score = _score(lines, score_at, source.path)
    if not label or label.lower().startswith("sentiment score"):
        raise IncompleteDocument("the note has a sentiment heading but no label under it", source.path)

    body_lines = [line.strip() for line in lines[:marker]]
    company = None
    for line in body_lines:
        m = _REPORTED.match(line)
        if m:
            company = m["company"]
            break
    if company is None:
        raise IncompleteDocument("cannot tell which company the note is about (expected 'X reported ...')", source.path)
    # Trailing lines that never name the company are the publisher's blurb, not the note.
    while len(body_lines) > 1 and company.lower() not in body_lines[-1].lower() and len(body_lines[-1]) < 200:
        body_lines.pop()

    period = _note_period(" ".join(body_lines), source.path)
    body = Turn(order=1, speaker=None, title=None, is_operator=False, section=Section.PREPARED_REMARKS,
                paragraphs=tuple(Paragraph(line) for line in body_lines))
    return Note(source=source.name, sha256=source.sha256, company=company, period=period,
                sentiment_label=label, sentiment_score=score, body=body)


def _score(lines: list[str], at: int | None, path: str) -> Decimal:
    if at is None:
        raise IncompleteDocument("the note has no sentiment score", path)
    inline = lines[at].split(":", 1)[1] if ":" in lines[at] else ""
    raw = inline.strip() or (lines[at + 1].strip() if at + 1 < len(lines) else "")
    try:
        score = Decimal(raw)
    except InvalidOperation:
        raise IncompleteDocument(f"the sentiment score {raw!r} is not a number", path) from None
    if not Decimal(-1) <= score <= Decimal(1):
        raise IncompleteDocument(f"the sentiment score {raw} is outside -1 to 1", path)
    return score


def _note_period(text: str, path: str) -> FiscalPeriod:
    if QUARTER_THEN_YEAR.search(text) or YEAR_THEN_QUARTER.search(text) or Q_NOTATION.search(text):
        found = find_call_period(text)
        if found:
            return found.period
    m = _QUARTER.search(text)
    if m is None:
        raise IncompleteDocument("cannot tell which fiscal quarter the note is about", path)
    quarter = int(m["q"]) if m["q"] else _ORD[m["ord"].lower()]
    years = [int(y["year"]) for y in _FUTURE_YEAR.finditer(text)]
    if not years:
        raise IncompleteDocument(f"the note names Q{quarter} but no year", path)
    # A look ahead to year Y after a Q4 report means the report was for Y-1; after Q1-Q3, for Y.
    outlook = min(years)
    return FiscalPeriod(outlook - 1 if quarter == 4 else outlook, quarter)
