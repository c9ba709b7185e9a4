"""Bytes to text: the first gate every input file passes.

Scrapers produce UTF-8, UTF-8 with a BOM, UTF-16 (with or without a BOM) and the odd Windows-1252
file; kg reads all of them, and refuses binary data with a message that says so rather than
guessing. What it has to change to read a file (a character cut in half at the end, control
characters dropped, a guessed encoding) it says in `Source.warnings`.
"""

from __future__ import annotations

import hashlib
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableInput

# Extraction takes about ten seconds and 60 MB of memory per megabyte of text, and the longest
# calls are a few hundred kilobytes: a file past this is not one call, and would take minutes.
MAX_BYTES = 8 * 1024 * 1024
# Invisible characters that reorder or hide text (bidirectional overrides, isolates and marks, the
# BOM): they make one name print like another, so they never reach the graph.
HIDDEN = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


@dataclass(frozen=True)
class Source:
    name: str  # the file name, as `dcterms:source` records it
    path: str
    text: str
    sha256: str
    encoding: str
    warnings: tuple[str, ...] = ()  # what was changed to read it, one line each


def read_source(path: str | Path) -> Source:
    """Read a file as text, or raise `UnreadableInput` saying why it cannot be read."""
    p = Path(path)
    return decode(read_bytes(p), p.name, str(p))


def read_bytes(p: Path) -> bytes:
    """A file's bytes, or `UnreadableInput` saying why they cannot be read; for `read_source`, and
    for sending a file to a worker on another machine, which decodes it with `decode`."""
    check_readable(p)
    try:
        return p.read_bytes()
    except OSError as e:
        raise UnreadableInput(f"cannot read: {e.strerror or e}", str(p)) from None


def check_readable(p: Path) -> None:
    """Refuse, before reading a byte, what is not a regular file of a size kg can extract.

    A pipe or a device would block the read or never end it; a huge file would be read whole.
    """
    try:
        info = p.stat()
    except FileNotFoundError:
        raise UnreadableInput("no such file", str(p)) from None
    except OSError as e:
        raise UnreadableInput(f"cannot read: {e.strerror or e}", str(p)) from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableInput("is a directory, not a file", str(p))
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableInput("is not a regular file (a pipe, socket or device)", str(p))
    if info.st_size > MAX_BYTES:
        raise UnreadableInput(_too_large(info.st_size), str(p))


def _too_large(size: int) -> str:
    return (f"file is {size / (1024 * 1024):.1f} MB; kg reads files up to {MAX_BYTES // (1024 * 1024)} MB "
            "(one call is rarely 1 MB): split it into one file per call")


def decode(data: bytes, name: str, path: str | None = None) -> Source:
    where = path or name
    if not data.strip():
        raise UnreadableInput("file is empty", where)
    if len(data) > MAX_BYTES:
        raise UnreadableInput(_too_large(len(data)), where)
    text, encoding, warnings = _to_text(data, where)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        raise UnreadableInput("looks like binary data, not text", where)
    text, removed = _strip_controls(text)
    if removed:
        warnings.append(f"removed {removed} control or invisible bidirectional character{'s' * (removed > 1)}")
    return Source(name=name, path=where, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding,
                  warnings=tuple(warnings))


def _to_text(data: bytes, where: str) -> tuple[str, str, list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_cut(data[3:], "utf-8", "utf-8-sig", where)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_cut(data, "utf-16", "utf-16", where)
    codec = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if codec is not None:
        return _decode_cut(data, codec, "utf-16", where)
    try:
        return _decode_cut(data, "utf-8", "utf-8", where)
    except UnreadableInput:
        if b"\x00" in data:
            raise UnreadableInput("looks like binary data, not text", where) from None
    try:
        return data.decode("cp1252"), "cp1252", ["not UTF-8: read as Windows-1252 (Latin-1)"]
    except UnicodeDecodeError as e:
        raise UnreadableInput(f"is neither UTF-8 nor Windows-1252 text (bad byte at offset {e.start})", where) from None


def _decode_cut(data: bytes, codec: str, encoding: str, where: str) -> tuple[str, str, list[str]]:
    """Decode strictly; a file whose only fault is a character cut in half at its very end (a
    download or copy that stopped short) is read up to that character, with a warning."""
    try:
        return data.decode(codec), encoding, []
    except UnicodeDecodeError as e:
        if e.end < len(e.object) or e.reason not in ("unexpected end of data", "truncated data"):
            raise UnreadableInput(f"is not valid {codec.upper()} text (bad byte at offset {e.start})", where) from None
        text = data[:e.start].decode(codec)
    return text, encoding, ["ends in the middle of a character: the file looks cut short; read up to there"]


def _utf16_without_bom(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when the zero bytes of ASCII text sit on one side, else None."""
    head = data[:4096]
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) // 2
    if max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.05 * half:
        return "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\t")
    return bad > max(2, len(sample) // 100)


# Unicode's control characters (category Cc: C0, DEL and C1) but tab and line feed, and HIDDEN.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(HIDDEN)) + "]")


def _strip_controls(text: str) -> tuple[str, int]:
    """Drop the control and invisible bidirectional characters scrapers leave behind; and how many."""
    return _CONTROLS.subn("", text)
