"""What a result depends on, as a short hash: kg's own files and the versions of the libraries.

The version number of kg does not change between commits, so the files themselves are hashed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".py", ".ttl", ".rq", ".html", ".js", ".css")  # kg's sources, not caches or outputs


@functools.cache
def fingerprint(packages: tuple[str, ...], distributions: tuple[str, ...]) -> str:
    """A hash of the files of these top-level packages and of these installed distributions' versions."""
    digest = hashlib.sha256()
    for package in packages:
        for source in sorted((ROOT / package).rglob("*")):
            if source.suffix in SUFFIXES and source.is_file() and "__pycache__" not in source.parts:
                digest.update(str(source.relative_to(ROOT)).encode() + b"\0" + source.read_bytes() + b"\0")
    for name in distributions:
        digest.update(f"{name}=={importlib.metadata.version(name)}\0".encode())
    return digest.hexdigest()[:16]
