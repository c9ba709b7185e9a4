"""Relations between organisations, only where a sentence says so.

"CenturyLink in 2020 was actually an 11% customer", "Verizon ... continues to be a very good
customer", "customers such as ALLO": each pattern ties an organisation named in the sentence to
the reporting company, and keeps the sentence as evidence.
"""

from __future__ import annotations

import re

from .figures import sentences
from .model import EntityType, Mention, Relation, Span, Turn

_ORG_TYPES = {EntityType.ORGANIZATION}
# After the organisation's name: "... was an 11% customer", "... has been and continues to be a very good customer".
_IS_CUSTOMER = re.compile(
    r"^(?P<gap>[^.;]{0,60}?)\b(?:is|was|are|were|been|be|remains?|became|becomes)\b\s+(?:(?:actually|still|now|also|and|continues to be|has been)\s+)*"
    r"(?:a|an|our|one of our)\s+(?:[\w%-]+\s+){0,3}?customers?\b",
    re.I,
)
_NOT_SUBJECT = re.compile(r"\b(?:if|when|but|because|while|although|who|which|that)\b", re.I)
# Before it: "customers such as", "customers like", "customers including", "our customer,".
_CUSTOMERS_SUCH_AS = re.compile(r"\bcustomers?\s*(?:,\s*)?(?:such as|like|including|namely|:)\s*(?:[\w&.'-]+\s*,?\s*(?:and\s+)?){0,6}$", re.I)
_OUR_CUSTOMER = re.compile(r"\bour (?:\w+\s+)?customer,?\s*$", re.I)
_PARTNER = re.compile(r"\bpartner(?:s|ing|ed|ship)?\s+with\b|\bpartners?\s+(?:such as|like|including)\b", re.I)
_COMPETITOR = re.compile(r"\bcompet(?:itors?|ing|es|ition)\b|\benemy\b|\brival", re.I)
# "either of those two customers", "both of these customers": the organisations the question named.
_THOSE_CUSTOMERS = re.compile(
    r"\b(?:(?P<both>both)\s+(?:of\s+)?(?:those|these|the)|(?:those|these|the)\s+(?P<n>two|three|four|2|3|4))\s+"
    r"(?:(?:large|big|major|key|largest|biggest|tier[- ]one|tier 1)\s+)?customers\b", re.I)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}


def _count(m: re.Match) -> int:
    return 2 if m["both"] else _NUMBER_WORDS[m["n"].lower()]


def _sentence_span(turn: Turn, s_start: int, sentence: str) -> Span:
    quote = sentence.strip()
    start = s_start + (len(sentence) - len(sentence.lstrip()))
    paragraph = next((i + 1 for i, off in reversed(list(enumerate(turn.paragraph_offsets()))) if off <= start), 1)
    return Span(turn.order, start, start + len(quote), quote, paragraph)


_NEGATION = re.compile(r"\b(?:not|never|no longer|isn't|wasn't|aren't|weren't)\b", re.I)


def find_relations(turn: Turn, mentions: list[Mention], company: str, asked_about: list[Mention] = ()) -> list[Relation]:
    """Customer, partner and competitor statements in one company speaker's turn.

    `asked_about` are the names in the question this turn answers: "either of those two customers"
    in the answer means the two organisations the question named.
    """
    text = turn.text
    orgs = [m for m in mentions if m.type in _ORG_TYPES and m.key != company]
    relations: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    asked: list[str] = []
    for m in asked_about:
        if m.type in _ORG_TYPES and m.key != company and m.key not in asked:
            asked.append(m.key)
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        those = _THOSE_CUSTOMERS.search(sentence)
        if those and asked and _count(those) == len(asked):
            for key in asked:
                if (key, "customerOf") not in seen:
                    seen.add((key, "customerOf"))
                    relations.append(Relation(key, "customerOf", company, _sentence_span(turn, s_start, sentence)))
        in_sentence = [m for m in orgs if s_start <= m.span.start and m.span.end <= s_end]
        for m in in_sentence:
            before = text[s_start:m.span.start]
            after = text[m.span.end:s_end]
            predicate = None
            said = _IS_CUSTOMER.search(after)
            if (said and not _NEGATION.search(said.group(0)) and not _NOT_SUBJECT.search(said["gap"])) or \
                    _CUSTOMERS_SUCH_AS.search(before) or _OUR_CUSTOMER.search(before):
                predicate = "customerOf"
            elif _PARTNER.search(sentence) and re.search(r"\bwith (?:us|calix)\b|\bour partners?\b", sentence, re.I):
                predicate = "partnerOf"
            elif _COMPETITOR.search(sentence) and re.search(r"\b(?:we|us|our)\b", sentence, re.I) and \
                    re.search(r"\bcompetitors?\b", sentence, re.I):
                predicate = "competitorOf"
            if predicate is None or (m.key, predicate) in seen:
                continue
            seen.add((m.key, predicate))
            relations.append(Relation(m.key, predicate, company, _sentence_span(turn, s_start, sentence)))
    return relations
