"""A file in, a `Document` out: read, find names and figures, resolve them.

This is the unit of parallel work: it needs nothing but the file, so documents can be
extracted in any order, in any process, on any machine.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .decode import Source, read_source
from .figures import extract_figures, unique
from .mentions import find_mentions
from .model import Call, Document, EntityType, Mention, Note, Participation, ResolvedExchange, Role
from .read import parse_with_warnings
from .relations import find_relations
from .chinese import chinese_names
from .resolve import Resolver, add_chinese_names, participant_keys, resolve_mentions

COMPANY_ROLES = (Role.EXECUTIVE, Role.INVESTOR_RELATIONS)


def extract(path: str | Path) -> Document:
    return extract_source(read_source(path))


def extract_source(source: Source) -> Document:
    parsed, warnings = parse_with_warnings(source)
    document = _note_document(parsed) if isinstance(parsed, Note) else _call_document(parsed)
    return replace(document, warnings=warnings)


def _call_document(call: Call) -> Document:
    resolver = Resolver()
    company = resolver.organization(call.company)
    keys = participant_keys(call, resolver)

    # One participation per person: two headers that resolve to one person ("Joe Galloway" and
    # "Joseph T. Galloway" in one call) are one participant, as printed first, with what either says.
    by_person: dict[str, Participation] = {}
    for p in call.participants:
        if p.role == Role.ANALYST:
            affiliation = resolver.organization(p.firm, EntityType.RESEARCH_FIRM) if p.firm else None
        else:
            affiliation = company
        first = by_person.get(keys[p.name])
        if first is None:
            by_person[keys[p.name]] = Participation(keys[p.name], p.role, p.title, p.name, affiliation)
        else:
            by_person[keys[p.name]] = replace(first, title=first.title or p.title, affiliation=first.affiliation or affiliation)
    participations = list(by_person.values())

    raw = find_mentions(call.turns)
    mentions = resolve_mentions(call.turns, raw, call, resolver)
    add_chinese_names(chinese_names(call.turns), call.participants, resolver)

    figures, relations = [], []
    for turn in call.turns:
        speaker = call.participant(turn.speaker)
        if speaker is None or speaker.role not in COMPANY_ROLES:
            continue
        figures.extend(extract_figures(turn, call.period, call.all_non_gaap, keys[speaker.name], figures,
                                       call.company))
        relations.extend(find_relations(turn, [m for m in mentions if m.span.turn == turn.order], company,
                                        _asked_about(call, turn.order, mentions)))

    exchanges = tuple(
        ResolvedExchange(keys[x.asked_by], tuple(keys[a] for a in x.answered_by), x.questions, x.answers)
        for x in call.exchanges
    )
    return Document(
        source=call.source, sha256=call.sha256, kind="call", company=company, period=call.period,
        turns=call.turns, speakers={t.order: keys[t.speaker] for t in call.turns if t.speaker in keys},
        entities=resolver.freeze(), participations=tuple(participations), exchanges=exchanges,
        mentions=tuple(mentions), figures=tuple(unique(figures)), relations=tuple(_unique_relations(relations)),
    )


def _asked_about(call: Call, order: int, mentions: list[Mention]) -> list[Mention]:
    """The mentions in the questions an answer (turn `order`) replies to: what "those two customers" can mean."""
    for x in call.exchanges:
        if order in x.answers:
            return [m for m in mentions if m.span.turn in x.questions and m.span.turn < order]
    return []


def _note_document(note: Note) -> Document:
    resolver = Resolver()
    company = resolver.organization(note.company)
    raw = find_mentions([note.body])
    mentions = resolve_mentions((note.body,), raw, None, resolver)
    figures = extract_figures(note.body, note.period, False, None)
    return Document(
        source=note.source, sha256=note.sha256, kind="note", company=company, period=note.period,
        turns=(note.body,), entities=resolver.freeze(), mentions=tuple(mentions), figures=tuple(unique(figures)),
        sentiment_label=note.sentiment_label, sentiment_score=note.sentiment_score,
    )


def _unique_relations(relations):
    seen, result = set(), []
    for r in relations:
        if (r.subject, r.predicate, r.object) not in seen:
            seen.add((r.subject, r.predicate, r.object))
            result.append(r)
    return result
