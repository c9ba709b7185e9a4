"""Untrusted text: whatever a scraper produces, the readers answer with a graph or a `KgError`.

A property-based test feeds them arbitrary text and arbitrary bytes shaped like transcripts.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.decode import decode
from extract.errors import KgError
from extract.read import parse

HEADER = st.sampled_from(["Operator", "Jane Doe - CEO", "Bob <script> - CFO", 'A "B" C - Analyst', "Speaker 1:",
                          "Jim Smith: hello", "Jim Smith, CFO (00:01:02):", "Prepared Remarks:", "Call participants:",
                          "Ann Lee -- Analyst", "Overall Sentiment", "Sentiment Score", "0.5", "這是翻譯。"])
LINE = st.one_of(HEADER, st.text(min_size=0, max_size=80))


def check(text: str) -> None:
    try:
        parse(decode(text.encode("utf-8", "surrogatepass"), "fuzz.txt"))
    except KgError as e:
        assert str(e).startswith("fuzz.txt: ") and "\n" not in str(e)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=40))
def test_readers_never_fail_with_anything_but_a_kg_error(lines):
    check("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes_the_readers(text):
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_decoder(data):
    try:
        parse(decode(data, "fuzz.txt"))
    except KgError as e:
        assert str(e).startswith("fuzz.txt: ")


OPENINGS = [
    ["Operator", "Operator", "Welcome to the Acme third quarter 2024 earnings call.", "歡迎。"],
    ["Operator: Welcome to the Acme third quarter 2024 earnings call."],
    ["Operator (00:00:01):", "Welcome to the Acme third quarter 2024 earnings call."],
    ["Prepared Remarks:", "Operator", "Welcome to the Acme third quarter 2024 earnings call."],
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPENINGS), st.lists(LINE, max_size=40))
def test_calls_with_garbage_after_a_valid_opening_read_or_fail_cleanly(opening, lines):
    check("\n".join(opening + lines))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPENINGS), st.lists(LINE, max_size=25))
def test_the_whole_extraction_survives_garbage(opening, lines):
    from extract.pipeline import extract_source

    try:
        doc = extract_source(decode("\n".join(opening + lines).encode("utf-8", "surrogatepass"), "fuzz.txt"))
    except KgError as e:
        assert str(e).startswith("fuzz.txt: ")
        return
    from kg.build import document_graph

    document_graph(doc)  # every IRI it mints is valid, or this raises
