"""Reading files: bytes to text, text to a layout, a layout to a `Call` or a `Note`."""

from decimal import Decimal
from pathlib import Path

import pytest

from extract.calls import find_introduction
from extract.decode import decode, read_source
from extract.errors import IncompleteDocument, UnknownLayout, UnreadableInput
from extract.layouts import detect, read_bilingual
from extract.model import Call, FiscalPeriod, Note, Role, Section
from extract.read import parse, read

SEEDS = Path("/work/shared/seeds")

# --- decode -------------------------------------------------------------------------------------


def test_empty_file_is_unreadable_and_says_it_is_empty():
    with pytest.raises(UnreadableInput, match="empty") as e:
        decode(b"", "blank.txt")
    assert str(e.value) == "blank.txt: file is empty"


def test_file_of_only_whitespace_is_empty():
    with pytest.raises(UnreadableInput, match="empty"):
        decode(b"  \r\n\n\t", "blank.txt")


def test_utf8_byte_order_mark_is_dropped():
    source = decode("\ufeffOperator\nWelcome.".encode("utf-8"), "bom.txt")

    assert source.text == "Operator\nWelcome."
    assert source.encoding == "utf-8-sig"


def test_utf16_with_byte_order_mark_is_read_including_chinese():
    source = decode("Operator\n歡迎參加電話會議\n".encode("utf-16"), "wide.txt")

    assert source.text == "Operator\n歡迎參加電話會議\n"
    assert source.encoding == "utf-16"


def test_crlf_and_lone_cr_line_ends_become_newlines():
    source = decode(b"Operator\r\nOperator\r\nWelcome.\rThanks.\r\n", "dos.txt")

    assert source.text == "Operator\nOperator\nWelcome.\nThanks.\n"


def test_sha256_is_of_the_bytes_as_given():
    import hashlib

    data = "\ufeffOperator\r\n".encode("utf-8")
    assert decode(data, "f.txt").sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        bytes(range(256)) * 8,
        b"%PDF\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15",
    ],
)
def test_binary_bytes_are_unreadable_with_a_message_saying_so(data):
    with pytest.raises(UnreadableInput, match="binary") as e:
        decode(data, "image.png")
    assert e.value.path == "image.png"


def test_missing_path_is_unreadable_and_names_the_path(tmp_path):
    missing = tmp_path / "nowhere.txt"

    with pytest.raises(UnreadableInput, match="no such file") as e:
        read_source(missing)
    assert str(missing) in str(e.value)


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(UnreadableInput, match="directory"):
        read_source(tmp_path)


def test_read_source_records_the_file_name(tmp_path):
    path = tmp_path / "call.txt"
    path.write_bytes(b"Operator\r\n")

    source = read_source(path)
    assert source.name == "call.txt"
    assert source.text == "Operator\n"


# --- a small bilingual call ----------------------------------------------------------------------

NOTICE = "使用警語:中文譯文來源為 Google 翻譯,僅供參考,實際內容請以英文原文為主"


def bilingual(*blocks: tuple[str, list[tuple[str, str]]]) -> str:
    """The bilingual layout: the notice, then each header twice and each English line before its translation."""
    lines = [NOTICE]
    for header, paragraphs in blocks:
        lines += [header, header]
        for english, chinese in paragraphs:
            lines += [english, chinese]
    return "\n".join(lines) + "\n"


OPERATOR = "Operator"
IR = "Ann Lee - VP, Investor Relations"
CEO = "Bob Stone - President and CEO"
CFO = "Carol King - Chief Financial Officer"

ACME = bilingual(
    (OPERATOR, [
        ("Good afternoon, and welcome to the Acme Widgets third quarter 2024 earnings conference call.",
         "午安,歡迎參加 Acme Widgets 2024 年第三季財報電話會議。"),
        ("I would now like to turn the call over to Ann Lee, Vice President of Investor Relations.",
         "現在我想把電話交給投資者關係副總裁 Ann Lee。"),
    ]),
    (IR, [("Thank you. With me today are our CEO, Bob Stone, and our CFO, Carol King.",
           "謝謝。今天與我一起的有執行長 Bob Stone 和財務長 Carol King。")]),
    (CEO, [
        ("Thanks, Ann. We had a strong quarter with record bookings.", "謝謝安。我們本季表現強勁,訂單創下紀錄。"),
        ("Our customers keep adopting the platform.", "我們的客戶持續採用該平台。"),
    ]),
    (CFO, [("Revenue for the quarter was $242 million.", "本季營收為 2.42 億美元。")]),
    (OPERATOR, [
        ("We will now begin the question-and-answer session.", "我們現在開始問答環節。"),
        ("Sam Fox, Small Securities.", "Small Securities 的 Sam Fox。"),
    ]),
    ("Sam Fox - Analyst", [("How should we think about margins next year?", "我們應該如何看待明年的利潤率?")]),
    (CFO, [("We expect them to improve.", "我們預計利潤率會改善。")]),
    (CEO, [("And demand remains strong.", "而且需求依然強勁。")]),
    (OPERATOR, [("Our next question comes from the line of Pat Gray with Mid Capital. Please go ahead.",
                 "下一個問題來自 Mid Capital 的 Pat Gray。請繼續。")]),
    ("Pat Gray - Analyst", [("What about pricing?", "定價方面呢?")]),
    (CEO, [("Pricing is stable.", "定價穩定。")]),
    (OPERATOR, [("Our next question is from Jane Roe of Big Bank. Your line is open.",
                 "下一個問題來自 Big Bank 的 Jane Roe。您的線路已開通。")]),
    ("Joe Smith - Analyst", [("Hi, this is Joe Smith on for Jane. What about inventory?",
                              "嗨,我是代替 Jane 的 Joe Smith。庫存情況如何?")]),
    (CFO, [("Inventory came down again.", "庫存再次下降。")]),
)


@pytest.fixture(scope="module")
def acme() -> Call:
    call = parse(decode(ACME.encode("utf-8"), "acme.txt"))
    assert isinstance(call, Call)
    return call


def test_bilingual_layout_is_detected_and_blank_lines_dropped():
    layout, lines = detect(ACME.replace("\n", "\n\n"), "acme.txt")

    assert layout == "bilingual"
    assert lines[0] == NOTICE
    assert all(line.strip() for line in lines)


def test_bilingual_reader_skips_the_notice_and_reads_each_doubled_header_once():
    _, lines = detect(ACME, "acme.txt")
    blocks = read_bilingual(lines, "acme.txt")

    assert [b.speaker for b in blocks[:4]] == [None, "Ann Lee", "Bob Stone", "Carol King"]
    assert blocks[0].title is None
    assert blocks[1].title == "VP, Investor Relations"
    assert blocks[0].paragraphs[0].text.startswith("Good afternoon, and welcome")
    assert len(blocks) == 14


def test_translations_stay_with_their_own_paragraph(acme):
    ceo = acme.turns[2]

    assert [(p.text, p.translation) for p in ceo.paragraphs] == [
        ("Thanks, Ann. We had a strong quarter with record bookings.", "謝謝安。我們本季表現強勁,訂單創下紀錄。"),
        ("Our customers keep adopting the platform.", "我們的客戶持續採用該平台。"),
    ]
    assert ceo.translation == "謝謝安。我們本季表現強勁,訂單創下紀錄。\n\n我們的客戶持續採用該平台。"
    assert all(p.translation for t in acme.turns for p in t.paragraphs)


def test_company_and_period_come_from_the_operators_welcome(acme):
    assert acme.company == "Acme Widgets"
    assert acme.period == FiscalPeriod(2024, 3)
    assert acme.layout == "bilingual"
    assert acme.source == "acme.txt"


def test_participants_get_roles_and_titles_from_their_headers(acme):
    people = {p.name: (p.role, p.title) for p in acme.participants}

    assert people == {
        "Ann Lee": (Role.INVESTOR_RELATIONS, "VP, Investor Relations"),
        "Bob Stone": (Role.EXECUTIVE, "President and CEO"),
        "Carol King": (Role.EXECUTIVE, "Chief Financial Officer"),
        "Sam Fox": (Role.ANALYST, "Analyst"),
        "Pat Gray": (Role.ANALYST, "Analyst"),
        "Joe Smith": (Role.ANALYST, "Analyst"),
    }


def test_operator_turns_have_no_speaker(acme):
    operators = [t for t in acme.turns if t.is_operator]

    assert len(operators) == 4
    assert all(t.speaker is None and t.title is None for t in operators)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Jane Roe, Big Bank.",
        "Our first question comes from the line of Jane Roe with Big Bank.",
        "Our next question is from Jane Roe of Big Bank. Your line is open.",
    ],
)
def test_operator_introduction_forms_give_name_and_firm(paragraph):
    assert find_introduction(paragraph) == ("Jane Roe", "Big Bank")


def test_a_plain_sentence_is_not_an_introduction():
    assert find_introduction("Thank you, ladies and gentlemen, for joining us today.") is None


def test_each_analyst_gets_the_firm_the_operator_announced(acme):
    firms = {p.name: p.firm for p in acme.participants if p.role == Role.ANALYST}

    assert firms["Sam Fox"] == "Small Securities"
    assert firms["Pat Gray"] == "Mid Capital"


def test_a_stand_in_gets_the_firm_of_the_analyst_the_operator_announced(acme):
    assert [(i.name, i.firm) for i in acme.introductions][-1] == ("Jane Roe", "Big Bank")
    assert acme.participant("Joe Smith").firm == "Big Bank"
    assert acme.participant("Jane Roe") is None  # announced, never spoke


def test_executives_have_no_firm(acme):
    assert all(p.firm is None for p in acme.participants if p.role != Role.ANALYST)


def test_qa_starts_at_the_operator_turn_that_hands_over_to_the_first_analyst(acme):
    sections = [(t.order, t.section) for t in acme.turns]

    assert all(s == Section.PREPARED_REMARKS for o, s in sections if o < 5)
    assert all(s == Section.QUESTION_AND_ANSWER for o, s in sections if o >= 5)
    assert acme.turns[4].is_operator


def test_exchanges_name_the_asker_and_the_answerers_in_order(acme):
    assert [(e.asked_by, e.answered_by) for e in acme.exchanges] == [
        ("Sam Fox", ("Carol King", "Bob Stone")),
        ("Pat Gray", ("Bob Stone",)),
        ("Joe Smith", ("Carol King",)),
    ]
    first = acme.exchanges[0]
    assert first.questions == (6,)
    assert first.answers == (7, 8)


def test_the_same_call_saved_as_utf16_with_crlf_reads_the_same(tmp_path, acme):
    path = tmp_path / "acme-windows.txt"
    path.write_bytes(ACME.replace("\n", "\r\n").encode("utf-16"))

    call = read(path)
    assert (call.company, call.period, call.participants, call.exchanges) == (
        acme.company, acme.period, acme.participants, acme.exchanges)
    assert [t.paragraphs for t in call.turns] == [t.paragraphs for t in acme.turns]


def test_plain_prose_is_an_unknown_layout():
    prose = "Acme Widgets had a good quarter.\nRevenue rose, and margins held up.\nThe outlook is steady.\n"

    with pytest.raises(UnknownLayout, match="is this a transcript") as e:
        parse(decode(prose.encode(), "essay.txt"))
    assert e.value.path == "essay.txt"


def test_a_call_where_only_the_operator_speaks_is_incomplete():
    text = bilingual((OPERATOR, [
        ("Welcome to the Acme Widgets third quarter 2024 earnings conference call.", "歡迎參加 Acme Widgets 2024 年第三季財報電話會議。"),
        ("The call has been cancelled.", "電話會議已取消。"),
    ]))

    with pytest.raises(IncompleteDocument, match="only the operator"):
        parse(decode(text.encode(), "empty-call.txt"))


def test_a_call_that_never_names_its_quarter_is_incomplete():
    text = bilingual(
        (OPERATOR, [("Welcome, everyone.", "歡迎大家。")]),
        (CEO, [("We had a strong quarter.", "我們本季表現強勁。")]),
    )

    with pytest.raises(IncompleteDocument, match="company and fiscal quarter"):
        parse(decode(text.encode(), "anonymous.txt"))


# --- research notes ------------------------------------------------------------------------------

NOTE = """Acme Widgets reported Q4 revenue of $206 million, up 3% sequentially.
Management expects 2025 gross margin to improve, and Acme Widgets guided Q1 revenue to $210 million.
AI-powered research and portfolio analytics for institutional investors.
Overall Sentiment
moderately positive
Sentiment Score
0.62
"""


def read_note_text(text: str) -> Note:
    note = parse(decode(text.encode(), "note.txt"))
    assert isinstance(note, Note)
    return note


def test_note_layout_is_detected_by_its_sentiment_lines():
    assert detect(NOTE, "note.txt")[0] == "note"


def test_note_gives_company_label_and_score_as_decimal():
    note = read_note_text(NOTE)

    assert note.company == "Acme Widgets"
    assert note.sentiment_label == "moderately positive"
    assert note.sentiment_score == Decimal("0.62")
    assert isinstance(note.sentiment_score, Decimal)


def test_a_q4_note_that_looks_ahead_to_2025_is_about_fiscal_2024():
    assert read_note_text(NOTE).period == FiscalPeriod(2024, 4)


def test_note_body_drops_the_publishers_blurb_and_the_sentiment_lines():
    body = read_note_text(NOTE).body

    assert len(body.paragraphs) == 2
    assert "institutional investors" not in body.text
    assert "Sentiment" not in body.text


@pytest.mark.parametrize("score", ["1.5", "-1.01", "2"])
def test_a_sentiment_score_outside_minus_one_to_one_is_an_error(score):
    with pytest.raises(IncompleteDocument, match="outside -1 to 1"):
        read_note_text(NOTE.replace("0.62", score))


@pytest.mark.parametrize("score", ["-1", "1", "0"])
def test_sentiment_scores_at_the_bounds_are_accepted(score):
    assert read_note_text(NOTE.replace("0.62", score)).sentiment_score == Decimal(score)


def test_a_sentiment_score_that_is_not_a_number_is_an_error():
    with pytest.raises(IncompleteDocument, match="not a number"):
        read_note_text(NOTE.replace("0.62", "high"))


# --- the seeds, read in place --------------------------------------------------------------------


def seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.mark.parametrize(
    ("prefix", "period"),
    [("000", FiscalPeriod(2023, 4)), ("001", FiscalPeriod(2024, 3)), ("002", FiscalPeriod(2020, 4)), ("003", FiscalPeriod(2025, 2))],
)
def test_each_seed_call_is_calix_in_its_own_quarter(prefix, period):
    call = read(seed(prefix))

    assert isinstance(call, Call)
    assert call.company == "Calix"
    assert call.period == period
    assert call.layout == "bilingual"
    assert call.exchanges


@pytest.fixture(scope="module")
def seed_000() -> Call:
    call = read(seed("000"))
    assert isinstance(call, Call)
    return call


def test_seed_000_stand_in_joe_cardoso_is_from_jpmorgan_and_asks(seed_000):
    assert ("Samik Chatterjee", "JPMorgan") in [(i.name, i.firm) for i in seed_000.introductions]

    joe = seed_000.participant("Joe Cardoso")
    assert joe is not None
    assert joe.role == Role.ANALYST
    assert joe.firm == "JPMorgan"
    assert "Joe Cardoso" in [e.asked_by for e in seed_000.exchanges]
    assert "Samik Chatterjee" not in [e.asked_by for e in seed_000.exchanges]
