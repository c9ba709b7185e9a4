"""Names in the text and the relations a sentence states: which organisations a call names, and
which of them it says are customers, even when the answer only says "those two customers"."""

from extract.decode import decode
from extract.mentions import Entity, _from_entity, _has_unknown_name, _known_words, _sentences, find_mentions
from extract.model import Paragraph, Section, Turn
from extract.pipeline import extract_source


def turn(*paragraphs: str, order: int = 1) -> Turn:
    return Turn(order=order, speaker="Bob Stone", title="CEO", is_operator=False, section=Section.PREPARED_REMARKS,
                paragraphs=tuple(Paragraph(p) for p in paragraphs))


def organisations(*paragraphs: str) -> set[str]:
    found = find_mentions([turn(*paragraphs)])
    return {m.text for ms in found.values() for m in ms if m.type.value == "Organization"}


def test_a_capitalised_phrase_the_call_also_writes_in_lower_case_is_not_an_organisation():
    names = organisations("Platform-based Quantum Widgets will change the industry.",
                          "Everyone is reading about quantum Widgets these days.")

    assert "Quantum Widgets" not in names


def test_an_acronym_split_into_letters_by_speech_to_text_is_not_an_organisation():
    assert "AC RM" not in organisations("You know, we don't have AC RM, we don't have a sales cloud.")


def test_a_firm_known_only_when_capitalised_is_still_the_firm_when_taken_over_in_lower_case():
    names = organisations("What does the planned acquisition of frontier mean for you?")

    assert "frontier" in names
    assert "frontier" not in organisations("Broadband is the new frontier for rural towns.")


def test_well_known_firms_are_found_however_they_are_written():
    names = organisations("We were both at salesforce, and customers learned Zoom during the pandemic.")

    assert {"salesforce", "Zoom"} <= names


CALL = "\n".join([
    "Operator: Good afternoon, and welcome to the Acme Widgets third quarter 2024 earnings conference call.",
    "Bob Stone: Thanks. We had a strong quarter.",
    "Operator: Our first question comes from the line of Jane Roe with Big Bank. Please go ahead.",
    "Jane Roe: We heard from Verizon that they are ramping up, and Lumos just raised money. How does that affect you?",
    "Bob Stone: Demand is broad-based. We can keep growing, so we are not relying on either of those two customers.",
    "Operator: Our next question comes from Pat Gray with Mid Capital.",
    "Pat Gray: Verizon and Lumos and Comcast all spoke this week. Thoughts?",
    "Bob Stone: We do not comment on those two customers.",
]) + "\n"


def test_those_two_customers_in_an_answer_are_the_two_organisations_the_question_named():
    doc = extract_source(decode(CALL.encode("utf-8"), "acme.txt"))
    customers = [(r.subject, r.span.turn) for r in doc.relations if r.predicate == "customerOf"]

    assert customers == [("org/verizon", 5), ("org/lumos", 5)]
    assert all("either of those two customers" in r.span.quote for r in doc.relations)


def test_the_count_must_match_the_names_in_the_question():
    doc = extract_source(decode(CALL.encode("utf-8"), "acme.txt"))

    assert not any(r.span.turn == 8 for r in doc.relations), "three firms asked about, 'those two' is ambiguous"


# -- where the statistical NER runs ---------------------------------------------------------------
def test_sentences_are_not_cut_after_an_initial_or_an_abbreviation():
    text = "The U.S. Department of Agriculture agreed. Mr. Smith and J. Smith did too! Did they? Yes."
    spans = [text[s:e] for s, e in _sentences(text)]

    assert spans == ["The U.S. Department of Agriculture agreed.", "Mr. Smith and J. Smith did too!", "Did they?", "Yes."]


def test_a_sentence_goes_to_the_ner_when_it_has_a_name_nothing_else_explains():
    common = {"next", "we", "so"}  # words this call also writes in lower case

    assert not _has_unknown_name("Next, we will talk about BEAD.", _known_words(), common)
    # At the start of a sentence every word is capitalised: a name only if the call never writes it in lower case.
    assert _has_unknown_name("Zentrova gets the benefit.", _known_words(), common)
    assert _has_unknown_name("So we signed Zentrova.", _known_words(), common)


def test_a_speaker_thanked_in_a_sentence_of_its_own_is_a_mention():
    found = find_mentions([turn("Great question. Thanks, Bob.")])

    assert ("Bob", "Person") in {(m.text, m.type.value) for ms in found.values() for m in ms}


def test_speech_to_text_debris_is_not_a_name():
    def read(text: str, label: str):
        return _from_entity(Entity(text, label, "", 0, len(text)), 0)

    for debris in ("Mike Harrison of", "E- Elyse", "Morning Paul"):
        assert read(debris, "PERSON") is None, debris
    assert read("Alan and I'll- I'll-", "ORG") is None
    assert read("Bank of America", "ORG").text == "Bank of America"
    assert read("Jean-Pierre Dubois", "PERSON").text == "Jean-Pierre Dubois"
