"""The graph page: one self-contained HTML file to answer questions about the graph by looking.

`render_html` reads the store with SPARQL (`kg.view_read`), folds the records into nodes, links,
quotes, figures and an overview (`kg.view_model`), and writes them into the page as JSON. The
page's script (`templates/graph.js`) draws them with vis-network, which is inlined from the copy
pyvis ships, so the page needs no network: it opens from a file, and under `kg serve`'s content
security policy, which lets nothing leave it.

Safety: the data goes into a ``<script type="application/json">`` block with ``<``, ``>`` and
``&`` written as ``\\u`` escapes, so no name or quote can close the element or start markup, and
the script builds every element that shows data with ``textContent``; the heading is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator

import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import view_model, view_read

__all__ = ["render_html", "write_page", "write_html", "page_data", "NODE_BUDGET"]

NODE_BUDGET = view_model.NODE_BUDGET
TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "graph.html"


@lru_cache(maxsize=1)
def _assets() -> tuple[Markup, Markup, Markup, Markup]:
    """vis-network's script and stylesheet (as pyvis ships them) and the page's own, safe to inline."""
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    vis_js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (lib / "vis-network.css").read_text(encoding="utf-8")
    page_js = (TEMPLATES / "graph.js").read_text(encoding="utf-8")
    page_css = (TEMPLATES / "graph.css").read_text(encoding="utf-8")

    def script(text: str) -> Markup:
        return Markup(re.sub(r"</(script)", r"<\\/\1", text, flags=re.I))

    def style(text: str) -> Markup:
        return Markup(re.sub(r"</(style)", r"<\\/\1", text, flags=re.I))

    return script(vis_js), style(vis_css), script(page_js), style(page_css)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _escape(json_text: str) -> str:
    """JSON that is inert inside any HTML element: ``<``, ``>`` and ``&`` as ``\\u`` escapes. Each
    is one character, so pieces of a JSON text can be escaped one by one."""
    text = json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_pieces(data: dict[str, object], batch: int = 2_000) -> Iterator[str]:
    """`_dumps(data)` in pieces, a few thousand list items each. At 20,000 documents the page's
    JSON is 180 MB: as one string, escaped, put into the template and encoded, it took another
    260 MB at the peak (3,394 MB against 3,133; at 5,000 documents 953 against 871)."""
    yield "{"
    for i, (key, value) in enumerate(data.items()):
        if not isinstance(key, str):
            raise TypeError(f"the page's data has a key that is not a string: {key!r}")
        yield ("," if i else "") + _dumps(key) + ":"
        if isinstance(value, list) and value:
            yield "["
            for start in range(0, len(value), batch):
                yield ("," if start else "") + _dumps(value[start:start + batch])[1:-1]
            yield "]"
        else:
            yield _dumps(value)
    yield "}"


# Where the data goes in the rendered template: the template and its inlined scripts and styles
# hold no NUL, and the title, the one value from outside, cannot hold "<" once escaped.
_DATA_SLOT = "\x00<kg-data>\x00"


def page_pieces(source, title: str = "kg", budget: int = NODE_BUDGET) -> Iterator[str]:
    """The page of a store or graph, as pieces of text to write one after another."""
    data = page_data(source, title, budget)
    vis_js, vis_css, page_js, page_css = _assets()
    head, tail = _environment().get_template(TEMPLATE_NAME).render(
        heading=Markup(html.escape(title, quote=True)),
        data=Markup(_DATA_SLOT),
        vis_js=vis_js,
        vis_css=vis_css,
        page_js=page_js,
        page_css=page_css,
    ).split(_DATA_SLOT)
    yield head
    for piece in _json_pieces(data):
        yield _escape(piece)
    yield tail


def page_data(source, title: str = "kg", budget: int = NODE_BUDGET) -> dict:
    """The page's data for a store (kg's `Store`, a pyoxigraph `Store`) or an rdflib graph."""
    return view_model.build(view_read.read(source), title=title, budget=budget)


def render_html(source, title: str = "kg", budget: int = NODE_BUDGET) -> str:
    """A complete, self-contained HTML page (no network needed) of a store or graph.

    Up to ``budget`` entities the page draws them all; past it, it opens on an overview by type
    and fiscal year and draws neighbourhoods on demand from the data it carries. A large page is
    better written with `write_page`, which never holds it whole.
    """
    return "".join(page_pieces(source, title, budget))


def write_page(source, out: BinaryIO, title: str = "kg", budget: int = NODE_BUDGET) -> None:
    """`render_html` written to a binary file (UTF-8) piece by piece."""
    for piece in page_pieces(source, title, budget):
        out.write(piece.encode("utf-8"))


def write_html(source, path, title: str = "kg", budget: int = NODE_BUDGET) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path. The page is written
    beside it and renamed, so a page that fails half-way leaves the old one as it was."""
    from .export import write_atomically  # here, not at the top: export imports this module to write pages

    path = Path(path)
    write_atomically(path, lambda out: write_page(source, out, title, budget))
    return path
