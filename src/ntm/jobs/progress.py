"""How far a job got, written at most twice a second (a report of 1,000 rows does not become
1,000 writes). Inside an import's transaction an UPDATE of the job row would stay invisible
until the end, so progress also goes to a small file beside the uploads (one shared media
directory serves every app server), which the status page reads while the job runs."""

import json
import os
from pathlib import Path
from time import monotonic

from django.conf import settings
from django.db import connection

from ntm.jobs.models import Job

INTERVAL = 0.5


def progress_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "progress" / f"{job_id}.json"


def read_progress(job_id: int) -> dict | None:
    try:
        return json.loads(progress_file(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def clear_progress(job_id: int) -> None:
    progress_file(job_id).unlink(missing_ok=True)


class Progress:
    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0
        self._state = {"done": 0, "total": 0, "message": ""}

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        now = monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < INTERVAL:
            return
        self._last = now
        self._state["done"] = done
        if total is not None:
            self._state["total"] = total
        if message:
            self._state["message"] = message
        path = progress_file(self.job.pk)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(self._state, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)  # readers never see half a file
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**self._state)
