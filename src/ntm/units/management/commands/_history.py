"""The units history from the command line: shared by `ntm units history` and `ntm import units`."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.imports import runner
from ntm.units.history import (
    HistoryReport,
    units_history_load_shipped,
    units_history_template,
)


def write_template(stdout, output: str) -> None:
    path = Path(output)
    try:
        path.write_bytes(units_history_template())
    except OSError as exc:
        raise CommandError(
            _("Không ghi được %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror}
        ) from exc
    stdout.write(_("Đã ghi mẫu lịch sử đơn vị hành chính %(path)s.") % {"path": path})


def run_import(cmd, *, file: str | None, shipped: str | None, dry_run: bool) -> None:
    if shipped:
        report = units_history_load_shipped(
            province_code=shipped.zfill(2), scope=system_scope(), dry_run=dry_run
        )
    else:
        path = Path(file or "")
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s.") % {"path": file})
        report = runner.run_import(
            "units", data=path.read_bytes(), scope=system_scope(), user=None, dry_run=dry_run
        )
    _report(cmd, report)


def _report(cmd, report: HistoryReport) -> None:
    if not report.ok:
        for error in report.errors:
            cmd.stderr.write(str(error))
        raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
    for note in report.notes:  # a reused code: the unit taken and the date used
        cmd.stdout.write(str(note))
    r = report.result
    summary = _(
        "%(changes)s thay đổi (bỏ qua %(skipped)s đã có), tạo %(created)s đơn vị, "
        "cập nhật ngày hiệu lực %(updated)s đơn vị, %(links)s liên kết cũ - mới"
    ) % {
        "changes": r.changes_created,
        "skipped": r.changes_skipped,
        "created": r.units_created,
        "updated": r.units_updated,
        "links": r.links_created,
    }
    if report.dry_run:
        cmd.stdout.write(_("Hợp lệ (chạy thử, chưa ghi gì): %(s)s.") % {"s": summary})
    else:
        cmd.stdout.write(_("Đã ghi: %(s)s.") % {"s": summary})
