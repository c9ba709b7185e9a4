"""Figures: the numbers a company states about its metrics, with period, kind, basis and unit.

Rules, not statistics: a metric phrase ("non-GAAP gross margin"), a number ("54.1%"), the cues
around them ("sequentially", "guidance", "target financial model") and the period phrases of
the sentence decide each figure. Every figure keeps the exact words it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .model import Basis, Change, Figure, FiscalPeriod, Kind, Span, Turn
from .periods import PeriodMention, find_periods

# Metric phrases, most specific first. Each maps a regex to a metric concept of the ontology.
METRIC_PHRASES: list[tuple[str, str]] = [
    ("CurrentRemainingPerformanceObligations", r"current\s+(?:RPOs?|RpoS|remaining performance obligations?)|\bcRPOs?\b"),
    ("RemainingPerformanceObligations", r"\bRPOs?\b|\bRpoS\b|remaining performance obligations?"),
    ("GrossMargin", r"gross margins?"),
    ("FreeCashFlow", r"free cash flows?"),
    ("CashAndInvestments", r"cash(?:,)? (?:cash equivalents )?and (?:investments|marketable securities)|cash and cash equivalents"),
    ("OperatingExpenses", r"operating expenses?|\bOpEx\b"),
    ("NetIncome", r"net (?:income|loss|earnings)"),
    ("EarningsPerShare", r"earnings per (?:diluted )?share|\bEPS\b"),
    ("DaysSalesOutstanding", r"\bDSO\b|days sales outstanding"),
    ("InventoryTurns", r"inventory turns"),
    ("InventoryDeposits", r"inventory deposits|supplier deposits"),
    ("PurchaseCommitments", r"purchase commitments"),
    ("ShareRepurchase", r"(?:share|stock) repurchases?|buybacks?|repurchased|bought back|(?:re)?purchased(?=\s+\$[\d.,]+\s*(?:million|billion)?\s+of\s+(?:our\s+)?(?:common\s+)?(?:stock|shares))"),
    ("NewCustomers", r"new\s+(?:[A-Z]{2,4}\s+|broadband\s+|service provider\s+)?customers"),
    ("Revenue", r"\brevenues?\b|\bnet sales\b|\btop line\b"),
]
_METRIC_RX = [(m, re.compile(rx, re.I)) for m, rx in METRIC_PHRASES]

USD_METRICS = {
    "Revenue", "OperatingExpenses", "NetIncome", "EarningsPerShare", "FreeCashFlow", "CashAndInvestments",
    "RemainingPerformanceObligations", "CurrentRemainingPerformanceObligations", "InventoryDeposits",
    "PurchaseCommitments", "ShareRepurchase",
}
NOT_FINANCIAL = {"DaysSalesOutstanding", "InventoryTurns", "NewCustomers", "CustomerCount"}

_SCALE = {"thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3, "million": Decimal(10) ** 6, "m": Decimal(10) ** 6,
          "mm": Decimal(10) ** 6, "billion": Decimal(10) ** 9, "b": Decimal(10) ** 9, "bn": Decimal(10) ** 9}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SC = r"(?:\s*(?P<{n}>million|billion|thousand|mm|bn|[MBK])\b)?"
MONEY_RANGE = re.compile(
    rf"\$\s?(?P<lo>{_NUM}){_SC.format(n='s1')}\s*(?:-|\u2013|to|and)\s*\$?\s?(?P<hi>{_NUM}){_SC.format(n='s2')}", re.I
)
MONEY = re.compile(rf"\$\s?(?P<v>{_NUM}){_SC.format(n='s')}|(?P<c>\d+)\s+cents\b", re.I)
PERCENT_RANGE = re.compile(rf"(?P<lo>{_NUM})\s*(?:%|percent)?\s*(?:-|\u2013|to|and)\s*(?P<hi>{_NUM})\s*(?:%|percent)", re.I)
PERCENT = re.compile(rf"(?P<v>{_NUM})\s*(?:%|percent\b)", re.I)
BPS_RANGE = re.compile(rf"(?P<lo>\d+)\s*(?:basis points?\s*)?(?:-|\u2013|to)\s*(?P<hi>\d+)[\s-]*(?:basis[\s-]points?|bps)\b", re.I)
BPS = re.compile(r"(?P<v>\d+)[\s-]*(?:basis[\s-]points?|bps)\b", re.I)
DAYS = re.compile(r"(?P<v>\d+)\s+days\b", re.I)
PLAIN = re.compile(rf"(?<![\w$.,])(?P<v>{_NUM})(?![\w%]|\.\d|\s*(?:%|percent|million|billion|days|basis))", re.I)
COUNT_NEW = re.compile(r"(?P<v>\d[\d,]*)\s+new\s+(?:[A-Z]{2,4}\s+|broadband\s+|service provider\s+)?customers", re.I)
COUNT_TOTAL = re.compile(
    r"(?:(?:more than|over|nearly|approximately|about|roughly|almost)\s+(?P<v>\d[\d,]*)|(?P<w>\d{1,3}(?:,\d{3})+))\s+"
    r"(?:[A-Z]{2,4}\s+|broadband\s+(?:service\s+|experience\s+)?)?(?:customers|providers)\b",
)

_SEQ = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?(?:sequential(?:ly)?|quarter[- ]over[- ]quarter|q/q|from the (?:prior|previous|last|first|second|third|fourth) quarter|compared (?:to|with) the (?:prior|previous|last) quarter|over the (?:prior|previous|last) quarter)", re.I)
_YOY = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?(?:year[- ]over[- ]year|y/y|yoy|from a year ago|(?:compared (?:to|with)|versus|over) (?:a|the) (?:year ago|prior year|previous year|last year))", re.I)
_CHANGE_BEFORE = re.compile(r"(?:\bup|\bdown|\bincrease(?:d)?(?: of| by)?|\bdecrease(?:d)?(?: of| by)?|\bgrew|\bgrowth of|\brose|\bfell|\bdeclined?(?: of| by)?|\bimprovement of|\bexpansion of|\breduction of)\s*(?:by\s+|of\s+)?(?:an?\s+)?$", re.I)
_DOWN_BEFORE = re.compile(r"(?:\bdown|\bdecrease(?:d)?(?: of| by)?|\bfell|\bdeclined?(?: of| by)?|\breduction of)\s*(?:by\s+|of\s+)?(?:an?\s+)?$", re.I)
_GROWTH_AFTER = re.compile(r"^\s*(?:\w+\s+){0,3}?(?:growth|increase|improvement|expansion|decline|decrease)", re.I)
_FROM_BEFORE = re.compile(r"(?:\bfrom|\bcompared (?:to|with)|\bversus|\bvs\.?)\s+(?:[$\d.,]+%?\s*(?:million|billion)?\s+)?(?:in\s+)?(?:the\s+)?$", re.I)
_PRICE_BEFORE = re.compile(r"(?:price|cost|valued?|worth)\s+(?:of\s+|at\s+)?$", re.I)
_PER_AFTER = re.compile(r"^\s*(?:of\s+)?(?:[\w-]+\s+){0,3}?per\s+(?:month|subscriber|sub|user|home|household|location|passing|door)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[;]|,\s+(?:the|we|our|while|but|and we|so)\b", re.I)
_GUIDANCE = re.compile(r"\bguidance\b|\boutlook\b|\bguided?\b|\bexpect(?:s|ed|ing)?\b|\banticipate[sd]?\b|\bforecast|\bproject(?:s|ed)?\b|\bwill be\b|\bwould represent\b|\bat the midpoint\b", re.I)
_TARGET = re.compile(r"target(?:ed)? (?:financial )?(?:operating )?model|long[- ]term target|target range|\btargets?\b", re.I)
_NON_GAAP = re.compile(r"non[- ]GAAP\s+(?:\w+\s+){0,2}$", re.I)
_GAAP = re.compile(r"(?<!non-)(?<!non )\bGAAP\s+(?:\w+\s+){0,2}$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


@dataclass(frozen=True)
class _Number:
    start: int
    end: int
    unit: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class _Metric:
    metric: str
    start: int
    end: int


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _scaled(text: str, scale: str | None) -> Decimal:
    value = _dec(text)
    return value * _SCALE[scale.lower()] if scale else value


def _canonical(d: Decimal | None) -> Decimal | None:
    if d is None:
        return None
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral() else d


def sentences(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        # "$264.7 million." ends a sentence; "U.S. customers" does not.
        if re.search(r"\b[A-Z]\.$|\b(?:Mr|Ms|Mrs|Dr|Inc|Co|vs)\.$", text[at:m.start()]):
            continue
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _numbers(s: str) -> list[_Number]:
    found: list[_Number] = []
    taken: list[tuple[int, int]] = []

    def add(n: _Number) -> None:
        if any(a < n.end and n.start < b for a, b in taken):
            return
        taken.append((n.start, n.end))
        found.append(n)

    for m in MONEY_RANGE.finditer(s):
        s2 = m["s2"] or m["s1"]
        s1 = m["s1"] or m["s2"]
        add(_Number(m.start(), m.end(), "USD", low=_scaled(m["lo"], s1), high=_scaled(m["hi"], s2)))
    for m in MONEY.finditer(s):
        if m["c"]:
            add(_Number(m.start(), m.end(), "USD", value=Decimal(m["c"]) / 100))
        else:
            add(_Number(m.start(), m.end(), "USD", value=_scaled(m["v"], m["s"])))
    for m in BPS_RANGE.finditer(s):
        add(_Number(m.start(), m.end(), "BasisPoints", low=_dec(m["lo"]), high=_dec(m["hi"])))
    for m in BPS.finditer(s):
        add(_Number(m.start(), m.end(), "BasisPoints", value=_dec(m["v"])))
    for m in PERCENT_RANGE.finditer(s):
        add(_Number(m.start(), m.end(), "Percent", low=_dec(m["lo"]), high=_dec(m["hi"])))
    for m in PERCENT.finditer(s):
        add(_Number(m.start(), m.end(), "Percent", value=_dec(m["v"])))
    for m in DAYS.finditer(s):
        add(_Number(m.start(), m.end(), "Days", value=_dec(m["v"])))
    for m in COUNT_NEW.finditer(s):
        add(_Number(m.start("v"), m.end("v"), "Count", value=_dec(m["v"])))
    for m in COUNT_TOTAL.finditer(s):
        group = "v" if m["v"] else "w"
        add(_Number(m.start(group), m.end(), "Total", value=_dec(m[group])))
    for m in PLAIN.finditer(s):
        v = _dec(m["v"])
        if Decimal(1900) <= v <= Decimal(2100) and "." not in m["v"]:
            continue  # a year
        add(_Number(m.start(), m.end(), "Plain", value=v))
    found.sort(key=lambda n: n.start)
    return found


def _metrics(s: str) -> list[_Metric]:
    found: list[_Metric] = []
    for metric, rx in _METRIC_RX:
        for m in rx.finditer(s):
            if any(f.start < m.end() and m.start() < f.end for f in found):
                continue
            found.append(_Metric(metric, m.start(), m.end()))
    found.sort(key=lambda m: m.start)
    return found


def _bind(number: _Number, metrics: list[_Metric], s: str, is_change: bool) -> _Metric | None:
    """The metric a number is about: the nearest before it, unless one follows right after."""
    after = [m for m in metrics if m.start >= number.end and m.start - number.end <= 30]
    if after and re.fullmatch(r"\s*(?:in|of|for|on)\s+(?:our\s+|the\s+|new\s+)?(?:[\w-]+\s+)?", s[number.end:after[0].start], re.I):
        return after[0]
    if after and is_change and number.unit == "Percent" and re.fullmatch(r"\s*(?:[\w-]+\s+){0,2}", s[number.end:after[0].start]):
        return after[0]  # "10% sequential quarterly revenue growth"
    if number.unit == "Count":
        return next((m for m in metrics if m.metric == "NewCustomers" and m.start >= number.end and m.start - number.end < 20), None)
    before = [m for m in metrics if m.end <= number.start]
    if not before or _CLAUSE_BREAK.search(s[before[-1].end:number.start]):
        return None
    if number.start - before[-1].end <= 90 or is_change:
        return before[-1]
    return None


def _fits(metric: str, unit: str, is_change: bool) -> str | None:
    """The unit a figure of `metric` takes, or None when a number of this kind cannot measure it."""
    if metric in USD_METRICS:
        if unit == "USD":
            return "USD"
        return "Percent" if unit == "Percent" and is_change else None
    if metric == "GrossMargin":
        if unit == "Percent":
            return "Percent"
        return "BasisPoints" if unit == "BasisPoints" else None
    if metric == "DaysSalesOutstanding":
        return "Days" if unit in ("Days", "Plain") else None
    if metric == "InventoryTurns":
        return "Ratio" if unit in ("Plain", "Percent") and not is_change else None
    if metric == "NewCustomers":
        return "Count" if unit == "Count" else None
    if metric == "CustomerCount":
        return "Count" if unit == "Total" else None
    return None


def _near_target(s: str, number: _Number) -> bool:
    """A target cue in the number's own clause: "target financial model of 100 to 200 basis points"."""
    before = s[max(0, number.start - 60):number.start]
    after = s[number.end:number.end + 20]
    if _TARGET.search(after):
        return True
    m = None
    for m in _TARGET.finditer(before):
        pass
    return m is not None and not re.search(r"[,;]\s*(?:with|and|while|but)\b|[.;]", before[m.end():])


def _change(s: str, number: _Number, following: _Number | None) -> Change | None:
    tail = s[number.end:number.end + 60]
    # "an increase of $29 million or 11% sequentially": the cue after the second covers both.
    if following is not None and re.fullmatch(r"\s*,?\s*or\s*", s[number.end:following.start]):
        tail = s[following.end:following.end + 60]
    if _SEQ.search(tail):
        return Change.SEQUENTIAL
    if _YOY.search(tail):
        return Change.YEAR_OVER_YEAR
    return None


def _period_for(number: _Number, periods: list[PeriodMention], s_start: int, others: list[_Number]) -> PeriodMention | None:
    """The period a number is for: the nearest phrase before it in the sentence, else right after.

    `periods` leaves out comparison bases ("from the third quarter").
    """
    before = [p for p in periods if p.end - s_start <= number.start]
    after = [p for p in periods if p.start - s_start >= number.end and p.start - s_start - number.end <= 60]
    if after and any(number.end <= n.start and n.end <= after[0].start - s_start for n in others):
        after = []
    if after and before:
        # "… 2025 …, with $7 million of buybacks completed in the quarter": the closer clause wins.
        gap_after = after[0].start - s_start - number.end
        gap_before = number.start - (before[-1].end - s_start)
        if gap_after < gap_before:
            return after[0]
    if before:
        return before[-1]
    return after[0] if after else None


def extract_figures(turn: Turn, context: FiscalPeriod, all_non_gaap: bool, speaker: str | None) -> list[Figure]:
    """Every figure in one turn of the company's people (or a note's body)."""
    figures: list[Figure] = []
    offsets = turn.paragraph_offsets()
    last_metric: str | None = None
    for index, para in enumerate(turn.paragraphs):
        text = para.text
        periods = find_periods(text, context)
        # "from the third quarter" names the base of a comparison, never the period of a figure.
        own_periods = [p for p in periods if not _FROM_BEFORE.search(text[max(0, p.start - 25):p.start])]
        carried_period: PeriodMention | None = None
        for s_start, s_end in sentences(text):
            s = text[s_start:s_end]
            metrics = _metrics(s)
            numbers = _numbers(s)
            s_periods = [p for p in periods if s_start <= p.start < s_end]
            guidance_cue = _GUIDANCE.search(s) is not None
            sentence_change: Change | None = None
            target_cue = _TARGET.search(s) is not None
            for i, number in enumerate(numbers):
                following = numbers[i + 1] if i + 1 < len(numbers) else None
                change = _change(s, number, following)
                before_text = s[max(0, number.start - 30):number.start]
                is_change = change is not None or _CHANGE_BEFORE.search(before_text) is not None
                bound = _bind(number, metrics, s, is_change) if number.unit != "Total" else None
                metric = bound.metric if bound else ("CustomerCount" if number.unit == "Total" else None)
                if _PER_AFTER.search(s[number.end:number.end + 60]):
                    continue  # "$10 to $50 of incremental revenue per month per subscriber"
                if metric is None and last_metric and not any(m.end <= number.start for m in metrics) and (
                        is_change and number.unit != "Count" or number.unit == "BasisPoints"):
                    metric = last_metric  # "Up 7% sequentially": the metric of the sentence before
                if metric is None:
                    continue
                if _PRICE_BEFORE.search(before_text) and metric != "EarningsPerShare":
                    continue  # "at an average price of $35"
                base_period = None
                if _FROM_BEFORE.search(before_text) and not is_change and number.value is not None:
                    # "3.4, up from 3.6% in the first quarter": the base is the earlier period's figure.
                    if not re.search(r"\b(?:up|down|increase[sd]?|decrease[sd]?|rose|fell)\s+from\s+$", before_text, re.I):
                        continue
                    following = [p for p in s_periods if 0 <= p.start - s_start - number.end <= 25]
                    base_period = following[0].period if following else context.previous_quarter()
                inherits = is_change or (metric in USD_METRICS and re.search(r"\b(?:was|were|is)\s+$", before_text))
                if change is None and inherits and sentence_change is not None and number.unit == "Percent":
                    change = sentence_change  # "rose 10% sequentially ... and current RPO increased 10%"
                if change is None and is_change:
                    change = Change.YEAR_OVER_YEAR if _YOY.search(s[number.end:number.end + 80]) else change
                if change is None and is_change and number.unit in ("USD", "Days") and context.quarter:
                    change = Change.SEQUENTIAL  # "deposits decreased by $3 million": against last quarter
                if change is None and number.unit == "Percent" and metric in USD_METRICS and _GROWTH_AFTER.search(s[number.end:number.end + 40]):
                    change = Change.SEQUENTIAL if re.search(r"sequential", s[number.end:number.end + 40], re.I) else Change.YEAR_OVER_YEAR
                if change is None and bound is not None and number.unit == "Percent" and metric in USD_METRICS and \
                        re.match(r"\s+growth\b", s[bound.end:bound.end + 10], re.I):
                    change = Change.SEQUENTIAL if re.search(r"sequential", s, re.I) else Change.YEAR_OVER_YEAR
                if change is None and number.unit == "BasisPoints" and metric == "GrossMargin":
                    change = Change.SEQUENTIAL if re.search(r"sequential|prior quarter|previous quarter", s, re.I) else Change.YEAR_OVER_YEAR
                unit = _fits(metric, number.unit, change is not None)
                if unit is None:
                    continue
                if metric in USD_METRICS and unit == "Percent" and change is None:
                    continue
                value, low, high = number.value, number.low, number.high
                if value is not None and change is not None and _DOWN_BEFORE.search(before_text):
                    value = -value
                if value is not None and metric == "NetIncome" and re.search(r"net loss", s[bound.start:bound.end] if bound else "", re.I):
                    value = -value

                kind = Kind.TARGET if target_cue and _near_target(s, number) else None
                period_mention = _period_for(number, [p for p in own_periods if s_start <= p.start < s_end], s_start, numbers)
                if period_mention is None and (guidance_cue or kind) and carried_period is not None:
                    period_mention = carried_period
                if period_mention is not None:
                    period = period_mention.period
                    if period.quarter is None and not (guidance_cue or kind) and context.quarter:
                        period = context  # "We closed 2023 ... revenue of $264.7 million": the quarter
                else:
                    period = context.next_quarter() if guidance_cue and kind is None else context
                if base_period is not None:
                    kind, period = Kind.REPORTED, base_period
                if kind is None and change is not None and period_mention is None:
                    kind, period = (Kind.GUIDANCE, context.next_quarter()) if re.search(
                        r"would represent|at the midpoint", s, re.I) else (Kind.REPORTED, context)
                if kind is None:
                    if period > context or (period.quarter is None and period.year > context.year):
                        kind = Kind.GUIDANCE
                    elif guidance_cue and period_mention is None and re.search(r"guidance|outlook|guided", s, re.I):
                        kind, period = Kind.GUIDANCE, context.next_quarter()
                    else:
                        kind = Kind.REPORTED

                basis = None
                if bound is not None:
                    lead = s[max(0, bound.start - 20):bound.start]
                    if _NON_GAAP.search(lead):
                        basis = Basis.NON_GAAP
                    elif _GAAP.search(lead):
                        basis = Basis.GAAP
                if basis is None and all_non_gaap and metric not in NOT_FINANCIAL:
                    basis = Basis.NON_GAAP

                q_start = min(number.start, bound.start) if bound else number.start
                q_end = max(number.end, bound.end) if bound else number.end
                if change is not None:
                    cue = _SEQ.search(s[number.end:]) or _YOY.search(s[number.end:])
                    if cue and cue.end() < 40:
                        q_end = max(q_end, number.end + cue.end())
                start = offsets[index] + s_start + q_start
                end = offsets[index] + s_start + q_end
                if change is not None:
                    sentence_change = change
                figures.append(Figure(
                    metric=metric, unit=unit, period=period, kind=kind,
                    span=Span(turn.order, start, end, turn.text[start:end], index + 1),
                    value=_canonical(value), low=_canonical(low), high=_canonical(high),
                    basis=basis, change=change, speaker=speaker,
                ))
            if metrics:
                last_metric = metrics[-1].metric
            if s_periods:
                own = [p for p in own_periods if s_start <= p.start < s_end]
                carried_period = own[-1] if own else carried_period
    return figures


def unique(figures: list[Figure]) -> list[Figure]:
    """One figure per fact: the same value for the same metric, period and kind is said once."""
    seen: set[tuple] = set()
    result = []
    for f in figures:
        key = (f.metric, f.period, f.kind, f.basis, f.change, f.value, f.low, f.high, f.unit)
        if key in seen:
            continue
        seen.add(key)
        result.append(f)
    return result
