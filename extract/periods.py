"""Fiscal periods in running text: "fourth-quarter 2023", "Q1", "the third quarter", "for 2025".

A phrase without a year is resolved against the call's own period, the way a listener would:
"the fourth quarter" in a Q3 2024 call is Q4 2024; "the first quarter" in a Q4 call is next year's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import FiscalPeriod

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ORD = r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# "fourth-quarter 2023", "Fourth Quarter 2020", "third quarter, 2024", "first quarter of 2024",
# "third quarter of fiscal 2020"
QUARTER_THEN_YEAR = re.compile(
    rf"\b{_ORD}[\s-]+quarter(?:\s+results)?,?\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+(?:year\s+)?)?{_YEAR}\b", re.I
)
# "quarter three of 2019", "quarter two, 2020": how some speakers (and speech-to-text) say it
QUARTER_WORD_THEN_YEAR = re.compile(
    rf"\bquarter\s+(?P<qw>one|two|three|four|[1-4])\b,?\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+(?:year\s+)?)?{_YEAR}\b", re.I
)
QUARTER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# "fiscal 2020 third quarter", "2024 fourth quarter"
YEAR_THEN_QUARTER = re.compile(rf"\b(?:fiscal\s+(?:year\s+)?)?{_YEAR}\s+{_ORD}[\s-]+quarter\b", re.I)
# "Q4 2023", "Q4'23", "Q4 FY2023", "4Q23"
Q_NOTATION = re.compile(r"\b(?:Q(?P<q>[1-4])|(?P<q2>[1-4])Q)\s*(?:FY|fiscal\s+)?'?(?P<y>(?:19|20)?\d\d)\b(?!\s*(?:%|percent|million|billion))", re.I)
# A quarter with no year: "the fourth quarter", "Q1", "first-quarter"
QUARTER_ONLY = re.compile(rf"\b{_ORD}[\s-]+quarter\b|\bQ(?P<q>[1-4])\b|\bquarter\s+(?P<qw>one|two|three|four)\b", re.I)
# "for 2025", "in 2024", "exit 2025", "2024 outlook", "fiscal 2025"
YEAR_ONLY = re.compile(r"(?<![$\d.,])\b(?P<year>(?:19|20)\d\d)\b(?!\s*(?:%|percent|million|billion))")
RELATIVE = re.compile(
    r"\b(?P<rel>this quarter|the quarter|last quarter|prior quarter|previous quarter|next quarter|"
    r"the coming quarter|a year ago|last year|this year|next year|the year)\b",
    re.I,
)


@dataclass(frozen=True)
class PeriodMention:
    period: FiscalPeriod
    start: int
    end: int
    explicit_year: bool


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def find_call_period(text: str) -> PeriodMention | None:
    """The first quarter-with-year phrase in `text`: how a call announces which quarter it covers."""
    found: list[PeriodMention] = []
    for rx in (QUARTER_THEN_YEAR, YEAR_THEN_QUARTER):
        m = rx.search(text)
        if m:
            found.append(PeriodMention(FiscalPeriod(int(m["year"]), ORDINALS[m["ord"].lower()]), m.start(), m.end(), True))
    m = Q_NOTATION.search(text)
    if m:
        q = int(m["q"] or m["q2"])
        found.append(PeriodMention(FiscalPeriod(_year(m["y"]), q), m.start(), m.end(), True))
    return min(found, key=lambda p: p.start) if found else None


def find_periods(text: str, context: FiscalPeriod) -> list[PeriodMention]:
    """Every period phrase in `text`, resolved against the call's own period `context`."""
    mentions: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []

    def add(period: FiscalPeriod, start: int, end: int, explicit: bool) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        mentions.append(PeriodMention(period, start, end, explicit))

    for m in QUARTER_THEN_YEAR.finditer(text):
        add(FiscalPeriod(int(m["year"]), ORDINALS[m["ord"].lower()]), m.start(), m.end(), True)
    for m in YEAR_THEN_QUARTER.finditer(text):
        add(FiscalPeriod(int(m["year"]), ORDINALS[m["ord"].lower()]), m.start(), m.end(), True)
    for m in QUARTER_WORD_THEN_YEAR.finditer(text):
        add(FiscalPeriod(int(m["year"]), QUARTER_WORDS[m["qw"].lower()]), m.start(), m.end(), True)
    for m in Q_NOTATION.finditer(text):
        add(FiscalPeriod(_year(m["y"]), int(m["q"] or m["q2"])), m.start(), m.end(), True)
    for m in QUARTER_ONLY.finditer(text):
        q = ORDINALS[m["ord"].lower()] if m["ord"] else QUARTER_WORDS[m["qw"].lower()] if m["qw"] else int(m["q"])
        add(resolve_quarter(q, context), m.start(), m.end(), False)
    for m in RELATIVE.finditer(text):
        rel = m["rel"].lower()
        if rel in ("this quarter", "the quarter"):
            add(context, m.start(), m.end(), False)
        elif rel in ("last quarter", "prior quarter", "previous quarter"):
            add(context.previous_quarter(), m.start(), m.end(), False)
        elif rel in ("next quarter", "the coming quarter"):
            add(context.next_quarter(), m.start(), m.end(), False)
        elif rel == "next year":
            add(FiscalPeriod(context.year + 1), m.start(), m.end(), False)
        elif rel in ("this year", "the year"):
            add(FiscalPeriod(context.year), m.start(), m.end(), False)
    for m in YEAR_ONLY.finditer(text):
        add(FiscalPeriod(int(m["year"])), m.start(), m.end(), True)
    mentions.sort(key=lambda p: p.start)
    return mentions


def resolve_quarter(quarter: int, context: FiscalPeriod) -> FiscalPeriod:
    """A bare quarter means the nearest one: within a quarter or two of the call, forward or back."""
    base = context.quarter or 4
    if quarter - base >= 3:  # "the fourth quarter" said in a Q1 call: last year's Q4
        return FiscalPeriod(context.year - 1, quarter)
    if base - quarter >= 3:  # "the first quarter" said in a Q4 call: next year's Q1
        return FiscalPeriod(context.year + 1, quarter)
    return FiscalPeriod(context.year, quarter)
