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
from typing import Iterator

from .layouts import Block
from .names import first_last, looks_like_person_name, name_tokens

ANONYMOUS = re.compile(r"^(?:speaker|spk|unknown speaker|participant)\s*\d*$", re.I)
# A word of a name: a capital, then small letters, accented ones included ("Renée Müller").
_UP, _LOW = "A-Z\u00c0-\u00d6\u00d8-\u00de", "a-z\u00df-\u00f6\u00f8-\u00ff"
_WORD = rf"[{_UP}][{_LOW}'\u2019-]+"
_NAME = rf"{_WORD}(?:\s+[A-Z]\.)?(?:\s+(?:{_WORD}|[{_UP}][{_LOW}]*[{_UP}][{_LOW}]+)){{1,2}}"
_HANDOVER = re.compile(
    rf"(?i:turn (?:the (?:call|conference|floor|presentation) |it |things )?(?:back )?over to|hand (?:the call |it )?over to|"
    rf"introduce(?: you to)?|pass (?:the call |it )?(?:over )?to|host(?:ed)? by|now like to turn .{{0,20}}? to)\s+"
    rf"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?(?:our\s+(?:[\w-]+\s+){{0,6}}?)?(?P<name>{_NAME})(?:,\s+(?P<title>[^.,]{{3,80}}))?"
)
# A word of a firm's name: "J.P." and "B." keep their dots; a full stop after a word ends the name.
_FIRM_WORD = r"(?:[A-Z]\.(?:[A-Z]\.)*|[A-Z&][\w&'-]*(?:\.[A-Z][\w&'-]*)*)"
_QUESTION_FROM = re.compile(
    rf"(?i:question (?:today |this (?:morning|afternoon|evening) )?(?:comes|is coming|will come|is|will be) from|question from|go to|comes from the line of|"
    rf"from the line of|line of)\s+(?P<name>{_NAME}),?\s+(?i:with|from|of|at)\s+(?P<firm>{_FIRM_WORD}(?:\s+(?:(?:of|and|de)\s+)?{_FIRM_WORD}){{0,4}})"
)
_THANKS = re.compile(rf"^(?:(?i:great|okay|ok|well|yes|yeah|all right|uh|um)[,.!]?\s+)*(?i:thanks?(?: you)?(?: very much)?|thank you so much),?\s+(?P<first>{_WORD})\b")
_SELF = re.compile(rf"(?i:\bthis is|\bit's|\bit is|\bmy name is|\bI am|\bI'm)\s+(?P<name>{_NAME}|{_WORD})\b(?![\s,]+(?:with|from)\b.*question)")
_HAND_ON = re.compile(rf"(?P<first>{_WORD})\s*\?\s*$")
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
                       rf",?\s+(?P<first>{_WORD})\b")
_VOCATIVE = re.compile(rf"(?:^|(?<=[.?!,]\s))(?:(?i:uh|um|so|and|hi|hey|okay|yeah),?\s+)*(?P<first>{_WORD}),\s")
_NOT_NAMES = set("""January February March April May June July August September October November December Monday Tuesday
Wednesday Thursday Friday Saturday Sunday Thanksgiving Christmas""".split()) | {"Operator", "Good", "Thank", "Thanks", "Okay", "Yes", "Sure", "Great", "Well", "So", "And", "Hi", "Hello",
              "Everyone", "Everybody", "All", "Again", "Ladies", "Gentlemen", "Sir", "Madam", "Question", "Morning"}


_HANDOVER_TITLE = re.compile(r"(?i)\b(?:chief|president|ceo|cfo|officer|director|head|vice|investor|chair\w*)\b")
# Where a title printed in a sentence ends: at the next person it lists ("president and chief
# executive officer and Dale Hart, chief financial officer"), or at what they are to do ("Head
# of Investor Relations to make some opening remarks").
_TITLE_END = re.compile(rf",?\s+and\s+(?P<name>{_NAME})|\s+to\s+(?:make|give|provide|begin|start|discuss|walk|review|"
                        rf"share|present|introduce|open|kick|take|talk|add|say|go)\b")
# Words a title starts with, and a name does not: "and Interim Chief Financial Officer" goes on
# with the title; "and Ryan Head, CFO" is the next person.
_TITLE_WORDS = re.compile(r"(?i)\b(?:chief|president|vice|senior|executive|head|director|managing|general|chair\w*|group|"
                          r"corporate|global|investor|treasurer|controller|principal|co|interim|acting|deputy|assistant|"
                          r"lead|associate|independent|officer|counsel|secretary|founder|co-founder|partner|relations|"
                          r"finance|financial|operating|member|board|manager|advisor|adviser)\b")


def _titled_names(text: str) -> Iterator[re.Match]:
    """Each "Name, title" and "our title, Name" of the text. A title can run over the next person
    of a list ("Ada Brook, president and CEO and Carl Dunn, CFO"), so the search goes on from
    the end of each name, not of each title."""
    for rx, after in ((_NAME_TITLE, "name"), (_TITLE_NAME, "title")):
        at = 0
        while m := rx.search(text, at):
            yield m
            at = m.end(after)


def _clean_title(title: str) -> str:
    title = re.sub(r"^.*\b(?i:over\s+to)\s+", "", title)  # "turn the call over to CEO, Steve ...": "CEO"
    for m in _TITLE_END.finditer(title):
        if m["name"] is None or (looks_like_person_name(m["name"]) and not _TITLE_WORDS.match(m["name"])):
            return title[:m.start()].strip()
    return title.strip()


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

    presenters = _presenters(blocks, operator)
    for i, b in enumerate(blocks):
        text = " ".join(p.text for p in b.paragraphs)
        nxt = next((x.speaker for x in blocks[i + 1:] if x.speaker != b.speaker), None)
        prev = next((x.speaker for x in reversed(blocks[:i]) if x.speaker != b.speaker), None)
        for m in _QUESTION_FROM.finditer(text):
            if looks_like_person_name(m["name"]):
                full_names.add(m["name"])
                vote(_questioner(blocks, i, operator, presenters) or nxt, m["name"], 3)
                titles.setdefault(m["name"], f"Analyst, {m['firm'].strip()}")
        for m in _HANDOVER.finditer(text):
            name = m["name"]
            if looks_like_person_name(name) and name.split()[0] not in _NOT_NAMES:
                full_names.add(name)
                if m.end() > len(text) - 200:  # a handover at the end of a turn names who speaks next
                    vote(nxt, name, 3)
                if m["title"] and _HANDOVER_TITLE.search(m["title"]):
                    titles.setdefault(name, _clean_title(m["title"]))
        for m in _titled_names(text):
            if looks_like_person_name(m["name"]) and m["name"].split()[0] not in _NOT_NAMES:
                full_names.add(m["name"])
                titles.setdefault(m["name"], _clean_title(m["title"]))
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


_QA_CUE = re.compile(r"question[- ]and[- ]answer|\bQ&A\b|\bfirst question\b|open (?:up )?the (?:call|lines?|floor)", re.I)


def _presenters(blocks: list[Block], operator: str | None) -> set[str]:
    """The labels that spoke before questions were first called for: the company's people. A cue
    such as "first question" counts when the operator says it, once someone else has spoken (the
    opening often says there will be a question-and-answer session)."""
    spoke = next((i for i, b in enumerate(blocks) if b.speaker and b.speaker != operator), len(blocks))
    first = next((i for i, b in enumerate(blocks)
                  if any(_QUESTION_FROM.search(p.text) or i > spoke and b.speaker == operator and _QA_CUE.search(p.text)
                         for p in b.paragraphs)), len(blocks))
    return {b.speaker for b in blocks[:first] if b.speaker and b.speaker != operator}


def _questioner(blocks: list[Block], i: int, operator: str | None, presenters: set[str]) -> str | None:
    """The label of the analyst that block `i` introduces: the first voice after it that did not
    present, before the operator speaks again. An executive often greets the analyst first ("Good
    morning, Dana"), and the next label is then his, not the analyst's; None if no voice is new."""
    for b in blocks[i + 1:]:
        if b.speaker == operator or b.speaker == blocks[i].speaker:
            return None
        if b.speaker and b.speaker not in presenters:
            return b.speaker
    return None


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
