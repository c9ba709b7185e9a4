"""Bytes to text: the first gate every input file passes.

Scrapers produce UTF-8, UTF-8 with a BOM, UTF-16 and the odd Windows-1252 file; kg reads
all of them, and refuses binary data with a message that says so rather than guessing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableInput

MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    name: str  # the file name, as `dcterms:source` records it
    path: str
    text: str
    sha256: str
    encoding: str


def read_source(path: str | Path) -> Source:
    """Read a file as text, or raise `UnreadableInput` saying why it cannot be read."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput("no such file", str(p)) from None
    except IsADirectoryError:
        raise UnreadableInput("is a directory, not a file", str(p)) from None
    except OSError as e:
        raise UnreadableInput(f"cannot read: {e.strerror}", str(p)) from None
    return decode(data, p.name, str(p))


def decode(data: bytes, name: str, path: str | None = None) -> Source:
    where = path or name
    if not data.strip():
        raise UnreadableInput("file is empty", where)
    if len(data) > MAX_BYTES:
        raise UnreadableInput(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB", where)
    text, encoding = _to_text(data, where)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        raise UnreadableInput("looks like binary data, not text", where)
    text = _strip_controls(text)
    return Source(name=name, path=where, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding)


def _to_text(data: bytes, where: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableInput("has a UTF-16 byte-order mark but is not valid UTF-16", where) from None
    if b"\x00" in data[:4096] and _utf16_without_bom(data):
        try:
            return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableInput("looks like UTF-16 without a byte-order mark but does not decode", where) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if b"\x00" in data:
            raise UnreadableInput("looks like binary data, not text", where) from None
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise UnreadableInput(f"is not UTF-8 text (bad byte at offset {e.start})", where) from None


def _utf16_without_bom(data: bytes) -> bool:
    head = data[:4096]
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) // 2
    return max(even_nuls, odd_nuls) > 0.4 * half and min(even_nuls, odd_nuls) < 0.05 * half


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\t")
    return bad > max(2, len(sample) // 100)


def _strip_controls(text: str) -> str:
    """Drop the few control and bidirectional-override characters that scrapers leave behind."""
    return "".join(
        c
        for c in text
        if c in "\n\t" or not (unicodedata.category(c) == "Cc" or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
    )
