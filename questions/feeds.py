"""RSS 2.0 and Atom feeds: latest questions (or any search), and newly recorded answers.

Every feed takes the same parameters as /search/, so one can follow a minister, a member, a theme or a query.
Item descriptions are HTML-escaped document text: a reader that renders HTML shows "<script>" as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.translation import gettext as _

from questions import deadlines
from questions.importing.text import xml_safe
from questions.models import Answer
from questions.search.filters import status_condition
from questions.search.http import refuse_problems_as_text
from questions.search.params import SearchParams
from questions.search.query import matching
from questions.search.results import newest_matches

FEED_SIZE = 30


class _XmlSafe(SyndicationFeed):
    """A feed generator that leaves out what XML 1.0 cannot carry, whatever a record holds: one bad character
    in one title made every feed that listed it fail, for every subscriber."""

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        cleaned: dict[str, Any] = {key: xml_safe(value) if isinstance(value, str) else value
                                   for key, value in kwargs.items()}  # fmt: skip
        if isinstance(cleaned.get("categories"), list | tuple):
            cleaned["categories"] = [xml_safe(str(category)) for category in cleaned["categories"]]
        positional: list[Any] = [xml_safe(arg) if isinstance(arg, str) else arg for arg in args]
        super().add_item(*positional, **cleaned)


class XmlSafeRss(_XmlSafe, Rss201rev2Feed):
    pass


class XmlSafeAtom(_XmlSafe, Atom1Feed):
    pass
BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class FeedRequest:
    """What a feed needs of its request (a Feed instance serves every request, so it keeps nothing itself)."""

    params: SearchParams
    query_string: str
    path: str


class _UnusableParameters(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class _FilteredFeed(Feed):
    feed_type: type[SyndicationFeed] = XmlSafeRss

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except _UnusableParameters as refused:
            return refused.response

    def get_object(self, request: HttpRequest, *args, **kwargs) -> FeedRequest:
        params = SearchParams.from_query(request.GET)
        refusal = refuse_problems_as_text(params)
        if refusal is not None:
            raise _UnusableParameters(refusal)
        return FeedRequest(params, request.GET.urlencode(), request.get_full_path())

    def link(self, obj: FeedRequest) -> str:
        return reverse("questions:search") + (f"?{obj.query_string}" if obj.query_string else "")

    def feed_url(self, obj: FeedRequest) -> str:
        return obj.path

    @staticmethod
    def _titled(obj: FeedRequest, filtered: str, unfiltered: str) -> str:
        """``filtered`` (with %(filters)s) for a search, ``unfiltered`` for the whole archive."""
        described = obj.params.describe()
        return filtered % {"filters": described} if described else unfiltered


class QuestionsRss(_FilteredFeed):
    def title(self, obj: FeedRequest) -> str:
        return self._titled(obj, _("Schriftelijke vragen: %(filters)s"), _("Nieuwste schriftelijke vragen"))

    def description(self, obj: FeedRequest) -> str:
        return _("De nieuwste schriftelijke vragen in het archief, nieuwste eerst.")

    def items(self, obj: FeedRequest):
        return newest_matches(obj.params, FEED_SIZE)

    def item_title(self, question) -> str:
        return f"{question.title} (nr. {question.number}, {question.session})"

    def item_description(self, question) -> str:
        return escape(f"{question.member} → {question.minister}: {question.question_text[:600]}")

    def item_link(self, question) -> str:
        return question.get_absolute_url()

    # The GUID is the absolute permalink (Django's default when item_guid is not given).
    item_guid_is_permalink = True

    def item_pubdate(self, question) -> dt.datetime:
        # Only the day is known. Noon in Brussels is that day in every time zone from UTC-11 to UTC+11, so
        # readers that show the date in UTC or local time show the right day.
        return dt.datetime.combine(question.date_asked, dt.time(12, 0), tzinfo=BRUSSELS)

    def item_updateddate(self, question) -> dt.datetime:
        return question.last_imported_at or self.item_pubdate(question)

    def item_author_name(self, question) -> str:
        return question.member.name

    def item_categories(self, question):
        return question.theme_names


class QuestionsAtom(QuestionsRss):
    feed_type = XmlSafeAtom
    subtitle = QuestionsRss.description


class AnswersRss(_FilteredFeed):
    def title(self, obj: FeedRequest) -> str:
        return self._titled(obj, _("Nieuwe antwoorden: %(filters)s"), _("Nieuwe antwoorden op schriftelijke vragen"))

    def description(self, obj: FeedRequest) -> str:
        return _("De nieuwste antwoorden, op datum van het antwoord; waar die niet bekend is, op datum van de vraag.")

    def items(self, obj: FeedRequest):
        return list(
            Answer.objects.filter(question__in=matching(obj.params).values("id"))
            .select_related("question", "minister", "question__member")
            .order_by("-dated", "-id")[:FEED_SIZE]
        )

    def item_title(self, answer) -> str:
        question = answer.question
        return _("Antwoord: %(title)s (nr. %(number)s)") % {"title": question.title, "number": question.number}

    def item_description(self, answer) -> str:
        if answer.answer_date is not None:
            dated = _("Beantwoord op %(date)s.") % {"date": answer.answer_date.isoformat()}
        else:
            dated = _("Antwoorddatum onbekend; vraag van %(date)s.") % {"date": answer.question.date_asked.isoformat()}
        return escape(f"{dated} {answer.minister}: {answer.text[:600]}")

    def item_link(self, answer) -> str:
        return answer.question.get_absolute_url() + "#antwoord"

    item_guid_is_permalink = True

    def item_pubdate(self, answer) -> dt.datetime:
        # The answer's date, else its question's (Answer.dated); noon in Brussels, as for questions.
        return dt.datetime.combine(answer.dated or answer.question.date_asked, dt.time(12, 0), tzinfo=BRUSSELS)

    def item_author_name(self, answer) -> str:
        return answer.minister.name


class AnswersAtom(AnswersRss):
    feed_type = XmlSafeAtom
    subtitle = AnswersRss.description


class OverdueRss(QuestionsRss):
    """Questions that have just become overdue (unanswered past their deadline), the most recent first: each
    appears on the day after its deadline. Takes the search's parameters, like every feed."""

    def title(self, obj: FeedRequest) -> str:
        return self._titled(obj, _("Antwoord te laat: %(filters)s"), _("Schriftelijke vragen met een laat antwoord"))

    def description(self, obj: FeedRequest) -> str:
        return _("Vragen die na 20 werkdagen nog niet beantwoord zijn, zodra hun termijn verstreken is.")

    def items(self, obj: FeedRequest):
        overdue = matching(obj.params).filter(status_condition(["overdue"], deadlines.today()))
        return list(overdue.order_by("-date_asked", "-id").for_display()[:FEED_SIZE])

    def item_title(self, question) -> str:
        return _("Te laat: %(title)s (nr. %(number)s, %(session)s)") % {
            "title": question.title, "number": question.number, "session": question.session}  # fmt: skip

    def item_description(self, question) -> str:
        due = _("Termijn verstreken op %(date)s.") % {"date": question.deadline.isoformat()}
        return escape(f"{due} {question.member} → {question.minister}: {question.question_text[:600]}")

    def item_guid(self, question) -> str:
        return question.get_absolute_url() + "#termijn"

    item_guid_is_permalink = False

    def item_pubdate(self, question) -> dt.datetime:
        overdue_since = question.deadline + dt.timedelta(days=1)
        return dt.datetime.combine(overdue_since, dt.time(12, 0), tzinfo=BRUSSELS)

    def item_updateddate(self, question) -> dt.datetime:
        return self.item_pubdate(question)


class OverdueAtom(OverdueRss):
    feed_type = XmlSafeAtom
    subtitle = OverdueRss.description
