"""How far a job got, written to its row at most twice a second (a report of 1,000 rows
does not become 1,000 UPDATEs)."""

from time import monotonic

from ntm.jobs.models import Job

INTERVAL = 0.5


class Progress:
    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        now = monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < INTERVAL:
            return
        self._last = now
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk).update(**fields)
