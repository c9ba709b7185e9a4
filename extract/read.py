"""One entry point from a file to a typed `Call` or `Note`, whatever its layout."""

from __future__ import annotations

from pathlib import Path

from .calls import build_call, call_start
from .decode import Source, read_source
from .layouts import READERS, Block, detect, read_bilingual
from .model import Call, Note
from .notes import read_note
from .speakers import is_anonymous, name_speakers


def read(path: str | Path) -> Call | Note:
    return parse(read_source(path))


def parse(source: Source) -> Call | Note:
    return parse_with_warnings(source)[0]


def parse_with_warnings(source: Source) -> tuple[Call | Note, tuple[str, ...]]:
    """The document, and what was changed or skipped to read it (one line each, for the user)."""
    layout, lines = detect(source.text, source.path)
    if layout == "note":
        return read_note(lines, source), source.warnings
    reader = read_bilingual if layout == "bilingual" else READERS[layout]
    blocks = reader(lines, source.path)
    spoken = [b for b in blocks if b.paragraphs]
    start = call_start(spoken)
    skipped = (f"skipped the {start} turns before the call announces itself (hold messages, set-up)",) if start else ()
    spoken = spoken[start:]
    if is_anonymous(spoken):
        spoken = name_speakers(spoken)
    silent = tuple(f"skipped the speaker header {_header(b)!r}: no words follow it" for b in blocks if not b.paragraphs)
    return build_call(spoken, source, layout), source.warnings + skipped + silent


def _header(block: Block) -> str:
    if block.speaker is None:
        return "Operator"
    return f"{block.speaker} - {block.title}" if block.title else block.speaker
