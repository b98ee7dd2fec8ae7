"""The "KeHoach" sheet of a plan workbook: the plan itself (unit, number, date, issuer, title,
years, status), so that a workbook can create the plan as well as fill it."""

import datetime

from django.utils.translation import gettext as _

from ntm.excel import CellValueError, ImportReport, cell_text, is_formula, parse_vi_date
from ntm.plans.models import Plan, PlanStatus
from ntm.units.models import Level
from ntm.units.resolver import resolve_code
from ntm.units.text import fold

SHEET_PLAN = "KeHoach"
# (key, label): one row each, the label in column A and the value in column B.
PLAN_FIELDS = [
    ("unit", "Mã đơn vị (tỉnh 2 chữ số, huyện 3 chữ số)"),
    ("number", "Số ký hiệu (ví dụ 125/KH-UBND)"),
    ("issued_on", "Ngày ban hành (dd/mm/yyyy)"),
    ("issuer", "Cơ quan ban hành"),
    ("title", "Trích yếu"),
    ("year_from", "Từ năm"),
    ("year_to", "Đến năm"),
    ("status", "Trạng thái"),
]
FIELD_ROW = {key: row for row, (key, _label) in enumerate(PLAN_FIELDS, start=2)}
STATUS_BY_FOLD = {fold(str(label)): value for value, label in PlanStatus.choices} | {
    fold(value): value for value in PlanStatus.values
}
CODE_LEVEL = {2: Level.PROVINCE, 3: Level.DISTRICT}


def write_plan_sheet(wb, plan: Plan | None) -> None:
    """The sheet, filled with the plan's fields (blank for a new plan)."""
    ws = wb.create_sheet(SHEET_PLAN, 1)
    ws.append([_("Thông tin kế hoạch"), _("Giá trị")])
    values = (
        {
            "unit": plan.unit.code,
            "number": plan.number,
            "issued_on": plan.issued_on.strftime("%d/%m/%Y"),
            "issuer": plan.issuer,
            "title": plan.title,
            "year_from": plan.year_from,
            "year_to": plan.year_to,
            "status": str(PlanStatus(plan.status).label),
        }
        if plan is not None
        else {"status": str(PlanStatus.ACTIVE.label)}
    )
    for key, label in PLAN_FIELDS:
        ws.append([_(label), values.get(key)])
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 60


def _year(report, raw, key) -> int | None:
    text = cell_text(raw)
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    report.add(SHEET_PLAN, FIELD_ROW[key], "B", _("Năm phải là số từ 2000 đến 2100."))
    return None


def parse_plan_sheet(wb, report: ImportReport) -> dict | None:
    """The fields of `plan_create` from the sheet (None when the file has no such sheet or a
    cell is wrong; errors name row and column). The unit code is read on the issue date."""
    if SHEET_PLAN not in wb.sheetnames:
        report.add(
            SHEET_PLAN,
            0,
            "-",
            _("Không có trang “%(sheet)s” (thông tin kế hoạch).") % {"sheet": SHEET_PLAN},
        )
        return None
    cells = {}
    for number, row in enumerate(wb[SHEET_PLAN].iter_rows(values_only=True, max_col=2), start=1):
        if number in FIELD_ROW.values():
            key = PLAN_FIELDS[number - 2][0]
            value = row[1] if len(row) > 1 else None
            if is_formula(value):
                report.add(
                    SHEET_PLAN, number, "B", _("Không chấp nhận công thức; hãy nhập giá trị.")
                )
                return None
            cells[key] = value
    errors = len(report.errors)
    fields = {k: cell_text(cells.get(k)) for k in ("number", "issuer", "title")}
    try:
        fields["issued_on"] = parse_vi_date(cells.get("issued_on"))
    except CellValueError as exc:
        report.add(SHEET_PLAN, FIELD_ROW["issued_on"], "B", str(exc))
        fields["issued_on"] = False  # wrong, and said so: not also "blank"
    fields["year_from"] = _year(report, cells.get("year_from"), "year_from")
    fields["year_to"] = _year(report, cells.get("year_to"), "year_to")
    status = cell_text(cells.get("status"))
    fields["status"] = STATUS_BY_FOLD.get(fold(status), PlanStatus.ACTIVE if not status else None)
    if fields["status"] is None:
        report.add(
            SHEET_PLAN,
            FIELD_ROW["status"],
            "B",
            _("Trạng thái phải là một trong: %(s)s")
            % {"s": ", ".join(str(label) for label in PlanStatus.labels)},
        )
    for key in ("number", "issuer", "title", "issued_on"):
        if fields.get(key) in ("", None):
            report.add(SHEET_PLAN, FIELD_ROW[key], "B", _("Ô này không được để trống."))
    fields["unit"] = _unit(report, cell_text(cells.get("unit")), fields.get("issued_on") or None)
    return fields if len(report.errors) == errors else None


def _unit(report, code: str, day: datetime.date | None):
    if len(code) not in CODE_LEVEL:
        report.add(
            SHEET_PLAN,
            FIELD_ROW["unit"],
            "B",
            _("Mã đơn vị phải có 2 (tỉnh) hoặc 3 (huyện) chữ số."),
        )
        return None
    if day is None:
        return None
    found = resolve_code(code, day, level=CODE_LEVEL[len(code)])
    if found.unit is None:
        report.add(SHEET_PLAN, FIELD_ROW["unit"], "B", found.describe())
    return found.unit
