"""The graph page's data: the store's records folded into what a person looks at.

People, organisations, programmes, products, places, calls, notes and fiscal periods are nodes.
The structural nodes of the graph (participations, turns, exchanges, observations, evidence,
assertions) are folded into them: a participation becomes the link ``person —spoke at
(Executive)→ call`` and the person's role and title in that call; a turn's ``ekg:mentions``
becomes ``call —mentions→ entity`` and, for a few turns, a quote on the entity; an observation
becomes a point on a metric's chart and a line in its call's summary. Every node and link keeps
the documents it comes from, so the page can filter by document and fiscal period without
asking the store again.

The result is one JSON-ready dict (:func:`build`); it holds the data and no HTML. Indices into
its lists stand for nodes, documents, periods and quotes, which keeps it small.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from .view_layout import positions
from .view_read import DIRECT, ENTITY_TYPES, Records, TurnText, local

__all__ = ["build", "NODE_BUDGET", "EXTRA_TYPES", "TYPES"]

#: Past this many entities the page opens on an overview by type and fiscal year and loads
#: neighbourhoods on demand: vis-network stays responsive, and a picture of thousands of
#: labelled nodes answers nothing.
NODE_BUDGET = 500
MAX_QUOTES = 6          # evidence quotes kept per entity
MAX_DETAILS = 5         # titles listed on a link's tooltip
SNIPPET = 280           # characters of English around a mention
ZH_SNIPPET = 600        # characters of a Chinese paragraph kept with a question

#: Node types the page can show on request, folded into their entities by default.
EXTRA_TYPES: list[tuple[str, str, str, str]] = [
    ("figure", "Figure (stated number)", "#8cd17d", "box"),
    ("turn", "Speaker turn", "#d4d4d4", "ellipse"),
]
#: Every type, as the page's legend lists it: (key, label, colour, shape, shown by default).
TYPES: list[tuple[str, str, str, str, bool]] = (
    [(k, label, colour, shape, True) for k, _, label, colour, shape in ENTITY_TYPES]
    + [(k, label, colour, shape, False) for k, label, colour, shape in EXTRA_TYPES]
)
_TYPE_INDEX = {t[0]: i for i, t in enumerate(TYPES)}

#: The order relations are listed in on a merged link.
_REL_ORDER = ("spoke at", "asked in", "works for", "analyst at", "about", "in period", "mentions",
              "administered by", "offered by", "customer of", "competitor of", "partner of")
#: Metrics first on the charts; the others follow by name.
_METRIC_ORDER = ("Revenue", "GrossMargin", "OperatingExpenses", "NetIncome", "EarningsPerShare",
                 "FreeCashFlow")
_KIND_CODE = {"Reported": "R", "Guidance": "G", "Target": "T"}


@lru_cache(maxsize=4096)  # a few dozen labels, hundreds of thousands of links to sort
def _rel_rank(label: str) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(_REL_ORDER) if label.startswith(p)), len(_REL_ORDER))
    return rank, label


@lru_cache(maxsize=4096)
def _humanise(name: str | None) -> str:
    """``InvestorRelations`` -> ``Investor Relations``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name or "")


def _is_lang(tag: str, want: str) -> bool:
    return tag == want or tag.startswith(want + "-")


def names(labels: list[tuple[str, str, bool]], iri: str) -> tuple[str, list[str], list[str]]:
    """(label, English aliases, Chinese names): the English rdfs:label wins, then any other."""
    prefs = [(t, lang) for t, lang, pref in labels if pref]
    alts = [(t, lang) for t, lang, pref in labels if not pref]
    label = (
        next((t for t, lang in prefs if _is_lang(lang, "en")), None)
        or next((t for t, lang in prefs if not lang), None)
        or next((t for t, lang in alts if _is_lang(lang, "en")), None)
        or next((t for t, lang in alts if not lang), None)
        or next((t for t, lang in alts if not _is_lang(lang, "zh")), None)
        or local(iri) or iri
    )
    aliases: list[str] = []
    for t, lang in alts:
        if (not lang or _is_lang(lang, "en")) and t != label and t not in aliases:
            aliases.append(t)
    chinese: list[str] = []
    for t, lang in prefs + alts:
        if _is_lang(lang, "zh") and t not in chinese:
            chinese.append(t)
    return label, aliases, chinese


# --------------------------------------------------------------------------- quotes

_PARA = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in _PARA.split(text or "") if p.strip()]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentence_around(paragraph: str, start: int, end: int, limit: int = SNIPPET) -> str:
    """The sentence holding paragraph[start:end], cut to ``limit`` characters around it."""
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(paragraph)] + [len(paragraph)]
    left = max(b for b in bounds if b <= start)
    right = min((b for b in bounds if b >= end), default=len(paragraph))
    sentence = paragraph[left:right].strip()
    if len(sentence) <= limit:
        return sentence
    mid = (start + end) // 2 - left
    lo = max(0, mid - limit // 2)
    hi = min(len(sentence), lo + limit)
    return ("…" if lo else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")


def _aligned(translation: str | None, index: int, count: int) -> str | None:
    """The Chinese paragraph that translates English paragraph ``index`` of ``count``."""
    paras = _paragraphs(translation)
    if not paras:
        return None
    if len(paras) == count:
        return paras[index]
    return paras[0] if len(paras) == 1 else None


def mention_snippet(text: TurnText, names_: list[str]) -> tuple[str, str | None] | None:
    """The sentence of a turn that names an entity (any of its names), and its Chinese paragraph."""
    paras = _paragraphs(text.text)
    for name in sorted({n for n in names_ if len(n) >= 2}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.I)
        for i, para in enumerate(paras):
            m = pattern.search(para)
            if m:
                return _sentence_around(para, m.start(), m.end()), _aligned(text.translation, i, len(paras))
    return None


def opening_snippet(text: TurnText) -> tuple[str, str | None]:
    """The first sentences of a turn (a question, say) and the start of its translation."""
    paras = _paragraphs(text.text)
    first = paras[0] if paras else text.text
    zh = _aligned(text.translation, 0, len(paras))
    return _clip(first, SNIPPET), (_clip(zh, ZH_SNIPPET) if zh else None)


class _Quotes:
    """Quotes (English, Chinese paragraph, document, speaker, kind), each Chinese text stored once."""

    def __init__(self):
        self.rows: list[dict] = []
        self.zh: list[str] = []
        self._zh_index: dict[str, int] = {}
        self._seen: dict[tuple, int] = {}

    def add(self, en: str, zh: str | None, doc: int | None, by: int | None, kind: str) -> int:
        key = (en, zh, doc, by, kind)
        if key in self._seen:
            return self._seen[key]
        row = {"e": en, "k": kind}
        if zh:
            if zh not in self._zh_index:
                self._zh_index[zh] = len(self.zh)
                self.zh.append(zh)
            row["z"] = self._zh_index[zh]
        if doc is not None:
            row["d"] = doc
        if by is not None:
            row["b"] = by
        self._seen[key] = len(self.rows)
        self.rows.append(row)
        return self._seen[key]


# --------------------------------------------------------------------------- links

@dataclass
class _Link:
    counts: Counter
    details: dict
    docs: set


class _Links:
    """Relations folded into one link per ordered pair of entities."""

    def __init__(self, nodes: dict[str, int]):
        self.nodes = nodes
        self.pairs: dict[tuple[int, int], _Link] = {}

    def add(self, src: str, dst: str, label: str, doc: int | None = None, detail: str | None = None) -> bool:
        a, b = self.nodes.get(src), self.nodes.get(dst)
        if a is None or b is None or a == b:
            return False
        link = self.pairs.get((a, b))
        if link is None:
            link = self.pairs[(a, b)] = _Link(Counter(), defaultdict(set), set())
        link.counts[label] += 1
        if detail:
            link.details[label].add(detail)
        if doc is not None:
            link.docs.add(doc)
        return True

    def attach(self, src: str, dst: str, label: str, doc: int | None) -> bool:
        """Say where a relation already drawn comes from, or draw it: a reified statement
        (`ekg:Assertion`) repeats a direct triple, and must not count twice."""
        a, b = self.nodes.get(src), self.nodes.get(dst)
        link = self.pairs.get((a, b))
        if link is None or label not in link.counts:
            return self.add(src, dst, label, doc)
        if doc is not None:
            link.docs.add(doc)
        return True

    def has(self, src: str, dst: str) -> bool:
        a, b = self.nodes.get(src), self.nodes.get(dst)
        return (a, b) in self.pairs


# --------------------------------------------------------------------------- the page's data

def _period_key(year: int, quarter: int | None) -> tuple[int, int]:
    return year, quarter if quarter is not None else 5   # a full year sorts after its Q4


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    v = abs(value)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= scale:
            return f"{sign}${v / scale:.3g}{suffix}"
    return f"{sign}${v:g}"


def format_value(value: float | None, unit: str | None) -> str:
    """A figure as people write it: $264.7M, 55.5%, 42 days."""
    if value is None:
        return "?"
    if unit == "USD":
        return _money(value)
    if unit == "Percent":
        return f"{value:g}%"
    if unit == "BasisPoints":
        return f"{value:g} bp"
    if unit == "Days":
        return f"{value:g} days"
    return f"{value:g}"


def build(records: Records, title: str = "kg", budget: int = NODE_BUDGET) -> dict:
    """The page's data (JSON-ready) for the records of a store."""
    r = records

    # Fiscal periods across companies: FY2023 Q4 of any company is one stop on the time axis.
    period_keys = sorted({_period_key(p.year, p.quarter) for p in r.periods.values()})
    period_index = {k: i for i, k in enumerate(period_keys)}
    periods = [{"y": y, "q": (q if q != 5 else None), "l": f"FY{y} Q{q}" if q != 5 else f"FY{y}"}
               for y, q in period_keys]

    def period_of(iri: str | None) -> int | None:
        p = r.periods.get(iri) if iri else None
        return period_index[_period_key(p.year, p.quarter)] if p else None

    # Nodes: the entities, in a stable order (type, label, IRI).
    rank = {t[0]: i for i, t in enumerate(ENTITY_TYPES)}
    info = {s: names(r.labels.get(s, []), s) for s in r.entities}
    order = sorted(r.entities, key=lambda s: (rank[r.entities[s]], info[s][0].casefold(), s))
    index = {s: i for i, s in enumerate(order)}

    doc_iris = sorted((d for d in r.documents.values() if d.iri in index),
                      key=lambda d: (period_of(d.period) if period_of(d.period) is not None else -1,
                                     info[d.iri][0].casefold(), d.iri))
    doc_index = {d.iri: i for i, d in enumerate(doc_iris)}
    appears: dict[int, set[int]] = defaultdict(set)     # node -> documents it appears in
    for d in doc_iris:
        appears[index[d.iri]].add(doc_index[d.iri])
        if d.period in index:
            appears[index[d.period]].add(doc_index[d.iri])
        if d.company in index:
            appears[index[d.company]].add(doc_index[d.iri])

    links = _Links(index)
    role_label = {"InvestorRelations": "Investor Relations"}

    # Participations: who spoke, in which role, for whom, in that call.
    parts_by_doc: dict[int, list] = defaultdict(list)
    for p in sorted(r.participations, key=lambda p: (p.call, p.person)):
        doc = doc_index.get(p.call)
        role = role_label.get(p.role or "", _humanise(p.role)) if p.role else None
        if doc is not None and p.person in index:
            appears[index[p.person]].add(doc)
            parts_by_doc[doc].append([index[p.person], role, p.title, index.get(p.organisation)])
            if p.organisation in index:
                appears[index[p.organisation]].add(doc)
        links.add(p.person, p.call, f"spoke at ({role})" if role else "spoke at", doc, p.title)
        if p.organisation:
            links.add(p.person, p.organisation, "analyst at" if p.role == "Analyst" else "works for", doc, p.title)
    for person, org in sorted(r.member_of):
        if not links.has(person, org):
            links.add(person, org, "works for")

    firm_then = {(p.call, p.person): p.organisation for p in r.participations if p.organisation}
    for x in r.exchanges:
        doc = doc_index.get(x.call)
        links.add(x.asker, x.call, "asked in", doc)
        if doc is not None and x.asker in index:
            appears[index[x.asker]].add(doc)

    # Mentions: call -> entity, one link counting the turns.
    mentioned_in: dict[str, list] = defaultdict(list)       # entity -> [(doc, turn)]
    turn_mentions: dict[str, list[int]] = defaultdict(list)
    for m in sorted(r.mentions, key=lambda m: (m.call, m.order, m.turn, m.entity)):
        doc = doc_index.get(m.call)
        if links.add(m.call, m.entity, "mentions", doc) and doc is not None:
            appears[index[m.entity]].add(doc)
            mentioned_in[m.entity].append((doc, m.turn))
        if m.entity in index:
            turn_mentions[m.turn].append(index[m.entity])

    for s, p, o in sorted(r.direct):
        links.add(s, o, DIRECT[p], doc_index.get(s))
    for a in r.assertions:
        doc = doc_index.get(a.document) if a.document else None
        label = DIRECT.get(a.predicate)
        if label:
            links.attach(a.subject, a.object, label, doc)
            for e in (a.subject, a.object):
                if doc is not None and e in index:
                    appears[index[e]].add(doc)

    # Layout and sizes.
    pair_list = sorted(links.pairs)
    degree: Counter = Counter()
    for a, b in pair_list:
        degree[a] += 1
        degree[b] += 1
    pos = positions(len(order), pair_list)

    # Quotes: figures and relations carry their own; mentions and questions are cut from turns.
    quotes = _Quotes()
    node_quotes: dict[int, list[int]] = defaultdict(list)

    def doc_period_key(doc: int | None) -> int:
        if doc is None:
            return -1
        p = period_of(doc_iris[doc].period)
        return p if p is not None else -1

    concept = {c: l for c, l in r.concept_labels.items()}
    metrics: list[str] = []
    metric_index: dict[str, int] = {}
    figs = []
    obs_quote: dict[str, int] = {}
    for o in sorted(r.observations, key=lambda o: (doc_period_key(doc_index.get(o.document)), o.iri)):
        doc = doc_index.get(o.document) if o.document else None
        if o.metric not in metric_index:
            metric_index[o.metric] = len(metrics)
            metrics.append(concept.get(o.metric) or _humanise(local(o.metric)))
        q = None
        if o.quote:
            q = quotes.add(o.quote, o.translation, doc, index.get(o.stated_by), "figure")
            obs_quote[o.iri] = q
        fig = {"m": metric_index[o.metric], "k": _KIND_CODE.get(o.kind, "R")}
        for key, value in (("c", index.get(o.company)), ("p", period_of(o.period)), ("v", o.value),
                           ("lo", o.low), ("hi", o.high), ("u", o.unit), ("ch", o.change), ("b", o.basis),
                           ("d", doc), ("by", index.get(o.stated_by)), ("q", q)):
            if value is not None:
                fig[key] = value
        figs.append(fig)
        if o.stated_by in index and doc is not None:
            appears[index[o.stated_by]].add(doc)

    figures_by_doc: dict[int, list[int]] = defaultdict(list)
    figures_by_person: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(figs):
        if "d" in f:
            figures_by_doc[f["d"]].append(i)
        if "by" in f:
            figures_by_person[f["by"]].append(i)

    for a in r.assertions:
        if not a.quote:
            continue
        doc = doc_index.get(a.document) if a.document else None
        q = quotes.add(a.quote, a.translation, doc, None, "relation")
        for e in (a.subject, a.object):
            if e in index and len(node_quotes[index[e]]) < MAX_QUOTES // 2:
                node_quotes[index[e]].append(q)

    # Turns to read: the latest few mentions of every entity, and each exchange's first question.
    wanted: dict[int, list[tuple[int, str]]] = {}
    for entity, found in mentioned_in.items():
        latest: list[tuple[int, str]] = []
        used_docs: set[int] = set()
        for doc, turn in sorted(found, key=lambda dt: (-doc_period_key(dt[0]), dt[0])):
            if doc not in used_docs:
                used_docs.add(doc)
                latest.append((doc, turn))
            if len(latest) >= MAX_QUOTES:
                break
        wanted[index[entity]] = latest
    first_questions = {x.iri: x.questions[0] for x in r.exchanges if x.questions}
    texts = r.turn_text([t for v in wanted.values() for _, t in v] + list(first_questions.values())) \
        if r.turn_text else {}

    asks_by_doc: dict[int, list] = defaultdict(list)
    question_quotes: dict[str, int] = {}
    for x in sorted(r.exchanges, key=lambda x: x.iri):
        doc = doc_index.get(x.call)
        if doc is None or x.asker not in index:
            continue
        q = None
        turn = first_questions.get(x.iri)
        if turn in texts:
            en, zh = opening_snippet(texts[turn])
            q = quotes.add(en, zh, doc, index[x.asker], "question")
            question_quotes[x.iri] = q
        about = sorted({e for t in x.questions for e in turn_mentions.get(t, []) if e != index[x.asker]})
        entry = [index[x.asker], index.get(firm_then.get((x.call, x.asker))), about, q,
                 [index[a] for a in x.answerers if a in index]]
        asks_by_doc[doc].append(entry)

    # A person's questions, in exchange order: looked up per person, so not found by scanning
    # every exchange for each (that grew with people times exchanges).
    questions_of: dict[str, list[int]] = defaultdict(list)
    for x in r.exchanges:
        if (q := question_quotes.get(x.iri)) is not None:
            questions_of[x.asker].append(q)

    for i, s in enumerate(order):
        kind = r.entities[s]
        chosen = node_quotes[i]
        if kind == "person":
            quoted = [f for f in figures_by_person.get(i, []) if "q" in figs[f]]
            for f in sorted(quoted, key=lambda f: -doc_period_key(figs[f].get("d")))[:2]:
                if figs[f]["q"] not in chosen:
                    chosen.append(figs[f]["q"])
            for q in questions_of.get(s, [])[-2:]:
                if q not in chosen:
                    chosen.append(q)
        elif kind in ("call", "note"):
            for f in figures_by_doc.get(doc_index.get(s, -1), [])[:4]:
                if "q" in figs[f] and figs[f]["q"] not in chosen:
                    chosen.append(figs[f]["q"])
        names_ = [info[s][0], *info[s][1]]
        for doc, turn in wanted.get(i, []):
            if len(chosen) >= MAX_QUOTES:
                break
            if turn in texts:
                found = mention_snippet(texts[turn], names_)
                if found:
                    chosen.append(quotes.add(found[0], found[1], doc, index.get(texts[turn].speaker), "mention"))
        node_quotes[i] = chosen[:MAX_QUOTES]

    # Nodes, links and documents as the page reads them.
    nodes = []
    for i, s in enumerate(order):
        label, aliases, chinese = info[s]
        x, y = pos[i]
        node = {"l": label, "t": _TYPE_INDEX[r.entities[s]], "i": s, "x": x, "y": y, "g": degree[i]}
        if aliases:
            node["a"] = aliases
        if chinese:
            node["z"] = chinese
        if appears.get(i):
            node["d"] = sorted(appears[i])
        if node_quotes.get(i):
            node["q"] = node_quotes[i]
        if r.entities[s] == "period":
            node["p"] = period_of(s)
        nodes.append(node)

    edges = []
    for a, b in pair_list:
        link = links.pairs[(a, b)]
        rels = sorted(link.counts, key=_rel_rank)
        edge = {"f": a, "t": b, "r": rels}
        if sum(link.counts.values()) > 1:
            edge["c"] = [link.counts[x] for x in rels]
        details = [f"{x}: " + "; ".join(sorted(link.details[x])[:MAX_DETAILS]) for x in rels if link.details.get(x)]
        if details:
            edge["h"] = details
        if link.docs:
            edge["d"] = sorted(link.docs)
        if (b, a) in links.pairs:
            edge["b"] = 1      # both directions: the page bends them apart
        edges.append(edge)

    docs = []
    for i, d in enumerate(doc_iris):
        doc = {"n": index[d.iri], "k": d.kind, "s": d.source}
        if period_of(d.period) is not None:
            doc["p"] = period_of(d.period)
        if d.company in index:
            doc["c"] = index[d.company]
        if d.sentiment:
            doc["m"] = d.sentiment
        if parts_by_doc.get(i):
            doc["sp"] = parts_by_doc[i]
        if asks_by_doc.get(i):
            doc["as"] = asks_by_doc[i]
        if figures_by_doc.get(i):
            doc["f"] = figures_by_doc[i]
        docs.append(doc)

    turns = []
    if not r.turns_omitted:  # past TURN_BUDGET the reader leaves them out and counts them
        for t in sorted(r.turns, key=lambda t: (t.call, t.order)):
            doc = doc_index.get(t.call)
            if doc is None:
                continue
            row = [doc, t.order, index.get(t.speaker), 1 if t.section == "QuestionAndAnswer" else 0]
            if turn_mentions.get(t.iri):
                row.append(sorted(set(turn_mentions[t.iri])))
            turns.append(row)

    overview = _overview(nodes, edges, docs, periods)
    mode = "overview" if len(nodes) > budget else "full"
    return {
        "title": title,
        "mode": mode,
        "budget": budget,
        "types": [list(t) for t in TYPES],
        "periods": periods,
        "docs": docs,
        "nodes": nodes,
        "edges": edges,
        "quotes": quotes.rows,
        "zh": quotes.zh,
        "metrics": metrics,
        "figs": figs,
        "series": _series(figs, nodes, periods, metrics, docs),
        "turns": turns,
        "turnsOmitted": r.turns_omitted,
        "groups": overview["groups"],
        "groupEdges": overview["edges"],
        "folded": r.counts,
    }


def _overview(nodes: list[dict], edges: list[dict], docs: list[dict], periods: list[dict]) -> dict:
    """Nodes grouped by type and fiscal year (an entity counts in every year it appears in), and
    the links between groups of the same year, counted."""
    year_of_doc = [periods[d["p"]]["y"] if "p" in d else None for d in docs]
    members: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        if "p" in n:
            years = {periods[n["p"]]["y"]}
        else:
            years = {year_of_doc[d] for d in n.get("d", [])} or {None}
        for y in years:
            members[(n["t"], y)].append(i)
    keys = sorted(members, key=lambda k: (k[1] is None, k[1] or 0, k[0]))
    group_index = {k: i for i, k in enumerate(keys)}
    counts: Counter = Counter()
    for e in edges:
        years = {year_of_doc[d] for d in e.get("d", [])}
        for y in years:
            a = group_index.get((nodes[e["f"]]["t"], y))
            b = group_index.get((nodes[e["t"]]["t"], y))
            if a is not None and b is not None and a != b:
                counts[(a, b)] += 1
    return {
        "groups": [{"t": t, "y": y, "n": members[(t, y)]} for t, y in keys],
        "edges": [[a, b, n] for (a, b), n in sorted(counts.items())],
    }


def _series(figs: list[dict], nodes: list[dict], periods: list[dict], metrics: list[str],
            docs: list[dict]) -> list[dict]:
    """One chart per company and metric (and unit): the reported level of each quarter against
    the guidance ranges given for it. Changes ("up 11%") and full-year figures are left out."""
    by_key: dict[tuple, dict] = {}
    for i, f in enumerate(figs):
        if "ch" in f or "c" not in f or "p" not in f or periods[f["p"]]["q"] is None:
            continue
        key = (f["c"], f["m"], f.get("u"))
        s = by_key.setdefault(key, {"reported": defaultdict(list), "guidance": []})
        if f["k"] == "R" and "v" in f:
            s["reported"][f["p"]].append(i)
        elif f["k"] == "G" and ("v" in f or "lo" in f):
            s["guidance"].append(i)
    out = []
    for (company, metric, unit), s in by_key.items():
        if not s["reported"]:
            continue
        points = []
        for p, figs_here in sorted(s["reported"].items()):
            # The call about the quarter says it best; otherwise the value most documents give.
            own = [i for i in figs_here if "d" in figs[i] and docs[figs[i]["d"]].get("p") == p]
            values = Counter(figs[i]["v"] for i in figs_here)
            pick = own[0] if own else max(figs_here, key=lambda i: (values[figs[i]["v"]], -i))
            points.append([p, figs[pick]["v"], pick, len({figs[i]["v"] for i in figs_here})])
        ranges = []
        for i in s["guidance"]:
            f = figs[i]
            lo, hi = f.get("lo", f.get("v")), f.get("hi", f.get("v"))
            ranges.append([f["p"], lo, hi, i])
        out.append({"c": company, "m": metric, "u": unit, "pts": points, "gd": sorted(ranges)})
    metric_rank = {name: i for i, name in enumerate(_METRIC_ORDER)}

    def sort_key(s: dict) -> tuple:
        name = metrics[s["m"]]
        compact = name.replace(" ", "").lower()
        rank = next((i for n, i in metric_rank.items() if n.lower() == compact), len(metric_rank))
        return nodes[s["c"]]["l"].casefold(), rank, name, s["u"] or ""

    return sorted(out, key=sort_key)
