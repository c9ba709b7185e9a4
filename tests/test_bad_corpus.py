"""A corpus of hostile and broken inputs, made here from nothing and from a seed, through the real
`kg` command (a subprocess, its own store).

Each file ends as a correct graph (with a warning where kg changed or skipped something to read
it) or as one line `kg: FILE: problem`; the build goes on past a failure, reports them all at the
end and exits 1; nothing stored before is lost; no traceback; every export parses, in rdflib and
in pyoxigraph, with only valid IRIs and literals; no text from the data reaches a page unescaped.
"""

from __future__ import annotations

import html
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef

from kg.serve import make_server
from kg.store import Store

CALL = "000_d70e09fd955d15f6.txt"  # Calix FY2023 Q4: the base of the variants, and stored before
NOTE = "004_1f0b45879ee6eeb9.txt"  # stored before too
ID = "https://w3id.org/earnings-kg/id/"
EKG = "https://w3id.org/earnings-kg/ontology#"

# Names as a scraper might print them, each hostile to one output: Turtle and N-Quads (quotes,
# backslashes, braces), HTML (<script>, >), IRIs (all of them), terminals and eyes (NUL, RTL).
HOSTILE_IR = "Jim \"The Fixer\" O'Fanucchi <script>alert('x')</script> - VP, IR {x} \\ >"
HOSTILE_CFO = "Cory {Sin}dela\\r > <b>bold</b>"
HIDDEN_CEO = "Mich\u202eael We\x00ening\u200f"  # reads as "Michael Weening" once cleaned
RAW_IN_HTML = ("<script>alert", "<b>bold</b>", "<script>.txt")
HOSTILE_FILE = '"quoted" <script>.txt'
BAD_NAME = "line\nbreak\u202e.txt"  # a file name that would break the error line, or reverse it

LATIN1_CALL = """Operator: Welcome to the Café Société third quarter 2024 earnings call. Our host is Renée Dupré.
Renée Dupré: Thank you. Revenue was 12.5 million euros, up 3%.
Operator: Our first question comes from Jürgen Müller with Crédit Agricole.
Jürgen Müller: What about the façade business?
Renée Dupré: It is fine. Merci.
"""


@dataclass(frozen=True)
class Fails:
    problem: str  # what the one-line error says


@dataclass(frozen=True)
class Builds:
    warning: str | None = None  # what the warning says, if kg had to change or skip something
    same_as_seed: bool = False  # the graph is the seed call's, years apart


def shifted(text: str, k: int) -> str:
    """The call moved k decades back: another call (its own IRIs), the same facts."""
    for year in range(2019, 2027):
        text = text.replace(str(year), str(year - 10 * k))
    return text


def cut_in_a_character(data: bytes) -> bytes:
    """The first half, cut inside a multi-byte (Chinese) character, as a stopped download leaves it."""
    cut = len(data) // 2
    while data[cut] & 0xC0 != 0x80:
        cut += 1
    return data[:cut]


def corpus(seeds: Path) -> dict[str, tuple[bytes, Fails | Builds]]:
    """File name -> (bytes, what kg must make of them)."""
    seed = (seeds / CALL).read_text(encoding="utf-8")
    lines = seed.split("\n")
    headers = {line for a, line in zip(lines, lines[1:]) if a == line}
    hostile = shifted(seed, 9).replace("Jim Fanucchi - VP, IR", HOSTILE_IR)
    hostile = hostile.replace("Michael Weening", HIDDEN_CEO).replace("Cory Sindelar", HOSTILE_CFO)
    return {
        "empty.txt": (b"", Fails("file is empty")),
        "blank.txt": (b" \n\t\r\n", Fails("file is empty")),
        "random.txt": (random.Random(7).randbytes(5000), Fails("binary")),
        BAD_NAME: (bytes(range(256)) * 8, Fails("binary")),
        "prose.txt": (b"Calix had a good quarter.\nRevenue rose.\n", Fails("no speaker lines")),
        "no-speakers.txt": ("\n".join(x for x in lines if x not in headers).encode(), Fails("no speaker lines")),
        "only-operator.txt": ("\n".join(lines[:7]).encode(), Fails("only the operator")),
        "header-only.txt": ("\n".join(lines[:1] + ["Jim Fanucchi - VP, IR"] * 2).encode(), Fails("no speaker lines")),
        "bad-utf8-after-bom.txt": (b"\xef\xbb\xbfOperator\n\xff\xfe\xfd broken", Fails("not valid UTF-8")),
        "bad-utf16.txt": (b"\xff\xfe" + "Operator\n".encode("utf-16-le") + b"\x00\xdc\x00\xdc", Fails("not valid UTF-16")),
        # the seed call saved every way scrapers save text: the same graph
        "utf8-bom.txt": (b"\xef\xbb\xbf" + shifted(seed, 1).encode(), Builds(same_as_seed=True)),
        "utf16-bom.txt": (shifted(seed, 2).encode("utf-16"), Builds(same_as_seed=True)),
        "utf16be-bom.txt": (b"\xfe\xff" + shifted(seed, 3).encode("utf-16-be"), Builds(same_as_seed=True)),
        "utf16le-no-bom.txt": (shifted(seed, 4).encode("utf-16-le"), Builds(same_as_seed=True)),
        "utf16be-no-bom.txt": (shifted(seed, 5).encode("utf-16-be"), Builds(same_as_seed=True)),
        "crlf.txt": (shifted(seed, 6).replace("\n", "\r\n").encode(), Builds(same_as_seed=True)),
        "cr.txt": (shifted(seed, 7).replace("\n", "\r").encode(), Builds(same_as_seed=True)),
        "header-no-body.txt": ((shifted(seed, 8).rstrip("\n") + "\nMichael Weening - CEO\n" * 2).encode(),
                               Builds("skipped the speaker header 'Michael Weening - CEO'", same_as_seed=True)),
        HOSTILE_FILE: (hostile.encode(), Builds("removed 90 control or invisible bidirectional characters")),
        "cut-in-a-character.txt": (cut_in_a_character(shifted(seed, 10).encode()), Builds("looks cut short")),
        "cut-mid-line.txt": (shifted(seed, 11)[: len(seed) // 3].encode(), Builds()),
        # one small call in Latin-1, and again in UTF-8 under another name: the later one replaces it
        "cafe-latin1.txt": (LATIN1_CALL.encode("latin-1"), Builds("read as Windows-1252")),
        "cafe-utf8.txt": (LATIN1_CALL.encode(), Builds("holds the same document as cafe-latin1.txt")),
    }


# -- running kg ------------------------------------------------------------------------------------
def kg(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed command as users run it, in a fresh process."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})


@dataclass
class Run:
    root: Path
    store: Path
    out: Path
    cases: dict[str, tuple[bytes, Fails | Builds]]
    folder: Path
    before: dict[str, list[str]]  # document IRI -> its graph, as sorted N-Triples, before the build
    result: subprocess.CompletedProcess


def graphs(store: Path) -> dict[str, list[str]]:
    """Every document graph of the store as sorted N-Triples lines."""
    s = Store(store, read_only=True)
    return {d.iri: graph_lines(s, d.iri) for d in s.documents()}


def graph_lines(store: Store, iri: str) -> list[str]:
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", union=False)
    return sorted(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode().splitlines())


@pytest.fixture(scope="module")
def run(tmp_path_factory, seeds) -> Run:
    root = tmp_path_factory.mktemp("bad")
    store, out = root / "store", root / "out"
    stored = kg("add", seeds / CALL, seeds / NOTE, "--store", store)
    assert stored.returncode == 0, stored.stderr
    before = graphs(store)
    assert len(before) == 2

    cases = corpus(seeds)
    folder = root / "corpus"
    folder.mkdir()
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
    # what is not a file: a pipe, a dangling link, a link to itself (all named *.txt)
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(root / "nowhere")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "notes.md").write_text("not a transcript")
    empty = root / "no-transcripts"
    empty.mkdir()
    (empty / "readme.pdf").write_bytes(b"%PDF-1.4")
    result = kg("build", folder, root / "missing.txt", empty, "--store", store, "-o", out, "--workers", "2")
    return Run(root, store, out, cases, folder, before, result)


# -- what the user reads ---------------------------------------------------------------------------
NOT_FILES = {"pipe.txt": "not a regular file", "dangling.txt": "no such file", "loop.txt": "cannot read"}


def test_the_build_goes_on_reports_each_failure_in_one_line_and_exits_1(run):
    err = run.result.stderr
    assert run.result.returncode == 1
    assert "Traceback" not in err and "internal error" not in err
    lines = err.splitlines()
    assert all(line.startswith("kg: ") for line in lines), err
    failures = [line for line in lines if not line.startswith("kg: warning: ")]
    expected = {name: case.problem for name, (_, case) in run.cases.items() if isinstance(case, Fails)}
    expected |= NOT_FILES
    for name, problem in expected.items():
        shown = name.encode("unicode_escape").decode() if not name.isprintable() else name
        mine = [line for line in failures if line.startswith(f"kg: {run.folder / shown}: ")]
        assert len(mine) == 1 and problem in mine[0], (name, failures)
    assert any(line == f"kg: {run.root / 'missing.txt'}: no such file or folder" for line in failures)
    assert any(line.startswith(f"kg: {run.root / 'no-transcripts'}: folder has no transcript files") for line in failures)
    assert len(failures) == len(expected) + 2
    # the failures come last, after the warnings, and the summary counts them
    assert lines[-len(failures):] == failures
    builds = [name for name, (_, case) in run.cases.items() if isinstance(case, Builds)]
    summary = run.result.stdout.splitlines()[0]
    assert f"{len(failures)} failed" in summary and f"{len(builds) - 1} added, 1 replaced" in summary, summary


def test_every_readable_file_goes_in_with_a_warning_where_kg_changed_something(run):
    sources = {d.source for d in Store(run.store, read_only=True).documents()}
    warnings = [line for line in run.result.stderr.splitlines() if line.startswith("kg: warning: ")]
    for name, (_, case) in run.cases.items():
        if isinstance(case, Fails):
            assert name not in sources
            continue
        assert name in sources or name == "cafe-latin1.txt", f"{name} is not in the store"
        mine = [w for w in warnings if w.startswith(f"kg: warning: {run.folder / name}: ")]
        if case.warning:
            assert len(mine) == 1 and case.warning in mine[0], (name, warnings)
        else:
            assert not mine, mine
    assert "cafe-latin1.txt" not in sources, "the later copy of the same call replaced it"


def normalised(lines: list[str]) -> list[str]:
    """A call's graph with its years, file name and hash taken out: what the text said."""
    lines = [line for line in lines if f"<{EKG}sha256>" not in line and "/terms/source>" not in line]
    return sorted(re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", "YEAR", line) for line in lines)


def call_graph(run: Run, source: str) -> list[str]:
    store = Store(run.store, read_only=True)
    [doc] = [d for d in store.documents() if d.source == source]
    return graph_lines(store, doc.iri)


def test_encodings_byte_order_marks_and_line_ends_give_the_seeds_graph(run):
    seed = normalised(run.before[ID + "call/calix-2023-q4"])
    assert len(seed) > 800
    same = [name for name, (_, case) in run.cases.items() if isinstance(case, Builds) and case.same_as_seed]
    assert len(same) == 8
    for name in same:
        assert normalised(call_graph(run, name)) == seed, name


def test_a_file_cut_short_keeps_the_turns_before_the_cut(run):
    seed = Store(run.store, read_only=True)
    texts = {re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", "Y", r["t"]) for r in seed.select(
        f"SELECT ?t WHERE {{ GRAPH <{ID}call/calix-2023-q4> {{ ?turn <{EKG}text> ?t }} }}", union=False)}
    for name in ("cut-in-a-character.txt", "cut-mid-line.txt"):
        lines = call_graph(run, name)
        turns = {re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", "Y", object_of(line)) for line in lines
                 if f"<{EKG}text>" in line}
        assert 3 <= len(turns) < len(texts), name
        whole = turns & texts
        assert len(whole) >= len(turns) - 1, f"{name}: only the last turn may end early"
        for t in turns - whole:
            assert any(full.startswith(t) for full in texts), t[:80]


def object_of(nt_line: str) -> str:
    """The value of the object of one N-Triples line."""
    [quad] = ox.parse(nt_line.encode(), format=ox.RdfFormat.N_TRIPLES)
    return quad.object.value


def test_hostile_names_are_kept_as_data_and_hidden_characters_dropped(run):
    lines = call_graph(run, HOSTILE_FILE)
    printed = {object_of(line) for line in lines if f"<{EKG}nameAsPrinted>" in line}
    assert 'Jim "The Fixer" O\'Fanucchi <script>alert(\'x\')</script>' in printed
    assert HOSTILE_CFO in printed
    assert "Michael Weening" in printed, "NUL and the bidirectional marks are gone, so is the difference"
    assert any(f"<{ID}person/michael-weening>" in line for line in lines)
    sources = [object_of(line) for line in lines if "/terms/source>" in line]
    assert sources == [HOSTILE_FILE]


def test_nothing_stored_before_is_lost(run):
    after = graphs(run.store)
    for iri, lines in run.before.items():
        assert after.get(iri) == lines, f"{iri} changed"


# -- what programs read ----------------------------------------------------------------------------
IRI_SAFE = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffd]")


def check_term(term) -> None:
    """An IRI other stores take; a literal with a well-formed value, tag and text."""
    if isinstance(term, URIRef):
        assert term.isascii() and IRI_SAFE.match(term), repr(term)
        ox.NamedNode(str(term))
    elif isinstance(term, Literal):
        assert not term.ill_typed, repr(term)
        assert term.language is None or LANG.match(term.language), repr(term)
        assert not UNWANTED.search(str(term)), repr(term)
    else:
        assert isinstance(term, BNode), repr(term)


FORMATS = {".nq": ("nquads", ox.RdfFormat.N_QUADS), ".trig": ("trig", ox.RdfFormat.TRIG),
           ".ttl": ("turtle", ox.RdfFormat.TURTLE), ".jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}
BUILT = [f"graph{suffix}" for suffix in FORMATS]  # what `kg build` writes
EXPORTED = ["nq", "trig", "ttl"]  # what `kg export --format` writes


@pytest.fixture(scope="module")
def exports(run) -> dict[str, Path]:
    """What `kg build` wrote, and what `kg export` writes, of the store the corpus went into."""
    files = {name: run.out / name for name in BUILT}
    for fmt in EXPORTED:
        target = run.root / f"export.{fmt}"
        done = kg("export", "--format", fmt, "-o", target, "--store", run.store)
        assert done.returncode == 0 and not done.stderr, done.stderr
        files[f"kg export --format {fmt}"] = target
    return files


@pytest.mark.parametrize("which", BUILT + [f"kg export --format {fmt}" for fmt in EXPORTED])
def test_every_export_parses_with_only_valid_iris_and_literals(exports, which):
    path = exports[which]
    rdflib_format, ox_format = FORMATS[path.suffix]
    data = path.read_bytes()
    quads = list(ox.parse(data, format=ox_format))
    dataset = Dataset()
    dataset.parse(data=data, format=rdflib_format)
    triples = [q for q in dataset.quads((None, None, None, None))]
    assert len(triples) == len(quads) > 5000
    for quad in triples:
        for term in quad[:3]:
            check_term(term)
    names = {q.object.value for q in quads if q.predicate.value == EKG + "nameAsPrinted"}
    assert HOSTILE_CFO in names and "Michael Weening" in names


# -- what people read ------------------------------------------------------------------------------
def assert_escaped(text: str, where: str) -> None:
    for raw in RAW_IN_HTML:
        assert raw not in text, f"{where}: {raw!r} unescaped"


def test_the_graph_page_escapes_the_data(run):
    page = run.root / "view.html"
    done = kg("view", "-o", page, "--store", run.store)
    assert done.returncode == 0, done.stderr
    for path in (page, run.out / "graph.html"):
        text = path.read_text(encoding="utf-8")
        assert len(text) > 10_000
        assert_escaped(text, path.name)


def test_the_served_pages_escape_the_data(run, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = make_server(Store(run.store, read_only=True), "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = server.url.rstrip("/")
        call = ID + "call/calix-1933-q4"

        def get(path: str) -> str:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200
                return response.read().decode("utf-8")

        pages = {"/docs": get("/docs"), "/doc": get("/doc?iri=" + quote(call, safe=""))}
        people = {r["p"] for r in Store(run.store, read_only=True).select(
            f"SELECT DISTINCT ?p WHERE {{ GRAPH <{call}> {{ ?x <{EKG}participant> ?p }} }}", union=False)}
        assert len(people) >= 5
        for person in people:
            pages[person] = get("/entity?iri=" + quote(person, safe=""))
        for where, text in pages.items():
            assert_escaped(text, where)
        everything = "\n".join(pages.values())
        for shown in (HOSTILE_FILE, HOSTILE_CFO, "<script>alert('x')</script>"):
            assert html.escape(shown) in everything, f"{shown!r} is not shown, escaped"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- a file too large to be a call -----------------------------------------------------------------
def test_a_50_mb_file_is_refused_in_one_line_quickly_and_without_reading_it_whole(tmp_path, seeds):
    """Extraction takes ~10 s and ~60 MB per MB of text, so 50 MB would take ten minutes and
    gigabytes: kg refuses it (and any file over 8 MB) before reading it, and goes on."""
    lines = (seeds / CALL).read_text(encoding="utf-8").split("\n")
    turns = ("\n".join(lines[9:]) + "\n").encode()
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.write(("\n".join(lines[:9]) + "\n").encode())
        while f.tell() < 50 * 1024 * 1024:
            f.write(turns)
    note = tmp_path / "note.txt"
    note.write_bytes((seeds / NOTE).read_bytes())

    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "add", str(big), str(note), "--store", str(tmp_path / "s")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        out, err = proc.stdout.read(), proc.stderr.read()  # a few lines: no pipe fills up
        _, status, usage = os.wait4(proc.pid, 0)  # its peak memory, its extraction workers' included
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        watchdog.cancel()
    took = time.monotonic() - started
    assert proc.returncode == 1 and "Traceback" not in err
    assert err.splitlines() == [f"kg: {big}: file is 50.0 MB; kg reads files up to 8 MB (one call is rarely 1 MB): "
                                "split it into one file per call"]
    assert "1 added" in out
    assert took < 30, f"{took:.0f} s"
    assert usage.ru_maxrss < 1024 * 1024, f"{usage.ru_maxrss // 1024} MB"  # kilobytes, on Linux
