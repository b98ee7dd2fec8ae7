"""The one task the queue runs: a job, whatever its kind (the kind's code does the work)."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ntm.jobs import kinds
from ntm.jobs.models import Job
from ntm.jobs.progress import Progress, clear_progress, read_progress

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).first()
    if job is None:  # already taken, or deleted
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    kind = kinds.get(job.kind)
    try:
        if kind is None:
            raise LookupError(_("Không có loại việc “%(kind)s”.") % {"kind": job.kind})
        outcome = kind(job, Progress(job))
    except Exception as exc:  # the job says what failed; the worker goes on with the next
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job, Job.Status.FAILED, _("Không hoàn thành: %(error)s") % {"error": str(exc)[:500]}
        )
        return
    _finish(job, Job.Status.FAILED if outcome.failed else Job.Status.DONE, outcome.message, outcome)


def _finish(job: Job, status: str, message: str, outcome=None) -> None:
    job.refresh_from_db()
    if live := read_progress(job.pk):  # how far it got (written beside, in a transaction)
        job.done, job.total = live["done"], live["total"]
    if outcome is not None and outcome.data:
        job.result.save(outcome.filename, ContentFile(outcome.data), save=False)
        job.result_name = outcome.filename
        job.result_type = outcome.content_type
    if job.source:
        job.source.delete(save=False)  # read; an upload is not kept longer than its job
    job.message = message
    job.details = outcome.details if outcome is not None else []
    job.status = status
    job.finished_at = timezone.now()
    job.save()
    clear_progress(job.pk)
