"""Throughput, memory, store load and query latency of kg at several corpus sizes.

    python bench/bench.py [--sizes 5,200,1000,5000] [--stage-sample 100] [--out bench/results.json]
    python bench/bench.py --profile [SEED]     # cProfile of extracting one seed, top 15 by cumulative time

For each size N: the corpus (N=5 is the seeds; larger N are generated from them by
bench/corpus.py into a temporary folder), then four phases, each in its own process so that
each one's memory is its own:

  ingest    Store.ensure_ontology() and kg.ingest.ingest(corpus, Store(on disk), workers=os.cpu_count()),
            which is `kg build` without its output files: documents and words per second of the
            whole pipeline, triples, CPU seconds, peak resident memory of the process tree
            (getrusage RUSAGE_SELF + RUSAGE_CHILDREN ru_maxrss; also sampled from /proc)
  stages    one process, a sample of the corpus: extract.read.parse, extract.pipeline.extract
            (the whole extraction, reading included) and kg.build.document_graph, each timed alone
  oxigraph  the store's named graphs exported as N-Quads (what `kg export --format nq` writes) and
            loaded by `kg load` (kg.load.load_export) into a new store on disk: the bulk load of
            the named graphs and the union (kg keeps it materialised as the default graph) in
            pieces on every core is the store load; its checks, the entities graph and the
            compaction are timed apart (and the N-Quads alone with pyoxigraph's `load`, in one
            transaction, up to 300 MB); then the 12 competency queries (kg/queries/*.rq) run the
            way kg runs them, through kg.store.Store.query (its rewrites; the default graph is the
            union): one warm-up, then 20 timed runs each
  rdflib    the baseline: the same N-Quads into rdflib Dataset(default_union=True), the same
            queries (no warm-up); skipped when the load took over --baseline-cap seconds (120)

Each query is timed in a child process: repeats stop once 60 s are spent on it, and a query
that has not finished in 120 s (240 s with the warm-up), or needs 4 GB more memory, is killed and
reported as not finishing (p95 null, with a note).

Results go to bench/results.json, one object per size: a run replaces the sizes it measured and
keeps the others, each with the commit it measured. The last line printed is a one-line summary
of the last size.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
QUERIES = ROOT / "kg" / "queries"
RESULTS = BENCH / "results.json"
REPEATS = 20
QUERY_BUDGET_S = 60.0  # stop repeating one query after this much time in total
QUERY_HARD_S = 120.0  # and give up on a query (kill its process) when one run takes longer
QUERY_MEMORY_MB = 4096  # or when it needs more memory than this


def _mb(kb: float) -> float:
    return round(kb / 1024, 1)


def _rusage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "maxrss_self_mb": _mb(me.ru_maxrss),
        "maxrss_children_mb": _mb(kids.ru_maxrss),
        "peak_rss_mb": _mb(me.ru_maxrss + kids.ru_maxrss),
        "cpu_seconds": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 2),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _queries() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(QUERIES.glob("*.rq"))}


# -- phases (each runs in its own process) --------------------------------------------------------

def phase_ingest(args: dict) -> dict:
    from kg.ingest import ingest
    from kg.store import Store

    store = Store(args["store"])
    t = time.perf_counter()
    store.ensure_ontology()  # as `kg build` and `kg add` do; query 10 reads the metrics' labels from it
    report = ingest([args["corpus"]], store, workers=os.cpu_count())
    seconds = time.perf_counter() - t
    result = {
        "ingest_seconds": round(seconds, 2),
        "failed": [f"{Path(p).name}: {why}" for p, why in report.failed][:10],
        "failed_count": len(report.failed),
        "ingested": len(report.added) + len(report.replaced),
        "triples": next(iter(store._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value,
        # kg keeps the union of all graphs in the store's default graph
        "default_graph_triples": next(iter(store._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value,
        "document_triples": sum(report.triples.values()),
        "documents_stored": len(store.documents()),
        "workers": os.cpu_count(),
    }
    del store
    result.update(_rusage())
    return result


def phase_stages(args: dict) -> dict:
    from extract.decode import read_source
    from extract.mentions import pipeline
    from extract.model import Note
    from extract.pipeline import extract
    from extract.read import parse
    from kg.build import document_graph
    from kg.store import nt

    t = time.perf_counter()
    pipeline()  # the spaCy model, once per process; timed on its own
    load = time.perf_counter() - t
    times = {"parse": 0.0, "extract": 0.0, "build": 0.0, "serialize_nt": 0.0}
    words, nt_bytes, triples, mismatches = 0, 0, 0, []
    for path, expected in args["files"]:
        source = read_source(path)
        t = time.perf_counter()
        parsed = parse(source)
        times["parse"] += time.perf_counter() - t
        if (parsed.company, parsed.period.year, parsed.period.quarter) != tuple(expected):
            mismatches.append(f"{Path(path).name}: read {parsed.company} {parsed.period.label}, made {expected}")
        turns = [parsed.body] if isinstance(parsed, Note) else parsed.turns
        words += sum(len(p.text.split()) for turn in turns for p in turn.paragraphs)
        t = time.perf_counter()
        doc = extract(path)
        times["extract"] += time.perf_counter() - t
        t = time.perf_counter()
        _, graph = document_graph(doc)
        times["build"] += time.perf_counter() - t
        t = time.perf_counter()
        body = nt(graph)
        times["serialize_nt"] += time.perf_counter() - t
        nt_bytes += len(body.encode("utf-8"))
        triples += len(graph)
    n = len(args["files"])
    result = {
        "stage_sample_documents": n,
        "stage_sample_words": words,
        "model_load_seconds": round(load, 2),
        "stage_seconds": {k: round(v, 3) for k, v in times.items()},
        "stage_docs_per_second": {k: round(n / v, 2) if v else None for k, v in times.items()},
        "stage_words_per_second": {k: round(words / v) if v else None for k, v in times.items()},
        "ntriples_bytes_per_document": round(nt_bytes / n) if n else 0,
        "triples_per_document_sample": round(triples / n, 1) if n else 0,
        "generator_mismatches": mismatches[:5],
    }
    result.update(_rusage())
    return result


def _time_query(make_run, text: str, repeats: int, budget: float, hard: float, warmup: bool) -> dict:
    """Median and p95 of up to `repeats` runs of one query, in a forked child that is killed if one
    run takes longer than `hard` seconds; repeats stop early once `budget` seconds are spent."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def work() -> None:
        _limit_memory(QUERY_MEMORY_MB)
        run = make_run()
        rows = run(text) if warmup else None
        samples, spent = [], 0.0
        for _ in range(repeats):
            t = time.perf_counter()
            rows = run(text)
            elapsed = time.perf_counter() - t
            samples.append(elapsed * 1000)
            spent += elapsed
            if spent > budget:
                break
        send.send({"samples": samples, "rows": rows})

    child = ctx.Process(target=work)
    child.start()
    send.close()
    limit = hard * (2 if warmup else 1)
    started = time.perf_counter()
    got = None
    while time.perf_counter() - started < limit:
        if receive.poll(0.5):
            try:
                got = receive.recv()
            except EOFError:  # the child died: out of its memory allowance
                break
            break
        if not child.is_alive() and not receive.poll(0):
            break
    if got is not None:
        child.join()
        samples = got["samples"]
        return {"median": round(statistics.median(samples), 2), "p95": round(_p95(samples), 2),
                "rows": got["rows"], "runs": len(samples)}
    elapsed = time.perf_counter() - started
    child.kill()
    child.join()
    if elapsed < limit:
        return {"median": None, "p95": None, "rows": None, "runs": 0,
                "failed": f"died after {elapsed:.0f} s (over {QUERY_MEMORY_MB} MB of memory, or crashed)"}
    return {"median": None, "p95": None, "rows": None, "runs": 0, "failed": f"did not finish in {limit:.0f} s"}


def _limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it has now plus `extra_mb`."""
    with open("/proc/self/status") as f:
        size_kb = next(int(line.split()[1]) for line in f if line.startswith("VmSize:"))
    limit = (size_kb + extra_mb * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _time_queries(make_run, repeats: int, budget: float, hard: float, warmup: bool) -> dict:
    out: dict[str, dict] = {"median": {}, "p95": {}, "rows": {}, "runs": {}}
    notes = []
    for name, text in _queries().items():
        r = _time_query(make_run, text, repeats, budget, hard, warmup)
        for k in out:
            out[k][name] = r[k]
        if r.get("failed"):
            notes.append(f"{name} {r['failed']}")
        elif r["runs"] < repeats:
            notes.append(f"{name} stopped after {r['runs']} runs ({budget:.0f} s)")
    out["notes"] = notes
    return out


def phase_oxigraph(args: dict) -> dict:
    import pyoxigraph as ox

    from kg.load import load_export
    from kg.store import Store as KgStore

    # The export: every named graph as N-Quads, as `kg export --format nq` writes it.
    source = ox.Store.read_only(args["store"])
    t = time.perf_counter()
    ox.serialize((q for q in source if not isinstance(q.graph_name, ox.DefaultGraph)), output=args["nquads"],
                 format=ox.RdfFormat.N_QUADS)
    export = time.perf_counter() - t
    del source

    # `kg load`: the export bulk loaded into a new store, named graphs and union, in pieces on every
    # core; then kg's checks, the entities graph and a compaction. The bulk load is what compares
    # with rdflib parsing the same file.
    loaded = load_export([args["nquads"]], args["fresh"])
    fresh = ox.Store.read_only(args["fresh"])

    tx = None
    if os.path.getsize(args["nquads"]) < 300e6:  # `load` holds the whole file in memory
        transactional = ox.Store(args["fresh_tx"])
        t = time.perf_counter()
        transactional.load(path=args["nquads"], format=ox.RdfFormat.N_QUADS)
        transactional.flush()
        tx = round(time.perf_counter() - t, 2)
        del transactional

    counts = {}
    for row in fresh.query("""SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e a ?t } VALUES ?t {
            <http://xmlns.com/foaf/0.1/Person> <http://www.w3.org/ns/org#Organization>
            <https://w3id.org/earnings-kg/ontology#ResearchFirm> <https://w3id.org/earnings-kg/ontology#GovernmentProgram>
            <https://w3id.org/earnings-kg/ontology#Product> <https://w3id.org/earnings-kg/ontology#MetricObservation>
            <https://w3id.org/earnings-kg/ontology#Exchange> } } GROUP BY ?t"""):
        counts[row["t"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]] = int(row["n"].value)
    quads = len(fresh)
    del fresh  # each query runs in a child that opens the store read-only

    def make_run():
        store = KgStore(args["fresh"], read_only=True)  # kg's own query path: its rewrites, its default graph
        return lambda text: sum(1 for _ in store.query(text))

    timed = _time_queries(make_run, REPEATS, QUERY_BUDGET_S, QUERY_HARD_S, warmup=True)

    # `kg serve` answers from a copy of the union in memory: made once here, shared by the forked
    # children that time each query.
    t, cpu = time.perf_counter(), time.process_time()
    serving = KgStore(args["fresh"], read_only=True, union_in_memory=True)
    copy_seconds, copy_cpu = time.perf_counter() - t, time.process_time() - cpu
    memory_mb = _rusage()["maxrss_self_mb"]
    in_memory = _time_queries(lambda: (lambda text: sum(1 for _ in serving.query(text))),
                              REPEATS, QUERY_BUDGET_S, QUERY_HARD_S, warmup=True)
    del serving
    result = {
        "export_seconds": round(export, 2),
        "nquads_mb": round(os.path.getsize(args["nquads"]) / 1e6, 1),
        "store_load_seconds": round(loaded.seconds["bulk load"], 2),
        "kg_load_seconds": {step: round(seconds, 2) for step, seconds in loaded.seconds.items()},
        "store_load_transactional_seconds": tx,
        "store_quads_loaded": quads,
        "query_mode": "kg.store.Store.query on the store `kg load` made: the default graph is the materialised union",
        "query_median_ms": timed["median"],
        "query_p95_ms": timed["p95"],
        "serve_copy_seconds": round(copy_seconds, 2),
        "serve_copy_cpu_seconds": round(copy_cpu, 2),
        "serve_peak_rss_mb": memory_mb,
        "serve_query_median_ms": in_memory["median"],
        "serve_query_p95_ms": in_memory["p95"],
        "serve_query_notes": in_memory["notes"],
        "query_rows": timed["rows"],
        "query_runs": timed["runs"],
        "query_notes": timed["notes"],
        "entities": counts,
    }
    result.update(_rusage())
    return result


def phase_rdflib(args: dict) -> dict:
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    t = time.perf_counter()
    ds.parse(args["nquads"], format="nquads")
    load = time.perf_counter() - t
    result: dict = {"baseline_load_seconds": round(load, 2), "baseline_quads_loaded": len(ds)}
    Path(args["result"]).write_text(json.dumps(result))  # kept if the queries are cut short
    if load > args["cap"]:
        result["baseline_note"] = f"rdflib load took {load:.0f} s (over {args['cap']:.0f} s): queries skipped"
    else:
        def make_run():
            return lambda text: sum(1 for _ in ds.query(text))

        timed = _time_queries(make_run, REPEATS, QUERY_BUDGET_S, QUERY_HARD_S, warmup=False)
        result.update({"baseline_query_median_ms": timed["median"], "baseline_query_p95_ms": timed["p95"],
                       "baseline_query_rows": timed["rows"], "baseline_query_runs": timed["runs"]})
        if timed["notes"]:
            result["baseline_note"] = "rdflib: " + "; ".join(timed["notes"])
    result.update(_rusage())
    return result


PHASES = {"ingest": phase_ingest, "stages": phase_stages, "oxigraph": phase_oxigraph, "rdflib": phase_rdflib}


# -- running a phase in a child, watching its memory -------------------------------------------

def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, now, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(stat[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_phase(name: str, args: dict, workdir: Path, timeout: float | None = None) -> dict:
    out = workdir / f"{name}.json"
    spec = workdir / f"{name}.args.json"
    spec.write_text(json.dumps({**args, "result": str(out)}))
    proc = subprocess.Popen([sys.executable, __file__, "--phase", name, str(spec)], start_new_session=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.25)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        code = None
    done.set()
    watcher.join()
    if code is None:
        partial = json.loads(out.read_text()) if out.exists() else {}
        return {**partial, "timed_out": True, "sampled_peak_rss_mb": _mb(peak)}
    if code != 0 or not out.exists():
        raise SystemExit(f"bench: the {name} phase failed (exit {code})")
    result = json.loads(out.read_text())
    result["sampled_peak_rss_mb"] = _mb(peak)
    return result


# -- one size -------------------------------------------------------------------------------------

def _git() -> str:
    """The commit measured, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "extract", "kg", "ontology"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except OSError:
        return "unknown"


def time_update(seeds: Path, work: Path) -> dict:
    """`kg add` of one call the corpus does not hold, into the store the pipeline built, then
    `kg remove` of it: what keeping a large store up to date costs. Run after the store was
    exported, since the removal may take a corpus call with it if the new one replaces it."""
    from corpus import Generator

    extra = work / "extra"
    Generator(seeds, seed=7).write(6, extra)
    call = next(p for p in sorted(extra.glob("g*.txt")))
    kg = [sys.executable, "-m", "kg.cli"]
    t = time.perf_counter()
    added = subprocess.run([*kg, "add", str(call), "--store", str(work / "store")], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    add = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([*kg, "remove", call.name, "--store", str(work / "store")], capture_output=True, check=True, cwd=ROOT)
    return {"add_one_call": round(add, 2), "remove_it": round(time.perf_counter() - t, 2),
            "add_outcome": added.stdout.strip().split(";")[0]}


def bench_size(n: int, seeds: Path, stage_sample: int, baseline_cap: float, keep: Path | None) -> dict:
    from corpus import Generator

    load_before = os.getloadavg()[0]
    commit = _git()
    work = Path(tempfile.mkdtemp(prefix=f"kg-bench-{n}-"))
    try:
        corpus = work / "corpus"
        t = time.perf_counter()
        manifest = Generator(seeds).write(n, corpus)
        generate = time.perf_counter() - t
        docs = manifest["documents"]
        words = sum(d["words"] for d in docs.values())
        print(f"[{n}] corpus: {len(docs)} documents, {words:,} English words, {manifest['companies']} generated "
              f"companies, {manifest['analysts']} analysts ({generate:.1f} s)", flush=True)

        ingest = run_phase("ingest", {"corpus": str(corpus), "store": str(work / "store")}, work)
        print(f"[{n}] ingest: {ingest['ingest_seconds']} s, {int(ingest['triples']):,} triples, "
              f"peak {ingest['peak_rss_mb']} MB (sampled tree {ingest['sampled_peak_rss_mb']} MB)", flush=True)

        names = sorted(docs)
        step = max(1, len(names) // stage_sample) if stage_sample else 1
        sample = names[::step][:stage_sample] if stage_sample else names
        stages = run_phase("stages", {"files": [[str(corpus / f), [docs[f]["company"], docs[f]["year"], docs[f]["quarter"]]]
                                                for f in sample]}, work)
        print(f"[{n}] stages ({len(sample)} documents, one process): " + ", ".join(
            f"{k} {v} docs/s" for k, v in stages["stage_docs_per_second"].items()), flush=True)

        nquads = work / "export.nq"
        ox = run_phase("oxigraph", {"store": str(work / "store"), "nquads": str(nquads),
                                    "fresh": str(work / "fresh"), "fresh_tx": str(work / "fresh-tx")}, work)
        shutil.rmtree(work / "fresh-tx", ignore_errors=True)
        print(f"[{n}] kg load: bulk load {ox['store_load_seconds']} s ({ox['nquads_mb']} MB N-Quads; in all "
              f"{sum(ox['kg_load_seconds'].values()):.1f} s with checks, entities, compaction), query p95 ms "
              + ", ".join(f"{k[:2]} {v}" for k, v in ox["query_p95_ms"].items())
              + "".join(f"; {note}" for note in ox["query_notes"]), flush=True)
        print(f"[{n}] kg serve (union copied into memory in {ox['serve_copy_seconds']} s): query p95 ms "
              + ", ".join(f"{k[:2]} {v}" for k, v in ox["serve_query_p95_ms"].items()), flush=True)

        update = time_update(seeds, work)
        print(f"[{n}] update: kg add of one more call {update['add_one_call']} s ({update['add_outcome']}), "
              f"kg remove of it {update['remove_it']} s", flush=True)

        # rdflib needs about 1.3 GB per million triples: do not start what cannot fit.
        need_mb = int(ingest["triples"]) / 1e6 * 1400
        avail_mb = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
        if need_mb > 0.8 * avail_mb:
            base = {"baseline_note": f"rdflib baseline skipped: about {need_mb:.0f} MB needed, {avail_mb:.0f} MB free"}
        else:
            limit = 2 * baseline_cap + len(_queries()) * (QUERY_HARD_S + 10) + 60
            base = run_phase("rdflib", {"nquads": str(nquads), "cap": baseline_cap}, work, timeout=limit)
            if base.get("timed_out"):
                base["baseline_note"] = f"rdflib baseline killed after {limit:.0f} s"
        print(f"[{n}] rdflib: load {base.get('baseline_load_seconds')} s" +
              (f"; {base['baseline_note']}" if base.get("baseline_note") else ""), flush=True)
        if keep is not None:
            shutil.copytree(corpus, keep / f"corpus-{n}", dirs_exist_ok=True)
            shutil.copy2(nquads, keep / f"export-{n}.nq")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    secs = ingest["ingest_seconds"]
    store_load, base_load = ox["store_load_seconds"], base.get("baseline_load_seconds")
    p95, base_p95 = ox["query_p95_ms"], base.get("baseline_query_p95_ms") or {}
    stored = ingest["documents_stored"]
    return {
        "documents": len(docs),
        "triples": int(ingest["triples"]),
        "docs_per_second": round(len(docs) / secs, 2),
        "words_per_second": round(words / secs),
        "peak_rss_mb": ingest["peak_rss_mb"],
        "store_load_seconds": store_load,
        "baseline_load_seconds": base_load,
        "query_p95_ms": p95,
        "baseline_query_p95_ms": base_p95 or None,
        # ratios
        "load_speedup": round(base_load / store_load, 1) if base_load and store_load else None,
        "query_p95_ratio": {k: round(base_p95[k] / v, 1) if v and base_p95.get(k) else None
                            for k, v in p95.items() if k in base_p95} or None,  # rdflib p95 / pyoxigraph p95
        # the whole pipeline
        "workers": ingest["workers"],
        "ingest_seconds": secs,
        "words": words,
        "documents_stored": stored,
        "failed": ingest["failed_count"],
        "failures": ingest["failed"],
        "cpu_seconds_per_document": round(ingest["cpu_seconds"] / len(docs), 3),
        "triples_per_document": round(ingest["document_triples"] / max(1, stored), 1),
        "peak_rss_self_mb": ingest["maxrss_self_mb"],
        "peak_rss_children_mb": ingest["maxrss_children_mb"],
        "peak_rss_tree_sampled_mb": ingest["sampled_peak_rss_mb"],
        # the stages, one process, on a sample
        "stage_sample_documents": stages["stage_sample_documents"],
        "stage_docs_per_second": stages["stage_docs_per_second"],
        "stage_words_per_second": stages["stage_words_per_second"],
        "model_load_seconds": stages["model_load_seconds"],
        "ntriples_mb_per_document": round(stages["ntriples_bytes_per_document"] / 1e6, 3),
        "generator_mismatches": stages["generator_mismatches"],
        # the store
        "nquads_mb": ox["nquads_mb"],
        "export_seconds": ox["export_seconds"],
        "kg_load_seconds": ox["kg_load_seconds"],
        "store_load_transactional_seconds": ox["store_load_transactional_seconds"],
        "store_quads_loaded": ox["store_quads_loaded"],
        "default_graph_triples": int(ingest["default_graph_triples"]),
        "query_mode": ox["query_mode"],
        # kg serve: the same queries on the union copied into memory (Store(union_in_memory=True))
        "serve_query_p95_ms": ox["serve_query_p95_ms"],
        "serve_query_median_ms": ox["serve_query_median_ms"],
        "serve_copy_seconds": ox["serve_copy_seconds"],
        "serve_copy_cpu_seconds": ox["serve_copy_cpu_seconds"],
        "serve_phase_peak_rss_mb": ox["serve_peak_rss_mb"],
        "query_median_ms": ox["query_median_ms"],
        "baseline_query_median_ms": base.get("baseline_query_median_ms"),
        "query_rows": ox["query_rows"],
        "query_runs": ox["query_runs"],
        "query_notes": ox["query_notes"],
        "baseline_query_rows": base.get("baseline_query_rows"),
        "baseline_query_runs": base.get("baseline_query_runs"),
        "baseline_note": base.get("baseline_note"),
        "entities": ox["entities"],
        "store_phase_peak_rss_mb": ox["peak_rss_mb"],
        # keeping the built store up to date, as a user does it (the commands, start to end)
        "update_seconds": {k: update[k] for k in ("add_one_call", "remove_it")},
        "baseline_peak_rss_mb": base.get("peak_rss_mb"),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # 1-min, at start and end
        "cpu_count": os.cpu_count(),
        "commit": commit,
        "generated_companies": manifest["companies"],
        "generated_analysts": manifest["analysts"],
    }


def summary(r: dict) -> str:
    unfinished = [k for k, v in r["query_p95_ms"].items() if v is None]
    done = {k: v for k, v in r["query_p95_ms"].items() if v is not None}
    worst = max(done.items(), key=lambda kv: kv[1]) if done else ("-", 0)
    load = f"store load {r['load_speedup']}x faster than rdflib" if r["load_speedup"] else "rdflib load not measured"
    late = f", {len(unfinished)} did not finish ({', '.join(unfinished)})" if unfinished else ""
    return (f"bench: {r['documents']} docs at {r['docs_per_second']} docs/s ({r['words_per_second']:,} words/s, "
            f"{r['workers']} workers), {r['triples']:,} triples, {load}, worst query p95 {worst[1]:.0f} ms "
            f"({worst[0]}){late}, peak {r['peak_rss_mb']:.0f} MB")


def profile(seed: Path) -> None:
    import cProfile
    import pstats

    from extract.mentions import pipeline
    from extract.pipeline import extract

    t = time.perf_counter()
    pipeline()
    print(f"model load (not profiled): {time.perf_counter() - t:.2f} s")
    extract(seed)  # warm: first-call caches
    prof = cProfile.Profile()
    prof.enable()
    extract(seed)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(15)


def time_store(path: Path, repeats: int = REPEATS) -> None:
    """The competency questions on a store already built: p95 of wall and of CPU time, on disk (as
    `kg query` runs them) and with the union in memory (`kg serve --union-in-memory`). CPU time is
    what a query costs on a quiet machine; wall time also counts what else the machine is doing."""
    from kg.store import Store

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, memory in (("on disk", False), ("union in memory", True)):
        t = time.perf_counter()
        store = Store(path, read_only=True, union_in_memory=memory)
        print(f"{label} (opened in {time.perf_counter() - t:.1f} s)")
        for name, text in _queries().items():
            rows = sum(1 for _ in store.query(text))  # warm
            walls, cpus = [], []
            for _ in range(repeats):
                t, cpu = time.perf_counter(), time.process_time()
                sum(1 for _ in store.query(text))
                walls.append((time.perf_counter() - t) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            print(f"  {name:30} p95 {_p95(walls):8.1f} ms wall {_p95(cpus):8.1f} ms CPU  {rows:6} rows", flush=True)
        del store


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="5,200,1000,5000")
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--stage-sample", type=int, default=100, help="documents timed stage by stage (0: all)")
    ap.add_argument("--baseline-cap", type=float, default=120.0, help="skip rdflib queries when its load took longer")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--keep", type=Path, help="copy each corpus and its N-Quads export into this folder")
    ap.add_argument("--profile", nargs="?", const="", metavar="SEED")
    ap.add_argument("--store", type=Path, help="only time the competency questions on this store (built already)")
    ap.add_argument("--phase", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.phase:
        name, spec = a.phase
        args = json.loads(Path(spec).read_text())
        result = PHASES[name](args)
        Path(args["result"]).write_text(json.dumps(result))
        return 0
    if a.store is not None:
        time_store(a.store)
        return 0
    if a.profile is not None:
        profile(Path(a.profile) if a.profile else sorted(a.seeds.glob("*.txt"))[0])
        return 0

    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    results = []
    for n in sizes:
        results.append(bench_size(n, a.seeds, a.stage_sample, a.baseline_cap, a.keep))
        r = results[-1]
        print(f"[{n}] {summary(r)}", flush=True)
        _save(a.out, r)
    print(summary(results[-1]))
    return 0


def _save(out: Path, result: dict) -> None:
    """Put one size's figures into the results file, replacing that size's and keeping the others
    (each says which commit it measured): `make bench SIZES=5,200` leaves the 5,000 figures."""
    try:
        earlier = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
    except (OSError, ValueError) as e:
        raise SystemExit(f"bench: cannot read {out} to add the {result['documents']}-document figures ({e}); "
                         "move it away to start a new one")
    kept = [r for r in earlier if r.get("documents") != result["documents"]]
    merged = sorted([*kept, result], key=lambda r: r.get("documents", 0))
    out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
