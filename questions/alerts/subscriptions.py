"""Asking for an alert, confirming it, and leaving it: the address lives only as long as the alert."""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.conf import settings
from django.db.models import Max
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questions.models import Alert, Answer, Question
from questions.search.params import SearchParams

# Parameters that say how results are shown, not what is searched: an alert leaves them out.
DISPLAY_PARAMETERS = ("page", "sort", "facet", "facet_q", "facet_limit", "order", "question", "kind")
# At most this many alerts waiting for confirmation per address: a form cannot be used to flood a mailbox.
MAX_UNCONFIRMED_PER_ADDRESS = 3
MAX_ALERTS_PER_ADDRESS = 50


class AlertForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mailadres"), max_length=254)
    kind = forms.ChoiceField(label=gettext_lazy("Wat wilt u ontvangen?"), widget=forms.RadioSelect,
                             choices=[(Alert.Kind.QUESTIONS, gettext_lazy("nieuwe vragen bij deze zoekopdracht")),
                                      (Alert.Kind.ANSWERS, gettext_lazy("nieuwe antwoorden bij deze zoekopdracht"))],
                             initial=Alert.Kind.QUESTIONS)  # fmt: skip
    frequency = forms.ChoiceField(label=gettext_lazy("Hoe vaak?"), choices=Alert.Frequency.choices,
                                  initial=Alert.Frequency.DAILY, widget=forms.RadioSelect)  # fmt: skip
    language = forms.ChoiceField(label=gettext_lazy("Taal van de e-mails"), choices=settings.LANGUAGES)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        recent = timezone.now() - dt.timedelta(hours=settings.ALERT_CONFIRMATION_HOURS)
        pending = Alert.objects.filter(email=email, confirmed_at__isnull=True, created_at__gte=recent).count()
        if pending >= MAX_UNCONFIRMED_PER_ADDRESS:
            raise forms.ValidationError(
                _("Er wachten al %(count)d meldingen voor dit adres op bevestiging. Bevestig die eerst (kijk in uw "
                  "mailbox) of probeer het later opnieuw.") % {"count": pending}
            )  # fmt: skip
        if Alert.objects.filter(email=email).count() >= MAX_ALERTS_PER_ADDRESS:
            raise forms.ValidationError(_("Dit adres heeft al het hoogste aantal meldingen."))
        return email


def search_query(data: QueryDict) -> QueryDict:
    """The search's own parameters, without those that only say how its results are shown."""
    query = data.copy()
    for name in DISPLAY_PARAMETERS:
        query.pop(name, None)
    return query


def describe(params: SearchParams) -> str:
    return params.describe() or _("alle schriftelijke vragen")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create(form: AlertForm, *, query: QueryDict | None = None, question: Question | None = None) -> Alert:
    """An unconfirmed alert; the caller sends the confirmation mail (tasks.send_alert_confirmation)."""
    data = form.cleaned_data
    if question is not None:
        kind, description, query_string = Alert.Kind.ANSWERED, str(question), ""
    else:
        assert query is not None
        params = SearchParams.from_query(query)
        kind, description, query_string = data["kind"], describe(params), query.urlencode()
    return Alert.objects.create(email=data["email"], kind=kind, query=query_string, question=question,
                                description=description[:300], frequency=data["frequency"],
                                language=data["language"], token=new_token())  # fmt: skip


def confirm(alert: Alert) -> None:
    """From now on, what is new is mailed: everything already in the archive is not new."""
    if alert.confirmed:
        return
    model = Answer if alert.kind == Alert.Kind.ANSWERS else Question
    alert.seen_up_to = model.objects.aggregate(last=Max("id"))["last"] or 0
    alert.confirmed_at = timezone.now()
    alert.save(update_fields=["seen_up_to", "confirmed_at"])


def unsubscribe(alert: Alert) -> None:
    """The alert goes, and with it the address (each alert keeps its own)."""
    alert.delete()


def purge_unconfirmed(now: dt.datetime | None = None) -> int:
    """Alerts never confirmed, with their addresses, once the confirmation link has expired."""
    limit = (now or timezone.now()) - dt.timedelta(hours=settings.ALERT_CONFIRMATION_HOURS)
    _total, deleted = Alert.objects.filter(confirmed_at__isnull=True, created_at__lt=limit).delete()
    return deleted.get(Alert._meta.label, 0)
