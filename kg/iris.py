"""Deterministic IRIs, minted and checked in one place.

The same input gives the same IRIs on every run and machine; every IRI is checked by
pyoxigraph's parser when minted, because rdflib accepts broken IRIs and fails much later.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph
from rdflib import URIRef

from extract.model import Document, FiscalPeriod
from extract.names import slug

from .errors import InvalidIRI

DEFAULT_BASE = "https://w3id.org/earnings-kg/id/"


def checked(iri: str) -> URIRef:
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as e:
        raise InvalidIRI(f"cannot mint IRI {iri!r}: {e}") from None
    if any(c in iri for c in ' <>"{}|\\^`') or not iri.isascii():
        raise InvalidIRI(f"cannot mint IRI {iri!r}: characters other stores refuse")
    return URIRef(iri)


@dataclass(frozen=True)
class Iris:
    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            raise InvalidIRI(f"the IRI base {self.base!r} must end with '/' or '#'")
        checked(self.base)

    def entity(self, key: str) -> URIRef:
        """`person/george-notter` -> `…/id/person/george-notter`."""
        return checked(self.base + key)

    @property
    def entities_graph(self) -> URIRef:
        return checked(self.base + "graph/entities")

    def document(self, doc: Document) -> URIRef:
        company = doc.company.split("/", 1)[-1]
        if doc.kind == "note":
            stem = doc.source.rsplit(".", 1)[0]
            return checked(f"{self.base}note/{company}-{_period_slug(doc.period)}-{slug(stem)}")
        return checked(f"{self.base}call/{company}-{_period_slug(doc.period)}")

    def period(self, company_key: str, period: FiscalPeriod) -> URIRef:
        company = company_key.split("/", 1)[-1]
        return checked(f"{self.base}period/{company}/{_period_slug(period)}")

    def parse_period(self, iri: str) -> FiscalPeriod | None:
        """The period a period IRI names: the inverse of `period`."""
        if not iri.startswith(self.base + "period/"):
            return None
        tail = iri.rsplit("/", 1)[-1]
        year, _, quarter = tail.partition("-q")
        if not year.isdigit():
            return None
        return FiscalPeriod(int(year), int(quarter) if quarter.isdigit() else None)


def _period_slug(period: FiscalPeriod) -> str:
    return f"{period.year}-q{period.quarter}" if period.quarter else str(period.year)
