"""Email alerts end to end, through a real SMTP server on loopback (aiosmtpd): ask, confirm by the link in the
mail, get what is new (never twice), leave with one click; the address goes with the last alert."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from questions.alerts.sending import send_due
from questions.models import Alert, AlertDelivery, Answer
from tests.factories import make_question
from tests.helpers import free_port, run_jobs

# Transactional (the worker reads what requests committed); serialized: the editors' group comes from a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def take(self) -> list[EmailMessage]:
        taken, self.messages = self.messages, []
        return taken


@pytest.fixture
def mailbox():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                               EMAIL_PORT=port, EMAIL_USE_TLS=False, SITE_URL="https://vragen.example"):  # fmt: skip
            yield box
    finally:
        controller.stop()


def header(message: EmailMessage, name: str) -> str:
    return str(message[name]).strip()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def ask(client, query: str, address: str = "reporter@krant.example", **fields) -> Alert:
    data = {"email": address, "kind": "questions", "frequency": "import", "language": "nl", **fields}
    response = client.post(f"/alerts/new/?{query}", data)
    assert response.status_code == 200, response.content
    assert "Kijk in uw mailbox" in response.content.decode()
    return Alert.objects.filter(email=address).latest("created_at")


def confirm_by_mail(client, mailbox: Mailbox) -> None:
    run_jobs()
    (mail,) = mailbox.take()
    link = re.search(r"https://vragen\.example(/alerts/confirm/[^/\s]+/)", text_of(mail)).group(1)
    page = client.get(link)
    assert "Ja, stuur mij deze meldingen" in page.content.decode()
    assert client.post(link).status_code == 200


def test_a_search_alert_from_request_to_unsubscribe(client, mailbox):
    make_question(title="Oude vraag over wateroverlast", text="Wateroverlast in de Demervallei.")
    form = client.get("/alerts/new/?q=wateroverlast&minister=jo-brouns&page=3")
    assert form.status_code == 200 and "wateroverlast" in form.content.decode()

    alert = ask(client, "q=wateroverlast&minister=jo-brouns&page=3")
    assert not alert.confirmed and alert.query == "q=wateroverlast&minister=jo-brouns"
    run_jobs()
    (confirmation,) = mailbox.take()
    assert header(confirmation, "To") == "reporter@krant.example"
    assert "Bevestig" in header(confirmation, "Subject")
    cancel = f"https://vragen.example/alerts/unsubscribe/{alert.token}/"
    assert header(confirmation, "List-Unsubscribe") == f"<{cancel}>" and cancel in text_of(confirmation)
    # Unconfirmed: nothing is sent, whatever is new.
    make_question(title="Nieuw maar onbevestigd", text="Wateroverlast opnieuw.")
    send_due()
    assert mailbox.take() == []

    link = re.search(r"https://vragen\.example(/alerts/confirm/[^/\s]+/)", text_of(confirmation)).group(1)
    client.post(link)
    alert.refresh_from_db()
    assert alert.confirmed

    new = make_question(title="Wateroverlast in Diest", text="Hoeveel woningen liepen onder door wateroverlast?",
                        member="Suzy Wouters", number=4321)  # fmt: skip
    make_question(title="Iets anders", text="Over onderwijs.")
    make_question(title="Wateroverlast, andere minister", text="Wateroverlast.", minister="Zuhal Demir")
    call_command("send_alerts", stdout=open("/dev/null", "w"))

    (mail,) = mailbox.take()
    assert header(mail, "Subject").strip().startswith("1 nieuwe vraag")
    body = text_of(mail)
    assert "Wateroverlast in Diest" in body and "nr. 4321" in body and "Suzy Wouters → Jo Brouns" in body
    assert f"https://vragen.example{new.get_absolute_url()}" in body
    assert "woningen liepen onder door wateroverlast" in body  # the snippet
    assert "Oude vraag" not in body and "onbevestigd" not in body and "andere minister" not in body
    assert "<mark>wateroverlast</mark>" in html_of(mail).lower()
    unsubscribe = f"https://vragen.example/alerts/unsubscribe/{alert.token}/"
    assert header(mail, "List-Unsubscribe") == f"<{unsubscribe}>"
    assert header(mail, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert unsubscribe in body

    # Never the same question twice.
    send_due()
    assert mailbox.take() == []
    assert AlertDelivery.objects.filter(alert=alert).count() == 1

    # One click (a POST without a form, as mail programs send it) and the address is gone.
    response = client.post(f"/alerts/unsubscribe/{alert.token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Alert.objects.filter(email="reporter@krant.example").exists()
    assert client.post(f"/alerts/unsubscribe/{alert.token}/").status_code == 200  # twice is harmless


def test_answers_alerts_and_the_answer_to_one_question_in_english(client, mailbox):
    waiting = make_question(title="Wachtlijsten jeugdhulp", text="Hoe lang zijn de wachtlijsten?")
    other = make_question(title="Wachtlijsten kinderopvang", text="Wachtlijsten in de kinderopvang?")
    page = client.get(waiting.get_absolute_url()).content.decode()
    assert f"/alerts/new/?question={waiting.pk}" in page

    ask(client, f"question={waiting.pk}", language="en")
    confirm_by_mail(client, mailbox)
    ask(client, "q=wachtlijsten", address="desk@krant.example", kind="answers", frequency="import")
    confirm_by_mail(client, mailbox)

    send_due()
    assert mailbox.take() == []  # nothing answered yet

    Answer.objects.create(question=waiting, text="De wachttijd is gemiddeld 3 maanden.", minister=waiting.minister,
                          minister_title="minister", answer_date=dt.date(2024, 4, 2))  # fmt: skip
    send_due()
    mails = {header(mail, "To"): mail for mail in mailbox.take()}
    assert set(mails) == {"reporter@krant.example", "desk@krant.example"}
    answered = mails["reporter@krant.example"]
    assert header(answered, "Subject").strip() == "Answered: " + str(waiting)
    assert "This question has been answered" in text_of(answered)
    # Its job done, the alert and the address are gone.
    assert not Alert.objects.filter(email="reporter@krant.example").exists()
    assert "1 nieuw antwoord" in mails["desk@krant.example"]["Subject"]
    assert "Wachtlijsten jeugdhulp" in text_of(mails["desk@krant.example"])
    assert "kinderopvang" not in text_of(mails["desk@krant.example"])

    Answer.objects.create(question=other, text="Ja.", minister=other.minister, minister_title="minister")
    send_due()
    (second,) = mailbox.take()
    assert "Wachtlijsten kinderopvang" in text_of(second) and "jeugdhulp" not in text_of(second)


def test_daily_alerts_mail_at_most_once_a_day(client, mailbox):
    alert = ask(client, "q=begroting", frequency="daily")
    confirm_by_mail(client, mailbox)
    make_question(title="De begroting", text="Over de begroting.")

    send_due()  # a new alert mails as soon as there is something new
    (first,) = mailbox.take()
    assert "De begroting" in text_of(first)

    make_question(title="De begroting opnieuw", text="Weer de begroting.")
    send_due()
    assert mailbox.take() == []  # not twice in one day

    now = timezone.now() + dt.timedelta(days=1)
    send_due(now)
    (second,) = mailbox.take()
    assert "De begroting opnieuw" in text_of(second) and "Over de begroting." not in text_of(second)
    alert.refresh_from_db()
    assert alert.sent_at == now


def test_an_import_queues_the_alerts_for_the_worker(client, mailbox, tmp_path):
    from tests.conftest import SEED_DOCUMENT
    from tests.helpers import run_import

    ask(client, "q=datastromen")
    confirm_by_mail(client, mailbox)
    (tmp_path / "doc.txt").write_bytes(SEED_DOCUMENT.read_bytes())
    run_import(tmp_path / "doc.txt")
    run_jobs()

    (mail,) = mailbox.take()
    assert "Werkgroep Institutionele Zaken" in text_of(mail) and "Karl Vanlouwe → Jo Brouns" in text_of(mail)


def test_requests_are_limited_and_unconfirmed_alerts_expire(client, mailbox):
    for _ in range(3):
        ask(client, "q=asbest")
    response = client.post("/alerts/new/?q=asbest", {"email": "reporter@krant.example", "kind": "questions",
                                                     "frequency": "daily", "language": "nl"})  # fmt: skip
    assert "wachten al 3 meldingen" in response.content.decode()
    assert Alert.objects.count() == 3

    later = timezone.now() + dt.timedelta(hours=49)
    assert send_due(later).purged == 3
    assert not Alert.objects.exists()
    token_page = client.get("/alerts/confirm/no-such-token/")
    assert token_page.status_code == 404 and "werkt niet meer" in token_page.content.decode()


def test_the_form_refuses_what_it_cannot_follow(client):
    assert client.get("/alerts/new/?theme=no-such-theme").status_code == 400
    assert client.get("/alerts/new/?question=99999999").status_code == 404
    answered = make_question(title="Al beantwoord", answer="Ja.")
    assert "al beantwoord" in client.get(f"/alerts/new/?question={answered.pk}").content.decode()
    bad = client.post("/alerts/new/?q=asbest", {"email": "geen-adres", "kind": "questions", "frequency": "daily",
                                                "language": "nl"})  # fmt: skip
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    assert not Alert.objects.exists()


def test_editors_see_counts_not_addresses(client, mailbox, editor):
    ask(client, "q=asbest", address="secret-source@krant.example")
    client.force_login(editor)
    page = client.get("/admin/questions/alert/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "secret-source" not in html
    assert "0 bevestigde meldingen" in html and "1 wachten op bevestiging" in html
