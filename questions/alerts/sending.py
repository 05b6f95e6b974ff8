"""What is due, what is new for an alert, and the mail that says so.

An alert is checked when due: after each import (frequency "import"), or, daily and weekly, when it has not
mailed for a day or a week (checked every hour by the worker's schedule, or by ``manage.py send_alerts``). New
are the questions (or, for an answers alert, the answers) written since it was last checked: ids above
``seen_up_to``, the archive's newest id when it was last checked. A question it has mailed is recorded
(questions_alertdelivery) and never mailed again by that alert. Each alert is checked in its own transaction,
its row locked, so two workers never mail the same thing; a mail that fails leaves the alert as it was, to be
tried again next time.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from questions.alerts.subscriptions import purge_unconfirmed
from questions.models import Alert, AlertDelivery, Answer, Question
from questions.search.params import SearchParams
from questions.search.query import matching
from questions.search.results import page_questions

logger = logging.getLogger(__name__)

MAX_PER_MAIL = 50
INTERVALS: dict[str, dt.timedelta] = {Alert.Frequency.DAILY: dt.timedelta(days=1),
                                      Alert.Frequency.WEEKLY: dt.timedelta(days=7)}  # fmt: skip
# The hourly schedule must not push a daily alert an hour later every day.
SCHEDULE_MARGIN = dt.timedelta(minutes=15)


@dataclass
class SendReport:
    checked: int = 0
    mails: int = 0
    questions: int = 0
    failures: list[str] = field(default_factory=list)
    purged: int = 0

    def line(self) -> str:
        return (f"{self.checked} alerts checked, {self.mails} mails sent ({self.questions} questions), "
                f"{len(self.failures)} failed, {self.purged} unconfirmed alerts deleted")  # fmt: skip


def due(now: dt.datetime) -> QuerySet[Alert]:
    """The confirmed alerts to check now: after-import ones always; daily and weekly ones when they have not
    mailed for a day or a week (a new one mails as soon as there is something new)."""
    waited = Q(frequency=Alert.Frequency.IMPORT) | Q(sent_at__isnull=True)
    for frequency, interval in INTERVALS.items():
        waited |= Q(frequency=frequency, sent_at__lte=now - interval + SCHEDULE_MARGIN)
    return Alert.objects.filter(waited, confirmed_at__isnull=False).order_by("id")


def send_due(now: dt.datetime | None = None) -> SendReport:
    """Check every alert that is due, mail what is new; delete alerts never confirmed in time."""
    now = now or timezone.now()
    report = SendReport(purged=purge_unconfirmed(now))
    for alert_id in due(now).values_list("id", flat=True):
        try:
            with transaction.atomic():
                alert = Alert.objects.select_for_update(skip_locked=True).filter(pk=alert_id).first()
                if alert is None:  # gone, or being checked by another worker
                    continue
                report.checked += 1
                mailed = _check(alert, now)
                if mailed:
                    report.mails += 1
                    report.questions += mailed
        except Exception as error:  # the next alert still goes out; this one is tried again next time
            logger.exception("alert %s could not be sent", alert_id)
            report.failures.append(f"alert {alert_id}: {error}")
    return report


def _check(alert: Alert, now: dt.datetime) -> int:
    """Mail what is new for ``alert`` (the number of questions mailed), and remember how far it has seen."""
    if alert.kind == Alert.Kind.ANSWERED:
        return _check_answered(alert)
    model = Answer if alert.kind == Alert.Kind.ANSWERS else Question
    newest = model.objects.aggregate(last=Max("id"))["last"] or 0
    found, total = new_questions(alert, newest)
    if found:
        send_mail(alert, found, total)
        AlertDelivery.objects.bulk_create([AlertDelivery(alert=alert, question=question) for question in found],
                                          ignore_conflicts=True)  # fmt: skip
        alert.sent_at = now
    alert.seen_up_to = newest
    alert.save(update_fields=["seen_up_to", "sent_at"])
    return len(found)


def new_questions(alert: Alert, newest: int) -> tuple[list[Question], int]:
    """The questions new for ``alert`` (at most MAX_PER_MAIL, newest first, with snippets) and how many there are."""
    params = SearchParams.from_query(QueryDict(alert.query))
    if params.impossible:
        return [], 0
    selected = matching(params).exclude(id__in=AlertDelivery.objects.filter(alert=alert).values("question_id"))
    if alert.kind == Alert.Kind.ANSWERS:
        selected = selected.filter(answer__id__gt=alert.seen_up_to, answer__id__lte=newest)
    else:
        selected = selected.filter(id__gt=alert.seen_up_to, id__lte=newest)
    total = selected.count()
    ids = list(selected.order_by("-date_asked", "-id").values_list("id", flat=True)[:MAX_PER_MAIL])
    return page_questions(ids, params.tsquery), total


def _check_answered(alert: Alert) -> int:
    """"Tell me when this question is answered": once it is, one mail, and the alert (and address) is gone."""
    question = alert.question
    if question is None:  # the question was deleted
        alert.delete()
        return 0
    if not question.has_answer:
        return 0
    send_mail(alert, page_questions([question.pk], None), 1)
    alert.delete()
    return 1


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _unsubscribe_url(alert: Alert) -> str:
    return _absolute(reverse("questions:alert_unsubscribe", kwargs={"token": alert.token}))


def send_mail(alert: Alert, questions: list[Question], total: int) -> None:
    """One mail for ``alert``: its questions, links, and how to leave (also as List-Unsubscribe headers)."""
    unsubscribe_url = _unsubscribe_url(alert)
    with translation.override(alert.language):
        if alert.kind == Alert.Kind.ANSWERED:
            subject = _("Beantwoord: %(title)s") % {"title": alert.description}
        elif alert.kind == Alert.Kind.ANSWERS:
            subject = ngettext("%(count)d nieuw antwoord: %(search)s", "%(count)d nieuwe antwoorden: %(search)s",
                               total) % {"count": total, "search": alert.description}  # fmt: skip
        else:
            subject = ngettext("%(count)d nieuwe vraag: %(search)s", "%(count)d nieuwe vragen: %(search)s",
                               total) % {"count": total, "search": alert.description}  # fmt: skip
        search_url = _absolute(reverse("questions:search")) + (f"?{alert.query}" if alert.query else "")
        context = {
            "alert": alert, "questions": [_item(question) for question in questions], "total": total,
            "more": total - len(questions), "search_url": search_url, "unsubscribe_url": unsubscribe_url,
            "site_url": settings.SITE_URL,
        }  # fmt: skip
        text = render_to_string("alerts/alert_mail.txt", context)
        html_body = render_to_string("alerts/alert_mail.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200], body=text, to=[alert.email], headers=_leaving_headers(unsubscribe_url),
    )  # fmt: skip
    message.attach_alternative(html_body, "text/html")
    message.send()


def _item(question: Question) -> dict:
    snippet_html = question.snippet.html if question.snippet else ""
    return {
        "question": question, "url": _absolute(question.get_absolute_url()), "snippet_html": snippet_html,
        "snippet_text": html.unescape(strip_tags(snippet_html)),
    }  # fmt: skip


def send_confirmation(alert: Alert) -> None:
    """The double opt-in mail: nothing is sent to an address before its owner follows this link."""
    confirm_url = _absolute(reverse("questions:alert_confirm", kwargs={"token": alert.token}))
    unsubscribe_url = _unsubscribe_url(alert)
    with translation.override(alert.language):
        subject = _("Bevestig uw e-mailmelding: %(search)s") % {"search": alert.description}
        context = {"alert": alert, "confirm_url": confirm_url, "hours": settings.ALERT_CONFIRMATION_HOURS,
                   "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe_url}  # fmt: skip
        text = render_to_string("alerts/confirm_mail.txt", context)
    # Like every mail: a way out in one click (here it cancels the request, and the address with it).
    EmailMultiAlternatives(subject=" ".join(subject.split())[:200], body=text, to=[alert.email],
                           headers=_leaving_headers(unsubscribe_url)).send()  # fmt: skip


def _leaving_headers(unsubscribe_url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated"}  # fmt: skip

