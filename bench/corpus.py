"""Synthetic corpora for the benchmark: N documents made from the seeds, deterministically.

Each generated call takes the prepared remarks and closing of one seed call and a random
selection of analyst exchanges from all four, then gives them a new company (an invented name
and ticker), new people (the company's executives stay the same from call to call; analysts
come from a pool, each covering a dozen companies, some moving firm over the years), a new
fiscal period (every period phrase is shifted by the same number of quarters) and figures
scaled to the company's size. The bilingual layout stays valid: the notice line, headers
written twice, each English paragraph followed by its Chinese line, and an operator
introduction before every exchange. Every fifth generated document is a research note on the
call before it. The seeds themselves are part of every corpus.

Nothing here copies text from anywhere but the seeds; the same arguments give the same files.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from extract.decode import read_source
from extract.gazetteer import lookup
from extract.model import Call, Note, Role, Section, Turn
from extract.names import NICKNAMES, SPELLING_VARIANTS, formal_given, name_tokens, person_key, same_person
from extract.read import parse

SEED_COMPANY = "Calix"
SEED_TICKER = "CALX"
NOTICE = "使用警語:中文譯文來源為 Google 翻譯,僅供參考,實際內容請以英文原文為主"
# Short forms of seed given names that transcripts write; "Will" or "Rich" as bare words are too
# often ordinary English to be replaced safely, so only these are.
SAFE_SHORT = {"mike", "tim", "tom", "jim", "joe", "rich", "corey"}

FIRST_NAMES = [
    ("Daniel", "Dan"), ("Robert", "Bob"), ("William", "Bill"), ("Joseph", "Joe"), ("David", "Dave"),
    ("Steven", "Steve"), ("Edward", "Ed"), ("Anthony", "Tony"), ("Gregory", "Greg"), ("Jeffrey", "Jeff"),
    ("Kenneth", "Ken"), ("Matthew", "Matt"), ("Patrick", None), ("Samuel", "Sam"), ("Benjamin", "Ben"),
    ("Nicholas", "Nick"), ("Andrew", "Andy"), ("Douglas", "Doug"), ("Jonathan", "Jon"), ("Philip", "Phil"),
    ("Raymond", None), ("Vincent", "Vince"), ("Katherine", "Kate"), ("Elizabeth", "Liz"), ("Jennifer", "Jen"),
    ("Susan", None), ("Margaret", "Maggie"), ("Rebecca", "Becky"), ("Priya", None), ("Arjun", None),
    ("Mei", None), ("Hiroshi", None), ("Olga", None), ("Lars", None), ("Amara", None), ("Diego", None),
    ("Sofia", None), ("Ahmed", None), ("Ingrid", None), ("Marcus", None), ("Helen", None), ("Laura", None),
    ("Carlos", None), ("Nadia", None), ("Omar", None), ("Yuki", None), ("Elena", None), ("Kwame", None),
    ("Brian", None), ("Kevin", None), ("Jason", None), ("Eric", None), ("Adam", None), ("Rachel", None),
    ("Julia", None), ("Grace", None), ("Simon", None), ("Victor", None), ("Aaron", None), ("Fiona", None),
    ("Gavin", None), ("Hannah", None), ("Isaac", None), ("Leah", None), ("Miles", None), ("Naomi", None),
]
LAST_NAMES = """Abernathy Albrecht Ashford Bancroft Barros Beaumont Bergstrom Calloway Castellano Chandra
Delacroix Dorsey Eklund Falconer Fairbanks Galloway Gupta Halvorsen Hargrove Ibarra Iwasaki Jablonski
Kaminski Kowalczyk Lindqvist Lockhart Marchetti Mbeki Nakamura Novak Okafor Oyelaran Pacheco Petrakis
Quintero Radcliffe Rasmussen Sandoval Sato Schiller Takahashi Thornbury Underhill Valdivia Vasquez
Wexford Whitcombe Yamada Zielinski Ainsworth Brennan Carvalho Drummond Ellery Fitzgerald Grimaldi
Holloway Ishikawa Jankowski Kessler Lachance Moreau Nyberg Ortega Pemberton Quigley Rutherford
Szabo Tremblay Ulrich Verhoeven Winslow Yilmaz Zamora Amsel Bachmann Cordero Dalgaard Espinoza Fenwick
Gallardo Hadley Ingram Jorgensen Kincaid Laursen Montague Navarro Oakes Prescott Rinaldi Sorensen Tanaka
Upton Vickers Wakefield Ackerly Blackwood Crowther Devereux Eastman Forsythe Gilchrist Haworth Iverson
Kettering Lombardi Maddox Northcott Osterman Pritchard Redfield Stanhope Talbot Vance Whitaker Yardley
Anand Bhatt Chen Duarte Eriksen Ferreira Gonzaga Hosseini Ivanova Joshi Kimura Lindgren Mendoza Nair
Ostrowski Park Reyes Silva Tavares Ueda Varga Wagner Xu Yoshida Zhou""".split()
FIRM_ROOTS = """Harwood Ashgrove Bellmont Carrow Denholm Eastbrook Fairhaven Glenmore Hollis Irongate
Kingsbury Larchmont Merriman Northbridge Oakmont Pembrook Queensgate Ravenscroft Stonebridge Thackeray
Westcott Whitmore Amberley Bramwell Coldstream Dunmore Elmhurst Foxhall Greyfield Hawksmoor""".split()
FIRM_SUFFIXES = ["Securities", "Capital Markets", "& Company", "Partners", "Research", "Capital"]
COMPANY_PREFIXES = """Aero Alta Ampli Arc Astra Axi Bright Cala Cirro Clar Cobal Corva Dyna Eco Ela Ever Fatho Flux
Gala Geo Hali Helio Iono Kine Lumi Magna Meri Nexa Nova Omni Opti Pela Quanta Radi Sola Strato Tela Tera
Vanta Vela Veri Vira Xylo Zephy Zeno""".split()
COMPANY_SUFFIXES = """tel con vio nex lyn dex tron vant gen cast link wave path sys com net core grid ware field""".split()
SENTIMENTS = [("strongly negative", -0.9, -0.6), ("moderately negative", -0.6, -0.2), ("neutral", -0.2, 0.2),
              ("moderately positive", 0.2, 0.6), ("strongly positive", 0.6, 0.9)]


# -- people ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    first: str
    nick: str | None
    middle: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def given(self, seed_given: str) -> str:
        """The new given name in the same register as the seed's: a short form for a short form."""
        g = seed_given.lower()
        return (self.nick or self.first) if g in NICKNAMES else self.first

    def render(self, seed_form: str, seed_last: str) -> str:
        words = seed_form.split()
        tokens = name_tokens(seed_form)
        if len(tokens) == 1:
            return self.last if tokens[0] == seed_last else self.given(tokens[0])
        if len(words) >= 3:
            return f"{self.given(tokens[0])} {self.middle} {self.last}"
        return f"{self.given(tokens[0])} {self.last}"


@dataclass
class Analyst:
    person: Person
    firms: list[tuple[int, str]]  # (from year, firm), earliest first

    def firm(self, year: int) -> str:
        current = self.firms[0][1]
        for start, firm in self.firms:
            if year >= start:
                current = firm
        return current


@dataclass
class Company:
    name: str
    ticker: str
    start: int  # absolute quarter index (year * 4 + quarter - 1) of its first call
    calls: int
    scale: float
    growth: float
    execs: dict[str, list[tuple[int, Person]]]  # slot -> (from call index, person)
    coverage: list[int]  # analyst indices

    def exec(self, slot: str, index: int) -> Person:
        chosen = self.execs[slot][0][1]
        for start, person in self.execs[slot]:
            if index >= start:
                chosen = person
        return chosen

    def period(self, index: int) -> tuple[int, int]:
        q = self.start + index
        return q // 4, q % 4 + 1


# -- the seeds, taken apart ----------------------------------------------------------------------

@dataclass
class SeedPerson:
    key: str
    role: Role
    slot: str  # ceo, cfo, ir, exec2 for the company's people; analyst
    forms: set[str]
    last: str
    given: set[str]


@dataclass
class SeedCall:
    path: Path
    call: Call
    year: int
    quarter: int
    prepared: list[Turn]
    segments: list[list[Turn]]  # each: the operator's turn, then the exchange
    closing: list[Turn]
    people: dict[str, SeedPerson] = field(default_factory=dict)
    announced: dict[int, str] = field(default_factory=dict)  # operator turn -> name announced

    def shift(self, year: int, quarter: int) -> tuple[int, int]:
        return (year * 4 + quarter - 1) - (self.year * 4 + self.quarter - 1), year - self.year


def _slot(role: Role, title: str | None) -> str:
    if role == Role.ANALYST:
        return "analyst"
    if role == Role.INVESTOR_RELATIONS:
        return "ir"
    t = title or ""
    if re.search(r"\bCFO\b|financial", t, re.I):
        return "cfo"
    if re.search(r"\bCEO\b|chief executive", t, re.I):
        return "ceo"
    return "exec2"


def _givens(formal: str, seen: set[str]) -> set[str]:
    forms = set(seen) | {formal.capitalize()}
    for short, full in list(NICKNAMES.items()) + list(SPELLING_VARIANTS.items()):
        if full == formal.lower() and short in SAFE_SHORT:
            forms.add(short.capitalize())
    return forms


def load_seed_call(path: Path, call: Call) -> SeedCall:
    prepared = [t for t in call.turns if t.section == Section.PREPARED_REMARKS]
    qa = [t for t in call.turns if t.section == Section.QUESTION_AND_ANSWER]
    roles = {}
    for p in call.participants:
        for n in (p.name, *p.names):
            roles[n] = p.role
    groups: list[list[Turn]] = []
    for t in qa:
        if t.is_operator or not groups:
            groups.append([t])
        else:
            groups[-1].append(t)
    with_analyst = [i for i, g in enumerate(groups) if any(roles.get(t.speaker or "") == Role.ANALYST for t in g)]
    last = with_analyst[-1] if with_analyst else -1
    segments = [groups[i] for i in with_analyst if groups[i][0].is_operator]
    closing = [t for g in groups[last + 1:] for t in g]
    seed = SeedCall(path, call, call.period.year, call.period.quarter or 4, prepared, segments, closing)

    for p in call.participants:
        forms = {p.name, *p.names}
        forms |= {i.name for i in call.introductions if same_person(i.name, p.name)}
        tokens = name_tokens(p.name)
        seen_givens = {name_tokens(f)[0] for f in forms}
        seed.people[person_key(p.name)] = SeedPerson(
            person_key(p.name), p.role, _slot(p.role, p.title), forms, tokens[-1],
            _givens(formal_given(tokens[0]), seen_givens))
    for i in call.introductions:
        key = person_key(i.name)
        if not any(same_person(i.name, f) for sp in seed.people.values() for f in sp.forms):
            tokens = name_tokens(i.name)
            seed.people[key] = SeedPerson(key, Role.ANALYST, "analyst", {i.name}, tokens[-1],
                                          _givens(formal_given(tokens[0]), {tokens[0]}))
        seed.announced[i.turn] = i.name
    return seed


# -- rewriting text ----------------------------------------------------------------------------

_ORD_WORDS = ["first", "second", "third", "fourth"]
_ORD_NUMS = ["1st", "2nd", "3rd", "4th"]
_ORD = r"first|second|third|fourth|1st|2nd|3rd|4th"
_EN_PERIOD = re.compile(
    rf"\b(?P<a_ord>{_ORD})(?P<a_mid>[\s-]+quarter(?:\s+results)?,?\s+(?:of\s+)?(?:(?:fiscal|calendar)\s+(?:year\s+)?)?)"
    rf"(?P<a_year>(?:19|20)\d\d)\b"
    rf"|\b(?P<b_year>(?:19|20)\d\d)(?P<b_mid>\s+)(?P<b_ord>{_ORD})(?=[\s-]+quarter\b)"
    rf"|\bQ(?P<c_q>[1-4])(?P<c_mid>\s*(?:FY|fiscal\s+)?'?)(?P<c_year>(?:19|20)\d\d|\d\d)\b(?!\s*(?:%|percent|million|billion))"
    rf"|\b(?P<d_q>[1-4])Q(?P<d_year>\d\d)\b"
    rf"|\b(?P<e_ord>{_ORD})(?=[\s-]+quarter\b)"
    rf"|\bQ(?P<f_q>[1-4])\b"
    rf"|(?<![$\d.,])\b(?P<g_year>(?:19|20)\d\d)\b(?!\s*(?:%|percent|million|billion))",
    re.I,
)
_ZH_Q = "一二三四"
_ZH_PERIOD = re.compile(
    r"(?P<a_year>(?:19|20)\d\d)(?P<a_mid>\s*年\s*第)(?P<a_q>[一二三四])(?=季)"
    r"|第(?P<b_q>[一二三四])(?=季)"
    r"|Q(?P<c_q>[1-4])\b"
    r"|(?<![$\d.,])(?P<d_year>(?:19|20)\d\d)(?![\d%])"
)
_MONEY = re.compile(r"\$\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


def _ord_word(q: int, like: str) -> str:
    if like[0].isdigit():
        return _ORD_NUMS[q - 1]
    word = _ORD_WORDS[q - 1]
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[0].isupper() else word


def _q_of(word: str) -> int:
    w = word.lower()
    return (_ORD_WORDS.index(w) if w in _ORD_WORDS else _ORD_NUMS.index(w)) + 1


def _add(year: int, quarter: int, k: int) -> tuple[int, int]:
    i = year * 4 + quarter - 1 + k
    return i // 4, i % 4 + 1


def _year(text: str, dy: int) -> str:
    return str(int(text) + dy)


def shift_periods(text: str, k: int, dy: int) -> str:
    """Every period phrase moved by k quarters; a bare year by the call's change of year, dy."""
    def en(m: re.Match) -> str:
        if m["a_ord"]:
            y, q = _add(int(m["a_year"]), _q_of(m["a_ord"]), k)
            return f"{_ord_word(q, m['a_ord'])}{m['a_mid']}{y}"
        if m["b_year"]:
            y, q = _add(int(m["b_year"]), _q_of(m["b_ord"]), k)
            return f"{y}{m['b_mid']}{_ord_word(q, m['b_ord'])}"
        if m["c_q"]:
            full = len(m["c_year"]) == 4
            y, q = _add(int(m["c_year"]) + (0 if full else 2000), int(m["c_q"]), k)
            return f"{m.group(0)[0]}{q}{m['c_mid']}{y if full else f'{y % 100:02d}'}"
        if m["d_q"]:
            y, q = _add(2000 + int(m["d_year"]), int(m["d_q"]), k)
            return f"{q}{m.group(0)[1]}{y % 100:02d}"
        if m["e_ord"]:
            return _ord_word((_q_of(m["e_ord"]) - 1 + k) % 4 + 1, m["e_ord"])
        if m["f_q"]:
            return f"{m.group(0)[0]}{(int(m['f_q']) - 1 + k) % 4 + 1}"
        return _year(m["g_year"], dy)

    return _EN_PERIOD.sub(en, text)


def shift_periods_zh(text: str, k: int, dy: int) -> str:
    def zh(m: re.Match) -> str:
        if m["a_year"]:
            y, q = _add(int(m["a_year"]), _ZH_Q.index(m["a_q"]) + 1, k)
            return f"{y}{m['a_mid']}{_ZH_Q[q - 1]}"
        if m["b_q"]:
            return f"第{_ZH_Q[(_ZH_Q.index(m['b_q']) + k) % 4]}"
        if m["c_q"]:
            return f"Q{(int(m['c_q']) - 1 + k) % 4 + 1}"
        return str(int(m["d_year"]) + dy)

    return _ZH_PERIOD.sub(zh, text)


def scale_money(text: str, factor: float) -> str:
    def money(m: re.Match) -> str:
        raw = m["num"]
        value = float(raw.replace(",", "")) * factor
        decimals = len(raw.split(".", 1)[1]) if "." in raw else 0
        if decimals == 0 and value < 10:
            decimals = 1
        out = f"{value:,.{decimals}f}" if "," in raw else f"{value:.{decimals}f}"
        return m.group(0)[: m.start("num") - m.start()] + out

    return _MONEY.sub(money, text)


class Rewriter:
    """Names, company, periods and figures of one seed's text, for one generated document."""

    def __init__(self, names: dict[str, str], k: int, dy: int, factor: float):
        self.names = names
        alternatives = sorted(names, key=len, reverse=True)
        self.rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])")
        self.k, self.dy, self.factor = k, dy, factor

    def name(self, text: str) -> str:
        return self.rx.sub(lambda m: self.names[m.group(0)], text)

    def english(self, text: str) -> str:
        return scale_money(shift_periods(self.name(text), self.k, self.dy), self.factor)

    def chinese(self, text: str) -> str:
        return shift_periods_zh(self.name(text), self.k, self.dy)


# -- the generator -----------------------------------------------------------------------------

class Generator:
    def __init__(self, seeds: Path, seed: int = 6):
        self.seed_dir = seeds
        self.seed = seed
        self.seed_files = sorted(p for p in seeds.glob("*.txt"))
        self.calls: list[SeedCall] = []
        self.notes: list[tuple[Path, Note]] = []
        for p in self.seed_files:
            parsed = parse(read_source(p))
            if isinstance(parsed, Note):
                self.notes.append((p, parsed))
            else:
                self.calls.append(load_seed_call(p, parsed))
        self.segments = [(c, s) for c in self.calls for s in c.segments]
        self.analyst_keys = sorted({k for c in self.calls for k, p in c.people.items() if p.role == Role.ANALYST})

    # pools
    def _people(self, rng: random.Random, n: int) -> list[Person]:
        combos = [(f, n_, l) for f, n_ in FIRST_NAMES for l in LAST_NAMES]
        rng.shuffle(combos)
        if n > len(combos):
            raise ValueError(f"at most {len(combos)} distinct people")
        people = []
        for f, nick, last in combos[:n]:
            middle = rng.choice("ABCDEFGHJKLMNPRSTW") + "." if rng.random() < 0.7 else rng.choice(FIRST_NAMES)[0]
            people.append(Person(f, nick, middle, last))
        return people

    @staticmethod
    def _company_names() -> list[str]:
        names = [p + s for p in COMPANY_PREFIXES for s in COMPANY_SUFFIXES]
        return [n for n in names if lookup(n) is None]

    def plan(self, n_generated: int) -> tuple[list[Company], list[Analyst], list[tuple[str, int, int]]]:
        """Companies, analysts, and the documents: ("call", company, index) or ("note", company, index)."""
        rng = random.Random(f"{self.seed}:plan:{n_generated}")
        n_notes = n_generated // 5
        n_calls = n_generated - n_notes
        names = self._company_names()
        # Companies hold 4 to 16 calls each. A corpus too large for the names (about 11,000
        # documents) gives them longer histories instead, up to ten years of quarters: the issue's
        # 20,000 transcripts are 500 companies over ten years. Smaller corpora stay as they were.
        most = 16
        while True:
            counts: list[int] = []
            total = 0
            while total < n_calls:
                counts.append(min(rng.randint(4, most), n_calls - total))
                total += counts[-1]
            if len(counts) <= len(names):
                break
            if most >= 40:
                raise ValueError(f"at most {len(names)} companies of 40 calls; ask for fewer documents")
            most += 4
        rng.shuffle(names)
        n_analysts = max(20, round(len(counts) * 1.4))
        n_firms = max(6, min(len(FIRM_ROOTS) * len(FIRM_SUFFIXES), n_analysts // 5))
        firms = [f"{r} {s}" for r in FIRM_ROOTS for s in FIRM_SUFFIXES]
        rng.shuffle(firms)
        firms = firms[:n_firms]
        people = self._people(rng, n_analysts + 6 * len(counts))
        analysts = []
        for person in people[:n_analysts]:
            history = [(0, rng.choice(firms))]
            if rng.random() < 0.15:
                history.append((rng.randint(2014, 2024), rng.choice(firms)))
            analysts.append(Analyst(person, history))
        execs = iter(people[n_analysts:])
        tickers: set[str] = set()
        companies = []
        for name, count in zip(names, counts):
            ticker = name[:4].upper()
            while ticker in tickers or ticker == SEED_TICKER:
                ticker = ticker[:3] + rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            tickers.add(ticker)
            last_start = 2025 * 4 + 1 - count  # the last call no later than Q2 2025
            start = rng.randint(2012 * 4, last_start)
            slots = {}
            for slot in ("ceo", "cfo", "ir", "exec2"):
                slots[slot] = [(0, next(execs))]
                if count > 6 and rng.random() < 0.25:  # someone new in the role halfway
                    slots[slot].append((count // 2, next(execs)))
            companies.append(Company(name, ticker, start, count, rng.uniform(0.2, 6.0), rng.uniform(0.98, 1.05),
                                     slots, rng.sample(range(n_analysts), min(n_analysts, 14))))
        docs: list[tuple[str, int, int]] = [("call", c, i) for c, comp in enumerate(companies) for i in range(comp.calls)]
        rng.shuffle(docs)
        with_notes: list[tuple[str, int, int]] = []
        for n, d in enumerate(docs, start=1):
            with_notes.append(d)
            if n % 4 == 0 and len(with_notes) < n_generated:
                with_notes.append(("note", d[1], d[2]))
        while len(with_notes) < n_generated:  # rounding: one more note on the last call
            with_notes.append(("note", docs[-1][1], docs[-1][2]))
        return companies, analysts, with_notes[:n_generated]

    # documents
    def _names(self, seed: SeedCall, company: Company, index: int, analysts_by_key: dict[str, Person],
               speaking: set[str]) -> dict[str, str]:
        names: dict[str, str] = {SEED_COMPANY: company.name, SEED_TICKER: company.ticker}
        givens: dict[str, str] = {}
        people = sorted(seed.people.values(), key=lambda p: (p.role == Role.ANALYST, p.key not in speaking, p.key))
        for sp in people:
            new = company.exec(sp.slot, index) if sp.role != Role.ANALYST else analysts_by_key[sp.key]
            forms = set(sp.forms) | {f"{g} {sp.last}" for g in sp.given}
            for form in forms:
                names.setdefault(form, new.render(form, sp.last))
            names.setdefault(sp.last, new.last)
            for g in sp.given:
                givens.setdefault(g, new.given(g))
        for g, v in givens.items():
            names.setdefault(g, v)
        return names

    def call_text(self, companies: list[Company], analysts: list[Analyst], c: int, index: int) -> tuple[str, int]:
        company = companies[c]
        rng = random.Random(f"{self.seed}:call:{company.name}:{index}")
        year, quarter = company.period(index)
        base = rng.choice(self.calls)
        cover = list(company.coverage)
        rng.shuffle(cover)
        analysts_by_key = {k: analysts[cover[i % len(cover)]].person for i, k in enumerate(self.analyst_keys)}
        firm_of = {analysts[i].person: analysts[i].firm(year) for i in company.coverage}
        factor = company.scale * company.growth ** index * rng.uniform(0.97, 1.03)
        chosen = rng.sample(self.segments, min(len(self.segments), rng.randint(4, 8)))

        lines = [NOTICE]
        words = 0

        def rewriter(seed: SeedCall, speaking: set[str]) -> Rewriter:
            k, dy = seed.shift(year, quarter)
            return Rewriter(self._names(seed, company, index, analysts_by_key, speaking), k, dy, factor)

        def emit(turns: list[Turn], rw: Rewriter) -> None:
            nonlocal words
            for t in turns:
                header = "Operator" if t.is_operator else rw.name(f"{t.speaker} - {t.title}" if t.title else t.speaker or "")
                lines.extend([header, header])
                for p in t.paragraphs:
                    en = rw.english(p.text)
                    lines.append(en)
                    words += len(en.split())
                    if p.translation:
                        lines.append(rw.chinese(p.translation))

        main = rewriter(base, set())
        emit(base.prepared, main)
        for n, (seed, seg) in enumerate(chosen):
            speaking = {sp.key for t in seg for sp in seed.people.values() if t.speaker in sp.forms}
            rw = rewriter(seed, speaking)
            op = seg[0]
            announced = seed.announced.get(op.order)
            if announced is None:
                first = next(t for t in seg[1:] if t.speaker and any(
                    t.speaker in sp.forms and sp.role == Role.ANALYST for sp in seed.people.values()))
                announced = first.speaker
            who = rw.name(announced)
            sp = next((p for p in seed.people.values() if announced in p.forms or same_person(announced, next(iter(p.forms)))), None)
            person = analysts_by_key.get(sp.key) if sp else None
            firm = firm_of.get(person) if person else None
            firm = firm or analysts[cover[0]].firm(year)
            style = rng.randrange(3)
            if style == 0:
                en, zh = f"{who}, {firm}.", f"{firm} 的 {who}。"
            elif style == 1:
                en = f"Our next question comes from the line of {who} with {firm}. Please proceed with your question."
                zh = f"我們的下一個問題來自 {firm} 的 {who}。請繼續提問。"
            else:
                en, zh = f"Our next question is from {who} of {firm}.", f"下一個問題來自 {firm} 的 {who}。"
            if n == 0:
                en = "Thank you. We will now be conducting a question-and-answer session. (Operator Instructions) " + \
                     en.replace("Our next question", "Our first question")
                zh = "謝謝。我們現在將進行問答環節。(操作員說明)" + zh
            lines.extend(["Operator", "Operator", en, zh])
            words += len(en.split())
            emit(seg[1:], rw)
        emit(base.closing, main)
        return "\n".join(lines) + "\n", words

    def note_text(self, companies: list[Company], c: int, index: int) -> tuple[str, int]:
        company = companies[c]
        rng = random.Random(f"{self.seed}:note:{company.name}:{index}")
        path, note = self.notes[0]
        year, quarter = company.period(index)
        k = (year * 4 + quarter - 1) - (note.period.year * 4 + (note.period.quarter or 4) - 1)
        rw = Rewriter({SEED_COMPANY: company.name, SEED_TICKER: company.ticker}, k, year - note.period.year,
                      company.scale * company.growth ** index)
        label, low, high = rng.choice(SENTIMENTS)
        out, words, body = [], 0, True
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            low_line = line.strip().lower()
            if low_line in ("overall sentiment", "sentiment"):
                body = False
            if i > 0 and lines[i - 1].strip().lower() in ("overall sentiment", "sentiment"):
                line = label
            elif i > 0 and lines[i - 1].strip().lower().startswith("sentiment score"):
                line = f"{rng.uniform(low, high):.2f}"
            elif body:
                line = rw.english(line)
                line = re.sub(rf"^({re.escape(company.name)} reported Q{quarter})\b", rf"\g<1> {year}", line)
                words += len(line.split())
            out.append(line)
        return "\n".join(out) + "\n", words

    def write(self, n: int, folder: Path) -> dict:
        """N documents in `folder` (the seeds and N - len(seeds) generated); returns the manifest."""
        folder.mkdir(parents=True, exist_ok=True)
        manifest: dict = {"documents": {}, "companies": 0, "analysts": 0}
        for p in self.seed_files[:n]:
            (folder / p.name).write_bytes(p.read_bytes())
            parsed = parse(read_source(p))
            turns = [parsed.body] if isinstance(parsed, Note) else parsed.turns
            manifest["documents"][p.name] = {
                "kind": "note" if isinstance(parsed, Note) else "call", "company": parsed.company,
                "year": parsed.period.year, "quarter": parsed.period.quarter,
                "words": sum(len(para.text.split()) for t in turns for para in t.paragraphs)}
        generated = n - len(manifest["documents"])
        if generated <= 0:
            return manifest
        companies, analysts, docs = self.plan(generated)
        manifest["companies"], manifest["analysts"] = len(companies), len(analysts)
        manifest["firms"] = len({f for a in analysts for _, f in a.firms})
        for i, (kind, c, index) in enumerate(docs):
            if kind == "call":
                text, words = self.call_text(companies, analysts, c, index)
            else:
                text, words = self.note_text(companies, c, index)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            name = f"g{i:05d}_{digest}.txt"
            (folder / name).write_text(text, encoding="utf-8")
            year, quarter = companies[c].period(index)
            manifest["documents"][name] = {"kind": kind, "company": companies[c].name, "year": year,
                                           "quarter": quarter, "words": words}
        return manifest
