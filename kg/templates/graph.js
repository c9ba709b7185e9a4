/* kg's graph page: search, filters, focus, the details panel, the period view and the charts.
 *
 * The data comes from the <script type="application/json" id="kg-data"> block (see kg/view_model.py
 * for its shape). Every element that shows data is built with textContent or createElementNS:
 * nothing from the data is ever parsed as HTML. The network is drawn by vis-network with fixed
 * positions computed in Python and physics off; the DataSets hold only what is on screen, so a
 * large corpus costs memory for the data, not drawing time.
 */
/* global vis */
var nodes, edges, network;   // globals, as in pyvis's own template
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var body = document.body;
  var N = D.nodes, E = D.edges, DOCS = D.docs, PERIODS = D.periods, Q = D.quotes, ZH = D.zh, FIGS = D.figs;
  var TYPES = D.types;
  var TYPE = {};
  TYPES.forEach(function (t, i) { TYPE[t[0]] = i; });
  var NEIGHBOUR_CAP = Math.min(D.budget, 200);
  var PAGE = 15;           // documents per page of the period view

  // ------------------------------------------------------------------ small DOM helpers
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null) { return; }
        if (k === "text") { e.textContent = String(v); }
        else if (k === "class") { e.className = v; }
        else if (k === "onclick") { e.addEventListener("click", v); }
        else { e.setAttribute(k, String(v)); }
      });
    }
    for (var i = 2; i < arguments.length; i++) { add(e, arguments[i]); }
    return e;
  }
  function add(parent, child) {
    if (child === undefined || child === null || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { add(parent, c); }); return; }
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function svgTitle(parent, text) { var t = svg("title"); t.textContent = text; parent.appendChild(t); return parent; }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
  function shorten(text, limit) {
    text = String(text).replace(/\s+/g, " ");
    return text.length <= limit ? text : text.slice(0, limit - 1).replace(/\s+$/, "") + "…";
  }
  function fold(text) { return String(text).normalize("NFKC").toLowerCase(); }

  function icon(typeIndex) {
    var t = TYPES[typeIndex], colour = t[2], shape = t[3];
    var s = svg("svg", {width: 14, height: 14, viewBox: "0 0 14 14", "class": "kg-icon", "aria-hidden": "true"});
    var shapes = {
      dot: ["circle", {cx: 7, cy: 7, r: 6}], ellipse: ["ellipse", {cx: 7, cy: 7, rx: 6.5, ry: 4.5}],
      square: ["rect", {x: 1.5, y: 1.5, width: 11, height: 11}], box: ["rect", {x: 0.5, y: 3, width: 13, height: 8}],
      diamond: ["polygon", {points: "7,0.5 13.5,7 7,13.5 0.5,7"}], triangle: ["polygon", {points: "7,1 13.5,13 0.5,13"}],
      triangleDown: ["polygon", {points: "0.5,1 13.5,1 7,13"}],
      hexagon: ["polygon", {points: "3.5,1 10.5,1 14,7 10.5,13 3.5,13 0,7"}],
      star: ["polygon", {points: "7,0.5 8.8,5 13.5,5.2 9.8,8.2 11.1,13 7,10.3 2.9,13 4.2,8.2 0.5,5.2 5.2,5"}]
    };
    var spec = shapes[shape] || shapes.dot;
    var attrs = Object.assign({fill: colour, stroke: "rgba(0,0,0,.45)", "stroke-width": 0.8}, spec[1]);
    s.appendChild(svg(spec[0], attrs));
    return s;
  }

  // ------------------------------------------------------------------ formatting
  function money(v) {
    var sign = v < 0 ? "-" : "", a = Math.abs(v);
    var scales = [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < scales.length; i++) {
      if (a >= scales[i][0]) { return sign + "$" + Number((a / scales[i][0]).toPrecision(3)) + scales[i][1]; }
    }
    return sign + "$" + a;
  }
  function fmt(v, unit) {
    if (v === undefined || v === null) { return "?"; }
    if (unit === "USD") { return money(v); }
    if (unit === "Percent") { return Number(v.toPrecision(4)) + "%"; }
    if (unit === "BasisPoints") { return v + " bp"; }
    if (unit === "Days") { return v + " days"; }
    return String(Number(v.toPrecision(6)));
  }
  var KIND = {R: "reported", G: "guidance", T: "target"};
  function figureValue(f) {
    if (f.v !== undefined) { return fmt(f.v, f.u); }
    return fmt(f.lo, f.u) + "–" + fmt(f.hi, f.u);
  }
  function figureText(f) {
    var change = f.ch ? (f.ch === "Sequential" ? " change q/q" : " change y/y") : "";
    var basis = f.b === "NonGAAP" ? ", non-GAAP" : (f.b === "GAAP" ? ", GAAP" : "");
    var period = f.p !== undefined ? " for " + PERIODS[f.p].l : "";
    return D.metrics[f.m] + change + ": " + figureValue(f) + " (" + KIND[f.k] + period + basis + ")";
  }
  function docLabel(d) { return N[DOCS[d].n].l; }
  function periodLabel(p) { return p === undefined || p === null ? "no period" : PERIODS[p].l; }

  // ------------------------------------------------------------------ graph structure
  var adj = N.map(function () { return []; });
  E.forEach(function (e, i) { adj[e.f].push(i); adj[e.t].push(i); });
  function other(e, i) { return e.f === i ? e.t : e.f; }
  function neighbourhood(i) {
    var around = adj[i].map(function (k) { return other(E[k], i); });
    around = Array.from(new Set(around));
    around.sort(function (a, b) { return N[b].g - N[a].g || a - b; });
    var kept = around.slice(0, NEIGHBOUR_CAP);
    return {ids: new Set([i].concat(kept)), omitted: around.length - kept.length};
  }
  var docsOfPeriod = PERIODS.map(function () { return []; });
  DOCS.forEach(function (d, i) { if (d.p !== undefined) { docsOfPeriod[d.p].push(i); } });

  // ------------------------------------------------------------------ state
  function defaultTypes() {
    var s = new Set();
    TYPES.forEach(function (t, i) { if (t[4]) { s.add(i); } });
    return s;
  }
  var state = {
    overview: D.mode === "overview",   // the page holds more entities than it draws at once
    view: D.mode === "overview" ? "groups" : "graph",
    loaded: D.mode === "overview" ? new Set() : null,   // entities drawable in "graph" view (null: all)
    focus: null, omitted: 0,
    from: null, to: null, doc: null,
    types: defaultTypes(),
    selected: null,
    centre: null,      // the node a neighbourhood is drawn around, in rings; null: the stable layout
    extraNote: ""
  };

  function scopeDocs() {
    if (state.from === null && state.to === null && state.doc === null) { return null; }
    var s = new Set();
    DOCS.forEach(function (d, i) {
      if (state.doc !== null && i !== state.doc) { return; }
      if (state.from !== null || state.to !== null) {
        if (d.p === undefined) { return; }
        if (state.from !== null && d.p < state.from) { return; }
        if (state.to !== null && d.p > state.to) { return; }
      }
      s.add(i);
    });
    return s;
  }
  function periodInScope(p) {
    if (state.from !== null && p < state.from) { return false; }
    if (state.to !== null && p > state.to) { return false; }
    if (state.doc !== null && DOCS[state.doc].p !== p) { return false; }
    return true;
  }
  function meets(list, set) {
    if (!list) { return false; }
    for (var k = 0; k < list.length; k++) { if (set.has(list[k])) { return true; } }
    return false;
  }

  function visibleEntities(scope) {
    var vis = new Set(), timeless = [];
    var candidates = state.loaded === null ? N.map(function (_, i) { return i; }) : Array.from(state.loaded);
    candidates.forEach(function (i) {
      var n = N[i];
      if (!state.types.has(n.t)) { return; }
      if (state.focus && !state.focus.has(i)) { return; }
      if (scope) {
        if (n.p !== undefined) {
          if (!periodInScope(n.p)) { return; }
          if (state.doc !== null && !meets(n.d, scope)) { return; }
        } else if (!n.d) { timeless.push(i); return; }
        else if (!meets(n.d, scope)) { return; }
      }
      vis.add(i);
    });
    // Entities no document dates (an agency behind a programme) stay beside what is shown.
    timeless.forEach(function (i) {
      if (adj[i].some(function (k) { return vis.has(other(E[k], i)); })) { vis.add(i); }
    });
    return vis;
  }
  function edgeVisible(e, vis, scope) {
    return vis.has(e.f) && vis.has(e.t) && (!scope || !e.d || meets(e.d, scope));
  }

  // ------------------------------------------------------------------ items for vis-network
  function tip(lines) {
    var div = el("div", {"class": "kg-tip"});
    lines.forEach(function (line, k) {
      if (line === null || line === undefined || line === "") { return; }
      add(div, k === 0 ? el("b", {text: line}) : el("div", {text: line}));
    });
    return div;
  }
  function nodeItem(i) {
    var n = N[i], t = TYPES[n.t];
    var lines = [n.l, t[1]];
    if (n.a) { lines.push("Also: " + shorten(n.a.slice(0, 12).join("; "), 300)); }
    if (n.z) { lines.push("中文: " + n.z.slice(0, 8).join("; ")); }
    if (n.d) { lines.push("In " + plural(n.d.length, "document")); }
    lines.push("Links: " + n.g);
    var at = posOf(i);
    return {id: i, label: shorten(n.l, 40), title: tip(lines), shape: t[3], color: t[2], value: Math.sqrt(n.g + 1),
            x: at.x, y: at.y};
  }
  function relText(e) {
    return e.r.map(function (r, k) { return e.c && e.c[k] > 1 ? r + " ×" + e.c[k] : r; }).join(" · ");
  }
  function edgeItem(k) {
    var e = E[k];
    var lines = [N[e.f].l + " → " + N[e.t].l, relText(e)].concat(e.h || []);
    var total = e.c ? e.c.reduce(function (a, b) { return a + b; }, 0) : 1;
    var item = {id: "e" + k, from: e.f, to: e.t, title: tip(lines), hoverText: relText(e)};
    if (total > 1) { item.width = 1 + Math.min(4, Math.log2(total)); }
    if (e.b) { item.smooth = {enabled: true, type: "curvedCW", roundness: 0.15}; }
    return item;
  }

  // Groups of the overview: one node per type and fiscal year, in a grid (years across, types
  // down) with the years and types written as headings.
  var groupYears = Array.from(new Set(D.groups.map(function (g) { return g.y; })));
  groupYears.sort(function (a, b) { return (a === null) - (b === null) || a - b; });
  var groupRows = Array.from(new Set(D.groups.map(function (g) { return g.t; }))).sort(function (a, b) { return a - b; });
  var COL = 100, ROW = 70;
  function groupItem(g) {
    var G = D.groups[g], t = TYPES[G.t];
    var year = G.y === null ? "no period" : "FY" + G.y;
    return {id: "g" + g, label: String(G.n.length), shape: t[3], color: t[2], value: G.n.length,
            scaling: {min: 6, max: 26, label: {enabled: false}}, font: {size: 16},
            x: groupYears.indexOf(G.y) * COL, y: groupRows.indexOf(G.t) * ROW,
            title: tip([t[1] + ", " + year, plural(G.n.length, "entity", "entities") + " in its documents",
                        "Click to list them and see the group's links; double-click to draw them."])};
  }
  function headingItems() {
    var out = [];
    groupYears.forEach(function (y, col) {
      out.push({id: "hy" + col, label: y === null ? "no period" : "FY" + y, shape: "text", x: col * COL, y: -ROW * 0.8,
                font: {size: 20, color: "#555"}, chosen: false, scaling: {label: {enabled: false}}});
    });
    groupRows.forEach(function (t, row) {
      out.push({id: "ht" + t, label: TYPES[t][1], shape: "text", x: -COL * 1.2, y: row * ROW,
                font: {size: 20, color: "#555"}, chosen: false, scaling: {label: {enabled: false}}});
    });
    return out;
  }
  function groupVisible(g, scope) {
    var G = D.groups[g];
    if (!state.types.has(G.t)) { return false; }
    if (!scope) { return true; }
    if (G.y === null) { return false; }
    for (var p = 0; p < PERIODS.length; p++) {
      if (PERIODS[p].y === G.y && periodInScope(p) && (state.doc === null || DOCS[state.doc].p === p)) { return true; }
    }
    return false;
  }

  // A neighbourhood is drawn in rings around its centre (neighbours first, by type and name):
  // in the whole graph's layout its members would sit under each other's labels.
  var arranged = new Map();
  function posOf(i) { return arranged.get(i) || {x: N[i].x, y: N[i].y}; }
  function arrange(vis) {
    arranged = new Map();
    if (state.centre === null || !vis.has(state.centre)) { return; }
    var c = state.centre, origin = {x: N[c].x, y: N[c].y};
    var near = new Set(adj[c].map(function (k) { return other(E[k], c); }));
    var order = Array.from(vis).filter(function (i) { return i !== c; });
    order.sort(function (a, b) {
      return (near.has(b) - near.has(a)) || N[a].t - N[b].t || N[a].l.localeCompare(N[b].l) || a - b;
    });
    arranged.set(c, origin);
    var ring = 0, start = 0;
    while (start < order.length) {
      var radius = 220 + 170 * ring;
      var capacity = Math.max(8, Math.floor(2 * Math.PI * radius / 70));
      var here = order.slice(start, start + capacity);
      here.forEach(function (i, k) {
        var a = 2 * Math.PI * k / here.length + ring * 0.35;
        arranged.set(i, {x: Math.round(origin.x + radius * Math.cos(a)), y: Math.round(origin.y + radius * Math.sin(a))});
      });
      start += here.length;
      ring += 1;
    }
  }

  // Figures and turns: drawn on request, around the node of the document they come from.
  function ring(centre, k, count, radius) {
    var a = 2 * Math.PI * k / Math.max(count, 1), at = posOf(centre);
    return {x: at.x + radius * Math.cos(a), y: at.y + radius * Math.sin(a)};
  }
  function extraItems(scope, vis) {
    var out = {nodes: [], edges: [], note: ""};
    var wantFigures = state.types.has(TYPE.figure), wantTurns = state.types.has(TYPE.turn);
    if (!wantFigures && !wantTurns) { return out; }
    if (!scope && !state.focus) {
      out.note = "Choose a document, a period or a focus to draw figures and turns.";
      return out;
    }
    var docsHere = [];
    DOCS.forEach(function (d, i) { if ((!scope || scope.has(i)) && vis.has(d.n)) { docsHere.push(i); } });
    var figIds = [], turnIds = [];
    if (wantFigures) { docsHere.forEach(function (d) { (DOCS[d].f || []).forEach(function (f) { figIds.push(f); }); }); }
    if (wantTurns) {
      var inDocs = new Set(docsHere);
      D.turns.forEach(function (t, k) { if (inDocs.has(t[0])) { turnIds.push(k); } });
    }
    if (figIds.length + turnIds.length + vis.size > D.budget) {
      out.note = "Too many to draw: " + plural(figIds.length, "figure") + " and " + plural(turnIds.length, "turn") +
        " in these documents; choose fewer documents.";
      return out;
    }
    var perDoc = {};
    figIds.forEach(function (f) { var d = FIGS[f].d; perDoc[d] = (perDoc[d] || []).concat([f]); });
    Object.keys(perDoc).forEach(function (d) {
      var list = perDoc[d], centre = DOCS[d].n;
      list.forEach(function (f, k) {
        var F = FIGS[f], at = ring(centre, k, list.length, 140 + 4 * list.length);
        out.nodes.push({id: "f" + f, label: shorten(D.metrics[F.m], 22) + "\n" + figureValue(F), shape: "box",
                        color: TYPES[TYPE.figure][2], x: at.x, y: at.y, font: {size: 11},
                        title: tip([figureText(F), F.q !== undefined ? "“" + shorten(Q[F.q].e, 200) + "”" : ""])});
        out.edges.push({id: "fe" + f, from: "f" + f, to: centre, hoverText: "stated in", dashes: true});
        if (F.by !== undefined && vis.has(F.by)) { out.edges.push({id: "fb" + f, from: F.by, to: "f" + f, hoverText: "stated"}); }
      });
    });
    var perDocTurns = {};
    turnIds.forEach(function (k) { var d = D.turns[k][0]; perDocTurns[d] = (perDocTurns[d] || []).concat([k]); });
    Object.keys(perDocTurns).forEach(function (d) {
      var list = perDocTurns[d], centre = DOCS[d].n;
      list.forEach(function (k, j) {
        var t = D.turns[k], at = ring(centre, j, list.length, 260 + 6 * list.length);
        var who = t[2] !== null && t[2] !== undefined ? N[t[2]].l : "unnamed speaker";
        out.nodes.push({id: "t" + k, label: "#" + t[1], shape: "ellipse", color: TYPES[TYPE.turn][2],
                        x: at.x, y: at.y, font: {size: 10},
                        title: tip(["Turn " + t[1] + " of " + docLabel(t[0]), who, t[3] ? "Q&A" : "Prepared remarks"])});
        out.edges.push({id: "tc" + k, from: "t" + k, to: centre, hoverText: "turn of", dashes: true});
        if (t[2] !== null && t[2] !== undefined && vis.has(t[2])) {
          out.edges.push({id: "ts" + k, from: t[2], to: "t" + k, hoverText: "said"});
        }
        (t[4] || []).forEach(function (m) {
          if (vis.has(m)) { out.edges.push({id: "tm" + k + "-" + m, from: "t" + k, to: m, hoverText: "mentions"}); }
        });
      });
    });
    if (!D.turns.length && wantTurns && D.turnsOmitted) {
      out.note = "This page does not carry its " + D.turnsOmitted + " turns (too many); figures are drawn.";
    }
    return out;
  }

  // ------------------------------------------------------------------ drawing what the state says
  var lastCounts = {nodes: 0, edges: 0};
  function sync() {
    var scope = scopeDocs();
    var wantNodes = new Map(), wantEdges = new Map(), note = "";
    if (state.view === "groups") {
      D.groups.forEach(function (_, g) { if (groupVisible(g, scope)) { wantNodes.set("g" + g, g); } });
      headingItems().forEach(function (h) { wantNodes.set(h.id, h); });
      // A group's links are drawn when it is selected: all of them at once would be a thicket.
      var sel = typeof state.selected === "string" && state.selected.charAt(0) === "g" ? Number(state.selected.slice(1)) : null;
      D.groupEdges.forEach(function (ge, k) {
        if ((ge[0] === sel || ge[1] === sel) && wantNodes.has("g" + ge[0]) && wantNodes.has("g" + ge[1])) {
          wantEdges.set("ge" + k, k);
        }
      });
    } else {
      var vis = visibleEntities(scope);
      arrange(vis);
      vis.forEach(function (i) { wantNodes.set(i, i); });
      for (var k = 0; k < E.length; k++) { if (edgeVisible(E[k], vis, scope)) { wantEdges.set("e" + k, k); } }
      var extra = extraItems(scope, vis);
      extra.nodes.forEach(function (n) { wantNodes.set(n.id, n); });
      extra.edges.forEach(function (e) { wantEdges.set(e.id, e); });
      note = extra.note;
    }
    var dropN = nodes.getIds().filter(function (id) { return !wantNodes.has(id); });
    var dropE = edges.getIds().filter(function (id) { return !wantEdges.has(id); });
    edges.remove(dropE);
    nodes.remove(dropN);
    var newN = [], newE = [];
    wantNodes.forEach(function (v, id) {
      if (nodes.get(id)) { return; }
      if (typeof id === "number") { newN.push(nodeItem(id)); }
      else if (id.charAt(0) === "g") { newN.push(groupItem(v)); }
      else { newN.push(v); }
    });
    wantEdges.forEach(function (v, id) {
      if (edges.get(id)) { return; }
      if (id.charAt(0) === "e") { newE.push(edgeItem(v)); }
      else if (id.slice(0, 2) === "ge") {
        var ge = D.groupEdges[v];
        newE.push({id: id, from: "g" + ge[0], to: "g" + ge[1], width: 1 + Math.min(5, Math.log2(ge[2])),
                   smooth: {enabled: true, type: "curvedCW", roundness: 0.25},
                   hoverText: plural(ge[2], "link"), title: tip([plural(ge[2], "link") + " between these groups"])});
      } else { newE.push(v); }
    });
    nodes.add(newN);
    edges.add(newE);
    var moves = [];
    wantNodes.forEach(function (v, id) {
      if (typeof id !== "number") { return; }
      var at = posOf(id), item = nodes.get(id);
      if (item.x !== at.x || item.y !== at.y) { moves.push({id: id, x: at.x, y: at.y}); }
    });
    if (moves.length) { nodes.update(moves); }
    state.extraNote = note;
    lastCounts = {nodes: nodes.length, edges: edges.length};
    body.dataset.kgVisible = String(nodes.length);
    body.dataset.kgView = state.view;
    notice(scope);
    if (state.selected !== null && nodes.get(state.selected)) { network.selectNodes([state.selected]); showEdgeLabels(state.selected); }
  }

  function notice(scope) {
    var box = document.getElementById("kg-notice");
    var f = D.folded, parts = [];
    var folded = "Folded into the entities: " + [
      plural(f.turns || 0, "turn"), plural(f.observations || 0, "figure"), plural(f.evidence || 0, "evidence quote"),
      plural(f.participations || 0, "participation"), plural(f.exchanges || 0, "exchange"),
      plural(f.assertions || 0, "relation statement")].join(", ") + " (tick Figure or Turn to draw some).";
    var filters = [];
    if (state.from !== null || state.to !== null) {
      filters.push("periods " + (state.from !== null ? PERIODS[state.from].l : "first") + " – " +
                   (state.to !== null ? PERIODS[state.to].l : "last"));
    }
    if (state.doc !== null) { filters.push("document " + docLabel(state.doc)); }
    var hiddenTypes = TYPES.filter(function (t, i) { return t[4] && !state.types.has(i); }).map(function (t) { return t[1]; });
    if (hiddenTypes.length) { filters.push("types hidden: " + hiddenTypes.join(", ")); }
    if (state.view === "groups") {
      var groupsShown = nodes.getIds().filter(function (id) { return String(id).charAt(0) === "g"; }).length;
      parts.push("Overview: " + plural(N.length, "entity", "entities") + " and " + plural(E.length, "link") +
                 " are more than this page draws at once (" + D.budget + "), so they are grouped by type and fiscal year (" +
                 plural(groupsShown, "group") + " shown; an entity counts in each year it appears). " +
                 "Search, or double-click a group, to draw entities.");
    } else {
      var total = state.loaded === null ? N.length : state.loaded.size;
      var shown = 0;
      nodes.forEach(function (n) { if (typeof n.id === "number") { shown += 1; } });
      if (state.overview) {
        parts.push("Showing " + shown + " of the " + plural(total, "entity", "entities") + " loaded (" + N.length +
                   " in all; the rest stay in the page until you ask: “Whole graph” returns to the overview).");
      } else {
        parts.push("Showing " + shown + " of " + plural(N.length, "entity", "entities") + " and " +
                   edges.get({filter: function (e) { return String(e.id).charAt(0) === "e"; }}).length + " of " +
                   plural(E.length, "link") + ".");
      }
      if (state.focus) { parts.push("Focused on a neighbourhood" + (state.omitted ? " (" + state.omitted + " more neighbours not drawn, listed in the panel)" : "") + "."); }
    }
    if (filters.length) { parts.push("Filtered by " + filters.join("; ") + "."); }
    if (state.extraNote) { parts.push(state.extraNote); }
    parts.push(folded);
    box.textContent = parts.join(" ");
  }

  // Edge labels appear on hover, and for the links of the selected node.
  var labelled = new Set();
  function setLabels(ids) {
    var updates = [];
    labelled.forEach(function (id) { if (ids.indexOf(id) < 0 && edges.get(id)) { updates.push({id: id, label: ""}); } });
    labelled = new Set();
    ids.forEach(function (id) {
      var e = edges.get(id);
      if (e) { updates.push({id: id, label: e.hoverText || ""}); labelled.add(id); }
    });
    if (updates.length) { edges.update(updates); }
  }
  function showEdgeLabels(nodeId) {
    var ids = nodeId === null ? [] : network.getConnectedEdges(nodeId).slice(0, 12);
    setLabels(ids);
  }

  // ------------------------------------------------------------------ actions
  function fitVisible() {
    var ids = nodes.getIds();
    if (ids.length) { network.fit({nodes: ids, animation: false}); }
  }
  function select(id, opts) {
    opts = opts || {};
    if (typeof id === "string" && id.charAt(0) === "h") { return; }   // a heading of the overview
    if (typeof id === "number") {
      if (state.overview && (state.view === "groups" || !state.loaded.has(id))) {
        var nb = neighbourhood(id);
        state.view = "graph"; state.loaded = nb.ids; state.focus = null; state.omitted = nb.omitted;
        state.centre = id;
        sync(); fitVisible();
        opts = {};    // the fit shows the whole neighbourhood: no zooming in after it
      } else if (state.focus && !state.focus.has(id)) {
        state.focus = null; state.centre = null; sync();
      }
    }
    state.selected = id;
    if (typeof id === "string" && id.charAt(0) === "g") { sync(); }
    if (nodes.get(id)) {
      network.selectNodes([id]);
      showEdgeLabels(id);
      if (opts.move) { network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: {duration: 250}}); }
    }
    showDetails(id);
  }
  function focusOn(i, accumulate) {
    var nb = neighbourhood(i);
    state.omitted = nb.omitted;
    if (state.overview) {
      var keep = accumulate && state.view === "graph";
      state.view = "graph";
      state.loaded = keep ? new Set(Array.from(state.loaded).concat(Array.from(nb.ids))) : nb.ids;
      state.focus = null;
    } else {
      state.focus = accumulate && state.focus ? new Set(Array.from(state.focus).concat(Array.from(nb.ids))) : nb.ids;
    }
    state.selected = i;
    state.centre = accumulate && state.centre !== null ? state.centre : i;
    sync(); fitVisible(); select(i);
  }
  function loadGroup(g) {
    var members = D.groups[g].n.slice().sort(function (a, b) { return N[b].g - N[a].g || a - b; });
    state.view = "graph";
    state.loaded = new Set(members.slice(0, D.budget));
    state.omitted = Math.max(0, members.length - D.budget);
    state.focus = null; state.centre = null;
    sync(); fitVisible();
    showGroup(g);
  }
  function wholeGraph() {
    state.focus = null; state.omitted = 0; state.from = null; state.to = null; state.doc = null;
    state.types = defaultTypes(); state.selected = null; state.centre = null;
    if (state.overview) { state.view = "groups"; state.loaded = new Set(); }
    document.getElementById("kg-from").value = "";
    document.getElementById("kg-to").value = "";
    document.getElementById("kg-doc").value = "";
    syncTypeBoxes();
    network.unselectAll(); setLabels([]);
    sync(); fitVisible();
    renderTime(); renderCharts();
  }

  // ------------------------------------------------------------------ the details panel
  var panel = document.getElementById("kg-panel");
  function nodeLink(i) {
    if (i === undefined || i === null) { return document.createTextNode("—"); }
    return el("button", {"class": "kg-link", type: "button", "data-kg-node": i, text: N[i].l,
                         onclick: function () { select(i, {move: true}); }});
  }
  function quoteBox(q) {
    var row = Q[q];
    var cite = [];
    if (row.b !== undefined) { cite.push(N[row.b].l); }
    if (row.d !== undefined) { cite.push(docLabel(row.d) + (DOCS[row.d].p !== undefined ? "" : "")); }
    cite.push({figure: "a stated figure", relation: "a relation", mention: "a mention", question: "a question"}[row.k] || row.k);
    return el("blockquote", {"class": "kg-quote", "data-kg-quote": q},
      el("p", {"class": "kg-en", lang: "en", text: "“" + row.e + "”"}),
      row.z !== undefined ? el("p", {"class": "kg-zh", lang: "zh-Hant", text: ZH[row.z]}) : null,
      el("p", {"class": "kg-cite", text: "— " + cite.join(" · ")}));
  }
  function showTab(name) {
    document.querySelectorAll("#kg-tabs button").forEach(function (b) {
      b.setAttribute("aria-selected", b.dataset.tab === name ? "true" : "false");
    });
    document.querySelectorAll("#kg-side section").forEach(function (s) { s.hidden = s.dataset.tab !== name; });
    if (name === "time") { renderTime(); }
    if (name === "charts") { renderCharts(); }
  }
  function showDetails(id) {
    showTab("details");
    clear(panel);
    if (typeof id === "number") { showEntity(id); }
    else if (id.charAt(0) === "g") { showGroup(Number(id.slice(1))); }
    else if (id.charAt(0) === "f") { showFigure(Number(id.slice(1))); }
    else if (id.charAt(0) === "t") { showTurn(Number(id.slice(1))); }
    panel.scrollTop = 0;
  }
  function showEntity(i) {
    var n = N[i], t = TYPES[n.t];
    panel.dataset.kgNode = String(i);
    add(panel, [
      el("h2", {text: n.l}),
      el("div", {"class": "kg-type-line"}, icon(n.t), t[1]),
      el("div", {"class": "kg-iri", text: n.i})
    ]);
    if (n.a) { add(panel, el("p", null, el("strong", {text: "Also written: "}), n.a.join("; "))); }
    if (n.z) { add(panel, el("p", {lang: "zh-Hant"}, el("strong", {text: "中文: "}), n.z.join("; "))); }
    if (n.d) {
      var ps = n.d.map(function (d) { return DOCS[d].p; }).filter(function (p) { return p !== undefined; });
      var span = ps.length ? ", " + PERIODS[Math.min.apply(null, ps)].l + " – " + PERIODS[Math.max.apply(null, ps)].l : "";
      add(panel, el("p", {text: "In " + plural(n.d.length, "document") + span + "."}));
    }
    var buttons = el("div", {"class": "kg-buttons"},
      el("button", {type: "button", text: "Focus on its neighbourhood", onclick: function () { focusOn(i, false); }}),
      el("button", {type: "button", text: "Add its neighbours", onclick: function () { focusOn(i, true); }}));
    if (n.d) {
      add(buttons, el("button", {type: "button", text: "Its documents over time", onclick: function () {
        timeFor = i; showTab("time");
      }}));
    }
    add(panel, buttons);

    // Roles as they were in each call.
    var roles = [];
    DOCS.forEach(function (d, k) {
      (d.sp || []).forEach(function (p) { if (p[0] === i) { roles.push([k, p]); } });
    });
    if (roles.length) {
      add(panel, el("h3", {text: "Roles, call by call"}));
      var table = el("table", {"class": "kg-table"},
        el("tr", null, el("th", {text: "Period"}), el("th", {text: "Role"}), el("th", {text: "Title"}), el("th", {text: "For"})));
      roles.slice().reverse().slice(0, 40).forEach(function (r) {
        var p = r[1];
        add(table, el("tr", null, el("td", null, el("button", {"class": "kg-link", type: "button", text: periodLabel(DOCS[r[0]].p),
                                                               title: docLabel(r[0]), onclick: function () { select(DOCS[r[0]].n, {move: true}); }})),
                      el("td", {text: p[1] || ""}), el("td", {text: p[2] || ""}), el("td", null, p[3] !== null && p[3] !== undefined ? nodeLink(p[3]) : "")));
      });
      add(panel, table);
    }
    var asked = [];
    DOCS.forEach(function (d, k) { (d.as || []).forEach(function (a) { if (a[0] === i) { asked.push([k, a]); } }); });
    if (asked.length) {
      add(panel, el("h3", {text: "Asked " + plural(asked.length, "question exchange")}));
      var ul = el("ul");
      asked.slice().reverse().slice(0, 20).forEach(function (x) {
        var a = x[1];
        add(ul, el("li", null, docLabel(x[0]) + (a[2].length ? ", about " : ""),
                   a[2].slice(0, 6).map(function (m, j) { return [j ? ", " : "", nodeLink(m)]; })));
      });
      add(panel, ul);
    }

    // Links, grouped by what they say and which way they point.
    var groups = {};
    adj[i].forEach(function (k) {
      var e = E[k], out = e.f === i;
      e.r.forEach(function (r) {
        var key = out ? r + " →" : "← " + r;
        (groups[key] = groups[key] || []).push(other(e, i));
      });
    });
    var keys = Object.keys(groups).sort();
    if (keys.length) {
      add(panel, el("h3", {text: "Links (" + n.g + ")"}));
      keys.forEach(function (key) {
        var list = Array.from(new Set(groups[key]));
        list.sort(function (a, b) { return N[a].l.localeCompare(N[b].l); });
        var li = el("div", {"class": "kg-links"}, el("h4", {text: key + " (" + list.length + ")"}));
        var shown = list.slice(0, 30);
        add(li, shown.map(function (m, j) { return [j ? " · " : "", nodeLink(m)]; }));
        if (list.length > shown.length) { add(li, " · +" + (list.length - shown.length) + " more"); }
        add(panel, li);
      });
    }

    // Figures: a company's charts, a person's statements, a document's numbers.
    var hasSeries = D.series.some(function (s) { return s.c === i; });
    if (hasSeries) {
      add(panel, el("div", {"class": "kg-buttons"}, el("button", {type: "button", text: "Charts of its metrics", onclick: function () {
        chartCompany = i; showTab("charts");
      }})));
    }
    var stated = [];
    FIGS.forEach(function (f, k) { if (f.by === i) { stated.push(k); } });
    var docIndex = DOCS.findIndex(function (d) { return d.n === i; });
    if (docIndex >= 0) { stated = DOCS[docIndex].f || []; }
    if (stated.length) {
      add(panel, el("h3", {text: (docIndex >= 0 ? "Figures stated (" : "Figures this person stated (") + stated.length + ")"}));
      var fl = el("ul");
      stated.slice(0, 25).forEach(function (k) {
        add(fl, el("li", null, el("button", {"class": "kg-link", type: "button", text: figureText(FIGS[k]),
                                              onclick: function () { showDetails("f" + k); }})));
      });
      if (stated.length > 25) { add(fl, el("li", {text: "+" + (stated.length - 25) + " more"})); }
      add(panel, fl);
    }
    if (docIndex >= 0 && DOCS[docIndex].m) { add(panel, el("p", {text: "Sentiment: " + DOCS[docIndex].m})); }

    add(panel, el("h3", {text: "Evidence"}));
    if (n.q && n.q.length) { n.q.forEach(function (q) { add(panel, quoteBox(q)); }); }
    else { add(panel, el("p", {"class": "kg-hint", text: "No quote names this entity directly."})); }
  }
  function showGroup(g) {
    var G = D.groups[g], t = TYPES[G.t];
    panel.dataset.kgNode = "g" + g;
    add(panel, [el("h2", {text: t[1] + ", " + (G.y === null ? "no period" : "FY" + G.y)}),
                el("p", {text: plural(G.n.length, "entity", "entities") + " of this type appear in documents of this year."}),
                el("div", {"class": "kg-buttons"}, el("button", {type: "button", text: "Draw them", onclick: function () { loadGroup(g); }}))]);
    var members = G.n.slice().sort(function (a, b) { return N[b].g - N[a].g || a - b; });
    var ul = el("ul");
    members.slice(0, 300).forEach(function (m) { add(ul, el("li", null, nodeLink(m), " (" + N[m].g + " links)")); });
    if (members.length > 300) { add(ul, el("li", {text: "+" + (members.length - 300) + " more: search for them by name"})); }
    add(panel, ul);
  }
  function showFigure(k) {
    var f = FIGS[k];
    add(panel, [el("h2", {text: figureText(f)}), el("div", {"class": "kg-type-line"}, icon(TYPE.figure), TYPES[TYPE.figure][1])]);
    var ul = el("ul");
    if (f.c !== undefined) { add(ul, el("li", null, "Company: ", nodeLink(f.c))); }
    if (f.by !== undefined) { add(ul, el("li", null, "Stated by: ", nodeLink(f.by))); }
    if (f.d !== undefined) { add(ul, el("li", null, "In: ", nodeLink(DOCS[f.d].n), " (" + periodLabel(DOCS[f.d].p) + ")")); }
    add(panel, ul);
    if (f.q !== undefined) { add(panel, [el("h3", {text: "Evidence"}), quoteBox(f.q)]); }
  }
  function showTurn(k) {
    var t = D.turns[k];
    add(panel, [el("h2", {text: "Turn " + t[1] + " of " + docLabel(t[0])}),
                el("p", null, "Speaker: ", t[2] !== null && t[2] !== undefined ? nodeLink(t[2]) : "unnamed"),
                el("p", {text: t[3] ? "Questions and answers" : "Prepared remarks"})]);
    if (t[4]) { add(panel, el("p", null, "Mentions: ", t[4].map(function (m, j) { return [j ? ", " : "", nodeLink(m)]; }))); }
  }

  // ------------------------------------------------------------------ the period view
  var timeBox = document.getElementById("kg-time");
  var timeFor = null;      // an entity whose documents the period view lists
  var timeShown = PAGE;
  function renderTime() {
    if (timeBox.hidden) { return; }
    clear(timeBox);
    var scope = scopeDocs();
    var list = [];
    DOCS.forEach(function (d, i) {
      if (scope && !scope.has(i)) { return; }
      if (timeFor !== null && !(N[timeFor].d || []).includes(i)) { return; }
      list.push(i);
    });
    list.sort(function (a, b) { return (DOCS[b].p === undefined ? -1 : DOCS[b].p) - (DOCS[a].p === undefined ? -1 : DOCS[a].p) || a - b; });
    var heading = (state.from !== null || state.to !== null) ?
      (state.from !== null ? PERIODS[state.from].l : "first") + " – " + (state.to !== null ? PERIODS[state.to].l : "last") :
      "All periods";
    add(timeBox, el("h2", {text: heading}));
    var calls = list.filter(function (i) { return DOCS[i].k === "call"; }).length;
    add(timeBox, el("p", {"class": "kg-hint", text: plural(calls, "call") + ", " + plural(list.length - calls, "research note") +
      ", latest first. Choose periods at the top; roles and firms are as each call gives them."}));
    if (timeFor !== null) {
      add(timeBox, el("p", null, "Only documents with ", nodeLink(timeFor), " ",
                      el("button", {type: "button", text: "show all", onclick: function () { timeFor = null; renderTime(); }})));
    }
    list.slice(0, timeShown).forEach(function (i) { add(timeBox, docCard(i)); });
    if (list.length > timeShown) {
      add(timeBox, el("div", {"class": "kg-more"}, el("button", {type: "button", text: "Show " + Math.min(PAGE, list.length - timeShown) +
        " more (" + (list.length - timeShown) + " left)", onclick: function () { timeShown += PAGE; renderTime(); }})));
    }
  }
  function docCard(i) {
    var d = DOCS[i];
    var card = el("article", {"class": "kg-doc", "data-kg-doc": i, "data-kg-period": d.p === undefined ? "" : d.p},
      el("h3", null, nodeLink(d.n), el("span", {"class": "kg-hint", text: periodLabel(d.p)})),
      el("div", {"class": "kg-iri", text: d.s + (d.m ? " · sentiment " + d.m : "")}));
    if (d.sp) {
      add(card, el("h4", {text: "Spoke (" + d.sp.length + ")"}));
      var ul = el("ul");
      d.sp.forEach(function (p) {
        var said = p[2] && p[1] && p[2].toLowerCase() === p[1].toLowerCase() ? [p[1]] : [p[1], p[2]];
        add(ul, el("li", {"class": "kg-speaker"}, nodeLink(p[0]), " — " + said.filter(Boolean).join(", "),
                   p[3] !== null && p[3] !== undefined ? [", ", nodeLink(p[3])] : null));
      });
      add(card, ul);
    }
    if (d.as) {
      add(card, el("h4", {text: "Asked (" + d.as.length + ")"}));
      var al = el("ul");
      d.as.forEach(function (a) {
        var li = el("li", {"class": "kg-asker"}, nodeLink(a[0]), a[1] !== null && a[1] !== undefined ? [" (", nodeLink(a[1]), ")"] : null);
        if (a[2].length) { add(li, [" about ", a[2].slice(0, 6).map(function (m, j) { return [j ? ", " : "", nodeLink(m)]; })]); }
        if (a[4] && a[4].length) { add(li, ["; answered by ", a[4].map(function (m, j) { return [j ? ", " : "", nodeLink(m)]; })]); }
        if (a[3] !== null && a[3] !== undefined) {
          add(li, el("details", null, el("summary", {text: "the question"}), quoteBox(a[3])));
        }
        add(al, li);
      });
      add(card, al);
    }
    if (d.f) {
      add(card, el("h4", {text: "Said: " + plural(d.f.length, "figure")}));
      var fl = el("ul");
      d.f.slice(0, 30).forEach(function (k) {
        var f = FIGS[k];
        var li = el("li", null, figureText(f), f.by !== undefined ? [" — ", nodeLink(f.by)] : null);
        if (f.q !== undefined) { add(li, el("details", null, el("summary", {text: "quote"}), quoteBox(f.q))); }
        add(fl, li);
      });
      if (d.f.length > 30) { add(fl, el("li", {text: "+" + (d.f.length - 30) + " more (tick Figure and choose this document)"})); }
      add(card, fl);
    }
    return card;
  }

  // ------------------------------------------------------------------ the charts
  var chartBox = document.getElementById("kg-charts");
  var chartCompany = null;
  function renderCharts() {
    if (chartBox.hidden) { return; }
    clear(chartBox);
    var companies = Array.from(new Set(D.series.map(function (s) { return s.c; })));
    if (!companies.length) { add(chartBox, el("p", {text: "No figures to chart."})); return; }
    companies.sort(function (a, b) { return N[a].l.localeCompare(N[b].l); });
    if (chartCompany === null || companies.indexOf(chartCompany) < 0) {
      var best = null, most = -1;
      D.series.forEach(function (s) { if (s.pts.length > most) { most = s.pts.length; best = s.c; } });
      chartCompany = best;
    }
    var pick = el("select", {id: "kg-company", "aria-label": "Company"});
    companies.forEach(function (c) {
      var o = el("option", {value: c, text: N[c].l});
      if (c === chartCompany) { o.selected = true; }
      add(pick, o);
    });
    pick.addEventListener("change", function () { chartCompany = Number(pick.value); renderCharts(); });
    add(chartBox, [el("label", {"class": "kg-field"}, "Company ", pick),
                   el("p", {"class": "kg-hint", text: "Each quarter's reported level (points) against the guidance ranges given for it in earlier calls (bars). Changes and full-year figures are left out. Hover for the source; click a point for its quote."})]);
    D.series.forEach(function (s, k) { if (s.c === chartCompany) { add(chartBox, chart(s, k)); } });
  }
  function niceTicks(lo, hi, count) {
    var span = hi - lo || Math.abs(hi) || 1;
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    [1, 2, 2.5, 5, 10].some(function (m) { if (span / (step * m) <= count) { step = step * m; return true; } return false; });
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { ticks.push(Number(v.toPrecision(12))); }
    return ticks;
  }
  function chart(s, k) {
    var W = 360, H = 190, L = 58, R = 10, T = 10, B = 40;
    var ps = s.pts.map(function (p) { return p[0]; }).concat(s.gd.map(function (g) { return g[0]; }));
    var lo = Math.min.apply(null, ps), hi = Math.max.apply(null, ps);
    var xs = [];
    for (var p = lo; p <= hi; p++) { if (PERIODS[p].q !== null) { xs.push(p); } }
    var values = [];
    s.pts.forEach(function (pt) { values.push(pt[1]); });
    s.gd.forEach(function (g) { values.push(g[1], g[2]); });
    var vmin = Math.min.apply(null, values), vmax = Math.max.apply(null, values);
    var pad = (vmax - vmin) * 0.12 || Math.abs(vmax) * 0.1 || 1;
    vmin -= pad; vmax += pad;
    function X(p) { return L + (xs.indexOf(p) + 0.5) * (W - L - R) / xs.length; }
    function Y(v) { return T + (vmax - v) / (vmax - vmin) * (H - T - B); }
    var box = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "data-kg-series": k});
    svgTitle(box, N[s.c].l + ": " + D.metrics[s.m]);
    if (state.from !== null || state.to !== null) {
      var a = xs.filter(function (p) { return periodInScope(p); });
      if (a.length) {
        var x0 = X(a[0]) - (W - L - R) / xs.length / 2, x1 = X(a[a.length - 1]) + (W - L - R) / xs.length / 2;
        box.appendChild(svg("rect", {"class": "kg-range", x: x0, y: T, width: x1 - x0, height: H - T - B}));
      }
    }
    niceTicks(vmin, vmax, 4).forEach(function (v) {
      box.appendChild(svg("line", {"class": "kg-grid", x1: L, x2: W - R, y1: Y(v), y2: Y(v)}));
      var t = svg("text", {x: L - 4, y: Y(v) + 3, "text-anchor": "end", fill: "#555"});
      t.textContent = fmt(v, s.u);
      box.appendChild(t);
    });
    box.appendChild(svg("line", {"class": "kg-axis", x1: L, x2: W - R, y1: H - B, y2: H - B}));
    box.appendChild(svg("line", {"class": "kg-axis", x1: L, x2: L, y1: T, y2: H - B}));
    var every = Math.ceil(xs.length / 10);
    xs.forEach(function (p, j) {
      if (j % every) { return; }
      var t = svg("text", {x: X(p), y: H - B + 12, "text-anchor": "end", fill: "#555",
                           transform: "rotate(-35 " + X(p) + " " + (H - B + 12) + ")"});
      t.textContent = "FY" + String(PERIODS[p].y).slice(2) + " Q" + PERIODS[p].q;
      box.appendChild(t);
    });
    s.gd.forEach(function (g) {
      var f = FIGS[g[3]];
      var given = f.d !== undefined ? periodLabel(DOCS[f.d].p) : "an unknown period";
      var y0 = Y(g[2]), y1 = Y(g[1]);
      var r = svg("rect", {"class": "kg-guidance", x: X(g[0]) - 6, y: y0 - (y1 - y0 < 3 ? 1.5 : 0), width: 12,
                           height: Math.max(3, y1 - y0), "data-period": g[0]});
      svgTitle(r, "Guidance for " + PERIODS[g[0]].l + ", given in " + given + ": " + figureValue(f) +
               (f.d !== undefined ? " (" + docLabel(f.d) + ")" : ""));
      box.appendChild(r);
    });
    var line = s.pts.map(function (pt) { return X(pt[0]) + "," + Y(pt[1]); }).join(" ");
    box.appendChild(svg("polyline", {"class": "kg-line", points: line}));
    s.pts.forEach(function (pt) {
      var f = FIGS[pt[2]];
      var c = svg("circle", {"class": "kg-point", cx: X(pt[0]), cy: Y(pt[1]), r: 4.5, "data-period": pt[0]});
      svgTitle(c, PERIODS[pt[0]].l + " reported: " + fmt(pt[1], s.u) + (f.d !== undefined ? " (" + docLabel(f.d) + ")" : "") +
               (pt[3] > 1 ? "; " + pt[3] + " different values were stated" : ""));
      c.addEventListener("click", function () { showDetails("f" + pt[2]); });
      box.appendChild(c);
    });
    var unit = s.u === "USD" ? "US$" : (s.u || "");
    return el("figure", {"class": "kg-chart", "data-kg-metric": D.metrics[s.m]},
      el("h4", {text: D.metrics[s.m] + (unit ? " (" + unit + ")" : "")}), box,
      el("figcaption", {"class": "kg-chart-legend"},
         el("span", null, el("span", {"class": "kg-swatch", style: "background:#4e79a7"}), "reported (" + s.pts.length + ")"),
         el("span", null, el("span", {"class": "kg-swatch", style: "background:rgba(242,142,43,.5)"}), "guidance (" + s.gd.length + ")")));
  }

  // ------------------------------------------------------------------ search
  var search = document.getElementById("kg-search"), results = document.getElementById("kg-results");
  var index = N.map(function (n, i) {
    return {i: i, label: fold(n.l), aliases: (n.a || []).map(fold), zh: (n.z || []).map(fold)};
  });
  var hits = [], active = 0;
  function find(text) {
    var q = fold(text.trim());
    if (!q) { return []; }
    var found = [];
    index.forEach(function (x) {
      var rank = -1, match = null;
      if (x.label.indexOf(q) === 0) { rank = 0; }
      else if (x.label.indexOf(q) > 0) { rank = 1; }
      else {
        var a = x.aliases.findIndex(function (s) { return s.indexOf(q) >= 0; });
        if (a >= 0) { rank = 2; match = N[x.i].a[a]; }
        else {
          var z = x.zh.findIndex(function (s) { return s.indexOf(q) >= 0; });
          if (z >= 0) { rank = 2; match = N[x.i].z[z]; }
        }
      }
      if (rank >= 0) { found.push({i: x.i, rank: rank, match: match}); }
    });
    found.sort(function (a, b) { return a.rank - b.rank || N[b.i].g - N[a.i].g || a.i - b.i; });
    return found.slice(0, 30);
  }
  function renderResults() {
    clear(results);
    if (!search.value.trim()) { results.hidden = true; return; }
    if (!hits.length) { add(results, el("li", {"class": "kg-empty", text: "No entity has that name."})); }
    hits.forEach(function (h, k) {
      add(results, el("li", {role: "option", "data-kg-node": h.i, "aria-selected": k === active ? "true" : "false"},
                      icon(N[h.i].t), el("span", {text: N[h.i].l}),
                      h.match ? el("span", {"class": "kg-match", text: "(" + h.match + ")"}) : null));
    });
    results.hidden = false;
  }
  function choose(k) {
    var h = hits[k];
    if (!h) { return; }
    results.hidden = true;
    select(h.i, {move: true});
  }
  search.addEventListener("input", function () { hits = find(search.value); active = 0; renderResults(); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { active = Math.min(active + 1, hits.length - 1); renderResults(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); renderResults(); ev.preventDefault(); }
    else if (ev.key === "Enter") { choose(active); ev.preventDefault(); }
    else if (ev.key === "Escape") { results.hidden = true; }
  });
  results.addEventListener("click", function (ev) {
    var li = ev.target.closest("li[data-kg-node]");
    if (li) { choose(hits.findIndex(function (h) { return String(h.i) === li.dataset.kgNode; })); }
  });
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest("#kg-search-box")) { results.hidden = true; }
  });

  // ------------------------------------------------------------------ controls
  var from = document.getElementById("kg-from"), to = document.getElementById("kg-to"), docPick = document.getElementById("kg-doc");
  PERIODS.forEach(function (p, i) {
    add(from, el("option", {value: i, text: p.l}));
    add(to, el("option", {value: i, text: p.l}));
  });
  DOCS.map(function (d, i) { return i; })
    .sort(function (a, b) { return (DOCS[a].p || 0) - (DOCS[b].p || 0) || docLabel(a).localeCompare(docLabel(b)); })
    .forEach(function (i) { add(docPick, el("option", {value: i, text: periodLabel(DOCS[i].p) + " · " + docLabel(i)})); });
  function readFilters() {
    state.from = from.value === "" ? null : Number(from.value);
    state.to = to.value === "" ? null : Number(to.value);
    if (state.from !== null && state.to !== null && state.from > state.to) {
      var swap = state.from; state.from = state.to; state.to = swap;
      from.value = String(state.from); to.value = String(state.to);
    }
    state.doc = docPick.value === "" ? null : Number(docPick.value);
    timeShown = PAGE;
    sync();
    if (nodes.length) { fitVisible(); }
    renderTime(); renderCharts();
  }
  [from, to, docPick].forEach(function (s) { s.addEventListener("change", readFilters); });
  document.getElementById("kg-reset").addEventListener("click", wholeGraph);
  document.querySelectorAll("#kg-tabs button").forEach(function (b) {
    b.addEventListener("click", function () { showTab(b.dataset.tab); });
  });

  var typeBoxes = [];
  var counts = TYPES.map(function () { return 0; });
  N.forEach(function (n) { counts[n.t] += 1; });
  counts[TYPE.figure] = FIGS.length;
  counts[TYPE.turn] = D.turns.length || D.turnsOmitted || 0;
  TYPES.forEach(function (t, i) {
    if (!counts[i]) { return; }
    var box = el("input", {type: "checkbox", "data-kg-type": t[0]});
    box.checked = state.types.has(i);
    box.addEventListener("change", function () {
      if (box.checked) { state.types.add(i); } else { state.types.delete(i); }
      sync();
    });
    typeBoxes.push([i, box]);
    add(document.getElementById("kg-types"), el("label", null, box, icon(i), el("span", {text: t[1]}),
                                                 el("span", {"class": "kg-count", text: counts[i]})));
  });
  function syncTypeBoxes() { typeBoxes.forEach(function (pair) { pair[1].checked = state.types.has(pair[0]); }); }
  document.getElementById("kg-legend-hint").textContent =
    "Size: number of links. Figures and turns are folded into the entities; tick them to draw those of a chosen document or period.";

  // ------------------------------------------------------------------ the network
  nodes = new vis.DataSet([]);
  edges = new vis.DataSet([]);
  var big = E.length > 2000;
  network = new vis.Network(document.getElementById("mynetwork"), {nodes: nodes, edges: edges}, {
    autoResize: true,
    // Sizes follow the number of links; so do labels, and small ones only appear as you zoom in.
    nodes: {borderWidth: 1, font: {size: 14, face: "DejaVu Sans, Arial, sans-serif", color: "#222222", strokeWidth: 3,
                                   strokeColor: "#ffffff"},
            scaling: {min: 7, max: 34, label: {enabled: true, min: 10, max: 24, maxVisible: 18, drawThreshold: 6}}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.5}}, color: {color: "#a0a7b0", highlight: "#333333", hover: "#333333"},
            font: {size: 11, color: "#444444", strokeWidth: 3, strokeColor: "#ffffff", align: "middle"},
            smooth: false, selectionWidth: 1.5},
    physics: {enabled: false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big}
  });
  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); }
    else if (!params.edges.length) { state.selected = null; setLabels([]); }
  });
  network.on("doubleClick", function (params) {
    if (!params.nodes.length) { return; }
    var id = params.nodes[0];
    if (typeof id === "number") { focusOn(id, false); }
    else if (String(id).charAt(0) === "g") { loadGroup(Number(String(id).slice(1))); }
  });
  network.on("hoverEdge", function (params) {
    var ids = Array.from(labelled);
    if (ids.indexOf(params.edge) < 0) { ids.push(params.edge); }
    setLabels(ids);
    hovered = params.edge;
  });
  var hovered = null;
  network.on("blurEdge", function (params) {
    hovered = null;
    var keep = state.selected !== null && nodes.get(state.selected) ? network.getConnectedEdges(state.selected) : [];
    setLabels(Array.from(labelled).filter(function (id) { return id !== params.edge || keep.indexOf(id) >= 0; }));
  });

  body.dataset.kgNodes = String(N.length);
  body.dataset.kgEdges = String(E.length);
  body.dataset.kgMode = D.mode;
  sync();
  fitVisible();
  // "on" rather than "once": vis's emitter can skip the next listener when a once-listener removes itself.
  network.on("afterDrawing", function () {
    if (body.dataset.kgStatus !== "drawn") {
      body.dataset.kgReadyMs = String(Math.round(performance.now()));
      body.dataset.kgStatus = "drawn";
    }
  });
  network.redraw();
  window.kgPage = {state: state, data: D, select: select, focusOn: focusOn, sync: sync};
})();
