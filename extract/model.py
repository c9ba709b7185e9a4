"""The typed values that flow from reading to resolution.

`read` turns text into a `Call` or a `Note`; `facts` turns those into `Mention`s,
`Figure`s and `Relation`s; `resolve` gives every person and organisation one key.
All are frozen dataclasses so a step can never change what an earlier one made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

PARAGRAPH_SEPARATOR = "\n\n"


class Role(str, Enum):
    EXECUTIVE = "Executive"
    INVESTOR_RELATIONS = "InvestorRelations"
    ANALYST = "Analyst"
    OPERATOR = "Operator"


class Section(str, Enum):
    PREPARED_REMARKS = "PreparedRemarks"
    QUESTION_AND_ANSWER = "QuestionAndAnswer"


class Kind(str, Enum):
    REPORTED = "Reported"
    GUIDANCE = "Guidance"
    TARGET = "Target"


class Basis(str, Enum):
    GAAP = "GAAP"
    NON_GAAP = "NonGAAP"


class Change(str, Enum):
    SEQUENTIAL = "Sequential"
    YEAR_OVER_YEAR = "YearOverYear"


@dataclass(frozen=True, order=True)
class FiscalPeriod:
    """A company's fiscal year, or one quarter of it (quarter None means the full year)."""

    year: int
    quarter: int | None = None

    @property
    def label(self) -> str:
        return f"FY{self.year} Q{self.quarter}" if self.quarter else f"FY{self.year}"

    def next_quarter(self) -> FiscalPeriod:
        if self.quarter is None:
            return FiscalPeriod(self.year + 1, 1)
        if self.quarter == 4:
            return FiscalPeriod(self.year + 1, 1)
        return FiscalPeriod(self.year, self.quarter + 1)

    def previous_quarter(self) -> FiscalPeriod:
        if self.quarter in (None, 1):
            return FiscalPeriod(self.year - 1, 4)
        return FiscalPeriod(self.year, self.quarter - 1)


@dataclass(frozen=True)
class Paragraph:
    text: str
    translation: str | None = None


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted words. `speaker` is the name as the header prints it."""

    order: int
    speaker: str | None
    title: str | None
    is_operator: bool
    section: Section
    paragraphs: tuple[Paragraph, ...]

    @property
    def text(self) -> str:
        return PARAGRAPH_SEPARATOR.join(p.text for p in self.paragraphs)

    @property
    def translation(self) -> str | None:
        if not any(p.translation for p in self.paragraphs):
            return None
        return PARAGRAPH_SEPARATOR.join(p.translation or "" for p in self.paragraphs)

    def paragraph_offsets(self) -> list[int]:
        """Where each paragraph starts in `text`."""
        offsets, at = [], 0
        for p in self.paragraphs:
            offsets.append(at)
            at += len(p.text) + len(PARAGRAPH_SEPARATOR)
        return offsets


@dataclass(frozen=True)
class Participant:
    """A person who speaks on a call, with the facts the transcript gives about them."""

    name: str  # the header's form, first seen
    role: Role
    title: str | None
    firm: str | None = None  # an analyst's firm, as the operator named it
    names: tuple[str, ...] = ()  # every form the headers used
    on_behalf_of: str | None = None  # the analyst the operator announced, when this colleague spoke instead


@dataclass(frozen=True)
class Exchange:
    """One analyst's questions and the answers that follow, up to the next analyst."""

    asked_by: str
    questions: tuple[int, ...]  # turn orders
    answers: tuple[int, ...]
    answered_by: tuple[str, ...]


@dataclass(frozen=True)
class Introduction:
    """The operator announcing an analyst: `George Notter, Jefferies.`"""

    turn: int
    name: str
    firm: str


@dataclass(frozen=True)
class Call:
    source: str
    sha256: str
    layout: str
    company: str
    period: FiscalPeriod
    turns: tuple[Turn, ...]
    participants: tuple[Participant, ...]
    exchanges: tuple[Exchange, ...]
    introductions: tuple[Introduction, ...]
    all_non_gaap: bool = False  # "all financial information ... will be non-GAAP"

    def participant(self, name: str | None) -> Participant | None:
        for p in self.participants:
            if name == p.name or name in p.names:
                return p
        return None


@dataclass(frozen=True)
class Note:
    """A short research note about one call: its body is read as a single passage."""

    source: str
    sha256: str
    company: str
    period: FiscalPeriod
    sentiment_label: str
    sentiment_score: Decimal
    body: Turn


@dataclass(frozen=True)
class Span:
    """Where a fact was read: a turn (by order) and character offsets into its text."""

    turn: int
    start: int
    end: int
    quote: str
    paragraph: int = 1  # 1-based, within the turn


@dataclass(frozen=True)
class Figure:
    metric: str  # a concept of the ontology's metric scheme, e.g. "Revenue"
    unit: str  # "USD", "Percent", "Days", "Count", "Ratio", "BasisPoints"
    period: FiscalPeriod
    kind: Kind
    span: Span
    value: Decimal | None = None  # in whole units: $264.7 million -> 264700000
    low: Decimal | None = None
    high: Decimal | None = None
    basis: Basis | None = None
    change: Change | None = None
    speaker: str | None = None


class EntityType(str, Enum):
    PERSON = "Person"
    ORGANIZATION = "Organization"
    RESEARCH_FIRM = "ResearchFirm"
    AGENCY = "GovernmentAgency"
    PROGRAM = "GovernmentProgram"
    PRODUCT = "Product"
    PLACE = "Place"


@dataclass(frozen=True)
class Mention:
    """A name in a turn, already resolved to the key of the entity it names."""

    type: EntityType
    key: str
    surface: str
    span: Span


@dataclass(frozen=True)
class Relation:
    """`subject predicate object` between two entity keys, where a sentence says so."""

    subject: str
    predicate: str  # "customerOf", "competitorOf", "partnerOf"
    object: str
    span: Span


@dataclass(frozen=True)
class Entity:
    """One real person, organisation, programme, product or place, as one document names it."""

    type: EntityType
    key: str
    names: tuple[str, ...]  # every surface form this document used
    label: str | None = None  # a canonical name known without the corpus (programmes, known firms)
    zh_names: tuple[str, ...] = ()
    administered_by: str | None = None  # programme -> agency key
    offered_by: str | None = None  # product -> organisation key


@dataclass(frozen=True)
class Participation:
    person: str  # entity key
    role: Role
    title: str | None
    name_as_printed: str
    affiliation: str | None  # organisation key


@dataclass(frozen=True)
class ResolvedExchange:
    asked_by: str  # person key
    answered_by: tuple[str, ...]
    questions: tuple[int, ...]
    answers: tuple[int, ...]


@dataclass(frozen=True)
class Document:
    """Everything kg keeps from one input file, with every name resolved to an entity key."""

    source: str
    sha256: str
    kind: str  # "call" or "note"
    company: str  # organisation key of the reporting company
    period: FiscalPeriod
    turns: tuple[Turn, ...]
    speakers: dict[int, str] = field(default_factory=dict)  # turn order -> person key
    entities: tuple[Entity, ...] = ()
    participations: tuple[Participation, ...] = ()
    exchanges: tuple[ResolvedExchange, ...] = ()
    mentions: tuple[Mention, ...] = ()
    figures: tuple[Figure, ...] = ()
    relations: tuple[Relation, ...] = ()
    sentiment_label: str | None = None
    sentiment_score: Decimal | None = None
    warnings: tuple[str, ...] = ()

    @property
    def company_name(self) -> str:
        for e in self.entities:
            if e.key == self.company:
                return e.label or e.names[0]
        return self.company
