"""One node per real person and firm across the five seeds, with every spelling kept as an alias.

Names vary between calls and within one: nicknames (Tim/Timothy), middle names (Timothy Paul),
speech-to-text (Corey, Tong Bigby, Tom Baby, brights Speed), firm spellings (JP Morgan, Needham and
Company, ROTH MKM). Each must land on one node; two different people must never share one.
"""

from collections import defaultdict
from itertools import combinations

import pytest

from extract.names import name_tokens, person_key, same_person

PREFIX = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ekg: <https://w3id.org/earnings-kg/ontology#>
"""


def names_of(store, types: str) -> dict[str, set[str]]:
    """Every node of the given types -> its label and all its English aliases."""
    names: dict[str, set[str]] = defaultdict(set)
    for row in store.select(PREFIX + f"""
        SELECT ?e ?name WHERE {{
            VALUES ?t {{ {types} }} ?e a ?t .
            {{ ?e rdfs:label ?name }} UNION {{ ?e skos:altLabel ?name }}
            FILTER(langMatches(lang(?name), "en"))
        }}"""):
        names[row["e"]].add(row["name"])
    return dict(names)


@pytest.fixture(scope="module")
def people(store) -> dict[str, set[str]]:
    return names_of(store, "foaf:Person")


@pytest.fixture(scope="module")
def organisations(store) -> dict[str, set[str]]:
    return names_of(store, "org:Organization ekg:ResearchFirm")


def node_with(names: dict[str, set[str]], form: str) -> str:
    found = [node for node, forms in names.items() if form in forms]
    assert len(found) == 1, f"{form!r} is a name of {found}"
    return found[0]


def test_no_two_people_share_a_full_name_or_a_variant_of_one(people):
    by_key: dict[str, set[str]] = defaultdict(set)
    for node, forms in people.items():
        for form in forms:
            if len(name_tokens(form)) >= 2:
                by_key[person_key(form)].add(node)
    assert {k: v for k, v in by_key.items() if len(v) > 1} == {}
    for (a, forms_a), (b, forms_b) in combinations(people.items(), 2):
        full_a = [f for f in forms_a if len(name_tokens(f)) >= 2]
        full_b = [f for f in forms_b if len(name_tokens(f)) >= 2]
        assert not any(same_person(x, y) for x in full_a for y in full_b), (a, b)


@pytest.mark.parametrize("forms", [
    {"Tim Savageaux", "Timothy Savageaux", "Timothy Paul Savageaux", "Tim"},
    {"Cory Sindelar", "Cory J. Sindelar", "Corey"},
    {"Mike Genovese", "Michael Genovese"},
    {"Rich Valera", "Richard Valera", "Richard Frank Valera"},
    {"Carl Russo", "Carl E. Russo"},
    {"Thomas Dinges", "Thomas J. Dinges"},
    {"Christian Schwab", "Christian David Schwab"},
    {"George Notter", "George Charles Notter"},
    {"Paul Silverstein", "Paul Jonas Silverstein"},
])
def test_every_spelling_of_a_person_is_an_alias_of_one_node(people, forms):
    nodes = {node_with(people, form) for form in forms}
    assert len(nodes) == 1, nodes


def test_people_with_the_same_given_name_stay_apart(people):
    assert node_with(people, "Michael Weening") != node_with(people, "Mike Genovese")
    assert node_with(people, "Thomas Dinges") != node_with(people, "Tom Maguire")
    assert node_with(people, "Scott Searle") != node_with(people, "Scott Hendrix")
    assert node_with(people, "Joe Cardoso") != node_with(people, "Samik Chatterjee")


@pytest.mark.parametrize("forms", [
    {"JPMorgan", "JP Morgan"},
    {"Needham & Company", "Needham and Company"},
    {"Craig-Hallum", "Craig Hallum"},
    {"ROTH Capital Partners", "ROTH MKM"},
    {"Northland Capital Markets", "Northland Capital"},
    {"Tombigbee", "Tong Bigby", "Tom Bigby", "Tom Baby"},
    {"Brightspeed", "Brighte", "brights Speed"},
])
def test_every_spelling_of_a_firm_is_an_alias_of_one_node(organisations, forms):
    nodes = {node_with(organisations, form) for form in forms}
    assert len(nodes) == 1, nodes


def test_no_organisation_is_also_a_person(people, organisations):
    org_forms = {f.casefold() for forms in organisations.values() for f in forms}
    assert [f for forms in people.values() for f in forms if f.casefold() in org_forms] == []


def test_two_given_names_said_together_are_not_a_person(people):
    """"Anything to add Carl Corey": Carl and Cory, not a Mr Corey."""
    assert not any("Carl Corey" in forms for forms in people.values())
    assert any("Suzanne Tom" in forms for forms in people.values()), "a real surname that is also a nickname stays"
