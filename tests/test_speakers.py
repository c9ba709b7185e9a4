"""Anonymous `Speaker N:` transcripts (speech to text): who each voice is, the titles and firms the
call gives them, and how the call announces itself. The calls here are made up, in the shape such
transcripts take."""

import pytest

from extract.decode import decode
from extract.errors import KgError
from extract.model import FiscalPeriod, Role
from extract.read import parse, parse_with_warnings

CALL = """\
Speaker 0: Good morning and welcome to the Northwind Tools third quarter 2021 earnings conference call. \
With us today are Ada Brook, president and chief executive officer and Carl Dunn, chief financial officer. \
I would now like to turn the call over to Miss Erin Fox, please go ahead.
Speaker 1: Thank you. With me today are Ada Brook, president and chief executive officer and Carl Dunn, \
chief financial officer. I'll turn it over to Ada.
Speaker 2: Thanks, Erin. Sales grew in every region this quarter and our plants ran well. Carl?
Speaker 3: Thank you, Ada. Gross margin improved on pricing and a better mix.
Speaker 0: Thank you. Our first question comes from the line of Gail Hart with Bank of America. Please go ahead.
Speaker 4: Hi, good morning. How are orders trending into the fourth quarter?
Speaker 2: Thanks, Gail. Orders are steady and the backlog is healthy.
Speaker 0: Your next question comes from the line of Ivan Lowe with J.P. Morgan. Please go ahead.
Speaker 2: Good morning Ivan.
Speaker 5: Good morning. Ada, can you talk about pricing for next year?
Speaker 2: Sure, Ivan. We expect pricing to hold.
Speaker 5: Thanks.
"""


def test_the_voice_greeting_an_analyst_is_not_the_analyst():
    """An executive who says "Good morning Ivan" before Ivan speaks is still the executive: the
    analyst announced is the first voice after the operator that did not present."""
    call = parse(decode(CALL.encode(), "northwind.txt"))
    speakers = {t.speaker for t in call.turns if t.text.startswith(("Good morning Ivan", "Good morning. Ada"))}
    assert speakers == {"Ada Brook", "Ivan Lowe"}
    roles = {p.name: p.role for p in call.participants}
    assert roles["Ada Brook"] == Role.EXECUTIVE and roles["Ivan Lowe"] == Role.ANALYST


def test_titles_end_where_the_next_person_or_the_next_clause_begins_and_firms_at_the_full_stop():
    call = parse(decode(CALL.encode(), "northwind.txt"))
    people = {p.name: p for p in call.participants}
    assert people["Ada Brook"].title == "president and chief executive officer"
    assert people["Carl Dunn"].title == "chief financial officer"
    assert people["Erin Fox"].title is None  # "please go ahead" is no title, though it ends in "head"
    assert people["Gail Hart"].title == "Analyst, Bank of America" and people["Gail Hart"].firm == "Bank of America"
    assert people["Ivan Lowe"].title == "Analyst, J.P. Morgan"


def anonymous_call(*lines: str) -> str:
    return "".join(f"Speaker {i % 3}: {line}\n" for i, line in enumerate(lines))


@pytest.mark.parametrize("opening", [
    "Thank you for joining the Northwind Tools third quarter 2021 earnings call.",
    "Thank you for joining us for the third quarter 2021 Northwind Tools earnings conference call.",
    "Welcome to the third quarter of 2021 earnings call for Northwind Tools.",
    "Good afternoon, and welcome to the Northwind Tools 3Q21 earnings call.",
])
def test_the_ways_a_call_announces_its_company_and_quarter(opening):
    text = anonymous_call(opening, "Thanks. Sales were $10 million.", "Our first question comes from Ann Lee with Big Bank.",
                          "What about margins?")
    call = parse(decode(text.encode(), "northwind.txt"))
    assert (call.company, call.period) == ("Northwind Tools", FiscalPeriod(2021, 3))


def test_hold_messages_before_a_late_announcement_are_skipped_with_a_warning():
    hold = ["Please hold the line and we'll be right back with you."] * 12
    text = anonymous_call(*hold, "Good afternoon, and welcome to the Northwind Tools third quarter 2021 earnings call.",
                          "Thank you. Sales were $10 million.")
    call, warnings = parse_with_warnings(decode(text.encode(), "northwind.txt"))
    assert call.company == "Northwind Tools" and not any("hold the line" in t.text for t in call.turns)
    assert warnings == ("skipped the 12 turns before the call announces itself (hold messages, set-up)",)


def test_an_analyst_with_an_accented_name_is_named():
    text = anonymous_call("Good morning and welcome to the Northwind Tools third quarter 2021 earnings call.",
                          "Thanks. Sales were $10 million.", "Our first question comes from Renée Müller with Acme Securities.",
                          "Hi. What about margins?")
    people = {p.name: p for p in parse(decode(text.encode(), "northwind.txt")).participants}
    assert people["Renée Müller"].role == Role.ANALYST and people["Renée Müller"].firm == "Acme Securities"


def test_another_companys_call_named_late_is_no_announcement():
    """A call whose welcome names no company fails plainly: an analyst who mentions "the second
    quarter 2021 Widgetco earnings call" later does not make it Widgetco's, nor drop the turns before."""
    lines = ["Operator: Good day, and welcome to today's third quarter 2020 earnings conference call.",
             "John Smith: Thank you. Revenue was $10 million this quarter, and our plants ran well all quarter long. " * 5,
             "Operator: Our first question comes from Ann Lee with Big Bank.",
             "Ann Lee: On the second quarter 2021 Widgetco earnings call they flagged capex; does that help you?",
             "John Smith: Yes."]
    with pytest.raises(KgError, match="cannot tell which company"):
        parse(decode("\n\n".join(lines).encode(), "acme.txt"))
    short = [line if i != 1 else "John Smith: Thank you. Revenue was $10 million." for i, line in enumerate(lines)]
    late = short[:2] + [f"Operator: Our next question comes from Cy Young{i} with Mid Bank." for i in range(9)] + [
        "Cy Young: Compared to the second quarter 2021 Widgetco earnings call, they welcome capex; does that help you?"]
    with pytest.raises(KgError, match="cannot tell which company"):  # no operator's welcome names it: not Widgetco's
        parse(decode("\n\n".join(late).encode(), "acme.txt"))


@pytest.mark.parametrize("printed, title", [
    ("president and chief executive officer and Dale Hart", "president and chief executive officer"),
    ("Chief Executive Officer and Ryan Head", "Chief Executive Officer"),
    ("Executive Vice President and Interim Chief Financial Officer", "Executive Vice President and Interim Chief Financial Officer"),
    ("Vice Chairman and Lead Independent Director", "Vice Chairman and Lead Independent Director"),
    ("Managing Director and Head of Investor Relations to make some opening remarks", "Managing Director and Head of Investor Relations"),
    ("Senior Advisor to our CEO", "Senior Advisor to our CEO"),
    ("call over to CEO", "CEO"),
])
def test_a_title_printed_in_a_sentence_ends_where_the_next_person_or_clause_begins(printed, title):
    from extract.speakers import _clean_title

    assert _clean_title(printed) == title


def test_an_analyst_announced_in_other_words_is_not_taken_for_a_presenter():
    """The operator's "first question today is from" ends the presentations, so the analyst's
    voice, asking again later, is still the analyst's and not the executive's who answers."""
    text = anonymous_call("Good morning and welcome to the Northwind Tools third quarter 2021 earnings call.",
                          "Thanks. Sales were $10 million.",
                          "Our first question today is from Gail Hart with Bank of America.",
                          "Hi. What about margins?", "Sure, Gail. Margins rose.",
                          "We have a follow-up question from the line of Gail Hart with Bank of America.",
                          "Pricing?")
    call = parse(decode(text.encode(), "northwind.txt"))
    asked = {t.speaker for t in call.turns if t.text in ("Hi. What about margins?", "Pricing?")}
    assert asked == {"Gail Hart"}
