"""Large imports in the background: the page hands the workbook to a job and shows its
progress; the job runs the same runner as every import (limits, atomic write, report)."""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from ntm.accounts.scope import scope_for
from ntm.imports.registry import get
from ntm.imports.runner import run_import
from ntm.jobs.kinds import Outcome
from ntm.jobs.models import Job
from ntm.jobs.services import job_start

DETAILS_SHOWN = 500


def runs_in_background(size: int) -> bool:
    """Whether an upload of this many bytes is imported off the request (a few thousand rows)."""
    return size > settings.NTM_BACKGROUND_IMPORT_BYTES


def _encode(options: dict) -> dict:
    """Options as JSON (a date becomes {"date": "yyyy-mm-dd"})."""
    return {
        k: {"date": v.isoformat()} if isinstance(v, datetime.date) else v
        for k, v in options.items()
    }


def _decode(options: dict) -> dict:
    return {
        k: datetime.date.fromisoformat(v["date"]) if isinstance(v, dict) and "date" in v else v
        for k, v in options.items()
    }


def import_job_start(*, importer, data: bytes, user, dry_run: bool, options: dict) -> Job:
    verb = _("Kiểm tra") if dry_run else _("Nhập")
    return job_start(
        kind="import",
        title=f"{verb}: {importer.title}",
        user=user,
        unit=getattr(user, "unit", None),
        params={"importer": importer.name, "dry_run": dry_run, "options": _encode(options)},
        source=(f"{importer.name}.xlsx", data),
    )


def _details(report) -> list[dict]:
    rows = [
        {"kind": "error", "sheet": e.sheet, "row": e.row, "column": e.column, "text": e.message}
        for e in report.errors[:DETAILS_SHOWN]
    ]
    rows += [
        {"kind": "note", "sheet": n.sheet, "row": n.row, "column": n.column, "text": n.message}
        for n in report.notes[: max(0, DETAILS_SHOWN - len(rows))]
    ]
    return rows


def import_job(job, progress) -> Outcome:
    importer = get(job.params["importer"])
    if importer is None:
        raise LookupError(_("Không có loại nhập “%(name)s”.") % {"name": job.params["importer"]})
    with job.source.open("rb") as handle:
        data = handle.read()
    progress(0, 1, _("Đang đọc và kiểm tra tệp…"))
    written = [0]

    def step(n: int) -> None:  # the writers count in steps (as tqdm's update)
        written[0] += n
        progress(0, 1, _("Đang ghi: %(n)s bản ghi…") % {"n": written[0]})

    report = run_import(
        importer,
        data=data,
        scope=scope_for(job.user),
        user=job.user,
        dry_run=job.params.get("dry_run", False),
        progress=step,
        **_decode(job.params.get("options", {})),
    )
    if report.errors:
        message = _("Không nhập: %(n)s lỗi, không có gì được ghi.") % {"n": len(report.errors)}
    elif report.dry_run:
        message = _("Kiểm tra xong, không có lỗi: %(c)s mới, %(u)s cập nhật (chưa ghi).") % {
            "c": report.created,
            "u": report.updated,
        }
    else:
        message = _("Đã nhập: %(c)s %(noun)s mới, %(u)s cập nhật.") % {
            "c": report.created,
            "u": report.updated,
            "noun": importer.noun,
        }
    progress(1, 1)
    return Outcome(message=message, details=_details(report), failed=bool(report.errors))
