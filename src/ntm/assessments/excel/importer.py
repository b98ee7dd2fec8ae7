"""The import: rights, then read → validate → write in one transaction."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.assessments import figures
from ntm.assessments.excel.common import (
    SHEET_RESULTS,
    SHEET_VALUES,
    SystemUserError,
    _SetInfo,
    _stored,
)
from ntm.assessments.excel.reader import (
    _read_grid,
    _read_guide,
    _resolve_units,
)
from ntm.assessments.excel.validator import (
    _Plan,
    _plan_changes,
)
from ntm.assessments.excel.writer import (
    _SYSTEM_CHECKER,
    _write,
    system_user,
)
from ntm.assessments.models import State
from ntm.assessments.services import (
    AssessmentError,
)
from ntm.excel import (
    ImportReport,
    WorkbookError,
    open_workbook,
)


def _check_rights(report: ImportReport, scope, user, state: str | None) -> bool:
    if state not in (None, "", State.APPROVED):
        report.add(
            "-",
            0,
            "-",
            _("Trạng thái “%(state)s” không hợp lệ; chỉ nhận “approved” (đã phê duyệt).")
            % {"state": state},
        )
    if not scope.can_write:
        report.add("-", 0, "-", _("Tài khoản của bạn không có quyền nhập dữ liệu."))
    approve = state == State.APPROVED
    if (
        approve
        and user is not None
        and not (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR)
    ):
        report.add(
            "-",
            0,
            "-",
            _("Chỉ Văn phòng Điều phối NTM tỉnh được nhập kết quả ở trạng thái đã phê duyệt."),
        )
    return approve


def assessments_import(
    *,
    data: bytes,
    scope,
    user,
    dry_run: bool = False,
    state: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a filled template or an export: all of it, or nothing (see the module doc).

    `user=None` is the command line: a system import with full rights, recorded under the
    user "ntm-system". `state="approved"` (province coordinators, superusers, command line)
    stores past years' results directly as approved, through every workflow step.
    """
    report = ImportReport(dry_run=dry_run)
    approve = _check_rights(report, scope, user, state)
    if report.errors:
        return report
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    try:
        with transaction.atomic():
            _import(wb, report, scope, user, approve, dry_run, progress or (lambda n: None))
            if report.errors or dry_run:
                transaction.set_rollback(True)
    finally:
        wb.close()
    return report


def _import(wb, report, scope, user, approve, dry_run, progress) -> None:
    cset, year = _read_guide(wb, report, scope)
    if cset is None or year is None:
        return
    sheets = [s for s in (SHEET_RESULTS, SHEET_VALUES) if s in wb.sheetnames]
    if not sheets:
        report.add(
            "-",
            0,
            "-",
            _("Tệp không có trang “%(a)s” hay “%(b)s”.") % {"a": SHEET_RESULTS, "b": SHEET_VALUES},
        )
        return
    info = _SetInfo.load(cset)
    lines = [line for sheet in sheets for line in _read_grid(wb, sheet, info, report)]
    _resolve_units(lines, scope, year, report)
    lines = [line for line in lines if line.unit is not None]
    units = {line.unit.pk: line.unit for line in lines}
    stored = _stored(units, year, cset, lock=not dry_run)
    plans = {pk: _Plan(unit=u, stored=stored.get(pk)) for pk, u in units.items()}
    checker = user if user is not None else _SYSTEM_CHECKER
    _plan_changes(plans, lines, info, year, checker, approve, report)
    todo = [p for p in plans.values() if p.changed or p.approve]
    if report.errors:
        return
    if dry_run:
        report.created = sum(1 for p in todo if p.stored is None)
        report.updated = len(todo) - report.created
        return
    try:
        actor = user if user is not None else system_user()
    except SystemUserError as exc:
        report.add("-", 0, "-", str(exc))
        return
    try:
        with transaction.atomic(), figures.deferred():  # one refresh for the whole workbook
            report.created, report.updated = _write(todo, info, year, actor, progress)
    except IntegrityError:
        report.add(
            "-",
            0,
            "-",
            _(
                "Có người vừa tạo kết quả cho một trong các xã này trong lúc nhập; hãy nhập lại tệp."
            ),
        )
    except (AssessmentError, PermissionDenied) as exc:
        report.add("-", 0, "-", str(exc) or _("Không được phép."))
