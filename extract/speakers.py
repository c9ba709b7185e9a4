"""Names for anonymous speakers (`Speaker 3: ...`), from what the call itself says.

Speech-to-text transcripts label voices, not people. The call names them anyway: the operator
hands over ("I'd like to turn the call over to Alan Schnitzer, chairman and CEO"), introduces
analysts ("our next question comes from Elyse Greenspan with Wells Fargo"), people thank the one
before them ("Thank you, Abbe") and hand on ("Dan?"). Each clue votes for a label; each label takes
the name with most votes, and a name goes to one label only.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .layouts import Block
from .names import first_last, looks_like_person_name, name_tokens

ANONYMOUS = re.compile(r"^(?:speaker|spk|unknown speaker|participant)\s*\d*$", re.I)
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z]\.)?(?:\s+(?:[A-Z][a-z'\u2019-]+|[A-Z][a-z]*[A-Z][a-z]+)){1,2}"
_HANDOVER = re.compile(
    rf"(?i:turn (?:the (?:call|conference|floor|presentation) |it |things )?(?:back )?over to|hand (?:the call |it )?over to|"
    rf"introduce(?: you to)?|pass (?:the call |it )?(?:over )?to|host(?:ed)? by|now like to turn .{{0,20}}? to)\s+"
    rf"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?(?:our\s+(?:[\w-]+\s+){{0,6}}?)?(?P<name>{_NAME})(?:,\s+(?P<title>[^.,]{{3,80}}))?"
)
_QUESTION_FROM = re.compile(
    rf"(?i:question (?:comes|is coming|will come|is|will be) from|question from|go to|comes from the line of|"
    rf"from the line of|line of)\s+(?P<name>{_NAME}),?\s+(?i:with|from|of|at)\s+(?P<firm>[A-Z][\w&.'-]*(?:\s+[A-Z&][\w&.'-]*){{0,4}})"
)
_THANKS = re.compile(rf"^(?:(?i:great|okay|ok|well|yes|yeah|all right|uh|um)[,.!]?\s+)*(?i:thanks?(?: you)?(?: very much)?|thank you so much),?\s+(?P<first>[A-Z][a-z'\u2019-]+)\b")
_SELF = re.compile(rf"(?i:\bthis is|\bit's|\bit is|\bmy name is|\bI am|\bI'm)\s+(?P<name>{_NAME}|[A-Z][a-z'\u2019-]+)\b(?![\s,]+(?:with|from)\b.*question)")
_HAND_ON = re.compile(rf"(?P<first>[A-Z][a-z'\u2019-]+)\s*\?\s*$")
_OPERATOR_CUES = re.compile(
    r"press(?:ing)? (?:star|the star|\*)|question[- ]and[- ]answer session|(?:first|next) question (?:comes|is) from|"
    r"conference (?:is being|call is being) recorded|listen[- ]only mode|conference specialist|your (?:host|speakers?) for today",
    re.I,
)
_TITLE = r"(?i:chief|president|ceo|cfo|coo|vice|senior vice|executive vice|head|director|chairman|treasurer|general counsel)"
_NAME_TITLE = re.compile(rf"(?P<name>{_NAME}),\s+(?:(?i:our|the)\s+)?(?P<title>{_TITLE}[^.,;]{{0,60}})")
_TITLE_NAME = re.compile(rf"(?i:\bour|\bthe)\s+(?P<title>(?:[\w&-]+\s+){{0,5}}?{_TITLE}[\w\s&-]{{0,40}}?),\s+(?P<name>{_NAME})")
_GREETING = re.compile(r"^(?:(?i:uh|um|yeah|yep|yes|sure|okay|great|well|thanks|thank you)[,.!]?\s+)*(?i:good (?:morning|afternoon|evening)|hi|hey|hello|"
                       r"thanks? (?:you )?for (?:the|your|those|that) questions?|thank you for the question)"
                       r",?\s+(?P<first>[A-Z][a-z'\u2019-]+)\b")
_VOCATIVE = re.compile(r"(?:^|(?<=[.?!,]\s))(?:(?i:uh|um|so|and|hi|hey|okay|yeah),?\s+)*(?P<first>[A-Z][a-z'\u2019-]+),\s")
_NOT_NAMES = set("""January February March April May June July August September October November December Monday Tuesday
Wednesday Thursday Friday Saturday Sunday Thanksgiving Christmas""".split()) | {"Operator", "Good", "Thank", "Thanks", "Okay", "Yes", "Sure", "Great", "Well", "So", "And", "Hi", "Hello",
              "Everyone", "Everybody", "All", "Again", "Ladies", "Gentlemen", "Sir", "Madam", "Question", "Morning"}


def is_anonymous(blocks: list[Block]) -> bool:
    labels = [b.speaker for b in blocks if b.speaker]
    return bool(labels) and sum(1 for s in labels if ANONYMOUS.match(s)) >= 0.8 * len(labels)


def name_speakers(blocks: list[Block]) -> list[Block]:
    """The blocks with each anonymous label replaced by a name (or `None` for the operator)."""
    operator = _operator_label(blocks)
    votes: dict[str, Counter] = defaultdict(Counter)
    titles: dict[str, str] = {}
    full_names: set[str] = set()

    def vote(label: str | None, name: str, weight: int = 1) -> None:
        if label and label != operator and name.split()[0] not in _NOT_NAMES:
            votes[label][name] += weight

    for i, b in enumerate(blocks):
        text = " ".join(p.text for p in b.paragraphs)
        nxt = next((x.speaker for x in blocks[i + 1:] if x.speaker != b.speaker), None)
        prev = next((x.speaker for x in reversed(blocks[:i]) if x.speaker != b.speaker), None)
        for m in _QUESTION_FROM.finditer(text):
            if looks_like_person_name(m["name"]):
                full_names.add(m["name"])
                vote(nxt, m["name"], 3)
                titles.setdefault(m["name"], f"Analyst, {m['firm'].strip()}")
        for m in _HANDOVER.finditer(text):
            name = m["name"]
            if looks_like_person_name(name) and name.split()[0] not in _NOT_NAMES:
                full_names.add(name)
                if m.end() > len(text) - 200:  # a handover at the end of a turn names who speaks next
                    vote(nxt, name, 3)
                if m["title"] and any(w in m["title"].lower() for w in ("chief", "president", "ceo", "cfo", "officer",
                                                                         "director", "head", "vice", "investor", "chair")):
                    titles.setdefault(name, m["title"].strip())
        for rx in (_NAME_TITLE, _TITLE_NAME):
            for m in rx.finditer(text):
                if looks_like_person_name(m["name"]) and m["name"].split()[0] not in _NOT_NAMES:
                    full_names.add(m["name"])
                    titles.setdefault(m["name"], m["title"].strip())
        first = b.paragraphs[0].text if b.paragraphs else ""
        m = _THANKS.match(first)
        if m and prev:
            vote(prev, m["first"], 1)
        m = _GREETING.match(first)
        if m and prev:
            vote(prev, m["first"], 1)
        firsts = {name_tokens(f)[0] for f in full_names}
        for m in _VOCATIVE.finditer(first[:160]):
            if m["first"] in firsts and nxt:
                vote(nxt, m["first"], 1)  # "Steve, I appreciate ...": Steve answers next
                break
        m = _SELF.search(first[:120])
        if m and not _QUESTION_FROM.search(first[:200]):
            vote(b.speaker, m["name"], 2)
        m = _HAND_ON.search(text[-40:])
        if m and nxt and m["first"] not in _NOT_NAMES:
            vote(nxt, m["first"], 1)

    # Every "First Last" the call writes can complete a first name it also uses alone.
    everything = " ".join(p.text for b in blocks for p in b.paragraphs)
    for m in re.finditer(rf"\b{_NAME}\b", everything):
        if looks_like_person_name(m.group(0)) and m.group(0).split()[0] not in _NOT_NAMES:
            full_names.add(m.group(0))
    names = _assign(votes, full_names)
    result = []
    for b in blocks:
        if b.speaker == operator or b.speaker is None:
            result.append(Block(None, None, b.paragraphs))
            continue
        name = names.get(b.speaker or "")
        result.append(Block(name or b.speaker, titles.get(name or "", None) if name else None, b.paragraphs))
    return result


def _operator_label(blocks: list[Block]) -> str | None:
    cues = Counter(b.speaker for b in blocks if b.speaker and any(_OPERATOR_CUES.search(p.text) for p in b.paragraphs))
    return cues.most_common(1)[0][0] if cues else None


def _assign(votes: dict[str, Counter], full_names: set[str]) -> dict[str, str]:
    """Each label its best-voted name, first names completed from the call's full names."""
    def complete(name: str) -> str:
        if len(name_tokens(name)) >= 2:
            return first_last(name)
        matches = Counter(first_last(f) for f in full_names if name_tokens(f)[0] == name)
        if len(matches) == 1:
            return next(iter(matches))
        return name

    scored: list[tuple[int, str, str]] = []
    for label, counter in votes.items():
        merged: Counter = Counter()
        fulls = [n for n in counter if len(name_tokens(n)) >= 2]
        for name, n in counter.items():
            # "Alan" voted for a label that is also voted "Alan Schnitzer" is Alan Schnitzer.
            own = [f for f in fulls if len(name_tokens(name)) == 1 and name_tokens(f)[0] == name]
            merged[first_last(own[0]) if len(own) == 1 else complete(name)] += n
        for name, n in merged.items():
            scored.append((n, label, name))
    taken: dict[str, str] = {}
    used: set[str] = set()
    for n, label, name in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if label in taken or name in used:
            continue
        taken[label] = name
        used.add(name)
    return taken
