"""Starting background work: a job row, then the queue (the worker of `ntm serve`, or at once
when the immediate backend is configured, as in tests)."""

from django.core.files.base import ContentFile

from ntm.jobs.models import Job
from ntm.jobs.tasks import run_job


def job_start(
    *,
    kind: str,
    title: str,
    user,
    unit=None,
    params: dict | None = None,
    source: tuple[str, bytes] | None = None,
) -> Job:
    """A job of `kind`, queued; `source`: (file name, bytes) of the upload it works on, stored
    before the job is queued."""
    job = Job.objects.create(
        kind=kind, title=title[:300], user=user, unit=unit, params=params or {}
    )
    if source is not None:
        name, data = source
        job.source.save(name, ContentFile(data), save=True)
    # The database backend writes its task row in the caller's transaction: the worker sees
    # the job only once it is committed, with its row.
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job
