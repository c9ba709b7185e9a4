"""An interactive, self-contained HTML view of the knowledge graph (pyvis / vis-network).

The page shows the entities people care about (people, organisations, programmes, products,
places, calls, research notes, fiscal periods) as nodes. The structural nodes of the graph
(participations, turns, exchanges, observations, evidence, assertions) are not drawn: they are
folded into labelled edges between entities, e.g. a participation becomes
``person --spoke at (Executive)--> call`` and a turn's ``ekg:mentions`` becomes
``call --mentions--> entity``. All edges between the same two nodes (same direction) are merged
into one edge whose label lists the relations.

Positions are computed in Python (a seeded force layout) and physics is off in the browser, so
the page is stable from one build to the next and fast to open. The page needs no network:
vis-network's script and CSS are inlined from the copies pyvis ships, and the template
(``kg/templates/graph.html``) links nothing remote.

Safety: every value taken from the data is escaped for the context it lands in. Names in the
HTML (legend, entity lists) go through :func:`html.escape`; the node and edge data is embedded
as JSON with ``<``, ``>``, ``&`` and ``'`` written as ``\\u`` escapes; tooltips are plain text
that the page turns into DOM elements with ``textContent`` (vis-network 9.1.2 itself sets a
string tooltip with ``innerText``, but older versions used ``innerHTML``; handing it an element
is safe in every version).
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pyvis.network import Network
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import FOAF

from ontology import EKG, ORG, SCHEMA

__all__ = ["render_html", "write_html", "NODE_TYPES"]

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "graph.html"

#: Display types, most specific first: an entity with several types takes the first that applies.
#: (key, class IRI, legend label, colour, vis-network shape)
NODE_TYPES: list[tuple[str, URIRef, str, str, str]] = [
    ("call", EKG.EarningsCall, "Earnings call", "#9c755f", "star"),
    ("note", EKG.ResearchNote, "Research note", "#ff9da7", "hexagon"),
    ("period", EKG.FiscalPeriod, "Fiscal period", "#bab0ac", "dot"),
    ("person", FOAF.Person, "Person", "#4e79a7", "dot"),
    ("firm", EKG.ResearchFirm, "Research firm", "#e15759", "square"),
    ("agency", EKG.GovernmentAgency, "Government agency", "#76b7b2", "square"),
    ("program", EKG.GovernmentProgram, "Government programme", "#59a14f", "diamond"),
    ("product", EKG.Product, "Product", "#edc948", "triangle"),
    ("place", SCHEMA.AdministrativeArea, "Place", "#b07aa1", "triangleDown"),
    ("org", ORG.Organization, "Organisation", "#f28e2b", "square"),
]
_TYPE_BY_CLASS = {cls: i for i, (_, cls, _, _, _) in enumerate(NODE_TYPES)}

# Direct entity-to-entity relations: predicate -> edge label.
_DIRECT = {
    EKG.company: "about",
    EKG.period: "in period",
    EKG.administeredBy: "administered by",
    EKG.offeredBy: "offered by",
    EKG.customerOf: "customer of",
    EKG.competitorOf: "competitor of",
    EKG.partnerOf: "partner of",
}
_ORG_RELATIONS = (EKG.customerOf, EKG.competitorOf, EKG.partnerOf, EKG.offeredBy, EKG.administeredBy)

#: The order relations are listed in on a merged edge.
_REL_ORDER = ("spoke at", "asked in", "works for", "analyst at", "about", "in period", "mentions",
              "administered by", "offered by", "customer of", "competitor of", "partner of")


def _rel_rank(label: str) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(_REL_ORDER) if label.startswith(p)), len(_REL_ORDER))
    return rank, label


MAX_LABEL = 48          # characters of a node label drawn on the canvas (the tooltip has all)
MAX_ALIASES = 25        # aliases listed in a tooltip
EDGE_LABELS_UP_TO = 400  # above this many edges, edge labels move to the tooltips only
SMALL_LAYOUT = 500      # networkx's dense spring layout below this many nodes


# --------------------------------------------------------------------------- reading the graph

def _flat(graph: Graph) -> Graph:
    """A graph whose ``triples`` see every triple: a Dataset without default union is flattened."""
    if hasattr(graph, "quads") and getattr(graph, "default_union", True) is False:
        flat = Graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            flat.add((s, p, o))
        return flat
    return graph


def _lang_is(lit: Literal, tag: str) -> bool:
    lang = (lit.language or "").lower()
    return lang == tag or lang.startswith(tag + "-")


def _last_segment(iri: str) -> str:
    seg = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return seg or iri


def _humanise(local: str) -> str:
    """``InvestorRelations`` -> ``Investor Relations``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local)


class _Reader:
    def __init__(self, graph: Graph):
        self.g = graph
        self._class_cache: dict = {}

    def display_type(self, cls) -> int | None:
        """Index in NODE_TYPES for a class, following rdfs:subClassOf in the graph; None if not shown."""
        if cls in self._class_cache:
            return self._class_cache[cls]
        best, seen, todo = None, {cls}, [cls]
        while todo:
            c = todo.pop()
            idx = _TYPE_BY_CLASS.get(c)
            if idx is not None and (best is None or idx < best):
                best = idx
            for sup in self.g.objects(c, RDFS.subClassOf):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        self._class_cache[cls] = best
        return best

    def entities(self) -> dict:
        """Entity -> index in NODE_TYPES, for every subject typed with a shown class."""
        found: dict = {}
        for s, cls in self.g.subject_objects(RDF.type):
            idx = self.display_type(cls)
            if idx is not None and (s not in found or idx < found[s]):
                found[s] = idx
        return found

    def names(self, s):
        """(label, aliases, chinese names) of an entity, deterministic."""
        labels = sorted(o for o in self.g.objects(s, RDFS.label) if isinstance(o, Literal))
        alts = sorted(o for o in self.g.objects(s, SKOS.altLabel) if isinstance(o, Literal))
        label = (
            next((str(o) for o in labels if _lang_is(o, "en")), None)
            or next((str(o) for o in labels if not o.language), None)
            or next((str(o) for o in alts if _lang_is(o, "en")), None)
            or next((str(o) for o in alts if not o.language), None)
            or next((str(o) for o in alts if not _lang_is(o, "zh-hant")), None)
            or _last_segment(str(s))
        )
        aliases = []
        for o in alts:
            text = str(o)
            if (not o.language or _lang_is(o, "en")) and text != label and text not in aliases:
                aliases.append(text)
        chinese = []
        for o in labels + alts:
            if _lang_is(o, "zh-hant") and str(o) not in chinese:
                chinese.append(str(o))
        return label, aliases, chinese

    def label_of(self, term) -> str:
        lab = next((str(o) for o in self.g.objects(term, RDFS.label)
                    if isinstance(o, Literal) and _lang_is(o, "en")), None)
        return lab or _humanise(_last_segment(str(term)))


class _Edges:
    """Relations folded into one edge per ordered pair of nodes."""

    def __init__(self, nodes: dict):
        self.nodes = nodes
        # (src, dst) -> {label: [count, set of details]}
        self.pairs: dict = {}

    def add(self, src, dst, label: str, detail: str | None = None) -> bool:
        if src not in self.nodes or dst not in self.nodes or src == dst:
            return False
        rels = self.pairs.setdefault((src, dst), {})
        entry = rels.setdefault(label, [0, set()])
        entry[0] += 1
        if detail:
            entry[1].add(detail)
        return True

    def has(self, src, dst) -> bool:
        return (src, dst) in self.pairs


def _collect(graph: Graph):
    r = _Reader(graph)
    g = r.g
    nodes = r.entities()
    edges = _Edges(nodes)

    # Participations: person -spoke at (Role)-> call, person -works for / analyst at-> organisation.
    for part, person in sorted(g.subject_objects(EKG.participant)):
        call = g.value(part, EKG.call)
        roles = sorted(g.objects(part, EKG.participantRole))
        titles = sorted(str(t) for t in g.objects(part, EKG.title))
        title = "; ".join(titles) or None
        role_names = [r.label_of(x) for x in roles]
        if call is not None:
            label = f"spoke at ({', '.join(role_names)})" if role_names else "spoke at"
            edges.add(person, call, label, title)
        analyst = EKG.Analyst in roles
        for org in sorted(g.objects(part, EKG.affiliation)):
            edges.add(person, org, "analyst at" if analyst else "works for", title)
    # The ORG shortcut, where no participation already says it.
    for person, org in sorted(g.subject_objects(ORG.memberOf)):
        if not edges.has(person, org):
            edges.add(person, org, "works for")

    # Exchanges: person -asked in-> call.
    for exchange, person in sorted(g.subject_objects(EKG.askedBy)):
        for call in g.objects(exchange, EKG.call):
            edges.add(person, call, "asked in")

    # Turns: call -mentions-> entity (one edge, counting the turns).
    for turn, entity in sorted(g.subject_objects(EKG.mentions)):
        for call in g.objects(turn, EKG.call):
            edges.add(call, entity, "mentions")

    # Direct relations between shown nodes (observations etc. are not nodes, so are skipped).
    for pred, label in _DIRECT.items():
        for s, o in sorted(g.subject_objects(pred)):
            edges.add(s, o, label)
    # Organisation relations that exist only in their reified form.
    for assertion, pred in sorted(g.subject_objects(RDF.predicate)):
        if pred in _ORG_RELATIONS:
            s, o = g.value(assertion, RDF.subject), g.value(assertion, RDF.object)
            if s is not None and o is not None and _DIRECT[pred] not in edges.pairs.get((s, o), {}):
                edges.add(s, o, _DIRECT[pred])
    return r, nodes, edges


# --------------------------------------------------------------------------- layout

def _layout_large(n: int, pairs: np.ndarray, seed: int, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold in numpy (the force model of networkx's spring_layout), without scipy.

    Repulsion is exact, computed in cache-sized blocks of rows (O(n) memory, O(n^2) time: about
    0.05 s an iteration at 5,000 nodes); attraction runs over the edge list.
    """
    rng = np.random.default_rng(seed)
    x = rng.random(n, dtype=np.float32)
    y = rng.random(n, dtype=np.float32)
    k2 = np.float32(1.0 / n)
    k = np.float32(math.sqrt(1.0 / n))
    t = np.float32(0.1)
    dt = t / (iterations + 1)
    block = max(16, min(256, 600_000 // n))
    i, j = (pairs[:, 0], pairs[:, 1]) if len(pairs) else (None, None)
    dispx = np.empty(n, dtype=np.float32)
    dispy = np.empty(n, dtype=np.float32)
    for _ in range(iterations):
        for start in range(0, n, block):
            stop = start + block
            dx = x[start:stop, None] - x[None, :]
            dy = y[start:stop, None] - y[None, :]
            d2 = dx * dx
            d2 += dy * dy
            np.maximum(d2, np.float32(1e-4), out=d2)
            np.divide(k2, d2, out=d2)
            dispx[start:stop] = np.einsum("ij,ij->i", dx, d2)
            dispy[start:stop] = np.einsum("ij,ij->i", dy, d2)
        if i is not None:
            ex, ey = x[i] - x[j], y[i] - y[j]
            f = np.sqrt(ex * ex + ey * ey) / k
            fx, fy = ex * f, ey * f
            np.subtract.at(dispx, i, fx)
            np.add.at(dispx, j, fx)
            np.subtract.at(dispy, i, fy)
            np.add.at(dispy, j, fy)
        length = np.maximum(np.sqrt(dispx * dispx + dispy * dispy), np.float32(0.01))
        step = t / length
        x += dispx * step
        y += dispy * step
        t -= dt
    return np.stack([x, y], axis=1)


def _positions(n: int, pairs: list, seed: int = 7) -> dict:
    """Canvas coordinates for nodes 0..n-1: a seeded force layout of the linked nodes, the
    unlinked ones in a grid below it (left in the force layout they would only push the rest
    into a small ball)."""
    if n == 0:
        return {}
    linked = sorted({i for pair in pairs for i in pair})
    local = {node: k for k, node in enumerate(linked)}
    m = len(linked)
    out: dict = {}
    if m:
        local_pairs = [(local[a], local[b]) for a, b in pairs]
        if m < SMALL_LAYOUT:
            G = nx.Graph()
            G.add_nodes_from(range(m))
            G.add_edges_from(local_pairs)
            pos = nx.spring_layout(G, seed=seed, iterations=100, scale=1.0)
            arr = np.array([pos[k] for k in range(m)], dtype=float)
        else:  # networkx needs scipy from 500 nodes on, and its sparse path is slow
            iterations = max(25, min(50, int(50 * 3000 / m)))
            arr = _layout_large(m, np.array(local_pairs, dtype=np.int64).reshape(-1, 2), seed,
                                iterations).astype(float)
        arr -= arr.mean(axis=0)
        extent = np.abs(arr).max() or 1.0
        arr *= (75.0 * math.sqrt(m) + 100.0) / extent
        for node, (x, y) in zip(linked, arr):
            out[node] = (round(float(x), 1), round(float(y), 1))
    alone = [i for i in range(n) if i not in local]
    if alone:
        step = 90.0
        if m:
            xs = [p[0] for p in out.values()]
            left, width = min(xs), max(max(xs) - min(xs), step)
            top = max(p[1] for p in out.values()) + 2 * step
        else:
            width = step * math.ceil(math.sqrt(len(alone)))
            left, top = -width / 2, -width / 2
        cols = max(1, int(width // step) + 1)
        for k, node in enumerate(alone):
            out[node] = (round(left + (k % cols) * step, 1), round(top + (k // cols) * step, 1))
    return out


# --------------------------------------------------------------------------- page

def _shorten(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend_icon(colour: str, shape: str) -> Markup:
    """A 14 px SVG glyph of a node shape (static, no data in it)."""
    shapes = {
        "dot": '<circle cx="7" cy="7" r="6"/>',
        "square": '<rect x="1.5" y="1.5" width="11" height="11"/>',
        "diamond": '<polygon points="7,0.5 13.5,7 7,13.5 0.5,7"/>',
        "triangle": '<polygon points="7,1 13.5,13 0.5,13"/>',
        "triangleDown": '<polygon points="0.5,1 13.5,1 7,13"/>',
        "hexagon": '<polygon points="3.5,1 10.5,1 14,7 10.5,13 3.5,13 0,7"/>',
        "star": '<polygon points="7,0.5 8.8,5 13.5,5.2 9.8,8.2 11.1,13 7,10.3 2.9,13 4.2,8.2 0.5,5.2 5.2,5"/>',
    }
    return Markup(
        f'<svg class="kg-icon" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" '
        f'fill="{colour}" stroke="rgba(0,0,0,.45)" stroke-width="0.8">{shapes[shape]}</svg>'
    )


@lru_cache(maxsize=1)
def _assets() -> tuple[Markup, Markup]:
    """vis-network's script and stylesheet, as shipped with pyvis, safe to inline."""
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)
    return Markup(js), Markup(css)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _esc(text: str) -> Markup:
    return Markup(html.escape(text, quote=True))


def build_network(graph: Graph, title: str = "kg") -> tuple[Network, list[dict]]:
    """The pyvis Network for a graph (nodes, edges, options) and the legend rows."""
    r, entities, edges = _collect(_flat(graph))

    # Stable order: by display type, then label, then IRI.
    info = {}
    for s, tidx in entities.items():
        info[s] = (tidx, *r.names(s))
    order = sorted(entities, key=lambda s: (info[s][0], info[s][1].casefold(), str(s)))
    index = {s: i for i, s in enumerate(order)}

    pair_list = sorted((index[a], index[b]) for a, b in edges.pairs)
    degree = defaultdict(int)
    for a, b in pair_list:
        degree[a] += 1
        degree[b] += 1
    pos = _positions(len(order), pair_list)

    vis_nodes = []
    for s in order:
        i = index[s]
        tidx, label, aliases, chinese = info[s]
        _, _, type_label, colour, shape = NODE_TYPES[tidx]
        lines = [type_label, label]
        if aliases:
            extra = f" (+{len(aliases) - MAX_ALIASES} more)" if len(aliases) > MAX_ALIASES else ""
            lines.append("Also: " + "; ".join(aliases[:MAX_ALIASES]) + extra)
        if chinese:
            lines.append("中文: " + "; ".join(chinese[:MAX_ALIASES]))
        lines.append(f"Links: {degree[i]}")
        lines.append(str(s))
        x, y = pos[i]
        vis_nodes.append({
            "id": i,
            "label": _shorten(label),
            "title": "\n".join(lines),      # plain text; the page makes a textContent element of it
            "shape": shape,
            "color": colour,
            "size": round(min(40.0, 9.0 + 5.0 * math.sqrt(degree[i])), 1),
            "x": x,
            "y": y,
        })

    show_edge_labels = len(edges.pairs) <= EDGE_LABELS_UP_TO
    vis_edges = []
    for a, b in pair_list:
        src, dst = order[a], order[b]
        rels = edges.pairs[(src, dst)]
        parts = []
        tip = [f"{info[src][1]} → {info[dst][1]}"] if show_edge_labels else []
        total = 0
        for rel, (count, details) in sorted(rels.items(), key=lambda kv: _rel_rank(kv[0])):
            parts.append(rel)
            total += count
            line = rel
            if rel == "mentions":
                line += f" ({count} turn{'s' if count != 1 else ''})"
            elif rel == "asked in" and count > 1:
                line += f" ({count} exchanges)"
            if details:
                line += " — " + "; ".join(sorted(details)[:5])
            tip.append(line)
        edge = {
            "from": a,
            "to": b,
            "title": "\n".join(tip),
        }
        if total > 1:
            edge["width"] = round(1.0 + min(4.0, math.log2(total)), 2)
        if show_edge_labels:
            edge["label"] = " · ".join(parts)
        if (dst, src) in edges.pairs:  # both directions: bend them apart
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15}
        vis_edges.append(edge)

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                  heading=title, bgcolor="#ffffff")
    net.nodes = vis_nodes       # filled directly: add_node/add_edge are quadratic
    net.edges = vis_edges
    net.options = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": "DejaVu Sans, Arial, sans-serif", "color": "#222222",
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a0a7b0", "highlight": "#333333", "hover": "#333333"},
            "font": {"size": 11, "color": "#555555", "strokeWidth": 3, "strokeColor": "#ffffff",
                     "align": "middle"},
            "smooth": False,
            "selectionWidth": 1.5,
        },
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True,
                        "hideEdgesOnDrag": len(vis_edges) > 2000,
                        "hideEdgesOnZoom": len(vis_edges) > 2000},
    }

    legend = []
    by_type = defaultdict(list)
    for s in order:
        by_type[info[s][0]].append(s)
    for tidx, (key, _, type_label, colour, shape) in enumerate(NODE_TYPES):
        members = by_type.get(tidx)
        if not members:
            continue
        legend.append({
            "key": key,
            "label": type_label,
            "colour": colour,
            "icon": _legend_icon(colour, shape),
            "count": len(members),
            "members": [{"id": index[s], "name": _esc(info[s][1])} for s in members],
        })
    return net, legend


def render_html(graph: Graph, title: str = "kg") -> str:
    """A complete, self-contained HTML page (no network needed) drawing the graph's entities."""
    net, legend = build_network(graph, title)
    nodes, edges, heading, height, width, _ = net.get_network_data()
    js, css = _assets()
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        heading=_esc(heading),
        nodes=nodes,
        edges=edges,
        options=net.options,
        node_count=len(nodes),
        edge_count=len(edges),
        legend=legend,
        vis_js=js,
        vis_css=css,
    )


def write_html(graph: Graph, path, title: str = "kg") -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(graph, title), encoding="utf-8")
    return path
