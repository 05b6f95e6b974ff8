"""The home page lists imported questions; each links to its page."""

import pytest

from questions.models import Question
from tests.conftest import SEED_DOCUMENT, SV235_EXTRACTIONS
from tests.helpers import run_import

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_the_sample_questions_newest_first(client):
    run_import(SEED_DOCUMENT, SV235_EXTRACTIONS["pdf"])

    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Werkgroep Institutionele Zaken") < page.index("Wateroverlast Demerbekken")
    assert "Karl Vanlouwe" in page


def test_a_question_page_shows_the_question_and_answer(client):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()

    response = client.get(question.get_absolute_url())

    assert response.status_code == 200
    assert "samenwerkingsakkoord verandering in brengen" in response.content.decode()


def test_document_text_is_escaped(client):
    run_import(SEED_DOCUMENT)
    question = Question.objects.get()
    question.title = '<script>alert("x")</script>'
    question.save()

    page = client.get("/").content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page
