"""Keep the search vector in step with theme changes, which do not go through Question.save()."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from questions import search
from questions.models import Question


@receiver(m2m_changed, sender=Question.themes.through)
def refresh_after_theme_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            search.schedule_refresh([instance.pk])
    elif action == "pre_clear":
        # theme.questions.clear(): the affected questions are gone from the relation after the clear.
        instance._cleared_question_ids = list(instance.questions.values_list("id", flat=True))
    elif action == "post_clear":
        search.schedule_refresh(getattr(instance, "_cleared_question_ids", []))
    else:
        search.schedule_refresh(pk_set or [])
