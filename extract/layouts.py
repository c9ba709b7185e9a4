"""Layouts: how a file's lines become speaker blocks.

Each reader turns text into a list of `Block`s (speaker header as printed, paragraphs) and
nothing more, a header with no words after it included (`read` skips it and says so); what a block means (role, section, exchange) is decided in `calls`, the same
way for every layout. `detect` picks the reader, and says plainly when none fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UnknownLayout
from .model import Paragraph
from .names import looks_like_person_name

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# "Jim Fanucchi - VP, IR": a name, a spaced dash, a title.
HEADER = re.compile(r"^(?P<name>[^\s].{0,80}?)\s+[-\u2013\u2014]{1,2}\s+(?P<title>\S.{0,150})$")
OPERATOR = re.compile(r"^(?:the\s+)?(?:operator|moderator|conference operator|coordinator)$", re.I)


@dataclass(frozen=True)
class Block:
    speaker: str | None  # None for the operator
    title: str | None
    paragraphs: tuple[Paragraph, ...]


def has_cjk(line: str) -> bool:
    return _CJK.search(line) is not None


_LETTER = re.compile(r"[^\W\d_]")  # letters (and signs such as ½), counted in C rather than in a Python loop


def cjk_share(line: str) -> float:
    letters = len(_LETTER.findall(line))
    return len(_CJK.findall(line)) / letters if letters else 0.0


def split_header(line: str) -> tuple[str | None, str | None] | None:
    """(name, title) if the line is a speaker header; (None, None) for the operator."""
    line = line.strip()
    if OPERATOR.match(line):
        return None, None
    m = HEADER.match(line)
    if not m or len(line) > 200 or line.endswith((".", "?", "!")) and len(line) > 60:
        return None
    name = m["name"].strip()
    words = name.split()
    if not 1 <= len(words) <= 6 or any(c.isdigit() for c in name) or not name[0].isupper():
        return None
    return name, m["title"].strip()


def read_bilingual(lines: list[str], path: str) -> list[Block]:
    """The bilingual layout: doubled headers, each English paragraph followed by its translation."""
    blocks: list[Block] = []
    speaker: tuple[str | None, str | None] | None = None
    paragraphs: list[Paragraph] = []
    i = 0
    # A first line wholly in Chinese is the machine-translation notice.
    if lines and cjk_share(lines[0]) > 0.5:
        i = 1
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        header = split_header(line) if nxt == line and not has_cjk(line) else None
        if header is not None:
            if speaker is not None:
                blocks.append(Block(speaker[0], speaker[1], tuple(paragraphs)))
            speaker, paragraphs = header, []
            i += 2
            continue
        if cjk_share(line) > 0.3:
            # A translation with no English before it: keep it with the previous paragraph.
            if paragraphs and paragraphs[-1].translation is not None:
                last = paragraphs[-1]
                paragraphs[-1] = Paragraph(last.text, f"{last.translation} {line}")
            i += 1
            continue
        translation = None
        if nxt is not None and has_cjk(nxt) and cjk_share(nxt) > cjk_share(line):
            translation = nxt
            i += 1
        if speaker is None:
            raise UnknownLayout("text before the first speaker header; is this a bilingual transcript?", path)
        paragraphs.append(Paragraph(line, translation))
        i += 1
    if speaker is not None:
        blocks.append(Block(speaker[0], speaker[1], tuple(paragraphs)))
    return blocks


# "Jim Fanucchi: Thank you, Rob." and "Speaker 3: Thank you."
COLON_LINE = re.compile(r"^(?P<name>[A-Z][\w.'\u2019-]*(?:\s+[\w.'\u2019-]+){0,4}?)\s*:\s+(?P<text>\S.*)$")
SECTION = re.compile(r"^(?P<section>prepared remarks|questions?\s*(?:&|and)\s*answers?|call participants)\s*:?\s*$", re.I)
# "Jim Fanucchi -- Vice President, Investor Relations" in a participants list or as a turn header.
DASHED = re.compile(r"^(?P<name>[^\W\d_][^\n]{1,80}?)\s+(?:--|[\u2013\u2014])\s+(?P<title>\S.{0,150})$")


def _paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """English paragraphs, each with the Chinese line that follows it where the file has one."""
    paragraphs: list[Paragraph] = []
    for line in lines:
        if cjk_share(line) > 0.3 and paragraphs and paragraphs[-1].translation is None:
            paragraphs[-1] = Paragraph(paragraphs[-1].text, line)
        elif cjk_share(line) > 0.3:
            continue
        else:
            paragraphs.append(Paragraph(line))
    return tuple(paragraphs)


def _colon_speakers(lines: list[str]) -> dict[int, tuple[str | None, str | None, str]]:
    """Line index -> (speaker, title, words) for the `Name: text` lines. A name is a person's name
    (every word capitalised), the operator or a placeholder ("Speaker 3"); a one-word name must
    speak twice. So "Looking ahead: ...", "Gross margin: 28.1%" and a lone "Outlook: ..." are words."""
    found: dict[int, tuple[str | None, str | None, str]] = {}
    for i, line in enumerate(lines):
        m = COLON_LINE.match(line.strip())
        if not m:
            continue
        head = _QA_MARK.sub("", m["name"].strip(), count=1)
        if OPERATOR.match(head):
            found[i] = (None, None, m["text"].strip())
        elif (name := _speaker_name(head)) is not None:
            found[i] = (name, None, m["text"].strip())
    counts: dict[str | None, int] = {}
    for name, _, _ in found.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: h for i, h in found.items()
            if h[0] is None or len(h[0].split()) > 1 or counts[h[0]] >= 2 or _PLACEHOLDER.fullmatch(h[0])}


def read_colon(lines: list[str], path: str) -> list[Block]:
    """`Name: text` lines; a line without a name continues the speaker before it."""
    return _blocks_at(lines, _colon_speakers(lines))


def read_sectioned(lines: list[str], path: str) -> list[Block]:
    """`Prepared Remarks:` / `Questions & Answers:` / `Call participants:` with `Name -- Title` headers."""
    titles: dict[str, str] = {}
    body_lines: list[str] = []
    in_participants = False
    for line in lines:
        sec = SECTION.match(line.strip())
        m = DASHED.match(line.strip())
        if sec:
            in_participants = sec["section"].lower().startswith("call participants")
        elif in_participants:
            if m:
                titles[m["name"].strip()] = m["title"].strip()
        else:
            body_lines.append(line)

    def header_of(line: str):
        if OPERATOR.match(line):
            return None, None, ""
        m = DASHED.match(line)
        if m and _is_name(m["name"]):
            return m["name"].strip(), m["title"].strip(), ""
        return (line, titles[line], "") if line in titles else None

    headers = {i: h for i, line in enumerate(body_lines) if (h := header_of(line.strip())) is not None}
    return _blocks_at(body_lines, headers)


# Header lines as transcript services print them, each opening a turn (the words on the same line
# after a colon, or on the lines below):
#   "Jane Roe - Acme Securities", "Jane Roe -- CFO", "Jane Roe — CFO", "Q - Jane Roe", "A - Jim Lee";
#   "Jane Roe, Chief Financial Officer"; "Jane Roe" alone, under a participants list or often enough;
#   "[00:01:23] Jane Roe: text", "00:01:23 Jane Roe", "Jane Roe [00:01:23]: text", "Jane Roe  00:01:23",
#   "Jane Roe, CFO (00:01:23):".
_TS = r"\d{1,2}:\d{2}(?::\d{2})?"
_TIME_FIRST = re.compile(rf"^[\[(]?{_TS}[\])]?\s+(?P<head>[^:]{{1,200}}?)\s*(?::\s*(?P<text>.*))?$")
_TIME_AFTER = re.compile(rf"^(?P<head>[^\[(:]{{1,200}}?)\s*(?:[\[(]{_TS}[\])]|\s{_TS})\s*:?\s*(?P<text>.*)$")
_QA_MARK = re.compile(r"^[QA]\s*[-\u2013\u2014:]\s*(?=[^\W\d_])")
# Speakers with no name of their own.
_PLACEHOLDER = re.compile(r"(?:speaker|participant|caller)\s*\d{1,3}|unidentified (?:analyst|participant|speaker|"
                          r"company representative|corporate participant)|unknown speaker", re.I)
# The first word of a short line that is a sentence, not a name: "Thank You", "Good Morning".
_NOT_A_FIRST_NAME = {"thank", "thanks", "good", "hello", "hi", "yes", "no", "okay", "ok", "great", "sure", "right", "well",
                     "welcome", "next", "our", "the", "and", "so", "now", "ladies", "question", "questions", "answer",
                     "presentation", "operator", "end", "disclaimer", "copyright", "source", "note", "forward"}
# "Company Participants", "Conference Call Participants", "Executives", "Analysts": a list of who is on the call.
_LIST_HEADING = re.compile(r"^(?:(?:company|corporate|conference call|call|executive|analyst)\s+)?"
                           r"(?:participants|executives|analysts)\s*:?$", re.I)
# "Presentation", "Question-and-Answer Session": section headings, no one's words.
_SECTION_HEADING = re.compile(r"^(?:presentation|prepared remarks|(?:question|q)[- ](?:and|&)[- ](?:answer|a)(?: session)?|"
                              r"questions?\s*(?:&|and)\s*answers?(?: session)?|q\s*&\s*a(?: session)?)\s*:?$", re.I)


def _speaker_name(name: str) -> str | None:
    """`name` as a speaker's name (a name in capitals in title case), or None if it is no name."""
    name = name.strip()
    if name.isupper() and len(name) > 3:
        name = name.title()
    if _PLACEHOLDER.fullmatch(name):
        return name
    words = name.split()
    if not words or words[0].lower().strip(".,") in _NOT_A_FIRST_NAME or not looks_like_person_name(name):
        return None
    return name


def speaker_of(head: str) -> tuple[str | None, str | None] | None:
    """(name, title) if `head` names a speaker, (None, None) for the operator, None if it names none:
    "Jane Roe", "Jane Roe, CFO", "Jane Roe - Acme Securities", "Q - Jane Roe"."""
    head = _QA_MARK.sub("", head.strip(), count=1)
    if OPERATOR.match(head):
        return None, None
    m = HEADER.match(head)
    name, title = (m["name"], m["title"]) if m else (head.partition(",")[0], head.partition(",")[2])
    title = title.strip() or None
    if title is not None and (len(title) > 150 or re.search(r"\d", title) or title.endswith((".", "?", "!", ":")) and not title.endswith(
            ("Inc.", "Co.", "Corp.", "Ltd.", "L.P.", "LLC."))):
        return None
    name = _speaker_name(name)
    return (name, title) if name else None


def _headed_line(line: str) -> tuple[tuple[str | None, str | None], str, bool] | None:
    """((name, title), words on the line, whether it is timestamped) if `line` can open a turn."""
    m = _TIME_FIRST.match(line) or _TIME_AFTER.match(line)
    speaker = speaker_of(m["head"]) if m else None
    if speaker is not None:
        return speaker, (m["text"] or "").strip(), True
    if len(line) > 200 or line.endswith((".", "?", "!")) and len(line) > 60:
        return None
    speaker = speaker_of(line)
    return (speaker, "", False) if speaker else None


def _participant_lists(lines: list[str]) -> tuple[dict[str, str | None], set[int]]:
    """The people a participants list names (name -> title) and the lines the lists take up."""
    known: dict[str, str | None] = {}
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        if _LIST_HEADING.match(lines[i].strip()):
            taken.add(i)
            i += 1
            while i < len(lines) and not _LIST_HEADING.match(lines[i].strip()):
                entry = _headed_line(lines[i].strip())
                if entry is None or entry[1] or entry[0][0] is None:
                    break
                known[entry[0][0]] = entry[0][1]
                taken.add(i)
                i += 1
            continue
        i += 1
    return known, taken


def _headers(lines: list[str]) -> tuple[dict[int, tuple[str | None, str | None, str]], set[int]]:
    """Line index -> (speaker, title, words on the line) for the lines that open a turn, and the
    lines of participants lists.

    A header with a one-word name opens a turn only when the name is listed among the participants
    or heads two turns or more ("Outlook - strong" is no speaker); so does a name alone on its line,
    unless three people or more are named that way."""
    known, taken = _participant_lists(lines)
    found: dict[int, tuple[tuple[str | None, str | None], str, bool]] = {}
    for i, line in enumerate(lines):
        if i not in taken and not _SECTION_HEADING.match(line.strip()):
            entry = _headed_line(line.strip())
            if entry is not None:
                found[i] = entry
    heads: dict[str, int] = {}
    for (name, _), _, _ in found.values():
        if name is not None:
            heads[name] = heads.get(name, 0) + 1
    # Names alone on their lines are the file's headers when several people are named so.
    lone = {name for (name, title), text, stamped in found.values()
            if name is not None and len(name.split()) > 1 and title is None and not stamped}
    result: dict[int, tuple[str | None, str | None, str]] = {}
    for i, ((name, title), text, stamped) in found.items():
        if name is None or name in known or _PLACEHOLDER.fullmatch(name) or heads[name] >= 2:
            pass
        elif len(name.split()) == 1 or title is None and not stamped and len(lone) < 3:
            continue
        result[i] = (name, title if title is not None else known.get(name or ""), text)
    return result, taken


def read_headed(lines: list[str], path: str) -> list[Block]:
    """Header lines, each opening a turn, in any of the forms above; a header printed twice in a row
    (as in the bilingual layout) opens one turn. Participants lists and section headings are not
    turns; lines before the first header (a title line) belong to no one."""
    headers, lists = _headers(lines)
    return _blocks_at(lines, headers, skip=lists, doubled=True)


def _blocks_at(lines: list[str], headers: dict[int, tuple[str | None, str | None, str]],
               skip: set[int] = frozenset(), doubled: bool = False) -> list[Block]:
    """Blocks from the lines, each opened by a header (line index -> speaker, title, words on its
    line) and holding the lines after it; `skip` and section headings are no one's words."""
    blocks: list[Block] = []
    current: tuple[str | None, str | None] | None = None
    body: list[str] = []
    for i, line in enumerate(lines):
        if i in headers:
            name, title, text = headers[i]
            if doubled and current is not None and not body and (name, title) == current and not text:
                continue  # the same header again
            if current is not None:
                blocks.append(Block(current[0], current[1], _paragraphs(body)))
            current, body = (name, title), ([text] if text else [])
        elif current is not None and i not in skip and not _SECTION_HEADING.match(line.strip()):
            body.append(line.strip())
    if current is not None:
        blocks.append(Block(current[0], current[1], _paragraphs(body)))
    return blocks


def _is_name(name: str) -> bool:
    name = name.strip()
    if OPERATOR.match(name):
        return True
    words = name.split()
    return 1 <= len(words) <= 6 and name[:1].isupper() and not name.lower().startswith(
        ("note", "source", "disclaimer", "copyright", "date", "time", "forward", "safe harbor", "http"))


READERS = {"colon": read_colon, "timestamped": read_headed, "headed": read_headed, "sectioned": read_sectioned}


def is_bilingual(lines: list[str]) -> bool:
    cjk_lines = sum(1 for line in lines if cjk_share(line) > 0.3)
    doubled = sum(1 for a, b in zip(lines, lines[1:]) if a == b and split_header(a) is not None)
    return cjk_lines >= max(2, len(lines) // 4) and doubled >= 1


def is_note(lines: list[str]) -> bool:
    lowered = [line.strip().lower() for line in lines]
    return any(line in ("overall sentiment", "sentiment") for line in lowered) and any(
        line.startswith("sentiment score") for line in lowered
    )


def detect(text: str, path: str) -> tuple[str, list[str]]:
    """The layout's name and the file's non-blank lines."""
    lines = [line.rstrip() for line in text.split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise UnknownLayout("no text", path)
    if is_note(lines):
        return "note", lines
    if is_bilingual(lines):
        return "bilingual", lines
    english = [line for line in lines if cjk_share(line) <= 0.3]
    if any(SECTION.match(line.strip()) for line in english) and sum(1 for line in english if DASHED.match(line.strip())) >= 2:
        return "sectioned", lines
    colon = len(_colon_speakers(english))
    headers = [i for i in _headers(english)[0] if i == 0 or english[i] != english[i - 1]]  # a doubled header is one
    if len(headers) >= 2 and len(headers) >= colon:
        stamped = sum(1 for line in english if (m := _TIME_FIRST.match(line.strip()) or _TIME_AFTER.match(line.strip()))
                      and speaker_of(m["head"]) is not None)
        return ("timestamped" if stamped >= 2 else "headed"), lines
    if colon >= 2:
        return "colon", lines
    raise UnknownLayout(
        "no speaker lines found in a layout kg reads ('Name - Title' or 'Name, Title' headers, 'Name: text', "
        "timestamped speaker lines such as '[00:01:23] Name:', or a research note); is this a transcript?",
        path,
    )
