"""The OPTIONAL-last rewrite changes speed, never answers."""

import pytest

from kg.query import resolve_query, saved_queries
from kg.rewrite import hoist_optionals


def test_programmes_query_gets_its_optional_last():
    q = resolve_query("08")
    r = hoist_optionals(q)
    assert r != q
    assert r.index("OPTIONAL") > r.index("ekg:fiscalQuarter")


@pytest.mark.parametrize("q", [
    # ?c is bound only by the OPTIONAL and used after it: moving it would change the answers.
    "SELECT * WHERE { ?a <p> ?b OPTIONAL { ?b <q> ?c } ?c <r> ?d }",
    # order-sensitive or scoped constructs are left alone
    "SELECT * WHERE { ?a <p> ?b OPTIONAL { ?a <q> ?c } BIND(1 AS ?one) ?a <r> ?d }",
    "SELECT * WHERE { ?a <p> ?b OPTIONAL { ?a <q> ?c } GRAPH ?g { ?a <r> ?d } }",
    "SELECT * WHERE { ?a <p> ?b OPTIONAL { ?a <q> ?c } }",  # already last
])
def test_queries_where_order_matters_are_left_as_written(q):
    assert hoist_optionals(q) == q


def test_strings_iris_and_comments_do_not_confuse_it():
    q = 'SELECT * WHERE { ?a <p{}> "OPTIONAL {" OPTIONAL { ?a <q> ?c } # OPTIONAL }\n ?a <r> "}" }'
    r = hoist_optionals(q)
    assert r.rstrip().endswith("}") and r.index("OPTIONAL { ?a <q> ?c }") > r.index('<r> "}"')
    assert '"OPTIONAL {"' in r and "<p{}>" in r


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_saved_queries_give_the_same_answers_rewritten_or_not(store, name):
    q = resolve_query(name)
    as_written = {tuple(str(s[v]) for v in s.keys()) if hasattr(s, "keys") else str(s)
                  for s in store._store.query(q)}
    ours = {tuple(str(s[v]) for v in s.keys()) if hasattr(s, "keys") else str(s) for s in store.query(q)}
    assert ours == as_written
