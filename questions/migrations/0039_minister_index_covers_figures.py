"""A minister's newest-questions index also holds the year and the answered flag: the minister's figures
(questions/scorecards.py) are then read from the index alone where the visibility map allows, which an import
large enough to gather statistics now sets (questions/importing/maintenance.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0038_prefix_as_typed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='question',
            name='question_minister_newest',
        ),
        migrations.AddIndex(
            model_name='question',
            index=models.Index(models.F('minister'), models.OrderBy(models.F('date_asked'), descending=True), models.OrderBy(models.F('id'), descending=True), include=('session', 'has_answer'), name='question_minister_newest'),
        ),
    ]
