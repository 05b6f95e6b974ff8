"""Work that outlasts a request, run by the background worker (``manage.py procrastinate worker``).

Procrastinate keeps the queue in the archive's own PostgreSQL: no other server to run, and a job is deferred in
the transaction that creates its record, so a job never points at a record that was rolled back.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from questions.importing.runner import FileReport, import_answer_dates, import_documents, split_answer_dates
from questions.importing.uploads import UploadRefused, unpack
from questions.models import Alert, ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0


def upload_folder(job_id: int) -> Path:
    return Path(settings.UPLOADS_DIR) / str(job_id)


def _report_record(report: FileReport) -> dict:
    return {"name": report.name, "outcome": report.outcome.value, "detail": report.detail,
            "question_id": report.question_id, "warnings": list(report.warnings)}  # fmt: skip


# Deferred with a lock (one import at a time) and a queueing lock per job (questions/admin.py).
@app.task(queue="imports", pass_context=False)
def import_upload(job_id: int) -> None:
    """Import the files of an upload. Run twice, it does nothing the second time: a finished job is left as
    it is, and importing the same documents again would find them unchanged anyway."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return
        job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    folder = upload_folder(job_id)
    try:
        _run(job, folder)
    except Exception as error:  # the job's page says what went wrong; the worker goes on with the next job
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        # The worker runs each job in a thread of its own; its connection would outlive the job otherwise.
        connection.close()


def _run(job: ImportJob, folder: Path) -> None:
    try:
        documents, skipped = unpack(folder)
    except UploadRefused as refusal:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(refusal),
                                                   finished_at=timezone.now())  # fmt: skip
        return
    ImportJob.objects.filter(pk=job.pk).update(documents=len(documents),
                                               skipped=[*job.skipped, *map(list, skipped)])  # fmt: skip
    done = 0
    last_saved = time.monotonic()

    def on_report(_report: FileReport) -> None:
        nonlocal done, last_saved
        done += 1
        if time.monotonic() - last_saved >= PROGRESS_EVERY_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(processed=done)
            last_saved = time.monotonic()

    documents, metadata = split_answer_dates(documents)
    summary = import_documents(documents, overwrite_edits=job.overwrite_edits, on_report=on_report)
    summary.reports += import_answer_dates(metadata)
    done += len(metadata)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, processed=done, summary=summary.line(),
        reports=[_report_record(report) for report in summary.reports], finished_at=timezone.now(),
    )  # fmt: skip
    queue_alerts()
    queue_word_counts()
    queue_phrase_pairs()


# --- mail ------------------------------------------------------------------------------------------------------


@app.task(queue="mail", pass_context=False)
def send_alert_confirmation(alert_id: int) -> None:
    """The double opt-in mail of a new alert (questions/alerts/)."""
    from questions.alerts.sending import send_confirmation

    try:
        alert = Alert.objects.filter(pk=alert_id, confirmed_at__isnull=True).first()
        if alert is not None:
            send_confirmation(alert)
    finally:
        connection.close()


# Every hour, and after each import (queue_alerts): one at a time, a second request while one waits is dropped.
@app.periodic(cron="7 * * * *")
@app.task(queue="mail", queueing_lock="send_alerts", pass_context=False)
def send_alerts(timestamp: int | None = None) -> None:
    """Mail every alert that is due (questions/alerts/sending.py)."""
    from questions.alerts.sending import send_due

    try:
        report = send_due()
        logger.info("alerts: %s", report.line())
    finally:
        connection.close()


# Every night: the archive's state for cached results is one row again (questions/search/cache.py).
@app.periodic(cron="17 3 * * *")
@app.task(queue="maintenance", queueing_lock="fold_archive_writes", pass_context=False)
def fold_archive_writes(timestamp: int | None = None) -> None:
    from questions.search.cache import fold_archive_writes as fold

    try:
        folded = fold()
        if folded is None:
            logger.info("archive writes not folded: the archive was being written; tomorrow then")
        else:
            logger.info("archive writes folded: %d rows", folded)
    finally:
        connection.close()


# Every night, and after each import (queue_word_counts): the questions written since are folded into the
# counts of the commonest words, or the words are counted for the first time (questions/search/word_counts.py).
@app.periodic(cron="27 3 * * *")
@app.task(queue="maintenance", queueing_lock="refresh_word_counts", pass_context=False)
def refresh_word_counts(timestamp: int | None = None) -> None:
    from questions.search import word_counts

    try:
        logger.info("%s", word_counts.refresh())
    finally:
        connection.close()


# Every night, and after each import (queue_phrase_pairs): the word pairs of the questions written since, by which
# a phrase finds its candidates (questions/search/phrase_pairs.py).
@app.periodic(cron="37 3 * * *")
@app.task(queue="maintenance", queueing_lock="refresh_phrase_pairs", pass_context=False)
def refresh_phrase_pairs(timestamp: int | None = None) -> None:
    from questions.search import phrase_pairs

    try:
        logger.info("word pairs computed for %d questions", phrase_pairs.refresh())
    finally:
        connection.close()


def queue_phrase_pairs() -> None:
    """Ask the worker to compute the word pairs of what an import wrote: nothing to do if it is already asked."""
    _queue_once(refresh_phrase_pairs)


def queue_word_counts() -> None:
    """Ask the worker to fold what an import wrote into the word counts: nothing to do if it is already asked."""
    _queue_once(refresh_word_counts)


def queue_alerts() -> None:
    """Ask the worker to send the alerts (after an import): nothing to do if it is already asked."""
    _queue_once(send_alerts)


# A worker writes its heartbeat every 10 seconds and is counted as stalled after 30 (procrastinate's defaults).
WORKER_ALIVE_SECONDS = 30


def worker_is_running() -> bool:
    """Whether a background worker has written its heartbeat lately: queued jobs will then be done soon."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM procrastinate_workers "
            "WHERE last_heartbeat > now() - make_interval(secs => %s))",
            [WORKER_ALIVE_SECONDS],
        )
        (running,) = cursor.fetchone()
    return bool(running)


def _queue_once(task: Any) -> None:
    try:
        # In a savepoint: the refused insert of a second queued job must not abort the caller's transaction.
        with transaction.atomic():
            task.defer()
    except AlreadyEnqueued:
        pass
