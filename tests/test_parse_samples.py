"""The parser against every real sample document."""

import datetime as dt
import re

import pytest

from questions.importing.parse import ParseError, parse_document
from tests.conftest import OTHER_PARLIAMENTS, SEED_DOCUMENT, SV235_EXTRACTIONS


def test_it_reads_every_field_of_the_seed_document():
    parsed = parse_document(SEED_DOCUMENT.read_bytes())

    assert parsed.number == 292
    assert parsed.date_asked == dt.date(2024, 2, 27)
    assert parsed.session == "2023-2024"
    assert parsed.member == "Karl Vanlouwe"
    assert parsed.minister == "Jo Brouns"
    assert parsed.minister_title == "Vlaams minister van Economie, Innovatie, Werk, Sociale Economie en Landbouw"
    assert parsed.title == (
        "Werkgroep Institutionele Zaken - Versterking van datastromen en uitwisseling van gegevens ter "
        "ondersteuning van het Vlaamse arbeidsmarktbeleid"
    )
    assert parsed.themes == ("Staatshervorming en Verhoudingen binnen de Belgische federale staat", "Werk")
    assert parsed.pdf_url == "https://docs.vlaamsparlement.be/pfile?id=2051090"
    assert parsed.source_url == ("https://www.vlaamsparlement.be/parlementaire-documenten/schriftelijke-vragen/1806581")
    assert parsed.source_id == "1806581"
    assert parsed.answered
    assert parsed.answer_minister == "Jo Brouns"
    assert parsed.warnings == ()


def test_the_seed_question_text_starts_after_the_repeated_title_and_ends_before_the_ministers_block():
    parsed = parse_document(SEED_DOCUMENT.read_bytes())

    assert parsed.question_text.startswith(
        "Het Vlaams Parlement richtte in december 2020 een Werkgroep Institutionele Zaken op om een grondige "
        "reflectie op te starten over de gewenste staatsinrichting."
    )
    assert parsed.question_text.endswith(
        "4. Hoe evalueert de minister de gegevensuitwisseling in globo en acht hij de inspanningen om voor de "
        "nodige optimalisering en versterking te zorgen voldoende?"
    )
    assert "JO BROUNS" not in parsed.question_text
    assert "Werkgroep Institutionele Zaken - Versterking" not in parsed.question_text


def test_the_seed_answer_text_starts_after_the_answer_block():
    parsed = parse_document(SEED_DOCUMENT.read_bytes())

    assert parsed.answer_text.startswith(
        "Op 25 juni 2021 heeft de Vlaamse Regering, op voorstel van de minister van Werk, de conceptnota "
        "“Elk talent telt: meer mensen aan de slag in duurzame en werkbare loopbanen” goedgekeurd."
    )
    assert parsed.answer_text.endswith(
        "Voorlopig echter nog zonder interfederale coördinatie. Daar wil ik met het samenwerkingsakkoord "
        "verandering in brengen."
    )
    assert "op vraag nr. 292" not in parsed.answer_text


def test_numbered_sub_questions_and_sub_answers_are_paragraphs():
    parsed = parse_document(SEED_DOCUMENT.read_bytes())

    numbered = [p[:2] for p in parsed.question_text.split("\n") if re.match(r"\d\.", p)]
    assert numbered == ["1.", "2.", "3.", "4."]
    assert [p[:2] for p in parsed.answer_text.split("\n") if re.match(r"\d\.", p)] == ["1.", "2.", "3.", "4."]


def test_hyphenation_is_joined_but_real_hyphens_stay():
    parsed = parse_document(SEED_DOCUMENT.read_bytes())

    assert "vlottere data-uitwisseling tussen" in parsed.answer_text
    assert "beleidsontwikkeling, -uitvoering en -evaluatie" in parsed.answer_text
    sv235 = parse_document(SV235_EXTRACTIONS["pypdf"].read_bytes())
    assert "zeer zware wateroverlast en -schade." in sv235.question_text


@pytest.mark.parametrize("extraction", sorted(SV235_EXTRACTIONS))
def test_sv235_reads_the_same_fields_from_each_extraction(extraction):
    parsed = parse_document(SV235_EXTRACTIONS[extraction].read_bytes())

    assert parsed.number == 235
    assert parsed.date_asked == dt.date(2024, 1, 11)
    assert parsed.member == "Suzy Wouters"
    assert parsed.minister == "Zuhal Demir"
    assert parsed.minister_title == "Vlaams minister van Justitie en Handhaving, Omgeving, Energie en Toerisme"
    assert parsed.title == "Wateroverlast Demerbekken - Draaiboek voor lokale besturen"
    assert parsed.question_text.startswith("In juli 2021 werd het Demerbekken geconfronteerd met zeer zware")
    assert parsed.question_text.endswith(
        "zal de minister ook voor die bekkens het initiatief nemen voor het opstellen van dergelijk "
        "draaiboek/checklist?"
    )
    assert "ZUHAL DEMIR" not in parsed.question_text
    assert parsed.answer_text.startswith("1. Het klopt dat de crisisdiensten van de gouverneurs")
    assert parsed.answer_text.endswith("in een volgende fase een BNIP opgemaakt worden.")
    assert parsed.answer_minister == "Zuhal Demir"
    assert parsed.themes == ()
    assert parsed.source_id is None


def test_sv235_extractions_agree_to_the_letter():
    """pypdf, the PDF itself and pdftotext -layout give identical records. Plain pdftotext drops the
    hyphen of "wateroverlast en -schade" at a line end, which no parser can restore; apart from that one
    character, it agrees too."""
    records = {name: parse_document(path.read_bytes()).as_record() for name, path in SV235_EXTRACTIONS.items()}

    assert records["pdf"] == records["pypdf"] == records["pdftotext-layout"]
    pdftotext = records["pdftotext"]
    assert pdftotext["question_text"] == records["pypdf"]["question_text"].replace("en -schade", "en schade")
    assert {k: v for k, v in pdftotext.items() if k != "question_text"} == {
        k: v for k, v in records["pypdf"].items() if k != "question_text"
    }


def test_sub_questions_glued_by_the_pdf_extraction_are_split():
    parsed = parse_document(SV235_EXTRACTIONS["pypdf"].read_bytes())

    paragraphs = parsed.question_text.split("\n")
    assert paragraphs[-1].startswith("3. Is er in de andere belangrijke bekkens")
    assert paragraphs[-2].endswith("een voortrekkersrol/coördinerende rol op zich te nemen?")


@pytest.mark.parametrize("path", sorted(OTHER_PARLIAMENTS.iterdir()), ids=lambda p: p.name)
def test_documents_of_other_parliaments_are_refused_with_a_reason(path):
    with pytest.raises(ParseError, match="not a Flemish written question"):
        parse_document(path.read_bytes())
