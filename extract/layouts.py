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
# "Jim Fanucchi, VP, Investor Relations (00:01:23):" with the words on the same line or the next ones.
TIMESTAMPED = re.compile(
    r"^(?P<name>[^,(\n]{2,80}?)(?:,\s*(?P<title>[^(\n]{1,150}?))?\s*\((?P<ts>\d{1,2}:\d{2}(?::\d{2})?)\)\s*:?\s*(?P<text>.*)$"
)
SECTION = re.compile(r"^(?P<section>prepared remarks|questions?\s*(?:&|and)\s*answers?|call participants)\s*:?\s*$", re.I)
# "Jim Fanucchi -- Vice President, Investor Relations" in a participants list or as a turn header.
DASHED = re.compile(r"^(?P<name>[A-Z][^-\n]{1,80}?)\s+--\s+(?P<title>\S.{0,150})$")


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


def _speaker(name: str, title: str | None) -> tuple[str | None, str | None]:
    return (None, None) if OPERATOR.match(name.strip()) else (name.strip(), (title or "").strip() or None)


def _split_at_headers(lines: list[str], header_of) -> list[Block]:
    """Blocks from lines where `header_of(line)` says (speaker, title, text on the same line) or None."""
    blocks: list[Block] = []
    current: tuple[str | None, str | None] | None = None
    body: list[str] = []
    for line in lines:
        header = header_of(line.strip())
        if header is not None:
            if current is not None:
                blocks.append(Block(current[0], current[1], _paragraphs(body)))
            current, body = header[:2], ([header[2]] if header[2] else [])
        elif current is not None:
            body.append(line.strip())
    if current is not None:
        blocks.append(Block(current[0], current[1], _paragraphs(body)))
    return blocks


def read_colon(lines: list[str], path: str) -> list[Block]:
    """`Name: text` lines; a line without a name continues the speaker before it."""
    def header_of(line: str):
        m = COLON_LINE.match(line)
        return (*_speaker(m["name"], None), m["text"].strip()) if m and _is_name(m["name"]) else None

    return _split_at_headers(lines, header_of)


def read_timestamped(lines: list[str], path: str) -> list[Block]:
    """`Name, Title (00:01:23):` headers, the words on the same line or the lines after."""
    def header_of(line: str):
        m = TIMESTAMPED.match(line)
        return (*_speaker(m["name"], m["title"]), m["text"].strip()) if m and _is_name(m["name"]) else None

    return _split_at_headers(lines, header_of)


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

    return _split_at_headers(body_lines, header_of)


def _is_name(name: str) -> bool:
    name = name.strip()
    if OPERATOR.match(name):
        return True
    words = name.split()
    return 1 <= len(words) <= 6 and name[:1].isupper() and not name.lower().startswith(
        ("note", "source", "disclaimer", "copyright", "date", "time", "forward", "safe harbor", "http"))


READERS = {"colon": read_colon, "timestamped": read_timestamped, "sectioned": read_sectioned}


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
    if sum(1 for line in english if (m := TIMESTAMPED.match(line)) and _is_name(m["name"])) >= 2:
        return "timestamped", lines
    if any(SECTION.match(line.strip()) for line in english) and sum(1 for line in english if DASHED.match(line.strip())) >= 2:
        return "sectioned", lines
    named = [m["name"] for line in english if (m := COLON_LINE.match(line)) and _is_name(m["name"])]
    if len(named) >= 2 and len(named) >= len(english) // 4:
        return "colon", lines
    raise UnknownLayout(
        "no speaker lines found in a layout kg reads ('Name - Title' headers, 'Name: text', "
        "'Name, Title (00:01:23):', 'Name -- Title' sections, or a research note); is this a transcript?",
        path,
    )
