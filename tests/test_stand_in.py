"""A colleague who speaks for the analyst the operator announced, under that analyst's header."""

from extract.decode import decode
from extract.model import Call, Role
from extract.read import parse


def call_text(analyst_header: str, opening: str) -> str:
    """A small `Name: text` call: the operator announces Jane Roe; `analyst_header` asks."""
    return "\n".join([
        "Operator: Good afternoon, and welcome to the Acme Widgets third quarter 2024 earnings conference call.",
        "Bob Stone: Thanks. We had a strong quarter.",
        "Operator: Our first question comes from the line of Jane Roe with Big Bank. Please go ahead.",
        f"{analyst_header}: Hi, {opening} What about pricing?",
        "Bob Stone: Pricing is stable.",
        f"{analyst_header}: And inventory?",
        "Bob Stone: Down again.",
        "Operator: Our next question comes from Pat Gray with Mid Capital.",
        "Pat Gray: Margins?",
        "Bob Stone: Up.",
    ]) + "\n"


def read_call(text: str) -> Call:
    call = parse(decode(text.encode("utf-8"), "acme.txt"))
    assert isinstance(call, Call)
    return call


def test_a_colleague_who_gives_a_full_name_under_the_announced_analysts_header_is_the_one_who_asked():
    call = read_call(call_text("Jane Roe", "this is Joe Smith on for Jane."))

    joe = call.participant("Joe Smith")
    assert joe is not None and joe.role == Role.ANALYST
    assert joe.firm == "Big Bank"
    assert joe.on_behalf_of == "Jane Roe"
    assert call.participant("Jane Roe") is None
    assert [(e.asked_by, len(e.questions)) for e in call.exchanges] == [("Joe Smith", 2), ("Pat Gray", 1)]


def test_a_stand_in_named_only_by_a_given_name_leaves_the_header_alone():
    call = read_call(call_text("Jane Roe", "this is actually Joe on for Jane."))

    assert call.participant("Jane Roe") is not None
    assert call.participant("Joe") is None


def test_a_header_that_already_names_the_stand_in_is_kept():
    call = read_call(call_text("Joe Smith", "this is Joe Smith on for Jane."))

    joe = call.participant("Joe Smith")
    assert joe is not None and joe.firm == "Big Bank" and joe.on_behalf_of is None
