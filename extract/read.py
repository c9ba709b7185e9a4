"""One entry point from a file to a typed `Call` or `Note`, whatever its layout."""

from __future__ import annotations

from pathlib import Path

from .calls import build_call
from .decode import Source, read_source
from .layouts import READERS, detect, read_bilingual
from .model import Call, Note
from .notes import read_note
from .speakers import is_anonymous, name_speakers


def read(path: str | Path) -> Call | Note:
    return parse(read_source(path))


def parse(source: Source) -> Call | Note:
    layout, lines = detect(source.text, source.path)
    if layout == "note":
        return read_note(lines, source)
    reader = read_bilingual if layout == "bilingual" else READERS[layout]
    blocks = reader(lines, source.path)
    if is_anonymous(blocks):
        blocks = name_speakers(blocks)
    return build_call(blocks, source, layout)
