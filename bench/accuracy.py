"""Precision, recall and F1 of extraction against the hand annotations in tests/gold/.

    python bench/accuracy.py [--seeds DIR] [--json] [--verbose]

Facts are compared by key (a person's key folds nicknames and middle names, a firm's its
spellings), so the score measures what was extracted, not how a name happened to be written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract.gazetteer import lookup, organization_key  # noqa: E402
from extract.model import Document, EntityType  # noqa: E402
from extract.names import person_key  # noqa: E402
from extract.pipeline import extract  # noqa: E402

GOLD = ROOT / "tests" / "gold"
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
CATEGORIES = ["speakers and roles", "analysts with firms", "exchanges", "programmes", "organisations",
              "customers", "figures"]


def _num(v) -> str | None:
    return None if v is None else format(Decimal(str(v)).normalize(), "f")


def _program(name: str) -> str:
    known = lookup(name, EntityType.PROGRAM)
    return known.key if known else organization_key(name)


def _figure(metric, kind, year, quarter, change, value, low, high, unit) -> tuple:
    return (metric, kind, year, quarter, change, _num(value), _num(low), _num(high), unit)


def gold_facts(gold: dict) -> dict[str, Counter]:
    facts = {c: Counter() for c in CATEGORIES}
    for s in gold["speakers"]:
        facts["speakers and roles"][(person_key(s["name"]), s["role"])] += 1
    for a in gold["analysts"]:
        facts["analysts with firms"][(person_key(a["name"]), organization_key(a["firm"]))] += 1
    for x in gold["exchanges"]:
        facts["exchanges"][(person_key(x["asked_by"]), tuple(sorted(person_key(p) for p in x["answered_by"])))] += 1
    for p in gold["programs"]:
        facts["programmes"][_program(p)] += 1
    for o in gold["organizations"]:
        facts["organisations"][organization_key(o["name"])] += 1
        if o["relation"] == "customer":
            facts["customers"][organization_key(o["name"])] += 1
    for f in gold["figures"]:
        facts["figures"][_figure(f["metric"], f["kind"], f["year"], f["quarter"], f["change"], f["value"],
                                 f["low"], f["high"], f["unit"])] += 1
    return {c: Counter(set(v)) for c, v in facts.items()}  # a fact stated twice is one fact


def predicted_facts(doc: Document) -> dict[str, Counter]:
    facts = {c: Counter() for c in CATEGORIES}
    short = lambda key: key.split("/", 1)[-1]  # noqa: E731
    for p in doc.participations:
        facts["speakers and roles"][(short(p.person), p.role.value)] += 1
        if p.role.value == "Analyst" and p.affiliation:
            facts["analysts with firms"][(short(p.person), short(p.affiliation))] += 1
    for x in doc.exchanges:
        facts["exchanges"][(short(x.asked_by), tuple(sorted(short(a) for a in x.answered_by)))] += 1
    firms = {p.affiliation for p in doc.participations if p.affiliation}
    for m in doc.mentions:
        if m.type == EntityType.PROGRAM:
            facts["programmes"][short(m.key)] += 1
        elif m.type == EntityType.ORGANIZATION and m.key != doc.company and m.key not in firms:
            facts["organisations"][short(m.key)] += 1
    for r in doc.relations:
        if r.predicate == "customerOf":
            facts["customers"][short(r.subject)] += 1
    for f in doc.figures:
        facts["figures"][_figure(f.metric, f.kind.value, f.period.year, f.period.quarter,
                                 f.change.value if f.change else None, f.value, f.low, f.high, f.unit)] += 1
    return {c: Counter(set(v)) for c, v in facts.items()}  # a fact stated twice is one fact


def score(seeds: Path, differences: list[tuple[str, str, str, tuple]] | None = None) -> dict[str, dict[str, float]]:
    """Per-category scores; `differences`, if given, collects (seed, category, "missed"|"false", fact)."""
    totals = {c: Counter() for c in CATEGORIES}
    for gold_file in sorted(GOLD.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        doc = extract(seeds / gold["source"])
        g, p = gold_facts(gold), predicted_facts(doc)
        for c in CATEGORIES:
            hit = sum((g[c] & p[c]).values())
            totals[c].update(tp=hit, gold=sum(g[c].values()), pred=sum(p[c].values()))
            if differences is not None:
                seed = gold["source"][:3]
                differences.extend((seed, c, "missed", fact) for fact in sorted(g[c] - p[c], key=str))
                differences.extend((seed, c, "false", fact) for fact in sorted(p[c] - g[c], key=str))
    result = {}
    for c, t in totals.items():
        precision = t["tp"] / t["pred"] if t["pred"] else 1.0
        recall = t["tp"] / t["gold"] if t["gold"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[c] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                     "gold": t["gold"], "predicted": t["pred"], "matched": t["tp"]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true", help="list each missed and each false fact")
    args = parser.parse_args()
    differences: list[tuple[str, str, str, tuple]] = []
    result = score(args.seeds, differences if args.verbose else None)
    if args.verbose:
        for seed, category, what, fact in differences:
            print(f"{seed} {category:20} {what:6} {fact}")
        print()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'category':22} {'precision':>9} {'recall':>7} {'F1':>6} {'gold':>5} {'found':>6}")
    for c, r in result.items():
        print(f"{c:22} {r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f} {r['gold']:5d} {r['predicted']:6d}")


if __name__ == "__main__":
    main()
