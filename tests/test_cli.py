"""The command line as users meet it: outputs, saved queries, and one-line errors for bad input."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from browser import CHROMIUM, run_chromium
from kg.cli import main
from kg.store import Store

ZH = "這是翻譯。"


def bilingual(*blocks: tuple[str, list[str]]) -> str:
    """A transcript in the seeds' layout: doubled headers, each English line followed by Chinese."""
    lines = ["使用警語:中文譯文來源為 Google 翻譯,僅供參考"]
    for header, paragraphs in blocks:
        lines += [header, header]
        for p in paragraphs:
            lines += [p, ZH]
    return "\n".join(lines) + "\n"


SMALL_CALL = bilingual(
    ("Operator", ["Welcome to the Acme Widgets third quarter 2024 earnings conference call.",
                  "It is my pleasure to introduce Jane Doe, head of Investor Relations."]),
    ("Jane Doe - VP, IR", ["Thank you. With me is our CFO."]),
    ("Bob \"The Builder\" <script>alert('x')</script> - CFO",
     ["In the third quarter we delivered revenue of $12.5 million."]),
    ("Operator", ["Our first question comes from the line of Ann Lee with Big Bank."]),
    ("Ann Lee - Analyst", ["What about BEAD?"]),
    ("Bob \"The Builder\" <script>alert('x')</script> - CFO", ["BEAD is early."]),
)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"", "file is empty"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("prose.txt", b"Just some prose.\nNo speakers here.\n", "no speaker lines"),
    ("latin1.txt", "Caf\xe9 prose only.\n".encode("latin-1"), "no speaker lines"),
])
def test_bad_input_is_one_line_naming_the_file(tmp_path, capsys, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "add", str(path), "--store", str(tmp_path / "store"))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: ") and name in lines[0] and problem in lines[0]
    assert "Traceback" not in err


def test_missing_path_and_empty_folder(tmp_path, capsys):
    code, _, err = run(capsys, "add", str(tmp_path / "nope.txt"), "--store", str(tmp_path / "s"))
    assert code == 1 and "nope.txt: no such file" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "add", str(tmp_path / "empty"), "--store", str(tmp_path / "s"))
    assert code == 1 and "no transcript files" in err


def test_a_bad_file_does_not_stop_the_others_nor_lose_what_was_stored(tmp_path, capsys, seeds):
    store = str(tmp_path / "store")
    shutil.copy(seeds / "004_1f0b45879ee6eeb9.txt", tmp_path / "note.txt")
    assert run(capsys, "add", str(tmp_path / "note.txt"), "--store", store)[0] == 0
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a-broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "b-call.txt").write_text(SMALL_CALL, encoding="utf-8")
    code, out, err = run(capsys, "add", str(folder), "--store", store)
    assert code == 1 and "a-broken.txt" in err and "1 added" in out and "1 failed" in out
    code, out, _ = run(capsys, "list", "--store", store)
    assert "note.txt" in out and "b-call.txt" in out


def test_hostile_names_give_valid_iris_and_escaped_html(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "acme.txt").write_text(SMALL_CALL, encoding="utf-8")
    code, out, err = run(capsys, "build", str(tmp_path / "in"), "--store", str(tmp_path / "store"), "-o", str(tmp_path))
    assert code == 0, err
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(tmp_path / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    assert all(iri.isascii() and not set(iri) & set(' "{}|\\^`<>') for iri in iris)
    names = {q.object.value for q in quads if q.predicate.value.endswith("#nameAsPrinted")}
    assert 'Bob "The Builder" <script>alert(\'x\')</script>' in names, "the name is kept, as data"
    html = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert('x')" not in html
    code, out, _ = run(capsys, "query", "06", "--store", str(tmp_path / "store"), "--format", "json")
    assert json.loads(out)["results"]["bindings"][0]["value"]["value"] == "12500000"


def test_query_formats_and_saved_query_names(built, capsys):
    store = str(built / "store")
    code, out, _ = run(capsys, "query", "12-note-sentiment", "--store", store, "--format", "csv")
    assert code == 0 and out.splitlines() == ["year,quarter,label,score", "2024,4,moderately positive,0.62"]
    code, out, _ = run(capsys, "query", "12", "--store", store, "--format", "json")
    assert json.loads(out)["results"]["bindings"][0]["label"]["value"] == "moderately positive"
    code, out, _ = run(capsys, "query", "--list")
    assert "06-revenue" in out and "Reported revenue" in out
    star = "SELECT * WHERE { ?zed ?p ?alpha } LIMIT 1"  # pyoxigraph's own order: alpha, p, zed
    assert run(capsys, "query", star, "--store", store, "--format", "csv")[1].splitlines()[0] == "zed,p,alpha"
    assert json.loads(run(capsys, "query", star, "--store", store, "--format", "json")[1])["head"]["vars"] == ["zed", "p", "alpha"]
    assert run(capsys, "query", star, "--store", store)[1].split()[:3] == ["zed", "p", "alpha"]
    code, _, err = run(capsys, "query", "SELECT WHERE {", "--store", store)
    assert code == 1 and err.startswith("kg: malformed query")


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld"])
def test_export_formats_parse_back(built, capsys, tmp_path, fmt):
    import pyoxigraph as ox

    target = tmp_path / f"graph.{fmt}"
    assert run(capsys, "export", "--format", fmt, "-o", str(target), "--store", str(built / "store"))[0] == 0
    rdf_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                  "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    parsed = list(ox.parse(path=str(target), format=rdf_format))
    assert len(parsed) > 1000
    # The file is written as the store is read; standard output gets the same bytes, as does a caller
    # that asks for them whole.
    code, out, _ = run(capsys, "export", "--format", fmt, "--store", str(built / "store"))
    from kg.export import export
    from kg.store import Store

    whole = export(Store(built / "store", read_only=True), fmt)
    assert code == 0 and target.read_bytes() == whole == out.encode("utf-8")


def test_export_into_a_folder_is_one_line(built, tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "nq", "-o", str(tmp_path), "--store", str(built / "store"))
    assert code == 1 and err == f"kg: {tmp_path} is a folder: name the file to write\n"


def test_export_to_standard_output_is_the_file(built, tmp_path):
    store = str(built / "store")
    streamed = subprocess.run([sys.executable, "-m", "kg.cli", "export", "--format", "nq", "--store", store],
                              capture_output=True, check=True).stdout
    assert streamed == (built / "graph.nq").read_bytes() and streamed.count(b"\n") > 5000


def test_output_into_a_pipe_is_streamed_and_a_link_is_followed(built, capsys, tmp_path):
    """`-o` is a place to write, not a file to replace: a pipe stays a pipe (its reader gets the
    graph) and a symbolic link stays a link (the file it names gets the graph)."""
    import stat
    import threading

    store = str(built / "store")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run(capsys, "export", "--format", "nq", "-o", str(fifo), "--store", store)
    reader.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and got == [(built / "graph.nq").read_bytes()]

    real, link = tmp_path / "real.nq", tmp_path / "link.nq"
    real.write_text("old")
    link.symlink_to(real)
    code, _, err = run(capsys, "export", "--format", "nq", "-o", str(link), "--store", store)
    assert code == 0, err
    assert link.is_symlink() and real.read_bytes() == (built / "graph.nq").read_bytes()


def test_build_writes_every_output_readable_like_any_file(built):
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ("graph.trig", "graph.nq", "graph.ttl", "graph.jsonld", "graph.html"):
        info = (built / name).stat()
        assert info.st_size > 1000, name
        assert info.st_mode & 0o777 == 0o666 & ~umask, name  # not a temporary file's 0600


@pytest.mark.skipif(not shutil.which(CHROMIUM) and not __import__("os").path.exists(CHROMIUM),
                    reason="chromium is not installed")
def test_seed_graph_page_renders_offline_in_chromium(built, tmp_path):
    html = (built / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    dom = run_chromium(tmp_path, "--dump-dom", (built / "graph.html").as_uri())
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-kg-status="drawn"' in body and 'data-kg-errors="0"' in body
    assert int(re.search(r'data-kg-nodes="(\d+)"', body).group(1)) > 30
    assert "<canvas" in dom


def test_paths_in_the_way_are_one_line_each_and_touch_nothing(built, seeds, tmp_path, capsys):
    """A file where a folder goes, a folder that is not a store, a full disk: one line naming the
    path, exit 1, and no store made or written among other files."""
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    seed = str(seeds / "002_7cb600e89a562d2e.txt")
    store = str(built / "store")
    for out in (a_file, a_file / "sub"):
        code, _, err = run(capsys, "build", seed, "--store", str(tmp_path / "new"), "-o", str(out))
        assert code == 1 and err == f"kg: {a_file}: is a file: -o names the folder for the output files\n"
    assert not (tmp_path / "new").exists()  # refused before the store was made
    for args in (["export", "--format", "ttl", "-o", str(a_file / "x.ttl")], ["view", "-o", str(a_file / "d" / "x.html")],
                 ["export", "--format", "csv", "-o", str(a_file)]):
        code, _, err = run(capsys, *args, "--store", store)
        assert code == 1 and err.startswith(f"kg: {a_file}/") and "part of the path is a file, not a folder" in err
        assert err.count("\n") == 1 and "internal error" not in err

    other = tmp_path / "papers"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "add", seed, "--store", str(other))
    assert code == 1 and err.startswith(f"kg: {other}: not a kg store, and not empty")
    assert [p.name for p in other.iterdir()] == ["notes.txt"]  # nothing written among the user's files
    half_made = tmp_path / "half"  # what RocksDB writes before CURRENT, as a killed first build leaves it
    half_made.mkdir()
    for name in ("LOCK", "LOG", "IDENTITY", "MANIFEST-000001"):
        (half_made / name).touch()
    assert run(capsys, "add", seed, "--store", str(half_made))[0] == 0
    assert [d.source for d in Store(half_made, read_only=True).documents()] == ["002_7cb600e89a562d2e.txt"]
    logs = tmp_path / "logs"  # dated logs are no write-ahead logs: RocksDB would delete them
    logs.mkdir()
    (logs / "20240101.log").write_text("mine")
    code, _, err = run(capsys, "add", seed, "--store", str(logs))
    assert code == 1 and "not a kg store, and not empty" in err and [p.name for p in logs.iterdir()] == ["20240101.log"]
    for store_arg, problem in ((other, "not a kg store (no database in this folder)"), (a_file, "this is a file")):
        code, _, err = run(capsys, "list", "--store", str(store_arg))
        assert code == 1 and err.startswith(f"kg: {store_arg}: {problem}") and err.count("\n") == 1

    if os.path.exists("/dev/full"):
        full = subprocess.run([sys.executable, "-m", "kg.cli", "query", "01", "--store", store],
                              stdout=open("/dev/full", "wb"), stderr=subprocess.PIPE, text=True)
        assert full.returncode == 1 and full.stderr == "kg: No space left on device\n"


def test_serve_on_a_port_in_use_is_one_line(built, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run(capsys, "serve", "--port", str(port), "--store", str(built / "store"))
    assert code == 1 and err == f"kg: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_small_things_a_user_meets(built, seeds, tmp_path, capsys):
    store = str(built / "store")
    for update in ("DELETE WHERE { ?s ?p ?o }", "PREFIX ex: <http://example.org/>\nDROP ALL", "clear default",
                   "INSERT DATA { <a:b> <a:c> <a:task> }"):
        code, _, err = run(capsys, "query", update, "--store", store)
        assert code == 1 and "SPARQL updates are refused" in err, update
    code, _, err = run(capsys, "query", "copy of 06", "--store", store)
    assert code == 1 and "is neither a query, a .rq file, nor a saved query" in err

    code, out, _ = run(capsys, "list", "--store", store)
    assert code == 0 and "…" not in out  # whole IRIs and names, to paste into `kg remove`
    assert "https://w3id.org/earnings-kg/id/note/" in out

    with pytest.raises(SystemExit):
        main(["view", "--budget", "-5", "--store", store])
    assert "expected a whole number of 0 or more, not '-5'" in capsys.readouterr().err

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    code, out, err = run(capsys, "build", str(empty), "--store", str(tmp_path / "s"), "-o", str(tmp_path / "o"))
    assert code == 1 and "empty" in err and "query it" not in out  # nothing stored: nothing to query


def test_an_os_error_that_names_no_file_and_no_disk_problem_is_a_bug(built, capsys, monkeypatch):
    import kg.cli

    def broken(args):
        raise TimeoutError("socket timed out")

    monkeypatch.setitem(kg.cli.COMMANDS, "list", broken)
    code, _, err = run(capsys, "list", "--store", str(built / "store"))
    assert code == 2 and err.startswith("kg: internal error: TimeoutError: socket timed out (a bug in kg")


def test_a_graph_asked_for_as_json_is_json_ld(built, capsys):
    from rdflib import Graph

    sparql = ("PREFIX ekg: <https://w3id.org/earnings-kg/ontology#> "
              "CONSTRUCT { ?m ekg:metric ?x } WHERE { ?m ekg:metric ?x }")
    code, out, _ = run(capsys, "query", sparql, "--format", "json", "--store", str(built / "store"))
    code_csv, rows_csv, _ = run(capsys, "query", sparql, "--format", "csv", "--store", str(built / "store"))
    assert code == code_csv == 0
    assert len(Graph().parse(data=out, format="json-ld")) == len(rows_csv.splitlines()) - 1 > 10
