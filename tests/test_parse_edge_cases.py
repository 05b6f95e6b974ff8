"""The parser on damaged and unusual input: encodings, truncation, glued lines, arbitrary bytes."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.importing.parse import ParseError, parse_document, parse_dutch_date
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS

SEED_TEXT = SEED_DOCUMENT.read_text(encoding="utf-8")


def test_it_reads_utf8_with_a_byte_order_mark():
    assert parse_document(b"\xef\xbb\xbf" + SEED_TEXT.encode("utf-8")) == parse_document(SEED_TEXT.encode())


def test_it_reads_windows_1252_files_with_crlf_line_ends():
    data = SEED_TEXT.replace("\n", "\r\n").encode("cp1252")

    parsed = parse_document(data)

    assert parsed == parse_document(SEED_TEXT.encode("utf-8"))
    assert "coördinatie" in parsed.answer_text


def test_it_reads_latin1_files():
    text = SEED_TEXT.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    assert parse_document(text.encode("latin-1")).answer_text == parse_document(text.encode()).answer_text


def test_an_empty_file_is_refused():
    with pytest.raises(ParseError, match="empty"):
        parse_document(b"")
    with pytest.raises(ParseError, match="empty"):
        parse_document(b"  \n\r\n ")


def test_a_header_without_a_document_is_refused():
    header = SEED_TEXT.split("SCHRIFTELIJKE VRAAG")[0]
    with pytest.raises(ParseError, match="truncated"):
        parse_document(header.encode())


@pytest.mark.parametrize(
    "cut_after, reason",
    [
        ("nr. 292\n", "ends before the member"),
        ("datum: 27 februari 2024\n", "ends before the minister"),
        ("VLAAMS MINISTER VAN ECONOMIE, INNOVATIE, WERK, SOCIALE ECONOMIE EN LANDBOUW\nWerkgroep", "question text"),
        ("op vraag nr. 292 van 27 februari 2024\nvan KARL VANLOUWE\n", "answer block has no answer text"),
    ],
)
def test_a_truncated_document_is_refused_with_what_is_missing(cut_after, reason):
    text = SEED_TEXT[: SEED_TEXT.index(cut_after) + len(cut_after)]
    with pytest.raises(ParseError, match=reason):
        parse_document(text.encode())


def test_a_question_without_an_answer_block_is_unanswered():
    text = SEED_TEXT[: SEED_TEXT.rindex("JO BROUNS\nVLAAMS MINISTER")]

    parsed = parse_document(text.encode())

    assert not parsed.answered
    assert parsed.answer_text is None
    assert parsed.question_text.endswith("te zorgen voldoende?")


def test_mentions_of_other_answers_in_the_question_do_not_start_the_answer():
    parsed = parse_document(SV235_EXTRACTIONS["pypdf"].read_bytes())

    assert "In het antwoord op mijn schriftelijke vraag nr. 1263 van 26 juli 2021" in parsed.question_text
    assert parsed.answer_text.startswith("1. Het klopt")


def test_a_minister_name_glued_to_the_last_question_line_is_removed():
    text = SV235_EXTRACTIONS["pypdf"].read_text()
    assert "checklist?ZUHAL DEMIR" in text

    parsed = parse_document(text)

    assert parsed.question_text.endswith("dergelijk draaiboek/checklist?")
    assert parsed.answer_minister == "Zuhal Demir"


def test_an_answer_by_another_minister_is_attributed_to_that_minister():
    text = SEED_TEXT.replace(
        "JO BROUNS\nVLAAMS MINISTER VAN ECONOMIE, INNOVATIE, WERK, SOCIALE ECONOMIE EN LANDBOUW\nANTWOORD",
        "LIESBETH VAN DEN BERGHE\nVLAAMS MINISTER VAN BINNENLANDS BESTUUR\nANTWOORD",
    )

    parsed = parse_document(text)

    assert parsed.minister == "Jo Brouns"
    assert parsed.answer_minister == "Liesbeth Van den Berghe"
    assert parsed.answer_minister_title == "Vlaams minister van Binnenlands Bestuur"


def test_a_portfolio_wrapped_over_two_lines_is_read_whole():
    text = SEED_TEXT.replace(
        "aan JO BROUNS\nVLAAMS MINISTER VAN ECONOMIE, INNOVATIE, WERK, SOCIALE ECONOMIE EN LANDBOUW\n",
        "aan JO BROUNS\nVLAAMS MINISTER VAN ECONOMIE, INNOVATIE, WERK, SOCIALE \nECONOMIE EN LANDBOUW\n",
    )

    parsed = parse_document(text)

    assert parsed.minister_title == "Vlaams minister van Economie, Innovatie, Werk, Sociale Economie en Landbouw"
    assert parsed.question_text.startswith("Het Vlaams Parlement richtte")


def test_a_title_without_header_is_read_from_the_body_across_wrapped_lines():
    body = SEED_TEXT[SEED_TEXT.index("SCHRIFTELIJKE VRAAG") :]

    parsed = parse_document(body)

    assert parsed.title == parse_document(SEED_TEXT).title
    assert parsed.question_text == parse_document(SEED_TEXT).question_text
    assert parsed.source_id is None and parsed.themes == ()


def test_a_mismatched_answer_number_is_kept_with_a_warning():
    text = SEED_TEXT.replace("op vraag nr. 292 van", "op vraag nr. 293 van")

    parsed = parse_document(text)

    assert parsed.answered
    assert parsed.warnings == ("the answer refers to question nr. 293, not nr. 292",)


def test_a_broken_pdf_is_refused_as_unreadable():
    data = SV235_EXTRACTIONS["pdf"].read_bytes()
    with pytest.raises(ParseError, match="unreadable PDF|not a Flemish written question"):
        parse_document(data[: len(data) // 3])
    with pytest.raises(ParseError, match="unreadable PDF"):
        parse_document(b"%PDF-1.4\nthis is no pdf at all")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("27 februari 2024", dt.date(2024, 2, 27)),
        ("1 Maart 2023", dt.date(2023, 3, 1)),
        ("24/12/2021", dt.date(2021, 12, 24)),
    ],
)
def test_dutch_dates(text, expected):
    assert parse_dutch_date(text) == expected


@pytest.mark.parametrize("text", ["31 februari 2024", "27 fevrier 2024", "morgen"])
def test_impossible_dates_are_parse_errors(text):
    with pytest.raises(ParseError):
        parse_dutch_date(text)


HEADING_PIECES = st.sampled_from(
    ["SCHRIFTELIJKE VRAAG\n", "nr. 12\n", "van JAN PEETERS\n", "datum: 3 maart 2024\n", "aan JO BROUNS\n",
     "VLAAMS MINISTER VAN WERK\n", "ANTWOORD\n", "op vraag nr. 12 van 3 maart 2024\n", "title: x\n", "thema: y\n",
     "thema link: https://x/1\n", "1. Vraag?\n", "\f", "\r\n", " -\n", "ZUHAL DEMIR", "\u00ad\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=40), HEADING_PIECES), max_size=40))
def test_arbitrary_text_gives_a_record_or_a_parse_error(pieces):
    try:
        parse_document("".join(pieces))
    except ParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_record_or_a_parse_error(data):
    try:
        parse_document(data)
    except ParseError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_after_a_pdf_signature_give_a_parse_error(data):
    with pytest.raises(ParseError):
        parse_document(b"%PDF-1.7\n" + data)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED_TEXT)))
def test_the_seed_cut_anywhere_gives_a_record_or_a_parse_error(cut):
    try:
        parse_document(SEED_TEXT[:cut])
    except ParseError:
        pass


@pytest.mark.parametrize(
    "line, paragraphs",
    [
        ("Inleiding. 1. Hoeveel kost het? 2. Wie betaalt?", ["Inleiding.", "1. Hoeveel kost het?", "2. Wie betaalt?"]),
        ("Zie de checklist?1. Is er een plan", ["Zie de checklist?", "1. Is er een plan"]),
        ("Zie bijlage (tabel).1. Welke stappen", ["Zie bijlage (tabel).", "1. Welke stappen"]),
        ("In versie 2.0. Het plan staat in punt 3. Daar", ["In versie 2.0. Het plan staat in punt 3. Daar"]),
        ("Sinds 2019. Dat was in 123. Nee", ["Sinds 2019. Dat was in 123. Nee"]),
        ("Uitgaven 2020.1. Welke bedragen", ["Uitgaven 2020.1. Welke bedragen"]),
        ("1. Eerst dit. 2. Dan dat. 4. Niet dit", ["1. Eerst dit.", "2. Dan dat. 4. Niet dit"]),
    ],
)
def test_numbered_items_start_paragraphs_only_where_they_stand_on_their_own(line, paragraphs):
    from questions.importing.text import flow_lines

    assert flow_lines([line]).split("\n") == paragraphs
