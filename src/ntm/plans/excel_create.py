"""A plan created from its workbook: the KeHoach sheet makes (or finds) the plan, the other
sheets fill it, all in one transaction — or nothing when any cell is wrong."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ntm.excel import ImportReport, WorkbookError, open_workbook
from ntm.plans import services
from ntm.plans.excel import finish_report, may_import, plan_rows_apply, plan_rows_parse
from ntm.plans.excel_header import FIELD_ROW, SHEET_PLAN, parse_plan_sheet
from ntm.plans.models import Plan


@dataclass
class PlanImportReport(ImportReport):
    plan: Plan | None = None
    plan_created: bool = False


def _plan_for(fields: dict, *, user, report: ImportReport) -> tuple[Plan | None, bool]:
    """The plan of the same unit, number and date, or a new one (errors go to the report)."""
    plan = Plan.objects.filter(
        unit=fields["unit"], number=fields["number"], issued_on=fields["issued_on"]
    ).first()
    if plan is not None:
        return plan, False
    try:
        with transaction.atomic():
            return services.plan_create(user=user, **fields), True
    except services.PlanError as exc:
        report.add(SHEET_PLAN, FIELD_ROW.get(exc.field, 2), "B", str(exc))
    except PermissionDenied as exc:
        report.add(SHEET_PLAN, FIELD_ROW["unit"], "B", str(exc) or _("Không được phép."))
    return None, False


def plan_workbook_import(*, data: bytes, scope, user, dry_run: bool = False) -> PlanImportReport:
    """Create a plan from a workbook (KeHoach sheet) with its targets, roadmap and tasks.
    `user=None` is the command line (system rights)."""
    report = PlanImportReport(dry_run=dry_run)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    fields = parse_plan_sheet(wb, report)
    rows = plan_rows_parse(wb, report)
    if fields is None or report.errors:
        finish_report(report, {"created": 0, "updated": 0})
        return report
    if not may_import(fields["unit"], scope=scope, user=user):
        report.add(
            SHEET_PLAN,
            FIELD_ROW["unit"],
            "B",
            _("Bạn không có quyền lập kế hoạch cho %(unit)s.") % {"unit": fields["unit"].name},
        )
        return report
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        report.plan, report.plan_created = _plan_for(fields, user=user, report=report)
        if report.plan is not None:
            plan_rows_apply(report.plan, rows, user=user, report=report, counts=counts)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    finish_report(report, counts)
    if report.errors or dry_run:
        report.plan = report.plan if report.plan and not report.plan_created else None
    return report
