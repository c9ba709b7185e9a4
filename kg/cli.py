"""The `kg` command: build, add, load, query, export, view, list, remove, validate, push and serve.

Errors print as one line, `kg: FILE: problem`, with exit code 1; never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from extract.errors import KgError

DEFAULT_STORE = "output/store"
EPILOG = """examples:
  kg build ../shared/seeds                  build the graph from a folder of transcripts
  kg query 06                               run saved query 06-revenue
  kg query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5' --format csv
  kg export --format ttl -o graph.ttl
  kg view -o graph.html
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kg", description="Knowledge graphs from earnings-call transcripts.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def store_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", default=DEFAULT_STORE, help=f"store folder (default {DEFAULT_STORE})")

    b = sub.add_parser("build", help="extract transcripts and notes into the store and write the outputs")
    b.add_argument("paths", nargs="+", help="files, or folders of *.txt files")
    store_option(b)
    b.add_argument("-o", "--outdir", default="output", help="where graph.trig, .nq, .ttl, .jsonld and .html go")
    b.add_argument("--workers", type=positive_int, default=None, help="parallel extraction processes (default: cores)")
    b.add_argument("--scheduler", metavar="ADDRESS", help="extract on a Dask cluster instead: its scheduler's "
                   "address (tcp://host:8786) or scheduler file; its workers need this kg installed")
    b.add_argument("--force", action="store_true", help="extract again even if a file has not changed, and write the outputs again")

    a = sub.add_parser("add", help="add or replace documents in the store (no output files)")
    a.add_argument("paths", nargs="+")
    store_option(a)

    ld = sub.add_parser("load", help="fill an empty store from exports (N-Quads or TriG) with the bulk loader, "
                                     "on every core")
    ld.add_argument("files", nargs="+", help=".nq or .trig files, as 'kg export' writes them")
    store_option(ld)
    ld.add_argument("--threads", type=positive_int, default=None, help="pieces loaded at once (default: cores)")

    q = sub.add_parser("query", help="run SPARQL: a saved query's name, a .rq file, or the query text")
    q.add_argument("query", nargs="?", help="e.g. 06, 06-revenue, my.rq, 'SELECT ...'")
    store_option(q)
    q.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="json: SPARQL JSON results for SELECT and ASK, JSON-LD for CONSTRUCT and DESCRIBE")
    q.add_argument("--list", action="store_true", help="list the saved queries")

    e = sub.add_parser("export", help="write the graph in a standard format")
    e.add_argument("--format", choices=["ttl", "nt", "nq", "trig", "jsonld", "graphml", "csv"], default="trig",
                   help="csv: nodes.csv and edges.csv for neo4j-admin database import, into the folder -o names")
    e.add_argument("-o", "--output", help="file to write (default: standard output); for csv, a folder")
    store_option(e)

    v = sub.add_parser("view", help="write the interactive HTML page of the graph")
    v.add_argument("-o", "--output", default="output/graph.html")
    v.add_argument("--budget", type=non_negative_int, default=500,
                   help="past this many entities the page opens on an overview by type and year (default 500)")
    store_option(v)

    ls = sub.add_parser("list", help="list the documents in the store")
    store_option(ls)

    rm = sub.add_parser("remove", help="remove a document (by IRI or source file name) from the store")
    rm.add_argument("document")
    store_option(rm)

    val = sub.add_parser("validate", help="check each document graph against the SHACL shapes")
    store_option(val)

    pu = sub.add_parser("push", help="PUT every named graph to a SPARQL Graph Store endpoint and check the counts")
    pu.add_argument("url", help="the Graph Store endpoint, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth")
    store_option(pu)
    pu.add_argument("--user")
    pu.add_argument("--password")
    pu.add_argument("--auth", choices=["basic", "digest"], default=None,
                    help="basic: send the credentials with every request; digest: answer a digest challenge "
                         "(default: answer whichever challenge the server sends)")
    pu.add_argument("--format", choices=["nt", "ttl"], default="nt", help="how each graph is sent (default nt)")
    pu.add_argument("--sparql", help="the server's SPARQL query endpoint (default: the URL's origin + /sparql)")

    srv = sub.add_parser("serve", help="serve the store over HTTP, read-only: a SPARQL endpoint and a web UI")
    store_option(srv)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    srv.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    srv.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default 10)")
    srv.add_argument("--max-rows", type=int, default=10_000, help="rows a result may have (default 10000)")
    srv.add_argument("--max-memory", type=int, default=2048, metavar="MB",
                     help="memory a query may take in its worker, beyond the store (default 2048; 0: no limit)")
    srv.add_argument("--allow-service", action="store_true", help="allow SERVICE (the server then fetches other URLs)")
    srv.add_argument("--union-in-memory", action="store_true",
                     help="answer from a copy of the graph in memory: 3-4x faster queries, "
                          "about 300 MB per 1,000 documents for each of the 4 query workers")

    args = parser.parse_args(argv)
    if args.command == "build" and args.scheduler and args.workers:
        b.error("--workers counts local processes, and with --scheduler the cluster's workers extract: "
                "give one or the other")
    restore = _interruptible()
    try:
        return COMMANDS[args.command](args)
    except KgError as e:
        say(str(e))
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:  # the system refused a read or a write: a full disk, a file where a folder goes
        if os.environ.get("KG_DEBUG") or not (e.filename or e.errno in _REFUSALS):
            return _internal_error(e)
        say(_system_problem(e))
        return 1
    except Exception as e:  # noqa: BLE001 - a bug: one line for the user, the traceback on request
        return _internal_error(e)
    finally:
        restore()


# What the system says about the user's disk or files, not about kg, when no file is named.
_REFUSALS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _system_problem(e: OSError) -> str:
    problem = e.strerror or str(e)
    if e.errno == errno.EEXIST and e.filename and not Path(e.filename).is_dir():
        problem = "a file is in the way of a folder"
    elif e.errno == errno.ENOTDIR:
        problem = "part of the path is a file, not a folder"
    return f"{e.filename}: {problem}" if e.filename else problem


def _internal_error(e: BaseException) -> int:
    if os.environ.get("KG_DEBUG"):
        raise e
    say(f"internal error: {type(e).__name__}: {e} (a bug in kg: KG_DEBUG=1 shows the traceback)")
    return 2


def _interruptible() -> Callable[[], None]:
    """Let Ctrl-C (SIGINT) stop kg cleanly even when kg was started with it ignored, as a shell
    without job control (a script's `cmd &`, a CI runner) starts commands: Python then never
    raises KeyboardInterrupt, and `kill -INT` could not stop a build, which would otherwise bring
    the entities graph up to date before it exits. Returns what puts the old handler back."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        return lambda: None
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)


def positive_int(text: str) -> int:
    """An argparse type: a count of workers or threads, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: a budget, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, not {text!r}")
    return value


def say(message: str) -> None:
    """Print `kg: message` as one line on stderr. A file name or a quote from the data can hold line
    breaks, or invisible characters that reorder the line on a terminal: they are written as escapes."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message)
    print(f"kg: {text}", file=sys.stderr)


def _open(args, read_only: bool = False):
    from .store import Store

    if read_only and not Path(args.store).exists():
        raise KgError(f"no store at {args.store}; run 'kg build' first")
    return Store(args.store, read_only=read_only)


def cmd_build(args) -> int:
    from .export import write_build_outputs
    from .ingest import ingest, progress_printer

    started = time.perf_counter()
    outdir = Path(args.outdir)
    in_the_way = next((p for p in (outdir, *outdir.parents) if p.exists()), None)  # found before the store changes
    if in_the_way is not None and not in_the_way.is_dir():
        raise KgError(f"{in_the_way}: is a file: -o names the folder for the output files")
    with _extraction_jobs(args) as jobs:
        store = _open(args)
        store.ensure_ontology()
        report = ingest(args.paths, store, workers=args.workers, progress=progress_printer(), force=args.force,
                        jobs=jobs)
    if jobs and jobs.where:
        print(f"extracted on {jobs.where}")
    outputs, written = write_build_outputs(store, outdir, force=args.force, processes=os.cpu_count() or 1)
    seconds = time.perf_counter() - started
    _summary(report, seconds)
    if written:
        print("wrote " + ", ".join(str(p) for p in outputs))
    else:
        print(f"kept the files in {outdir}: nothing changed since they were written (--force writes them again)")
    if report.documents:
        print(f"query it:  kg query 06 --store {args.store}      (kg query --list for the saved queries)")
        print(f"view it:   open {outdir / 'graph.html'}")
    return _failures(report)


def _extraction_jobs(args):
    """The Dask cluster `--scheduler` names, or nothing (local processes)."""
    from contextlib import nullcontext

    if args.scheduler is None:
        return nullcontext()
    from .cluster import dask_jobs

    return dask_jobs(args.scheduler)


def cmd_add(args) -> int:
    from .ingest import ingest, progress_printer

    store = _open(args)
    store.ensure_ontology()
    report = ingest(args.paths, store, progress=progress_printer())
    _summary(report, None)
    return _failures(report)


def cmd_load(args) -> int:
    from .load import load_export

    loaded = load_export(args.files, args.store, threads=args.threads)
    steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in loaded.seconds.items())
    print(f"loaded {loaded.documents} documents, {loaded.triples} triples into {args.store} "
          f"in {sum(loaded.seconds.values()):.1f} s ({steps})")
    return 0


def _summary(report, seconds: float | None) -> None:
    """One line. It counts documents, not triples: counting triples reads the whole store (2.4 s at
    5,000 documents, for a `kg add` of one file that otherwise takes 3)."""
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    print(f"{len(report.added)} added, {len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
          f"{len(report.failed)} failed{took}; the store holds {report.documents} document{'s' if report.documents != 1 else ''}")


def _failures(report) -> int:
    """Warnings, then the documents that did not go in; the exit code."""
    for warning in report.warnings:
        say(f"warning: {warning}")
    for _, reason in report.failed:
        say(reason)
    return 1 if report.failed else 0


def cmd_query(args) -> int:
    from .query import describe, format_result, resolve_query, run, saved_queries

    if args.list or not args.query:
        for name, path in saved_queries().items():
            print(f"{name:32} {describe(path)}")
        return 0
    sparql = resolve_query(args.query)
    store = _open(args, read_only=True)
    sys.stdout.write(format_result(run(store, sparql), args.format, sparql))
    return 0


def cmd_export(args) -> int:
    from .export import export, write_atomically, write_csv

    if args.format == "csv":
        if not args.output:
            raise KgError("--format csv writes nodes.csv and edges.csv: name their folder with -o DIR")
        print("wrote " + ", ".join(str(p) for p in write_csv(_open(args, read_only=True), Path(args.output))))
        return 0
    store = _open(args, read_only=True)
    if args.output:
        write_atomically(Path(args.output), lambda f: export(store, args.format, f))
    else:
        export(store, args.format, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0


def cmd_view(args) -> int:
    from .export import write_atomically
    from .view import write_page

    store = _open(args, read_only=True)
    write_atomically(Path(args.output), lambda f: write_page(store, f, title="kg: earnings calls", budget=args.budget))
    print(f"wrote {args.output}")
    return 0


def cmd_list(args) -> int:
    from .query import table

    docs = _open(args, read_only=True).documents()
    print(table(["document", "type", "period", "triples", "source", "sha256"],
                [[d.iri, d.kind, d.period, str(d.triples), d.source, d.sha256[:12]] for d in docs],
                max_width=None), end="")  # whole: an IRI or a name is pasted into `kg remove`
    return 0


def cmd_remove(args) -> int:
    store = _open(args)
    docs = store.documents_named(args.document)
    if not docs:
        raise KgError(f"no document {args.document!r} in the store (see 'kg list')")
    for d in docs:
        store.remove_document(d.iri)
        print(f"removed {d.iri} ({d.source})")
    store.refresh_entities()
    store.flush()
    return 0


def cmd_validate(args) -> int:
    from .validate import validate_store

    problems = validate_store(_open(args, read_only=True))
    for doc, report in problems.items():
        print(f"{doc}: does not conform\n{report}")
    if not problems:
        print("every document graph conforms to the shapes")
    return 1 if problems else 0


def cmd_push(args) -> int:
    from .errors import PushError
    from .push import push

    if args.password is not None and args.user is None:
        raise PushError("--password needs --user")
    if args.user is not None and args.password is None:
        import getpass

        if not sys.stdin.isatty():
            raise PushError("--user needs --password (no terminal to ask on)")
        args.password = getpass.getpass(f"password for {args.user}: ")

    def line(g) -> None:
        check = "ok" if g.matches else f"DIFFERS: the server has {g.remote}"
        print(f"{g.graph}  {g.triples} triples  HTTP {g.status}  {check}", flush=True)

    report = push(_open(args, read_only=True), args.url, args.user, args.password, args.auth, args.format,
                  args.sparql, progress=line)
    diff = report.differences
    print(f"pushed {len(report.graphs)} graphs, {report.triples} triples to {args.url} in {report.seconds:.1f} s; "
          + (f"{len(diff)} differ on the server" if diff else "every count matches on the server"))
    if diff:
        raise PushError(f"the server holds {diff[0].remote} triples, kg {diff[0].triples}"
                        + (f" (and {len(diff) - 1} more graphs differ)" if len(diff) > 1 else ""), diff[0].graph)
    return 0


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(_open(args, read_only=True), host=args.host, port=args.port, timeout=args.timeout,
                 max_rows=args.max_rows, allow_service=args.allow_service, union_in_memory=args.union_in_memory,
                 max_memory_mb=args.max_memory)


COMMANDS = {
    "build": cmd_build, "add": cmd_add, "load": cmd_load, "query": cmd_query, "export": cmd_export, "view": cmd_view,
    "list": cmd_list, "remove": cmd_remove, "validate": cmd_validate, "push": cmd_push, "serve": cmd_serve,
}

if __name__ == "__main__":
    sys.exit(main())
