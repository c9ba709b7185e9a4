"""Safe rewrites of SPARQL before pyoxigraph sees it, each for a plan its optimizer gets wrong:
OPTIONAL blocks moved to the end of the top-level group (`hoist_optionals`), large typed sets
joined by hash rather than by nested loops (`join_anchored_sets`), and, in a `SELECT DISTINCT`,
a star that only says "some such node exists" reduced to distinct rows before the rest of the
query (`reduce_existential_stars`), and, in a group that picks out particular nodes, OPTIONALs
looked up row by row (`lateral_optionals`). Each leaves a query it cannot prove safe exactly as
written; `optimise` applies them.

The rewrites change the plan, so rows that an ORDER BY leaves tied may come in another order
(SPARQL does not fix it), and a LIMIT may then keep other rows among the tied ones.

pyoxigraph 0.5 evaluates `{ A OPTIONAL { B } C }` by re-running the left join for every row of C
(oxigraph issues #1733, #1951): competency question 08 takes 3.3 s at 50 documents, 30 ms with
the OPTIONAL last. `{ A OPTIONAL {B} C }` and `{ A C OPTIONAL {B} }` have the same answers when
every variable B shares with C is already bound by A (the pattern is "well designed");
`hoist_optionals` checks that for each OPTIONAL and otherwise leaves the query exactly as
written. It also leaves alone any group with BIND, VALUES, UNION, MINUS, GRAPH, SERVICE or a subquery, whose
meaning depends on order or scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Strings, long ones first (a `"""` string may hold quotes and braces). One left open runs to the
# end of the text: looking for its end from every quote of a long text took time in its square.
_STRINGS = (r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)' + r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
            + r"""|"(?:[^"\\]|\\.)*(?:"|\Z)|'(?:[^'\\]|\\.)*(?:'|\Z)""")
_TOKEN = re.compile(
    r"(?P<skip>\#[^\n]*|" + _STRINGS + r"""|<[^<>"{}|^`\\\s]*>|\\.)"""  # last: `\'` in `ex:a\'b`
    r"""|(?P<open>\{)|(?P<close>\})|(?P<var>[?$][A-Za-z_0-9\u00c0-\uffff]+)|(?P<word>[A-Za-z]+)""",
    re.S,
)
_UNSAFE = {"BIND", "VALUES", "UNION", "MINUS", "GRAPH", "SERVICE", "SELECT"}


def optimise(sparql: str) -> str:
    """The query as pyoxigraph should run it: the same answers, a better plan."""
    # join_anchored_sets and reduce_existential_stars leave alone a group that already holds a
    # subquery, so after join_anchored_sets has split a group, reduce_existential_stars finds nothing
    # more to do. lateral_optionals comes last: it only wraps OPTIONALs, wherever the others put them.
    return lateral_optionals(reduce_existential_stars(join_anchored_sets(hoist_optionals(sparql))))


def names_graphs(sparql: str) -> bool:
    """Whether the query reads named graphs or chooses its dataset (GRAPH, FROM, FROM NAMED)."""
    return any(t["word"] and t["word"].upper() in ("GRAPH", "FROM") for t in _TOKEN.finditer(sparql))


def columns(sparql: str, names: list[str]) -> list[str]:
    """The answer's columns in the order a reader expects. pyoxigraph lists a `SELECT *` answer's
    variables alphabetically (`?s ?p ?o` comes out as o, p, s); Jena, RDF4J and rdflib list them as
    they first appear in the query, and so does kg. An explicit projection keeps its own order."""
    words = ((t, t["word"].upper()) for t in _TOKEN.finditer(sparql) if t["word"])
    form = next(((t, w) for t, w in words if w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form is None or form[1] != "SELECT" or not re.match(r"\s*(?:(?:DISTINCT|REDUCED)\s+)?\*", sparql[form[0].end():], re.I):
        return names
    first: dict[str, int] = {}
    for t in _TOKEN.finditer(sparql, form[0].end()):
        if t["var"]:
            first.setdefault(t["var"][1:], len(first))
    return sorted(names, key=lambda name: first.get(name, len(first)))  # stable: any not found keep their order


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

    # The variables of the plain parts before each part, and of the non-empty ones after it, gathered
    # once rather than again for each OPTIONAL (a query of thousands took seconds).
    plain_vars = [variables(a, b) if kind == "plain" else set() for kind, a, b in parts]
    filled = [kind == "plain" and bool(sparql[a:b].strip(" \t\n.")) for kind, a, b in parts]
    before: list[set[str]] = [set()]
    for names in plain_vars:
        before.append(before[-1] | names)
    after: list[set[str]] = [set()] * (len(parts) + 1)
    more: list[bool] = [False] * (len(parts) + 1)  # whether a non-empty plain part comes from n on
    for n in range(len(parts) - 1, -1, -1):
        after[n] = after[n + 1] | plain_vars[n] if filled[n] else after[n + 1]
        more[n] = more[n + 1] or filled[n]
    moved = False
    for n, (kind, a, b) in enumerate(parts):
        if kind != "optional" or not more[n + 1]:
            continue
        if variables(a, b) & after[n + 1] - before[n]:
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


# -- joining large sets by hash ------------------------------------------------------------------

_TERM = re.compile(
    r"""(?P<skip>\#[^\n]*|\\.)"""  # `\'` in `ex:a\'b`, where the name's pattern did not take it
    r"""|(?P<literal>""" + _STRINGS + r"""|(?<![\w:])[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)"""
    r"""|(?P<var>[?$][A-Za-z_0-9\u00c0-\uffff]+)"""
    # A name starts where no name character precedes: tried at every letter of a long word with no
    # colon, the pattern took time in the square of its length.
    r"""|(?P<pname>(?<![\w.-])(?:[A-Za-z_][\w-]*(?:\.[\w-]+)*)?:(?:(?:[\w-]|\\.)+(?:\.(?:[\w-]|\\.)+)*)?)"""
    r"""|(?P<word>[A-Za-z]+)"""
    r"""|(?P<punct>[{}\[\]();,.])""",
    re.S,
)
# Vocabulary terms say what kind of thing a node is, not which one: a pattern such as
# `?x a ekg:Exchange` or `?p ekg:participantRole ekg:Analyst` matches a set that grows with the
# corpus. Any other IRI, and any literal, picks out particular nodes, and then oxigraph's nested
# loops from that constant are the right plan.
_VOCABULARY = (
    "https://w3id.org/earnings-kg/ontology#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2004/02/skos/core#", "http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/", "https://schema.org/", "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/oa#", "http://www.w3.org/2001/XMLSchema#",
)
_SCOPING = {"BIND", "VALUES", "UNION", "MINUS", "GRAPH", "SERVICE", "SELECT"}


def _is_vocabulary(t: re.Match, prefixes: dict[str, str]) -> bool:
    """Whether an IRI token (`<…>` or `prefix:name`) is a vocabulary term rather than a particular node."""
    if t["iri"]:
        return t.group()[1:-1].startswith(_VOCABULARY)
    namespace = prefixes.get(t.group().partition(":")[0], "")
    return bool(namespace) and namespace.startswith(_VOCABULARY)


def _prefixes(sparql: str, before: int) -> dict[str, str]:
    return dict(re.findall(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", sparql[:before], re.I))


def _top_group(tokens: list[re.Match]) -> tuple[int, int, int] | None:
    """Indices of the WHERE token and of the `{` and `}` of the query's top-level group; None if
    there is no WHERE or no group after it (ValueError if its brackets do not match)."""
    where = next((i for i, t in enumerate(tokens) if (t["word"] or "").upper() == "WHERE"), None)
    if where is None:
        return None
    start = next((i for i in range(where, len(tokens)) if tokens[i]["punct"] == "{"), None)
    if start is None:
        return None
    return where, start, _matching(tokens, start, "{", "}")


def _matching(tokens: list[re.Match], i: int, open_: str, close: str) -> int:
    """Index of the token closing the bracket opened at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        p = tokens[j]["punct"]
        if p == open_:
            depth += 1
        elif p == close:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced")


def join_anchored_sets(sparql: str) -> str:
    """The query with each large typed set of its top-level group in a subquery of its own.

    pyoxigraph plans `?x a ekg:Exchange ; ekg:askedBy ?a . ?part ekg:participant ?a ;
    ekg:participantRole ekg:Analyst` as a loop over one set probing the other from its constant
    (`ekg:Analyst`), not from the shared variables: competency question 03 takes 0.4 s at 200
    documents and grows with the square of the corpus. Each set in `{ SELECT * WHERE { … } }` is
    evaluated once and the two are joined by hash: 30–80 ms, growing linearly. A star of constant
    predicates that shares two or more variables with such a set (`?c ekg:customerOf ?co` against
    an assertion's `rdf:subject ?c ; rdf:object ?co`) goes in a subquery too. A group is a join,
    so splitting it into subgroups changes no answer; the rewrite applies only to a plain group
    (triples, then FILTERs, OPTIONALs and BINDs) with two or more such sets sharing variables and
    no literal or particular IRI that would make a nested loop the better plan.
    """
    group = _parse_group(sparql)
    if group is None:
        return sparql
    stars, anchored = group.stars, group.anchored

    # A star that shares two or more variables with a set, such as `?c ekg:customerOf ?co` against
    # `?a a ekg:Assertion ; rdf:subject ?c ; rdf:object ?co`, is joined with it by hash as well:
    # pyoxigraph joins such a pair on one variable and filters on the other afterwards, through
    # every row the first variable alone matches (competency question 09 at 1,000 documents: 63,000
    # intermediate rows for 788 answers, 180 ms; by hash 25 ms).
    related = {s for s in stars if s not in anchored and s not in group.open_predicate
               and any(len(group.variables(s) & group.variables(a)) >= 2 for a in anchored)}
    sets = anchored | related
    if len(sets) < 2:
        return sparql

    # The sets must join each other on shared variables, or splitting them would be a cross product.
    todo = [sorted(sets)[0]]
    reached = set(todo)
    while todo:
        here = group.variables(todo.pop())
        for other in sets - reached:
            if here & group.variables(other):
                reached.add(other)
                todo.append(other)
    if reached != sets:
        return sparql
    return group.rewrite([("SELECT *", [s]) for s in stars if s in sets])


def reduce_existential_stars(sparql: str) -> str:
    """A `SELECT DISTINCT` query with each star that only says "some such node exists" reduced
    first, together with the typed sets it links, to the distinct values the rest of the query uses.

    Competency question 08 asks which programmes each call mentions: `?turn ekg:call ?call ;
    ekg:mentions ?p . ?p a ekg:GovernmentProgram`. ?turn is used nowhere else, but pyoxigraph
    carries every (turn, mention) row through the rest of the query and removes the duplicates only
    at the end: 142 ms at 1,000 documents. `{ SELECT DISTINCT ?call ?p ?program WHERE { ?turn … .
    ?p a ekg:GovernmentProgram ; rdfs:label ?program } }` keeps one row per call and programme
    before the periods and agencies are looked up: 55 ms. The answers are the same because the
    variables the subquery drops appear nowhere else in the query, and the outer DISTINCT removes
    the duplicate rows that dropping them makes. It applies only to a plain group (as
    `join_anchored_sets`) without BIND, a projection of plain variables, no aggregate, and a star
    whose subject is a variable used nowhere else and which shares a variable with at least one
    anchored star (one with a constant predicate and object, such as `?p a ekg:GovernmentProgram`;
    alone, a subquery over every turn's every mention would be slower than the loop).
    """
    group = _parse_group(sparql)
    if group is None:
        return sparql
    # The query form, read from its tokens (comments skipped): SELECT DISTINCT ?v … WHERE.
    words = [(t["word"] or "").upper() for t in group.tokens[: group.where]]
    if "SELECT" not in words:
        return sparql
    at = words.index("SELECT")
    projection = group.tokens[at + 2: group.where]
    if words[at + 1: at + 2] != ["DISTINCT"] or not projection or not all(t["var"] for t in projection):
        return sparql  # not DISTINCT, `*`, an expression or aggregate, or a FROM clause
    tail = group.tokens[group.end + 1:]
    if any((t["word"] or "").upper() in ("GROUP", "HAVING", "VALUES") for t in tail):
        return sparql
    in_elements = [m for a, b in group.elements for m in _TERM.finditer(sparql, a, b) if not m["skip"]]
    if {m["word"].upper() for m in in_elements if m["word"]} & {"BIND", "RAND", "UUID", "STRUUID", "BNODE"}:
        return sparql  # a value made per row would be made once per reduced row instead
    projected = {t["var"][1:] for t in projection}
    used_after = {t["var"][1:] for t in tail if t["var"]}
    used_in_elements = {m["var"][1:] for m in in_elements if m["var"]}

    taken: set[str] = set()
    plan: list[tuple[str, list[str]]] = []
    for star in group.stars:
        if star in group.anchored or star in group.open_predicate or star in taken:
            continue
        linked = [a for a in group.anchored if a not in taken and group.variables(a) & group.variables(star)]
        members = [star] + linked
        outside = projected | used_after | used_in_elements | {
            v for s in group.stars if s not in members for v in group.variables(s)}
        if not linked or star in outside:
            continue
        keep = sorted(set().union(*(group.variables(m) for m in members)) & outside)
        if not keep:
            continue
        taken.update(members)
        plan.append(("SELECT DISTINCT " + " ".join("?" + v for v in keep), members))
    if not plan:
        return sparql
    return group.rewrite(plan)


def lateral_optionals(sparql: str) -> str:
    """The query with each OPTIONAL of plain triples looked up row by row (`LATERAL`), when the
    rows before it are narrowed to particular nodes (`_walk_group` says when).

    pyoxigraph's optimizer looks some OPTIONALs up row by row by itself, but not competency
    question 10's `OPTIONAL { ?m ekg:statedBy/rdfs:label ?speaker }` (nor the same written as two
    triples): it evaluates it for every figure of the corpus and joins the 11 figures of one
    quarter to that. At 1,000 documents 10 took about 50 ms, at 20,000 1.4 s; wrapped in
    `LATERAL { OPTIONAL { … } }` (oxigraph's SEP-0006), 2 and 4 ms. `kg serve`'s entity pages
    gain too: the evidence of one figure's facts took 240 ms at 20,000 documents, 2 ms row by row.

    The answers are the same: for plain triples, finding the matches with a row's values put in
    is finding all matches and keeping those that agree with the row. An OPTIONAL holding anything
    else (a FILTER, a BIND, a nested group) is left as written, since its meaning depends on scope.
    Row by row is slower when the rows before grow with the corpus (08 was 25 % slower), and
    far slower for a row whose shared variable is unbound, which matches everything: so the
    OPTIONAL must share a variable that every row before has a value for.
    """
    tokens = [t for t in _TERM.finditer(sparql) if not t["skip"]]
    wrap: list[tuple[int, int]] = []  # offsets of the OPTIONAL blocks to look up row by row
    try:
        group = _top_group(tokens)
        if group is None:
            return sparql
        where, start, end = group
        _walk_group(tokens, start, end, _prefixes(sparql, tokens[where].start()), wrap)
    except ValueError:  # unbalanced brackets: not a query the rewrite can read
        return sparql
    if not wrap:
        return sparql
    out, at = [], 0
    for a, b in wrap:
        out += [sparql[at:a], "LATERAL { ", sparql[a:b], " }"]
        at = b
    return "".join(out) + sparql[at:]


_ELEMENTS = ("FILTER", "BIND", "VALUES", "GRAPH", "SERVICE", "MINUS", "OPTIONAL")


def _walk_group(tokens: list[re.Match], start: int, end: int, prefixes: dict[str, str],
                wrap: list[tuple[int, int]] | None = None) -> bool:
    """Whether the group between tokens[start] (`{`) and tokens[end] (`}`) narrows its rows to
    particular nodes: a literal or a particular IRI in its own triples or in a VALUES, or a nested
    group (every branch, for a UNION) that does. A FILTER's constants only test rows, a GRAPH
    name says where to look, a MINUS or an OPTIONAL takes rows away or adds values.

    With `wrap`, each OPTIONAL that can be looked up row by row is added to it (its offsets): plain
    triples, after the rows are narrowed, sharing a variable that every row before has a value for
    (one of the group's triples or of a VALUES without UNDEF)."""
    anchored, bound = False, set()  # so far
    i = start + 1
    while i < end:
        t = tokens[i]
        word = (t["word"] or "").upper()
        if t["punct"] != "{" and word not in _ELEMENTS:  # a term of the group's triples
            if t["var"]:
                bound.add(t["var"][1:])
            elif _particular(t, prefixes):
                anchored = True
            i += 1
            continue
        # An element: j is its opening bracket (`FILTER regex(`, `GRAPH ?g {`), closing its end.
        j = i if t["punct"] == "{" else next((k for k in range(i + 1, end) if tokens[k]["punct"] in ("{", "(")), end)
        if j >= end:
            raise ValueError("an element without its brackets")
        opening = tokens[j]["punct"]
        closing = _matching(tokens, j, opening, "}" if opening == "{" else ")")
        if word == "VALUES" and opening == "(" and closing + 1 < end and tokens[closing + 1]["punct"] == "{":
            closing = _matching(tokens, closing + 1, "{", "}")  # VALUES (?a ?b) { … }: the rows follow
        inner = tokens[j + 1:closing]
        if word == "VALUES":
            anchored = anchored or any(_particular(x, prefixes) for x in inner)
            if not any((x["word"] or "").upper() == "UNDEF" for x in inner):
                bound |= {x["var"][1:] for x in tokens[i:closing] if x["var"]}
        elif t["punct"] == "{":
            branches = [(j, closing)]  # `{ … } UNION { … }`
            while (closing + 2 < end and (tokens[closing + 1]["word"] or "").upper() == "UNION"
                   and tokens[closing + 2]["punct"] == "{"):
                closing = _matching(tokens, closing + 2, "{", "}")
                branches.append((branches[-1][1] + 2, closing))
            anchored = anchored or all(_walk_group(tokens, a, b, prefixes) for a, b in branches)
        elif wrap is not None and word == "OPTIONAL" and j == i + 1 and opening == "{" and anchored:
            shared = {x["var"][1:] for x in inner if x["var"]} & bound
            if shared and all(_in_triples(x) for x in inner):
                wrap.append((t.start(), tokens[closing].end()))
        i = closing + 1
    return anchored


def _particular(t: re.Match, prefixes: dict[str, str]) -> bool:
    """Whether a token is a constant that picks out particular nodes: a literal, or an IRI that is
    not a vocabulary term. (A number after LIMIT in a subquery counts too: it bounds the rows.)"""
    return bool(t["literal"] or (t["word"] or "").upper() in ("TRUE", "FALSE")
                or ((t["iri"] or t["pname"]) and not _is_vocabulary(t, prefixes)))


def _in_triples(t: re.Match) -> bool:
    """Whether a token may appear in plain triples. Property paths pass: `/`, `|`, `^`, `*`, `+`
    and `!` are no tokens at all, and `?` alone is no variable. So does a language tag (`@en`)."""
    return bool(t["var"] or t["iri"] or t["pname"] or t["literal"]
                or (t["word"] or "").upper() in ("A", "TRUE", "FALSE")
                or (t["word"] and t.string[t.start() - 1] == "@")
                or t["punct"] in (".", ";", ",", "[", "]", "(", ")"))


@dataclass
class _Group:
    """The top-level group of a query, split into stars of triples (by subject) and its FILTER,
    OPTIONAL and BIND elements (FILTERs anywhere, OPTIONALs and BINDs after the triples)."""
    sparql: str
    tokens: list[re.Match]
    where: int  # index of the WHERE token
    start: int  # index of the group's `{`
    end: int  # index of its `}`
    stars: dict[str, list[list[re.Match]]]  # subject variable -> its statements, in query order
    elements: list[tuple[int, int]]  # start and end offset of each FILTER, OPTIONAL and BIND
    anchored: set[str] = field(default_factory=set)  # stars with a constant predicate and object
    open_predicate: set[str] = field(default_factory=set)  # stars with a variable predicate

    def variables(self, star: str) -> set[str]:
        return {t["var"][1:] for st in self.stars[star] for t in st if t["var"]}

    def text(self, st: list[re.Match]) -> str:
        return self.sparql[st[0].start(): st[-1].end()]

    def rewrite(self, subqueries: list[tuple[str, list[str]]]) -> str:
        """The query with each listed group of stars in a subquery (`SELECT …` as given), the
        other triples after them and the elements last, in their order."""
        inside = {s for _, members in subqueries for s in members}
        parts = ["{ " + select + " WHERE { " + " .\n    ".join(
            self.text(st) for s in members for st in self.stars[s]) + " } }" for select, members in subqueries]
        parts += [self.text(st) + " ." for s in self.stars if s not in inside for st in self.stars[s]]
        parts += [self.sparql[a:b] for a, b in self.elements]
        return (self.sparql[: self.tokens[self.start].end()] + "\n  " + "\n  ".join(parts) + "\n"
                + self.sparql[self.tokens[self.end].start():])


def _parse_group(sparql: str) -> _Group | None:
    """The query's top-level group, or None when it holds anything but triples with variables and
    vocabulary terms only, FILTERs, and OPTIONALs and BINDs after the triples (then the rewrites
    leave the query as written)."""
    try:
        return _split_group(sparql)
    except ValueError:  # unbalanced brackets: not a query the rewrites can read
        return None


def _split_group(sparql: str) -> _Group | None:
    tokens = [t for t in _TERM.finditer(sparql) if not t["skip"]]
    if any((t["word"] or "").upper() in ("CONSTRUCT", "DESCRIBE") for t in tokens):
        return None
    group = _top_group(tokens)
    if group is None:
        return None
    where, start, end = group
    prefixes = _prefixes(sparql, tokens[where].start())

    statements: list[list[re.Match]] = []  # top-level triples, split at their dots
    elements: list[tuple[int, int]] = []
    current: list[re.Match] = []
    depth, seen_element = 0, False
    i = start + 1
    while i < end:
        t = tokens[i]
        word = (t["word"] or "").upper()
        if depth == 0 and word in ("OPTIONAL", "FILTER", "BIND"):
            j = i + 1
            if word == "FILTER" and tokens[j]["word"] and tokens[j]["word"].upper() == "NOT":
                j += 1
            if word == "FILTER" and (tokens[j]["word"] or "").upper() == "EXISTS":
                j += 1
            while j < end and tokens[j]["punct"] not in ("{", "("):
                j += 1  # FILTER regex(…), FILTER isIRI(…)
            if j >= end:
                return None
            closing = _matching(tokens, j, tokens[j]["punct"], "}" if tokens[j]["punct"] == "{" else ")")
            inner = tokens[j:closing]
            # A constant in a FILTER or OPTIONAL may pick out the rows a nested loop should start from;
            # a BIND only computes a value for rows already found.
            if any(((x["literal"] or (x["word"] or "").upper() in ("TRUE", "FALSE")) and word != "BIND")
                   or (x["word"] or "").upper() in _SCOPING for x in inner):
                return None
            seen_element = seen_element or word in ("OPTIONAL", "BIND")
            elements.append((t.start(), tokens[closing].end()))
            if current:  # `?a <p> ?b FILTER(…) ?c <q> ?d`: the FILTER also ended a triple
                statements.append(current)
                current = []
            i = closing + 1
            continue
        if word in _SCOPING or word in ("TRUE", "FALSE") or t["literal"] or "_:" in t.group():
            return None
        if t["punct"] == "{":
            return None  # a nested group: leave the query as written
        if seen_element:
            return None  # triples after an OPTIONAL or a BIND: the order matters (see hoist_optionals)
        if t["punct"] in ("[", "("):
            depth += 1
        elif t["punct"] in ("]", ")"):
            depth -= 1
        if depth == 0 and t["punct"] == ".":
            if current:
                statements.append(current)
            current = []
        else:
            current.append(t)
        i += 1
    if current:
        statements.append(current)

    group = _Group(sparql, tokens, where, start, end, {}, elements)
    for st in statements:
        if not st[0]["var"]:
            return None
        if any((t["iri"] or t["pname"]) and not _is_vocabulary(t, prefixes) for t in st):
            return None
        subject = st[0]["var"][1:]
        group.stars.setdefault(subject, []).append(st)
        # predicate-object pairs at depth 0, split at ';'
        pair, level = [], 0
        for t in st[1:] + [None]:
            if t is not None and t["punct"] in ("[", "("):
                level += 1
            elif t is not None and t["punct"] in ("]", ")"):
                level -= 1
            if t is None or (level == 0 and t["punct"] == ";"):
                if pair and pair[0]["var"]:
                    group.open_predicate.add(subject)
                if (len(pair) == 2 and (pair[0]["iri"] or pair[0]["pname"] or pair[0].group() == "a")
                        and (pair[1]["iri"] or pair[1]["pname"])):
                    group.anchored.add(subject)
                pair = []
            else:
                pair.append(t)
    return group
