"""A plan to and from Excel: the template (filled with what is stored, so that it imports back
unchanged) and the import, all of it or nothing.

Sheets:
- "HuongDan": the plan (its id is read back: a file made for another plan is refused).
- "ChiTieu": Chỉ tiêu, Mức, Số sao, Mã đơn vị, Tên đơn vị, Năm, Giá trị, Năm gốc, Ghi chú.
  A row of the plan's unit is a target; a row of a sub-unit is an allocation of the target with
  the same chỉ tiêu, mức, số sao and năm of its nearest unit above (in the file or stored).
  A row matching a stored target updates its value; the others are created.
- "LoTrinh": Mã xã, Tên xã, Mức, Năm (the year the commune should reach the level).
- "NhiemVu": ID (blank for a new task), Nhóm nhiệm vụ, Nội dung, Cơ quan chủ trì, Cơ quan phối
  hợp, Thời hạn, Trạng thái, Ghi chú tiến độ mới (added as a progress note).
- Each of the three ends with a hidden column "Phiên bản": the version of the stored row the
  template was made from. A row that would change a stored row saved since (another version) is
  an error: someone's change is never overwritten by an old file. A file without the column
  (or a blank cell) is not checked; every row changed still gets a new version, so that a page
  opened before the import is refused afterwards.

Every cell is read first; then every row goes through the services (the same rules as the
pages) inside one transaction that is rolled back on any error or a dry run. Errors name sheet,
row and column.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ntm.criteria import levels as recognition_levels
from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_date,
    parse_vi_number,
    unescape_cell,
    workbook_bytes,
    write_table,
)
from ntm.plans import services
from ntm.plans.excel_header import write_plan_sheet
from ntm.plans.models import METRICS, Metric, Plan, RoadmapEntry, Target, TaskStatus
from ntm.plans.services import PlanError
from ntm.units.models import Unit, within_q
from ntm.units.resolver import resolve_code_in_year
from ntm.units.text import fold

SHEET_GUIDE = "HuongDan"
SHEET_TARGETS = "ChiTieu"
SHEET_ROADMAP = "LoTrinh"
SHEET_TASKS = "NhiemVu"
SHEET_LISTS = "DanhMuc"

# (key, header). The header is the file format (Vietnamese).
TARGET_COLUMNS = [
    ("metric", "Chỉ tiêu"),
    ("level", "Mức"),
    ("stars", "Số sao"),
    ("unit", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("year", "Năm"),
    ("value", "Giá trị"),
    ("base_year", "Năm gốc"),
    ("note", "Ghi chú"),
    ("version", "Phiên bản"),
]
ROADMAP_COLUMNS = [
    ("unit", "Mã xã"),
    ("unit_name", "Tên xã"),
    ("level", "Mức"),
    ("target_year", "Năm"),
    ("version", "Phiên bản"),
]
TASK_COLUMNS = [
    ("id", "ID"),
    ("group", "Nhóm nhiệm vụ"),
    ("content", "Nội dung"),
    ("lead_agency", "Cơ quan chủ trì"),
    ("other_agencies", "Cơ quan phối hợp"),
    ("deadline", "Thời hạn"),
    ("status", "Trạng thái"),
    ("note", "Ghi chú tiến độ mới"),
    ("version", "Phiên bản"),
]
REQUIRED = {
    SHEET_TARGETS: {"metric", "unit", "year", "value"},
    SHEET_ROADMAP: {"unit", "level", "target_year"},
    SHEET_TASKS: {"content", "lead_agency"},
}
INFO_COLUMNS = {"unit_name"}


# -- template --------------------------------------------------------------------------------


def _level_label(level: str) -> str:
    return recognition_levels.label(level) if level else ""


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _hide_last_column(ws, columns) -> None:
    """The last column ("Phiên bản", the version of each stored row) is hidden."""
    ws.column_dimensions[get_column_letter(len(columns))].hidden = True


def _list_validation(ws, column: int, ref: str, rows: int) -> None:
    dv = DataValidation(
        type="list",
        formula1=ref,
        allow_blank=True,
        showErrorMessage=True,
        error=_("Chọn một giá trị trong danh sách."),
    )
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{max(rows, 500)}")
    ws.add_data_validation(dv)


def plans_template(plan: Plan | None) -> bytes:
    """The workbook of a plan, filled with its stored targets, roadmap and tasks; with no plan,
    the blank workbook that creates one (its KeHoach sheet)."""
    wb = Workbook()
    _guide_sheet(wb, plan)
    lists = _lists_sheet(wb)
    write_plan_sheet(wb, plan)
    _targets_sheet(wb, plan, lists)
    _roadmap_sheet(wb, plan, lists)
    _tasks_sheet(wb, plan, lists)
    return workbook_bytes(wb)


def _guide_sheet(wb, plan: Plan | None) -> None:
    guide = wb.active
    guide.title = SHEET_GUIDE
    if plan is not None:
        guide.append([_("Mã kế hoạch (ID)"), plan.pk])
        guide.append([_("Số ký hiệu"), plan.number])
        guide.append([_("Ngày ban hành"), plan.issued_on.strftime("%d/%m/%Y")])
        guide.append([_("Đơn vị"), f"{plan.unit.name} ({plan.unit.code})"])
        guide.append([_("Giai đoạn"), plan.period_label])
        guide.append([])
    for line in (
        _(
            "KeHoach: đơn vị, số ký hiệu, ngày, cơ quan ban hành, trích yếu, giai đoạn. Khi nhập tệp không kèm mã kế hoạch, kế hoạch được tạo mới (hoặc nhận ra kế hoạch đã có cùng đơn vị, số và ngày)."
        ),
        _(
            "ChiTieu: mỗi dòng một chỉ tiêu. Dòng có mã đơn vị của kế hoạch là chỉ tiêu chung; dòng có mã đơn vị cấp dưới là phân bổ của chỉ tiêu cùng loại, mức, số sao, năm."
        ),
        _(
            "Tổng phân bổ các chỉ tiêu cộng được (số xã, thôn, sản phẩm, người, vốn) không được vượt chỉ tiêu chung."
        ),
        _("LoTrinh: mã xã, mức phấn đấu và năm đạt chuẩn (trong giai đoạn kế hoạch)."),
        _(
            "NhiemVu: để trống cột ID khi thêm nhiệm vụ mới; cột “Ghi chú tiến độ mới” được thêm vào tiến độ."
        ),
        _("Cả tệp được kiểm tra trước; có một lỗi là không ghi gì."),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 50


def _lists_sheet(wb) -> dict[str, str]:
    """The hidden sheet of drop-down lists; the range of each list by name. Levels come from
    the levels data: every level (targets), and the commune levels (roadmap)."""
    lists = wb.create_sheet(SHEET_LISTS)
    columns = {
        "metrics": [str(label) for label in Metric.labels],
        "levels": list(recognition_levels.labels().values()),
        "statuses": [str(label) for label in TaskStatus.labels],
        "commune_levels": [label for _code, label in recognition_levels.choices("commune")],
    }
    ranges = {}
    for i, (name, values) in enumerate(columns.items(), start=1):
        for r, v in enumerate(values, start=1):
            lists.cell(row=r, column=i, value=v)
        letter = "ABCD"[i - 1]
        ranges[name] = f"{SHEET_LISTS}!${letter}$1:${letter}${len(values)}"
    lists.sheet_state = "hidden"
    return ranges


def _targets_sheet(wb, plan: Plan | None, lists: dict[str, str]) -> None:
    targets = (
        list(
            plan.targets.select_related("unit").order_by(
                "year", "metric", "level", "stars", "unit__path"
            )
        )
        if plan is not None
        else []
    )
    targets.sort(
        key=lambda t: (t.year, t.metric, t.level, t.stars or 0, len(t.unit.path), t.unit.code)
    )
    ws = wb.create_sheet(SHEET_TARGETS, 2)
    rows = [
        [
            str(Metric(t.metric).label),
            _level_label(t.level),
            t.stars,
            t.unit.code,
            t.unit.name,
            t.year,
            _number(t.value),
            t.base_year,
            t.note or None,
            t.version,
        ]
        for t in targets
    ]
    write_table(ws, [_(h) for _k, h in TARGET_COLUMNS], rows, widths={1: 48, 2: 30, 5: 28, 9: 30})
    _hide_last_column(ws, TARGET_COLUMNS)
    _list_validation(ws, 1, lists["metrics"], len(rows) + 1)
    _list_validation(ws, 2, lists["levels"], len(rows) + 1)


def _roadmap_sheet(wb, plan: Plan | None, lists: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEET_ROADMAP, 3)
    rows = [
        [e.unit.code, e.unit.name, _level_label(e.level), e.target_year, e.version]
        for e in (
            plan.roadmap.select_related("unit").order_by("target_year", "unit__code")
            if plan is not None
            else []
        )
    ]
    write_table(ws, [_(h) for _k, h in ROADMAP_COLUMNS], rows, widths={2: 28, 3: 30})
    _hide_last_column(ws, ROADMAP_COLUMNS)
    _list_validation(ws, 3, lists["commune_levels"], len(rows) + 1)


def _tasks_sheet(wb, plan: Plan | None, lists: dict[str, str]) -> None:
    ws = wb.create_sheet(SHEET_TASKS, 4)
    rows = [
        [
            t.pk,
            t.group or None,
            t.content,
            t.lead_agency,
            t.other_agencies or None,
            t.deadline,
            str(TaskStatus(t.status).label),
            None,
            t.version,
        ]
        for t in (plan.tasks.order_by("group", "deadline", "pk") if plan is not None else [])
    ]
    write_table(
        ws, [_(h) for _k, h in TASK_COLUMNS], rows, widths={2: 30, 3: 60, 4: 28, 5: 28, 8: 40}
    )
    _hide_last_column(ws, TASK_COLUMNS)
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    _list_validation(ws, 7, lists["statuses"], len(rows) + 1)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict = field(default_factory=dict)
    letters: dict = field(default_factory=dict)  # key -> column letter
    ok: bool = True

    def letter(self, key: str) -> str:
        return self.letters.get(key, "-")


def _choices(pairs, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {}
    for value, label in pairs:
        out[fold(value)] = value
        out[fold(str(label))] = value
        out[fold(_(str(label)))] = value
    for alias, value in (extra or {}).items():
        out[fold(alias)] = value
    return out


def _level_aliases() -> dict[str, str]:
    """Other names of each level a workbook may use ("NTM nâng cao"), from the levels data."""
    return {alias: lv.code for lv in recognition_levels.all_levels() for alias in lv.aliases}


def _parse_choice(raw, mapping: dict[str, str], expected: str) -> str:
    text = fold(cell_text(raw))
    if not text:
        return ""
    if text not in mapping:
        raise CellValueError(
            _("“%(raw)s” không hợp lệ; chọn một trong: %(expected)s.")
            % {"raw": cell_text(raw), "expected": expected}
        )
    return mapping[text]


def _parse_int(raw, *, low: int, high: int, what: str) -> int | None:
    text = cell_text(raw)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise CellValueError(
            _("“%(raw)s” không phải là %(what)s (từ %(low)s đến %(high)s).")
            % {"raw": text, "what": what, "low": low, "high": high}
        )
    return int(text)


def _parsers():
    metrics = _choices(Metric.choices)
    levels = _choices(recognition_levels.choices(), _level_aliases())
    statuses = _choices(TaskStatus.choices)
    level_names = ", ".join(recognition_levels.labels().values())
    return {
        "metric": lambda raw: _parse_choice(raw, metrics, _("các chỉ tiêu trong danh sách")),
        "level": lambda raw: _parse_choice(raw, levels, level_names),
        "stars": lambda raw: _parse_int(raw, low=1, high=5, what=_("số sao")),
        "year": lambda raw: _parse_int(raw, low=2000, high=2100, what=_("năm")),
        "target_year": lambda raw: _parse_int(raw, low=2000, high=2100, what=_("năm")),
        "base_year": lambda raw: _parse_int(raw, low=2000, high=2100, what=_("năm")),
        "value": lambda raw: parse_vi_number(raw, places=4),
        "deadline": parse_vi_date,
        "status": lambda raw: _parse_choice(
            raw, statuses, ", ".join(str(label) for label in TaskStatus.labels)
        ),
        "id": lambda raw: _parse_int(raw, low=1, high=10**11, what=_("mã nhiệm vụ")),
        "version": lambda raw: _parse_int(raw, low=1, high=10**9, what=_("phiên bản")),
    }


def _read_sheet(wb, sheet: str, columns, report: ImportReport) -> list[_Row]:
    if sheet not in wb.sheetnames:
        return []
    ws = wb[sheet]
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None) or ()
    by_header = {fold(h): k for k, h in columns} | {fold(_(h)): k for k, h in columns}
    position: dict[str, int] = {}
    for idx, raw in enumerate(header):
        key = by_header.get(fold(cell_text(raw)))
        if key and key not in position:
            position[key] = idx
    missing = [h for k, h in columns if k in REQUIRED[sheet] and k not in position]
    if missing:
        report.add(
            sheet, 1, "-", _("Thiếu cột: %(cols)s.") % {"cols": ", ".join(_(h) for h in missing)}
        )
        return []
    parsers = _parsers()
    out = []
    for number, raw_row in enumerate(rows_iter, start=2):
        cells = {k: (raw_row[i] if i < len(raw_row) else None) for k, i in position.items()}
        if all(cell_text(v) == "" for k, v in cells.items() if k not in INFO_COLUMNS | {"version"}):
            continue
        row = _Row(
            sheet, number, letters={k: get_column_letter(i + 1) for k, i in position.items()}
        )
        for key, raw in cells.items():
            if key in INFO_COLUMNS:
                continue
            if is_formula(raw):
                report.add(
                    sheet,
                    number,
                    row.letter(key),
                    _("Không chấp nhận công thức; hãy nhập giá trị."),
                )
                row.ok = False
                continue
            raw = unescape_cell(raw)
            try:
                row.values[key] = parsers[key](raw) if key in parsers else cell_text(raw)
            except CellValueError as exc:
                report.add(sheet, number, row.letter(key), str(exc))
                row.ok = False
        for key in REQUIRED[sheet]:
            if row.ok and row.values.get(key) in (None, ""):
                report.add(sheet, number, row.letter(key), _("Ô này không được để trống."))
                row.ok = False
        out.append(row)
    return out


def _read_guide(wb, plan: Plan, report: ImportReport) -> None:
    if SHEET_GUIDE not in wb.sheetnames:
        return
    labels = {fold("Mã kế hoạch (ID)"), fold(_("Mã kế hoạch (ID)"))}
    for number, row in enumerate(wb[SHEET_GUIDE].iter_rows(values_only=True, max_col=2), start=1):
        if row and fold(cell_text(row[0])) in labels:
            found = cell_text(row[1] if len(row) > 1 else None)
            if found != str(plan.pk):
                report.add(
                    SHEET_GUIDE,
                    number,
                    "B",
                    _(
                        "Tệp này là mẫu của kế hoạch khác (mã %(found)s), không phải kế hoạch %(number)s (mã %(pk)s)."
                    )
                    % {"found": found or "—", "number": plan.number, "pk": plan.pk},
                )
            return


# -- applying --------------------------------------------------------------------------------


class _Units:
    """Units of the plan's subtree by code, as they were in a year (codes were reused in 2025)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.by_code: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(within_q(plan.unit, "")).only(
            "pk", "code", "name", "path", "level", "kind", "parent_id", "valid_from", "valid_to"
        ):
            self.by_code.setdefault(unit.code, []).append(unit)

    def note(self, report, row, unit: Unit, year: int) -> None:
        """Say which unit a code reused in 2025 was read as, and for which year."""
        found = resolve_code_in_year(unit.code, year, level=unit.level).taking(unit)
        report.note_code(row.sheet, row.number, row.letter("unit"), found)

    def get(self, code: str, year: int | None) -> Unit | None:
        candidates = self.by_code.get(code, [])
        if year is not None and len(candidates) > 1:
            # A code reused in 2025: the unit it named in that year (units.resolver).
            taken = resolve_code_in_year(code, year).unit
            if taken is not None and any(u.pk == taken.pk for u in candidates):
                return next(u for u in candidates if u.pk == taken.pk)
        if year is not None:
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            candidates = [
                u
                for u in candidates
                if (u.valid_from is None or u.valid_from <= end)
                and (u.valid_to is None or u.valid_to >= start)
            ]
        return candidates[0] if candidates else None


FIELD_COLUMN = {
    "metric": "metric",
    "level": "level",
    "stars": "stars",
    "unit": "unit",
    "year": "year",
    "value": "value",
    "base_year": "base_year",
    "parent": "unit",
    "target_year": "target_year",
    "content": "content",
    "lead_agency": "lead_agency",
    "status": "status",
    "deadline": "deadline",
    "text": "note",
    "task": "id",
    "version": "version",
}


def _run(report: ImportReport, row: _Row, action) -> object:
    """Apply one row in a savepoint; a refusal becomes an error on the row's column."""
    try:
        with transaction.atomic():
            return action()
    except services.StaleVersionError as exc:
        report.add(
            row.sheet,
            row.number,
            row.letter("version"),
            _(
                "Dòng này đã được sửa trên hệ thống sau khi tải tệp (phiên bản %(current)s, tệp ghi %(file)s); tải lại mẫu rồi nhập lại."
            )
            % {"current": getattr(exc, "current", "?"), "file": getattr(exc, "sent", "?")},
        )
    except PlanError as exc:
        report.add(
            row.sheet, row.number, row.letter(FIELD_COLUMN.get(exc.field, exc.field)), str(exc)
        )
    except PermissionDenied as exc:
        report.add(row.sheet, row.number, "-", str(exc) or _("Không được phép."))
    return None


def _year_in_plan(plan: Plan, row: _Row, key: str, report: ImportReport) -> bool:
    year = row.values[key]
    if plan.year_from <= year <= plan.year_to:
        return True
    report.add(
        row.sheet,
        row.number,
        row.letter(key),
        _("Năm %(y)s ngoài giai đoạn của kế hoạch (%(a)s-%(b)s).")
        % {"y": year, "a": plan.year_from, "b": plan.year_to},
    )
    return False


def _target_items(plan, rows, units: _Units, report) -> list[tuple]:
    """(row, unit, stored target or None, decreasing) of the rows whose unit and year are right,
    in the order they are written."""
    items = []
    for row in rows:
        v = row.values
        if not _year_in_plan(plan, row, "year", report):
            continue
        unit = units.get(v["unit"], v["year"])
        if unit is None:
            report.add(
                row.sheet,
                row.number,
                row.letter("unit"),
                _("Không có đơn vị mã “%(code)s” thuộc %(unit)s trong năm %(year)s.")
                % {"code": v["unit"], "unit": plan.unit.name, "year": v["year"]},
            )
            continue
        units.note(report, row, unit, v["year"])
        v["level"] = v.get("level") or METRICS[v["metric"]].fixed_level
        stored = Target.objects.filter(
            plan=plan,
            metric=v["metric"],
            level=v["level"],
            stars=v.get("stars"),
            year=v["year"],
            unit=unit,
        ).first()
        decreasing = stored is not None and v["value"] < stored.value
        items.append((row, unit, stored, decreasing))
    # Decreases deepest first (children before their parent), then the rest shallowest first.
    items.sort(key=lambda i: (0, -len(i[1].path)) if i[3] else (1, len(i[1].path)))
    return items


def _apply_targets(plan, rows, units: _Units, user, report, counts) -> None:
    plan_depth = len(plan.unit.path)
    items = _target_items(plan, rows, units, report)
    for row, unit, stored, _decreasing in items:
        v = row.values
        if stored is not None:
            if (
                stored.value == v["value"]
                and stored.note == (v.get("note") or "")
                and stored.base_year == v.get("base_year")
            ):
                continue
            if _run(
                report,
                row,
                lambda s=stored, v=v: services.target_update(
                    target=s,
                    user=user,
                    value=v["value"],
                    note=v.get("note") or "",
                    base_year=v.get("base_year"),
                    version=v.get("version"),
                ),
            ):
                counts["updated"] += 1
            continue
        parent = None
        if len(unit.path) > plan_depth:
            ancestors = unit.ancestor_ids()
            parents = Target.objects.filter(
                plan=plan,
                metric=v["metric"],
                level=v["level"],
                stars=v.get("stars"),
                year=v["year"],
                unit_id__in=ancestors,
            ).select_related("unit")
            parent = max(parents, key=lambda t: len(t.unit.path), default=None)
            if parent is None:
                report.add(
                    row.sheet,
                    row.number,
                    row.letter("unit"),
                    _(
                        "Chưa có chỉ tiêu này (cùng loại, mức, số sao, năm) của đơn vị cấp trên để phân bổ cho %(unit)s."
                    )
                    % {"unit": unit.name},
                )
                continue
        if _run(
            report,
            row,
            lambda v=v, unit=unit, parent=parent: services.target_create(
                plan=plan,
                user=user,
                metric=v["metric"],
                level=v.get("level") or "",
                stars=v.get("stars"),
                year=v["year"],
                value=v["value"],
                base_year=v.get("base_year"),
                note=v.get("note") or "",
                unit=unit,
                parent=parent,
            ),
        ):
            counts["created"] += 1


def _apply_roadmap(plan, rows, units: _Units, user, report, counts) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        if not _year_in_plan(plan, row, "target_year", report):
            continue
        unit = units.get(v["unit"], v["target_year"])
        if unit is None:
            report.add(
                row.sheet,
                row.number,
                row.letter("unit"),
                _("Không có xã mã “%(code)s” thuộc %(unit)s trong năm %(year)s.")
                % {"code": v["unit"], "unit": plan.unit.name, "year": v["target_year"]},
            )
            continue
        units.note(report, row, unit, v["target_year"])
        key = (unit.pk, v["level"])
        if key in seen:
            report.add(
                row.sheet,
                row.number,
                row.letter("unit"),
                _("Xã và mức này đã có ở dòng %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        before = RoadmapEntry.objects.filter(plan=plan, unit=unit, level=v["level"]).first()
        if before is not None and before.target_year == v["target_year"]:
            continue
        if _run(
            report,
            row,
            lambda v=v, unit=unit, before=before: services.roadmap_save(
                plan=plan,
                user=user,
                unit=unit,
                level=v["level"],
                target_year=v["target_year"],
                version=v.get("version") if before is not None else None,
            ),
        ):
            counts["updated" if before else "created"] += 1


def _apply_tasks(plan, rows, user, report, counts) -> None:
    tasks = {t.pk: t for t in plan.tasks.all()}
    for row in rows:
        v = row.values
        task = None
        if v.get("id"):
            task = tasks.get(v["id"])
            if task is None:
                report.add(
                    row.sheet,
                    row.number,
                    row.letter("id"),
                    _(
                        "Kế hoạch không có nhiệm vụ mã %(id)s; để trống cột ID khi thêm nhiệm vụ mới."
                    )
                    % {"id": v["id"]},
                )
                continue
        fields = {
            "group": v.get("group") or "",
            "content": v["content"],
            "lead_agency": v["lead_agency"],
            "other_agencies": v.get("other_agencies") or "",
            "deadline": v.get("deadline"),
            "status": v.get("status") or (task.status if task else TaskStatus.NOT_STARTED),
        }
        same = task is not None and all(getattr(task, k) == val for k, val in fields.items())
        if not same:
            version = v.get("version") if task else None
            saved = _run(
                report,
                row,
                lambda task=task, fields=fields, version=version: services.task_save(
                    plan=plan, user=user, task=task, version=version, **fields
                ),
            )
            if saved is None:
                continue
            counts["updated" if task else "created"] += 1
            task = saved
        note = v.get("note")
        progress = (
            _run(
                report,
                row,
                lambda t=task, n=note: services.task_progress(task=t, user=user, text=n),
            )
            if note
            else None
        )
        if progress and same:
            counts["updated"] += 1


def plans_import(*, plan: Plan, data: bytes, scope, user, dry_run: bool = False) -> ImportReport:
    """Import a filled plan workbook: all of it, or nothing (see the module doc).
    `user=None` is the command line (system rights)."""
    report = ImportReport(dry_run=dry_run)
    if not may_import(plan.unit, scope=scope, user=user):
        report.add("-", 0, "-", _("Bạn không có quyền nhập dữ liệu cho kế hoạch này."))
        return report
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    _read_guide(wb, plan, report)
    rows = plan_rows_parse(wb, report)
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        plan_rows_apply(plan, rows, user=user, report=report, counts=counts)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    finish_report(report, counts)
    return report


def may_import(unit: Unit, *, scope, user) -> bool:
    return (
        scope.contains(unit)
        and scope.can_write_to(unit)
        and (user is None or services.can_write_plan_for(user, unit))
    )


def plan_rows_parse(wb, report: ImportReport) -> dict[str, list[_Row]] | None:
    """The rows of the ChiTieu, LoTrinh and NhiemVu sheets (None when the file has none)."""
    try:
        sheets = [s for s in (SHEET_TARGETS, SHEET_ROADMAP, SHEET_TASKS) if s in wb.sheetnames]
        if not sheets:
            report.add(
                "-",
                0,
                "-",
                _("Tệp không có trang “%(a)s”, “%(b)s” hay “%(c)s”.")
                % {"a": SHEET_TARGETS, "b": SHEET_ROADMAP, "c": SHEET_TASKS},
            )
            return None
        return {
            sheet: [r for r in _read_sheet(wb, sheet, columns, report) if r.ok]
            for sheet, columns in (
                (SHEET_TARGETS, TARGET_COLUMNS),
                (SHEET_ROADMAP, ROADMAP_COLUMNS),
                (SHEET_TASKS, TASK_COLUMNS),
            )
        }
    finally:
        wb.close()


def plan_rows_apply(plan: Plan, rows, *, user, report: ImportReport, counts: dict) -> None:
    """Write the rows into the plan, inside the caller's transaction (which rolls back when the
    report has errors)."""
    if rows is None:
        return
    units = _Units(plan)
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    _apply_targets(locked, rows[SHEET_TARGETS], units, user, report, counts)
    _apply_roadmap(locked, rows[SHEET_ROADMAP], units, user, report, counts)
    _apply_tasks(locked, rows[SHEET_TASKS], user, report, counts)


def finish_report(report: ImportReport, counts: dict) -> None:
    order = {"KeHoach": 0, SHEET_GUIDE: 0, SHEET_TARGETS: 1, SHEET_ROADMAP: 2, SHEET_TASKS: 3}
    report.errors.sort(key=lambda e: (order.get(e.sheet, 4), e.row))
    if not report.errors:
        report.created, report.updated = counts["created"], counts["updated"]
