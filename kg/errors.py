"""Errors of the graph side: the store and queries. All are `KgError`s, so the CLI prints one line."""

from extract.errors import KgError


class StoreLocked(KgError):
    """Another kg process has the store open for writing."""


class StoreError(KgError):
    """The store cannot be opened or written."""


class LoadError(KgError):
    """A file given to `kg load` is not a kg export, or the store it would fill already holds documents."""


class QueryError(KgError):
    """A SPARQL query is malformed or names a saved query that does not exist."""


class MalformedQuery(QueryError):
    """The SPARQL parser refused the query (a client's mistake, not the store's)."""


class InvalidIRI(KgError):
    """A minted IRI would not be a valid absolute IRI; a bug, or a hostile input kg failed to clean."""


class PushError(KgError):
    """Copying the store to another SPARQL server failed: names the graph and the HTTP status."""


class ClusterError(KgError):
    """A Dask cluster given to `kg build --scheduler` cannot be reached or cannot run kg."""
