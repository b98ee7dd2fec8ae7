"""The one task the queue runs: a job, whatever its kind (the kind's code does the work)."""

import logging

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from ntm.jobs import kinds
from ntm.jobs.models import Job
from ntm.jobs.progress import Progress

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
        job.refresh_from_db()
        job.status = Job.Status.FAILED
        job.message = _("Không hoàn thành: %(error)s") % {"error": str(exc)[:500]}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return
    job.refresh_from_db()
    if outcome.data:
        job.result.save(outcome.filename, ContentFile(outcome.data), save=False)
        job.result_name = outcome.filename
        job.result_type = outcome.content_type
    if job.source:
        job.source.delete(save=False)  # read; an upload is not kept longer than its job
    job.message = outcome.message
    job.details = outcome.details
    job.status = Job.Status.FAILED if outcome.failed else Job.Status.DONE
    job.finished_at = timezone.now()
    job.save()
