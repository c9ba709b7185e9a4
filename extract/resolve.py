"""One key per real person and organisation, from one document alone.

Keys never depend on other documents (so a document's graph can be rebuilt on its own); the
choice of one preferred label across documents happens later, in `kg.entities`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .gazetteer import Known, lookup, organization_key
from .mentions import RawMention
from .model import Call, Entity, EntityType, Mention, Participant, Role, Span, Turn
from .names import SPELLING_VARIANTS, ascii_fold, first_last, formal_given, name_tokens, person_key, same_person, slug
from .speakers import ANONYMOUS


@dataclass
class _Draft:
    type: EntityType
    key: str
    names: list[str] = field(default_factory=list)
    label: str | None = None
    administered_by: str | None = None
    zh_names: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        name = " ".join(name.split())
        if name and name not in self.names:
            self.names.append(name)


class Resolver:
    """Collects the entities of one document as its names are resolved."""

    def __init__(self) -> None:
        self.entities: dict[str, _Draft] = {}

    def _draft(self, type: EntityType, key: str, name: str, label: str | None = None) -> str:
        full_key = f"{_prefix(type)}/{key}"
        draft = self.entities.get(full_key)
        if draft is None:
            draft = self.entities[full_key] = _Draft(type, key, label=label)
        elif type == EntityType.RESEARCH_FIRM and draft.type == EntityType.ORGANIZATION:
            draft.type = type
        draft.add(name)
        return full_key

    def person(self, name: str) -> str:
        return self._draft(EntityType.PERSON, person_key(name), name)

    def voice(self, label: str, scope: str) -> str:
        """A speaker nobody named ("Speaker 3"): a person of this one call, never merged with another's."""
        return self._draft(EntityType.PERSON, slug(f"{scope} {label}"), label)

    def organization(self, name: str, type: EntityType = EntityType.ORGANIZATION) -> str:
        known = lookup(name)
        if known is not None:
            key = self._draft(known.type if type != EntityType.RESEARCH_FIRM else type, known.key, name, known.label)
            return key
        return self._draft(type, organization_key(name), name)

    def known(self, raw: RawMention) -> str:
        k = raw.known
        assert k is not None
        key = self._draft(k.type, k.key, raw.text, k.label)
        if k.agency:
            agency = lookup(k.agency, EntityType.AGENCY)
            if agency is not None:
                agency_key = self._draft(EntityType.AGENCY, agency.key, agency.label, agency.label)
                self.entities[key].administered_by = agency_key
        return key

    def freeze(self) -> tuple[Entity, ...]:
        return tuple(
            Entity(type=d.type, key=k, names=tuple(d.names), label=d.label, administered_by=d.administered_by,
                   zh_names=tuple(d.zh_names))
            for k, d in sorted(self.entities.items())
        )


def add_chinese_names(pairs: list[tuple[str, str]], participants: tuple[Participant, ...], resolver: Resolver) -> None:
    """Attach each Chinese name to the entity its English name resolves to in this document."""
    for english, chinese in pairs:
        key = None
        match = resolve_person_mention(english, None, participants)
        if match is not None:
            key = resolver.person(match.name)
        elif (known := lookup(english)) is not None:
            key = next((k for k, d in resolver.entities.items() if d.key == known.key), None)
        else:
            key = next((k for k, d in resolver.entities.items() if english in d.names), None)
        if key is not None and chinese not in resolver.entities[key].zh_names:
            resolver.entities[key].zh_names.append(chinese)


def _prefix(type: EntityType) -> str:
    return {
        EntityType.PERSON: "person",
        EntityType.PROGRAM: "program",
        EntityType.PRODUCT: "product",
        EntityType.PLACE: "place",
    }.get(type, "org")


def resolve_person_mention(text: str, speaker: Participant | None, participants: tuple[Participant, ...]) -> Participant | None:
    """The participant a name in the text means: "Cory", "Corey", "Mike" (the one on the other side)."""
    candidates = [p for p in participants if any(same_person(text, n) for n in (p.name, *p.names))]
    words = name_tokens(text)
    if len(candidates) > 1 and len(words) == 1:
        # "Michael" is Michael Weening rather than Mike Genovese: the name as written wins.
        exact = [p for p in candidates if name_tokens(p.name)[0].lower() == words[0].lower()]
        candidates = exact or candidates
    if len(candidates) > 1 and speaker is not None:
        other_side = [p for p in candidates if (p.role == Role.ANALYST) != (speaker.role == Role.ANALYST)]
        candidates = other_side or candidates
    if len(candidates) > 1:
        # Only a full name settles it.
        candidates = [p for p in candidates if person_key(p.name) == person_key(text)]
    return candidates[0] if len(candidates) == 1 else None


def participant_keys(call: Call, resolver: Resolver) -> dict[str, str]:
    """Every header form -> person key; the operator's forms of the same people become aliases."""
    keys: dict[str, str] = {}
    for p in call.participants:
        if ANONYMOUS.match(p.name):
            keys[p.name] = resolver.voice(p.name, f"{call.company} {call.period.year} q{call.period.quarter or 0}")
            continue
        key = resolver.person(p.name)
        for n in p.names:
            resolver.person(n)
            keys[n] = key
        resolver.entities[key].add(first_last(p.name))
        keys[p.name] = key
    for intro in call.introductions:
        match = resolve_person_mention(intro.name, None, call.participants)
        if match is not None and len(name_tokens(intro.name)) >= 2:
            resolver.entities[keys[match.name]].add(intro.name)
    return keys


def resolve_mentions(
    turns: tuple[Turn, ...], raw: dict[int, list[RawMention]], call: Call | None, resolver: Resolver
) -> list[Mention]:
    mentions: list[Mention] = []
    participants = call.participants if call else ()
    alone = {r.text.lower() for rs in raw.values() for r in rs if r.type == EntityType.PERSON and len(name_tokens(r.text)) == 1}
    for turn in turns:
        offsets = turn.paragraph_offsets()
        speaker = call.participant(turn.speaker) if call else None
        named_here = [r for r in raw.get(turn.order, []) if r.known is not None and r.known.type != EntityType.PLACE]
        for r in raw.get(turn.order, []):
            start, end = offsets[r.paragraph] + r.start, offsets[r.paragraph] + r.end
            span = Span(turn.order, start, end, turn.text[start:end], r.paragraph + 1)
            sounds_like = _sounds_like(r, named_here) if r.known is None and r.type == EntityType.PERSON else None
            if sounds_like is not None:
                r = RawMention(sounds_like.type, r.text, r.paragraph, r.start, r.end, sounds_like)
            if r.known is not None:
                key = resolver.known(r)
            elif r.type == EntityType.PERSON:
                match = resolve_person_mention(r.text, speaker, participants)
                if match is not None:
                    key = resolver.person(match.name)
                    resolver.entities[key].add(r.text)
                elif len(name_tokens(r.text)) >= 2 and not lookup(r.text) and not _given_names_only(r.text, participants, alone):
                    key = resolver.person(r.text)
                else:
                    continue
            else:
                if any(same_person(r.text, p.name) for p in participants):
                    continue
                key = resolver.organization(r.text)
            mentions.append(Mention(resolver.entities[key].type, key, r.text, span))
    return mentions


def _sounds_like(raw: RawMention, named_here: list[RawMention]) -> Known | None:
    """The known organisation an unknown "person" is a speech-to-text spelling of, named in the same turn.

    "I put Tom Bigby up there ... they think about Tom Baby as part of the community": the second
    is the first (Tombigbee) heard differently, not a person. Only a close spelling of a form the
    same turn used counts, so a real person is never taken for a firm merely for sharing a word.
    """
    text = raw.text.lower()
    for other in named_here:
        if other.known is None or other.known.type == EntityType.PERSON:
            continue
        form = other.text.lower()
        if form != text and form[:1] == text[:1] and SequenceMatcher(None, form, text).ratio() >= 0.8:
            return other.known
    return None


def _given_names_only(text: str, participants: tuple[Participant, ...], alone: set[str]) -> bool:
    """"Anything to add, Carl, Corey?" heard as one name "Carl Corey": two given names, not a person.

    The last word must be a speaker's given name as written (or its speech-to-text spelling, "Corey"
    for "Cory") and nobody's surname, and the first a given name the call uses on its own (`alone`).
    "Suzanne Tom" stays a person: "Tom" is only a nickname of a speaker's "Thomas", and no one in
    the call is called "Suzanne" alone.
    """
    words = name_tokens(text)
    if len(words) != 2:
        return False
    spelled = lambda w: SPELLING_VARIANTS.get(ascii_fold(w).lower(), ascii_fold(w).lower())  # noqa: E731
    names = [name_tokens(n) for p in participants for n in (p.name, *p.names)]
    given = {spelled(n[0]) for n in names if n}
    surnames = {n[-1].lower() for n in names if len(n) >= 2}
    first_alone = spelled(words[0]) in given or words[0].lower() in alone
    return first_alone and spelled(words[1]) in given and words[1].lower() not in surnames


__all__ = ["Resolver", "participant_keys", "resolve_mentions", "resolve_person_mention", "formal_given", "slug"]
