"""Speaker blocks to a `Call`: roles, sections, the operator's introductions and the exchanges.

The same rules serve every layout, since what a block means does not depend on how the
file wrote it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .decode import Source
from .errors import IncompleteDocument
from .layouts import Block
from .model import Call, Exchange, FiscalPeriod, Introduction, Participant, Role, Section, Turn
from .names import first_last, looks_like_person_name, name_tokens, same_person
from .periods import find_call_period

_ANALYST_TITLE = re.compile(r"\banalyst\b|\bresearch\b|\bequity\b|\bstrategist\b", re.I)
_IR_TITLE = re.compile(r"\bIR\b|investor relations|\binvestor\b", re.I)
_UNNAMED_ANALYST = re.compile(r"unidentified (?:analyst|participant)", re.I)  # a questioner the transcript could not name

_NAME = r"[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){0,3}"
# "George Notter, Jefferies." as a whole paragraph.
_INTRO_BARE = re.compile(rf"^(?:\(Operator Instructions\)\s*)?(?P<name>{_NAME}),\s+(?P<firm>[^,.]+(?:\.[A-Z][^,.]*)*)\.?$")
# "...from the line of George Notter with Jefferies." / "...comes from Elyse Greenspan with Wells Fargo."
_INTRO_LINE = re.compile(
    rf"(?i:line of|comes? from|is from|from)\s+(?P<name>{_NAME}),?\s+(?i:with|of|from|at)\s+"
    rf"(?P<firm>.+?)(?:(?<!\b[A-Z])\.(?=\s|$)|,\s+(?i:please|your line)|\s+(?i:please)\b|\s*$)",
)
_QA_START = re.compile(r"question[- ]and[- ]answer|\bQ&A\b|first question|open (?:up )?the (?:call|line)s? for questions", re.I)
# "This is Joe Cardoso on for Samik": the one speaking, not the one announced, asks.
_STAND_IN = re.compile(rf"\b(?i:this is (?:actually )?)(?P<name>{_NAME})\s+(?i:(?:on\s+)?for)\b")
_NON_GAAP_ALL = re.compile(r"unless otherwise (?:stated|noted)[^.]*non-GAAP|non-GAAP[^.]*unless otherwise (?:stated|noted)", re.I)
_WELCOME_COMPANY = re.compile(
    r"(?i:welcome to|joining|for)\s+(?:the\s+)?(?P<company>[A-Z][\w&.'\u2019-]*(?:\s+[A-Z][\w&.'\u2019-]*){0,4}?)(?:'s|\u2019s)?\s*$"
)


def role_from_title(title: str | None) -> Role | None:
    """The role a printed title gives, or None when it gives none: "Acme Securities" under an
    analyst's name is a firm, not an executive's title; the operator's introductions decide then."""
    if not title:
        return None
    if _IR_TITLE.search(title):
        return Role.INVESTOR_RELATIONS
    if _ANALYST_TITLE.search(title):
        return Role.ANALYST
    return Role.EXECUTIVE if _TITLE_WORD.search(title) or _TITLE_WORD.search(title.title()) else None  # "CHIEF FINANCIAL OFFICER" too


_TITLE_PARTS = re.compile(r"\s+(?:-{1,2}|[\u2013\u2014])\s+|,\s*")


def firm_from_title(title: str | None) -> str | None:
    """The firm an analyst's printed title names: "Acme Securities", "Acme Securities -- Analyst",
    "Analyst, Acme Securities"; None for "Senior Research Analyst" or "Managing Director, Analyst"."""
    if not title:
        return None
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    firms = [p for p in parts if not _ANALYST_TITLE.search(p) and not _TITLE_WORD.search(p) and p[:1].isupper()
             and p not in ("MD", "Partner")]
    return firms[0] if len(firms) == 1 else None


def find_introduction(text: str) -> tuple[str, str] | None:
    """(announced name, firm) if an operator paragraph introduces an analyst."""
    text = text.strip()
    m = _INTRO_BARE.match(text)
    if m and looks_like_person_name(m["name"]):
        return m["name"].strip(), m["firm"].strip()
    m = _INTRO_LINE.search(text)
    if m and looks_like_person_name(m["name"]):
        firm = m["firm"].strip().rstrip(".")
        if firm and len(firm) < 60:
            return m["name"].strip(), firm
    return None


_COMPANY = r"(?P<company>[A-Z][\w&.'\u2019+-]*(?:,?\s+(?:[A-Z][\w&.'\u2019+-]*|&|\+|and|de|of))*?)(?:'s|\u2019s|s')?"
_COMPANY_PATTERNS = [
    # "welcome to the Calix fourth-quarter 2023 earnings conference call", "welcome to Acme Corporation's first quarter"
    re.compile(rf"(?i:welcome(?:\s+everyone)?\s+to|(?:thank\s+you|thanks)\s+for\s+joining(?:\s+us)?(?:\s+(?:for|on|in))?)\s+"
               rf"(?:the\s+|our\s+|today's\s+)?(?i:Q[1-4]\s+\d{{4}}\s+)?{_COMPANY}"
               rf"(?=,?\s+(?i:(?:first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter|Q[1-4]|[1-4]Q\d\d\b|half|fiscal|full[- ]year|"
               rf"earnings|results|financial|quarterly|conference|presentation|\d{{4}}|inc\b|corporation|company))"),
    re.compile(rf"(?i:results (?:teleconference|presentation|conference call|call) (?:for|of))\s+(?:the\s+)?{_COMPANY}(?=[\s.,]|$)"),
    re.compile(rf"(?i:welcome to)\s+(?:the\s+)?{_COMPANY}\s+(?i:conference call|call)"),
    re.compile(rf"(?i:to discuss)\s+{_COMPANY}(?:'s|\u2019s)\s+(?i:results|earnings)"),
    # "joining us for the second quarter 2021 Acme Widgets Inc earnings conference call"
    re.compile(rf"(?i:(?:welcome to|joining us (?:for|on|today for)|thank you for joining(?: us)?(?: for| on)?|thanks for joining"
               rf"(?: us)?(?: for| on)?)\s+the\s+(?:first|second|third|fourth)[\s-]+quarter(?:\s+of)?"
               rf"(?:\s+fiscal)?\s+(?:19|20)\d\d)\s+{_COMPANY}\s+(?i:earnings|results|financial|quarterly|conference)"),
    # "welcome to the second quarter of 2021 earnings call for Acme Widgets"
    re.compile(rf"(?i:(?:welcome|joining)[^.]{{0,60}}?(?:earnings|results)\s+(?:conference\s+)?call\s+(?:for|of))\s+(?:the\s+)?"
               rf"{_COMPANY}(?=\s*(?:[.,;:!?]|$))"),
]
# The operator's welcome: what a recording that opens with hold messages is searched for.
_WELCOME = re.compile(r"\bwelcome\b", re.I)
_ANNOUNCED_WITHIN = 8  # turns: where a call names its company and quarter
_HOLD_TURNS = 60  # hold messages and set-up chatter (each under _HOLD_CHARACTERS) a recording may open with
_HOLD_CHARACTERS = 400
_HALF = re.compile(r"\b(?:first half|first six months|half[- ]year|first semester|H1)\b(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<year>(?:19|20)\d\d))?", re.I)
_BARE_QUARTER = re.compile(r"\b(?P<ord>first|second|third|fourth)[\s-]+quarter\b|\bQ(?P<q>[1-4])\b", re.I)
_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def call_start(blocks: list[Block]) -> int:
    """Where the call begins: 0, unless a recording opens with hold messages and set-up chatter
    ("Conference center, may I have your code?") and the call announces itself only later, as the
    Nth block; those before it are no part of the call."""
    def announces(b: Block, welcome: bool = False) -> bool:
        return any(rx.search(p.text) and (not welcome or _WELCOME.search(p.text))
                   for rx in _COMPANY_PATTERNS for p in b.paragraphs[:6])

    if any(announces(b) for b in blocks[:_ANNOUNCED_WITHIN]):
        return 0
    for i, b in enumerate(blocks[:_HOLD_TURNS]):
        if len(" ".join(p.text for p in b.paragraphs)) >= _HOLD_CHARACTERS:
            return 0  # real remarks before any welcome: the call began at the start
        if announces(b, welcome=True):
            return i
    return 0


def find_company_and_period(turns: list[Turn], path: str) -> tuple[str, FiscalPeriod]:
    """The call announces itself early: "welcome to the Calix fourth-quarter 2023 earnings call"."""
    early = [p.text for t in turns[:_ANNOUNCED_WITHIN] for p in t.paragraphs[:6]]
    company, announcement = None, ""
    for rx in _COMPANY_PATTERNS:
        for text in early:
            m = rx.search(text)
            if m and len(m["company"]) >= 2:
                company, announcement = _clean_company(m["company"]), text
                break
        if company:
            break
    # The paragraph that names the company usually names the period too; it wins over later ones.
    period = _announced_period(announcement, early) if announcement else None
    for text in early if period is None else ():
        found = find_call_period(text)
        if found:
            period = found.period
            break
    if period is None:
        period = _loose_period(early, [p.text for t in turns for p in t.paragraphs])
    if company is None or period is None:
        missing = " and ".join(w for w, v in (("company", company), ("fiscal quarter", period)) if v is None)
        raise IncompleteDocument(f"cannot tell which {missing} this call is about", path)
    return company, period


def _clean_company(name: str) -> str:
    name = re.sub(r"(?:'s|\u2019s)$", "", name.strip(" ,."))
    name = re.sub(r"^(?:the|our)\s+", "", name, flags=re.I)
    return re.sub(r"[,\s]+(?:and|&)$", "", name)


def _announced_period(text: str, early: list[str]) -> FiscalPeriod | None:
    found = find_call_period(text)
    if found is not None:
        return found.period
    if _HALF.search(text) or _BARE_QUARTER.search(text):
        return _loose_period([text], early)
    return None


def _loose_period(early: list[str], everything: list[str]) -> FiscalPeriod | None:
    """A quarter named without its year takes the year the call talks about most."""
    joined = " ".join(early)
    years = _ANY_YEAR.findall(joined) or _ANY_YEAR.findall(" ".join(everything)[:20000])
    year = max(set(years), key=years.count) if years else None
    half = _HALF.search(joined)
    if half:
        return FiscalPeriod(int(half["year"] or year), 2) if (half["year"] or year) else None
    m = _BARE_QUARTER.search(joined)
    if m and year:
        q = {"first": 1, "second": 2, "third": 3, "fourth": 4}[m["ord"].lower()] if m["ord"] else int(m["q"])
        return FiscalPeriod(int(year), q)
    return None


def build_call(blocks: list[Block], source: Source, layout: str) -> Call:
    if not blocks:
        raise IncompleteDocument("no speaker turns found", source.path)
    if all(b.speaker is None for b in blocks):
        raise IncompleteDocument("only the operator speaks; no participants found", source.path)

    # Roles: the title says, else the operator's introductions do, else the person is company staff.
    raw_turns = [
        Turn(order=i + 1, speaker=b.speaker, title=b.title, is_operator=b.speaker is None,
             section=Section.PREPARED_REMARKS, paragraphs=b.paragraphs)
        for i, b in enumerate(blocks)
    ]
    company, period = find_company_and_period(raw_turns, source.path)

    introductions: list[Introduction] = []
    for t in raw_turns:
        if t.is_operator:
            for para in t.paragraphs:
                found = find_introduction(para.text)
                if found:
                    introductions.append(Introduction(t.order, found[0], found[1]))

    raw_turns, stand_ins = _named_stand_ins(raw_turns, introductions)
    participants = _participants(raw_turns, introductions)
    participants = [replace(p, on_behalf_of=stand_ins[p.name]) if p.name in stand_ins else p for p in participants]
    roles = {p.name: p.role for p in participants}
    for p in participants:
        for n in p.names:
            roles[n] = p.role

    qa_start = _qa_start(raw_turns, roles)
    turns = tuple(
        Turn(t.order, t.speaker, t.title, t.is_operator,
             Section.QUESTION_AND_ANSWER if qa_start is not None and t.order >= qa_start else Section.PREPARED_REMARKS,
             t.paragraphs)
        for t in raw_turns
    )
    participants = _assign_firms(turns, participants, introductions)
    exchanges = _exchanges(turns, {n: p for p in participants for n in (p.name, *p.names)})
    all_non_gaap = any(_NON_GAAP_ALL.search(p.text) for t in turns[:8] for p in t.paragraphs)
    return Call(
        source=source.name, sha256=source.sha256, layout=layout, company=company, period=period,
        turns=turns, participants=tuple(participants), exchanges=tuple(exchanges),
        introductions=tuple(introductions), all_non_gaap=all_non_gaap,
    )


_TITLE_WORD = re.compile(
    r"\b(?:Chief|President|CEO|CFO|COO|CTO|Officer|Vice President|VP|Director|Head|Treasurer|Controller|"
    r"Investor Relations|Chairman|Chairwoman|Chair|Founder|Secretary|General Counsel|Executive|Manager|IR|"
    r"SVP|EVP|CAO|CIO|CMO|CRO|Principal)\b"
)
_TITLE_TOKEN = r"(?:[A-Z][\w&'-]*|of|and|&|for)"
_NAME_THEN_TITLE = re.compile(
    rf"(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'\u2019-]+){{1,2}}),\s+(?:our\s+|the\s+)?"
    rf"(?P<title>{_TITLE_TOKEN}(?:,?\s+{_TITLE_TOKEN}){{0,8}})"
)
_TITLE_THEN_NAME = re.compile(
    rf"(?P<title>(?:Chief|President|Vice|Senior|Executive|Director|Head|CEO|CFO|COO|Chairman|Treasurer|General)"
    rf"(?:,?\s+{_TITLE_TOKEN}){{0,8}}),\s+(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){{1,2}})"
)


def infer_titles(turns: list[Turn], names: list[str]) -> dict[str, str]:
    """Titles the text gives people whose headers carry none: "introduce Jim Fanucchi, VP of Investor Relations"."""
    found: dict[str, str] = {}
    first_intro = next((t.order for t in turns if t.is_operator and any(find_introduction(p.text) for p in t.paragraphs)),
                       len(turns) + 1)
    for t in turns:
        if t.order >= first_intro:
            break
        for para in t.paragraphs:
            for rx in (_NAME_THEN_TITLE, _TITLE_THEN_NAME):
                for m in rx.finditer(para.text):
                    title = re.sub(r"(?:,?\s+(?:and|of|for|&))+$", "", m["title"].strip(" ,"))
                    if not _TITLE_WORD.search(title) or len(title) > 80:
                        continue
                    for name in names:
                        if name not in found and same_person(m["name"], name) and len(m["name"].split()) >= 2:
                            found[name] = title
    return found


def _named_stand_ins(turns: list[Turn], intros: list[Introduction]) -> tuple[list[Turn], dict[str, str]]:
    """Turns whose header copies the announced analyst while a colleague says who is speaking.

    The header decides who asked, unless the speaker names themselves outright: after "Samik
    Chatterjee with JPMorgan", a turn headed "Samik Chatterjee" that opens "This is Joe Cardoso on
    for Samik" is Joe Cardoso's, and so are that header's turns up to the next introduction. Only a
    full name renames: "this is Joe on for Samik" says too little to tell this Joe from any other.
    Returns the turns and {stand-in's name: announced name}.
    """
    stand_ins: dict[str, str] = {}
    result = list(turns)
    bounds = [i.turn for i in intros] + [len(turns) + 1]
    for intro, end in zip(intros, bounds[1:]):
        first = next((t for t in result if t.order > intro.turn and not t.is_operator), None)
        if first is None or first.speaker is None or first.order >= end or not same_person(first.speaker, intro.name):
            continue
        m = _STAND_IN.search(first.paragraphs[0].text) if first.paragraphs else None
        if m is None:
            continue
        name = m["name"].strip()
        if len(name_tokens(name)) < 2 or not looks_like_person_name(name) or same_person(name, intro.name):
            continue
        header = first.speaker
        for i, t in enumerate(result):
            if first.order <= t.order < end and t.speaker == header:
                result[i] = replace(t, speaker=name)
        stand_ins[name] = intro.name
    return result, stand_ins


def _participants(turns: list[Turn], intros: list[Introduction]) -> list[Participant]:
    by_key: dict[str, dict] = {}
    order: list[str] = []
    for t in turns:
        if t.is_operator or t.speaker is None:
            continue
        key = first_last(t.speaker).lower()
        if key not in by_key:
            by_key[key] = {"name": t.speaker, "titles": [], "names": []}
            order.append(key)
        entry = by_key[key]
        if t.speaker not in entry["names"]:
            entry["names"].append(t.speaker)
        if t.title and t.title not in entry["titles"]:
            entry["titles"].append(t.title)
    introduced = [i.name for i in intros]
    untitled = [by_key[k]["name"] for k in order if not by_key[k]["titles"]]
    inferred = infer_titles(turns, untitled) if untitled else {}
    # Without titles: who speaks before the first introduction is the company's; who speaks
    # first after an introduction, or was introduced, is an analyst.
    first_intro = min((i.turn for i in intros), default=len(turns) + 1)
    staff = {t.speaker for t in turns if t.order < first_intro and t.speaker}
    after_intro = set()
    for intro in intros:
        nxt = next((t for t in turns if t.order > intro.turn and not t.is_operator), None)
        if nxt is not None and nxt.speaker and nxt.speaker not in staff:
            after_intro.add(nxt.speaker)
    result = []
    for key in order:
        e = by_key[key]
        title = e["titles"][0] if e["titles"] else inferred.get(e["name"])
        role = role_from_title(title)
        if role is None and _UNNAMED_ANALYST.fullmatch(e["name"]):
            role = Role.ANALYST
        if role is None:
            is_analyst = any(same_person(e["name"], n) for n in introduced) or any(n in after_intro for n in e["names"])
            role = Role.ANALYST if is_analyst and not staff & set(e["names"]) else Role.EXECUTIVE
        printed = e["titles"][0] if e["titles"] else None
        firm = firm_from_title(printed) if role == Role.ANALYST else None
        result.append(Participant(name=e["name"], role=role, title=printed, firm=firm, names=tuple(e["names"])))
    return result


def _qa_start(turns: list[Turn], roles: dict[str, Role]) -> int | None:
    """The order of the first turn of the Q&A: the operator's turn that hands over to the first analyst."""
    first_analyst = next((t.order for t in turns if t.speaker and roles.get(t.speaker) == Role.ANALYST), None)
    if first_analyst is None:
        for t in turns:
            if t.is_operator and any(_QA_START.search(p.text) for p in t.paragraphs):
                return t.order
        return None
    start = first_analyst
    for t in reversed(turns[: first_analyst - 1]):
        if t.is_operator:
            start = t.order
            break
        if roles.get(t.speaker or "") != Role.ANALYST:
            break
    return start


def _assign_firms(turns: tuple[Turn, ...], participants: list[Participant], intros: list[Introduction]) -> list[Participant]:
    """Each analyst's firm is the one the operator gave in the introduction before they first spoke."""
    firms: dict[str, str] = {}
    analysts = [p for p in participants if p.role == Role.ANALYST]
    for intro in intros:
        # The announced person, if they speak, takes the firm whenever they speak.
        for p in analysts:
            if p.name not in firms and same_person(p.name, intro.name) and " " in p.name:
                firms[p.name] = intro.firm
        # Whoever speaks first after the introduction is from that firm, even a stand-in colleague.
        nxt = next((t for t in turns if t.order > intro.turn and not t.is_operator), None)
        if nxt is not None and nxt.speaker:
            speaker = next((p for p in analysts if nxt.speaker in (p.name, *p.names)), None)
            if speaker is not None and speaker.name not in firms:
                firms[speaker.name] = intro.firm
    return [
        replace(p, firm=firms.get(p.name, p.firm)) if p.role == Role.ANALYST else p
        for p in participants
    ]


def _exchanges(turns: tuple[Turn, ...], people: dict[str, Participant]) -> list[Exchange]:
    """An analyst's questions and the answers that follow, up to the next analyst or introduction."""
    result: list[Exchange] = []
    current: dict | None = None

    def close() -> None:
        if current and current["questions"]:
            result.append(Exchange(current["asked_by"], tuple(current["questions"]), tuple(current["answers"]),
                                   tuple(current["answered_by"])))

    for t in turns:
        if t.section != Section.QUESTION_AND_ANSWER:
            continue
        if t.is_operator:
            if current is not None and any(find_introduction(p.text) or _QA_START.search(p.text) for p in t.paragraphs):
                close()
                current = None
            elif current is not None:
                current["closed"] = True
            continue
        person = people.get(t.speaker or "")
        if person is None:
            continue
        if person.role == Role.ANALYST:
            if current is None or current["asked_by"] != person.name or current.get("closed"):
                close()
                current = {"asked_by": person.name, "questions": [], "answers": [], "answered_by": []}
            current["questions"].append(t.order)
        elif current is not None and not current.get("closed"):
            current["answers"].append(t.order)
            if person.name not in current["answered_by"]:
                current["answered_by"].append(person.name)
    close()
    return result
