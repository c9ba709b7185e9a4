"""SPARQL over the store, and the saved competency queries that ship with kg.

A query argument is a saved query's name (`06`, `06-revenue`, `revenue`), a file, or the text
of a query. Results print as an aligned table for people, CSV or JSON for programs.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError
from .rewrite import columns
from .store import Store

SAVED = Path(__file__).parent / "queries"


def saved_queries() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SAVED.glob("*.rq"))}


def describe(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


def resolve_query(arg: str) -> str:
    """The SPARQL text `arg` stands for."""
    saved = saved_queries()
    if arg in saved:
        return saved[arg].read_text(encoding="utf-8")
    matches = [p for stem, p in saved.items() if stem.split("-", 1)[0] == arg or stem.split("-", 1)[-1] == arg]
    if len(matches) == 1:
        return matches[0].read_text(encoding="utf-8")
    path = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and path.suffix in (".rq", ".sparql") :
        if not path.is_file():
            raise QueryError(f"no such query file: {arg}")
        return path.read_text(encoding="utf-8")
    if _UPDATE.match(arg):
        raise QueryError("kg query only reads: SPARQL updates are refused (kg add, kg remove and kg build change the store)")
    if any(word in arg.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return arg
    names = ", ".join(saved)
    raise QueryError(f"{arg!r} is neither a query, a .rq file, nor a saved query ({names})")


# A SPARQL update: its first keyword, after any PREFIX and BASE, and a brace, an IRI or a graph word.
_UPDATE = re.compile(r"\s*(?:(?:#[^\n]*|(?:PREFIX\s+[\w-]*:|BASE)\s*<[^>]*>)\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b(?=.*(?:[{<]|\b(?:ALL|DEFAULT|NAMED|GRAPH|SILENT)\b))",
                     re.I | re.S)


def run(store: Store, sparql: str):
    return store.query(sparql, union=True)


def rows(result, sparql: str = "") -> tuple[list[str], list[list[str]]]:
    """The header and cells of an answer; `sparql`, the query, puts a `SELECT *` answer's columns
    in the order of the query."""
    if isinstance(result, ox.QueryBoolean):
        return ["result"], [["true" if bool(result) else "false"]]
    if isinstance(result, ox.QueryTriples):
        return ["subject", "predicate", "object"], [[_text(t.subject), _text(t.predicate), _text(t.object)] for t in result]
    names = columns(sparql, [v.value for v in result.variables])
    return names, [[_text(s[n]) for n in names] for s in result]


def _text(term) -> str:
    if term is None:
        return ""
    return term.value


def format_result(result, fmt: str, sparql: str = "") -> str:
    if fmt == "json" and isinstance(result, ox.QueryBoolean):
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    if fmt == "json" and isinstance(result, ox.QuerySolutions):
        answer = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
        answer["head"]["vars"] = columns(sparql, answer["head"]["vars"])
        return json.dumps(answer, ensure_ascii=False) + "\n"
    if fmt == "json" and isinstance(result, ox.QueryTriples):  # a graph: JSON-LD, as `kg serve` sends it
        return result.serialize(format=ox.RdfFormat.JSON_LD).decode("utf-8") + "\n"
    header, body = rows(result, sparql)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        return out.getvalue()
    if fmt == "json":
        return json.dumps([dict(zip(header, r)) for r in body], ensure_ascii=False, indent=2) + "\n"
    return table(header, body)


def table(header: list[str], body: list[list[str]], max_width: int | None = 60) -> str:
    """A plain text table; cells longer than `max_width` are cut short with "…" (None: never)."""
    def cell(value: str) -> str:
        value = " ".join(value.split())
        return value if max_width is None or len(value) <= max_width else value[: max_width - 1] + "…"

    cells = [[cell(v) for v in r] for r in body]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"
