"""One safe rewrite of SPARQL before pyoxigraph sees it: OPTIONAL blocks moved to the end of the
top-level group.

pyoxigraph 0.5 evaluates `{ A OPTIONAL { B } C }` by re-running the left join for every row of C
(oxigraph issues #1733, #1951): competency question 08 takes 3.3 s at 50 documents, 30 ms with
the OPTIONAL last. `{ A OPTIONAL {B} C }` and `{ A C OPTIONAL {B} }` have the same answers when
every variable B shares with C is already bound by A (the pattern is "well designed"); the
rewrite checks that for each OPTIONAL and otherwise leaves the query exactly as written. It also
leaves alone any group with BIND, VALUES, UNION, MINUS, GRAPH, SERVICE or a subquery, whose
meaning depends on order or scope.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^<>"{}|^`\\\s]*>)"""
    r"""|(?P<open>\{)|(?P<close>\})|(?P<var>[?$][A-Za-z_0-9\u00c0-\uffff]+)|(?P<word>[A-Za-z]+)""",
    re.S,
)
_UNSAFE = {"BIND", "VALUES", "UNION", "MINUS", "GRAPH", "SERVICE", "SELECT"}


def hoist_optionals(sparql: str) -> str:
    """The query with its top-level OPTIONALs last, when that provably changes no answer."""
    tokens = list(_TOKEN.finditer(sparql))
    where = next((i for i, t in enumerate(tokens) if t["word"] and t["word"].upper() == "WHERE"), None)
    start = next((i for i, t in enumerate(tokens) if t["open"] and (where is None or i > where)), None)
    if start is None:
        return sparql
    # Split the top-level group into parts: OPTIONAL blocks, and the text between them.
    depth, parts, part_start, optional_at = 0, [], tokens[start].end(), None
    end = None
    for i in range(start, len(tokens)):
        t = tokens[i]
        if t["open"]:
            depth += 1
        elif t["close"]:
            depth -= 1
            if depth == 1 and optional_at is not None:
                parts.append(("optional", optional_at, t.end()))
                part_start, optional_at = t.end(), None
            elif depth == 0:
                end = t.start()
                break
        elif t["word"]:
            word = t["word"].upper()
            if word in _UNSAFE:
                return sparql
            if word == "OPTIONAL" and depth == 1:
                parts.append(("plain", part_start, t.start()))
                optional_at = t.start()
    if end is None or not any(kind == "optional" for kind, _, _ in parts):
        return sparql
    parts.append(("plain", part_start, end))

    def variables(a: int, b: int) -> set[str]:
        return {m["var"][1:] for m in _TOKEN.finditer(sparql, a, b) if m["var"]}

    moved = False
    for n, (kind, a, b) in enumerate(parts):
        if kind != "optional":
            continue
        before = set().union(*(variables(x, y) for k, x, y in parts[:n] if k == "plain"))
        after = [(x, y) for k, x, y in parts[n + 1:] if k == "plain" and sparql[x:y].strip(" \t\n.")]
        if not after:
            continue
        if variables(a, b) & set().union(*(variables(x, y) for x, y in after)) - before:
            return sparql  # not well designed: the order matters
        moved = True
    if not moved:
        return sparql
    plain = ""
    for kind, a, b in parts:
        text = sparql[a:b].strip()
        if kind == "plain" and text:
            # An OPTIONAL also ended the triples before it: keep them apart with a dot.
            plain += ("" if not plain or plain.endswith(".") else " .") + "\n  " + text
    optional = "\n  ".join(sparql[a:b] for kind, a, b in parts if kind == "optional")
    return sparql[: tokens[start].end()] + plain + "\n  " + optional + "\n" + sparql[end:]
