"""The history of the administrative map before 1/7/2025: changes with their legal basis.

The shipped lists hold the units as they stood on 30/6/2025 (their start unknown). A province
enters each earlier change (a Nghị quyết of the Standing Committee of the National Assembly):
its effective date, the units that ended the day before, the units that began on the date and
the old -> new links. Figures of a year then count the communes of that year.

One import, three steps a registry can call: `history_parse` (workbook -> plan, no database),
`history_apply` (the plan against the database, in the caller's transaction; every error names
sheet, row and column) and `units_history_import` (both, atomic, with a dry run). A code reused
across a change (06040 was Xã Đại Đồng until 30/11/2024, Thị trấn Thất Khê after) is resolved
by date: the units that ended are looked up on the day before the change, the units that began
and the new ends of links on the effective date.
"""

import datetime
import json
from dataclasses import dataclass, field
from importlib import resources

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    add_choice_validation,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_date,
    workbook_bytes,
    write_table,
)
from ntm.units.models import REORGANISATION_DATE, Kind, Level, Unit, UnitChange, UnitLink
from ntm.units.resolver import resolve_code
from ntm.units.text import fold

CHANGES_SHEET, ENDED_SHEET, BEGAN_SHEET, LINKS_SHEET = "ThayDoi", "KetThuc", "BatDau", "LienKet"
CHANGE_HEADERS = [
    "Mã thay đổi",
    "Căn cứ pháp lý",
    "Ngày ban hành",
    "Ngày hiệu lực",
    "Nội dung",
    "Nguồn",
]
UNIT_HEADERS = ["Mã thay đổi", "Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"]
LINK_HEADERS = ["Mã thay đổi", "Mã đơn vị cũ", "Mã đơn vị mới", "Kế thừa chính", "Chia tách"]
HEADERS = {
    CHANGES_SHEET: CHANGE_HEADERS,
    ENDED_SHEET: UNIT_HEADERS,
    BEGAN_SHEET: UNIT_HEADERS,
    LINKS_SHEET: LINK_HEADERS,
}
KIND_LEVEL = {
    Kind.COMMUNE: Level.COMMUNE,
    Kind.WARD: Level.COMMUNE,
    Kind.TOWNLET: Level.COMMUNE,
    Kind.RURAL_DISTRICT: Level.DISTRICT,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.TOWN: Level.DISTRICT,
    Kind.CITY: Level.DISTRICT,
}
KIND_LABELS = {str(Kind(k).label): k for k in KIND_LEVEL}
_KIND_BY_FOLD = {fold(label): k for label, k in KIND_LABELS.items()} | {
    fold("Thành phố"): Kind.CITY
}
CODE_LENGTH_LEVEL = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}
YES, NO = "Có", "Không"


@dataclass
class ChangeRow:
    row: int
    key: str
    legal_basis: str
    issued_on: datetime.date | None
    effective: datetime.date
    description: str = ""
    source: str = ""

    @property
    def last_day(self) -> datetime.date:
        return self.effective - datetime.timedelta(days=1)


@dataclass
class UnitRow:
    sheet: str
    row: int
    key: str
    code: str
    name: str
    kind: str | None
    parent_code: str

    @property
    def level(self) -> int | None:
        return KIND_LEVEL.get(self.kind)


@dataclass
class LinkRow:
    row: int
    key: str
    old_code: str
    new_code: str
    is_default: bool
    split: bool


@dataclass
class HistoryPlan:
    changes: list[ChangeRow] = field(default_factory=list)
    ended: list[UnitRow] = field(default_factory=list)
    began: list[UnitRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)


@dataclass
class HistoryResult:
    changes_created: int = 0
    changes_skipped: int = 0
    units_created: int = 0
    units_updated: int = 0
    links_created: int = 0


def _code(raw) -> str:
    text = cell_text(raw)
    return text.zfill(5) if text.isdigit() and len(text) == 4 else text


def _rows(wb, sheet: str, report: ImportReport):
    """The non-blank data rows of a sheet (row number, cells), after checking its header."""
    if sheet not in wb.sheetnames:
        report.add(sheet, 0, "-", _("Không có trang “%(sheet)s”.") % {"sheet": sheet})
        return
    headers = HEADERS[sheet]
    rows = list(wb[sheet].iter_rows(values_only=True))
    found = [cell_text(c) for c in (rows[0] if rows else ())][: len(headers)]
    if found != headers:
        report.add(
            sheet,
            1,
            "A",
            _("Dòng tiêu đề phải là: %(headers)s") % {"headers": ", ".join(headers)},
        )
        return
    for row_no, row in enumerate(rows[1:], start=2):
        cells = (list(row) + [None] * len(headers))[: len(headers)]
        if all(c in (None, "") for c in cells):
            continue
        bad = [i for i, c in enumerate(cells) if is_formula(c)]
        for i in bad:
            report.add(
                sheet, row_no, "ABCDEF"[i], _("Không chấp nhận công thức; hãy nhập giá trị.")
            )
        if not bad:
            yield row_no, cells


# The longest text each column takes (its database column), by column index.
CHANGE_LENGTHS = {0: 50, 1: 200, 4: 4000, 5: 500}
UNIT_LENGTHS = {0: 50, 1: 20, 2: 200, 4: 20}


def _check_lengths(report, sheet: str, row: int, cells, lengths: dict[int, int]) -> bool:
    """Refuse text longer than its column, naming the column (never echoing the text)."""
    ok = True
    for index, most in lengths.items():
        text = cell_text(cells[index])
        if len(text) > most:
            report.add(
                sheet,
                row,
                "ABCDEF"[index],
                _("“%(header)s” dài %(n)s ký tự, tối đa %(max)s ký tự.")
                % {"header": HEADERS[sheet][index], "n": len(text), "max": most},
            )
            ok = False
    return ok


def _missing_key() -> str:
    return _(
        "Thiếu mã thay đổi: ghi mã của thay đổi (cột A của trang %(sheet)s, ví dụ LS-2024) mà dòng này thuộc về."
    ) % {"sheet": CHANGES_SHEET}


def _date(report, sheet, row, col, raw, *, required: bool):
    try:
        value = parse_vi_date(raw)
    except CellValueError as exc:
        report.add(sheet, row, col, str(exc))
        return None
    if value is None and required:
        report.add(sheet, row, col, _("Thiếu ngày (dd/mm/yyyy)."))
    return value


def _flag(report, sheet, row, col, raw, default: bool) -> bool:
    text = fold(cell_text(raw))
    if not text:
        return default
    if text in (fold(YES), "x", "yes", "1"):
        return True
    if text in (fold(NO), "no", "0"):
        return False
    report.add(sheet, row, col, _("Ghi “Có” hoặc “Không”."))
    return default


def _parse_changes(wb, report, plan: HistoryPlan) -> None:
    for row, cells in _rows(wb, CHANGES_SHEET, report):
        if not _check_lengths(report, CHANGES_SHEET, row, cells, CHANGE_LENGTHS):
            continue
        key, basis = cell_text(cells[0]), cell_text(cells[1])
        if not key:
            report.add(CHANGES_SHEET, row, "A", _missing_key())
        elif any(c.key == key for c in plan.changes):
            report.add(CHANGES_SHEET, row, "A", _("Mã thay đổi “%(key)s” lặp.") % {"key": key})
        if not basis:
            report.add(
                CHANGES_SHEET,
                row,
                "B",
                _("Thiếu căn cứ pháp lý (ví dụ: Nghị quyết 818/NQ-UBTVQH14)."),
            )
        issued = _date(report, CHANGES_SHEET, row, "C", cells[2], required=False)
        effective = _date(report, CHANGES_SHEET, row, "D", cells[3], required=True)
        if effective and effective >= REORGANISATION_DATE:
            report.add(
                CHANGES_SHEET,
                row,
                "D",
                _(
                    "Ngày hiệu lực phải trước 01/07/2025 (các đơn vị từ 01/07/2025 lấy theo danh mục)."
                ),
            )
            effective = None
        if issued and effective and issued > effective:
            report.add(CHANGES_SHEET, row, "C", _("Ngày ban hành sau ngày hiệu lực."))
        if key and basis and effective:
            plan.changes.append(
                ChangeRow(
                    row, key, basis, issued, effective, cell_text(cells[4]), cell_text(cells[5])
                )
            )


def _parse_units(wb, report, sheet: str, keys: set[str]) -> list[UnitRow]:
    out = []
    for row, cells in _rows(wb, sheet, report):
        key, code, name = cell_text(cells[0]), _code(cells[1]), cell_text(cells[2])
        kind_text, parent = cell_text(cells[3]), _code(cells[4])
        if not _check_lengths(report, sheet, row, cells, UNIT_LENGTHS):
            continue
        if not key:
            report.add(sheet, row, "A", _missing_key())
        elif key not in keys:
            report.add(
                sheet,
                row,
                "A",
                _("Mã thay đổi “%(key)s” không có ở trang %(sheet)s.")
                % {"key": key, "sheet": CHANGES_SHEET},
            )
        if not code:
            report.add(sheet, row, "B", _("Thiếu mã đơn vị."))
        kind = _KIND_BY_FOLD.get(fold(kind_text)) if kind_text else None
        if kind_text and kind is None:
            report.add(
                sheet,
                row,
                "D",
                _("Loại phải là một trong: %(kinds)s") % {"kinds": ", ".join(KIND_LABELS)},
            )
        elif kind and code and CODE_LENGTH_LEVEL.get(len(code)) != KIND_LEVEL[kind]:
            report.add(
                sheet,
                row,
                "B",
                _("Mã “%(code)s” không hợp với loại %(kind)s (huyện 3 chữ số, xã 5 chữ số).")
                % {"code": code, "kind": kind_text},
            )
        if sheet == BEGAN_SHEET and not (name and kind and parent):
            report.add(sheet, row, "C", _("Đơn vị bắt đầu cần đủ tên, loại và mã đơn vị cấp trên."))
        out.append(UnitRow(sheet, row, key, code, name, kind, parent))
    return out


def _parse_links(wb, report, keys: set[str]) -> list[LinkRow]:
    out = []
    for row, cells in _rows(wb, LINKS_SHEET, report):
        if not _check_lengths(report, LINKS_SHEET, row, cells, {0: 50, 1: 20, 2: 20}):
            continue
        key, old, new = cell_text(cells[0]), _code(cells[1]), _code(cells[2])
        if not key:
            report.add(LINKS_SHEET, row, "A", _missing_key())
        elif key not in keys:
            report.add(
                LINKS_SHEET,
                row,
                "A",
                _("Mã thay đổi “%(key)s” không có ở trang %(sheet)s.")
                % {"key": key, "sheet": CHANGES_SHEET},
            )
        for col, code in (("B", old), ("C", new)):
            if code not in ("",) and len(code) not in CODE_LENGTH_LEVEL:
                report.add(
                    LINKS_SHEET, row, col, _("Mã đơn vị phải có 3 (huyện) hoặc 5 (xã) chữ số.")
                )
            elif not code:
                report.add(LINKS_SHEET, row, col, _("Thiếu mã đơn vị."))
        is_default = _flag(report, LINKS_SHEET, row, "D", cells[3], True)
        split = _flag(report, LINKS_SHEET, row, "E", cells[4], False)
        out.append(LinkRow(row, key, old, new, is_default, split))
    return out


def history_parse(data: bytes, report: ImportReport) -> HistoryPlan:
    """Read the workbook into a plan; cell errors go to the report (nothing is looked up)."""
    plan = HistoryPlan()
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return plan
    _parse_changes(wb, report, plan)
    keys = {c.key for c in plan.changes} | _all_keys(wb)
    plan.ended = _parse_units(wb, report, ENDED_SHEET, keys)
    plan.began = _parse_units(wb, report, BEGAN_SHEET, keys)
    plan.links = _parse_links(wb, report, keys)
    _check_used(plan, report)
    return plan


def _check_used(plan: HistoryPlan, report: ImportReport) -> None:
    """A change that no unit or link row names is a typo in its code (or rows left out)."""
    used = {r.key for r in (*plan.ended, *plan.began, *plan.links)}
    for change in plan.changes:
        if change.key not in used:
            report.add(
                CHANGES_SHEET,
                change.row,
                "A",
                _(
                    "Không có dòng nào ở các trang %(sheets)s ghi mã thay đổi “%(key)s”; hãy kiểm tra mã."
                )
                % {"sheets": ", ".join((ENDED_SHEET, BEGAN_SHEET, LINKS_SHEET)), "key": change.key},
            )


def _all_keys(wb) -> set[str]:
    """Change keys written on the change sheet, even on rows with other errors (so that one bad
    date does not make every unit row of that change an error too)."""
    if CHANGES_SHEET not in wb.sheetnames:
        return set()
    rows = wb[CHANGES_SHEET].iter_rows(min_row=2, values_only=True)
    return {cell_text(r[0]) for r in rows if r and cell_text(r[0])}


def plan_from_data(data: dict) -> HistoryPlan:
    """A plan from the shipped JSON (`units/data/history/*.json`, same columns as the workbook)."""
    plan = HistoryPlan()
    for i, c in enumerate(data["changes"], start=2):
        plan.changes.append(
            ChangeRow(
                i,
                c["key"],
                c["legal_basis"],
                datetime.date.fromisoformat(c["issued_on"]) if c.get("issued_on") else None,
                datetime.date.fromisoformat(c["effective"]),
                c.get("description", ""),
                c.get("source", ""),
            )
        )
    for sheet, name in ((ENDED_SHEET, "ended"), (BEGAN_SHEET, "began")):
        rows = [
            UnitRow(sheet, i, u["change"], u["code"], u["name"], u["kind"], u["parent"])
            for i, u in enumerate(data.get(name, []), start=2)
        ]
        setattr(plan, name, rows)
    plan.links = [
        LinkRow(i, x["change"], x["old"], x["new"], x.get("default", True), x.get("split", False))
        for i, x in enumerate(data.get("links", []), start=2)
    ]
    return plan


def shipped_history_files() -> dict[str, str]:
    """Province code -> file name of the shipped histories."""
    folder = resources.files("ntm.units").joinpath("data/history")
    return {p.name.split("-")[0]: p.name for p in folder.iterdir() if p.name.endswith(".json")}


def shipped_plan(province_code: str) -> HistoryPlan | None:
    name = shipped_history_files().get(province_code)
    if name is None:
        return None
    text = resources.files("ntm.units").joinpath(f"data/history/{name}").read_text("utf-8")
    return plan_from_data(json.loads(text))


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


_NAME_PREFIX = {k: str(Kind(k).label) for k in KIND_LEVEL} | {Kind.CITY: "Thành phố"}


def _names(name: str, kind: str) -> tuple[str, str]:
    """("Xã Tĩnh Bắc", "Tĩnh Bắc") from either form."""
    prefix = _NAME_PREFIX[kind]
    if fold(name).startswith(fold(prefix) + " "):
        return name, name[len(prefix) + 1 :]
    return f"{prefix} {name}", name


@dataclass
class _Step:
    """One change being applied: what every row handler needs."""

    change: ChangeRow
    record: UnitChange
    scope: object
    report: ImportReport
    result: HistoryResult
    user: object = None

    def error(self, row, column: str, message: str) -> None:
        sheet = row.sheet if isinstance(row, UnitRow) else LINKS_SHEET
        self.report.add(sheet, row.row, column, message)

    def save(self, unit: Unit) -> None:
        if self.user is not None:
            unit._history_user = self.user
        unit._change_reason = self.change.legal_basis[:100]
        unit.save()

    def writable(self, row, column: str, unit: Unit) -> bool:
        if self.scope.can_write_to(unit):
            return True
        self.error(row, column, _("%(unit)s ngoài phạm vi bạn được sửa.") % {"unit": unit.name})
        return False


def _level(row: UnitRow) -> int | None:
    return row.level or CODE_LENGTH_LEVEL.get(len(row.code))


def _parent(step: _Step, row: UnitRow, day: datetime.date) -> Unit | None:
    level = _level(row)
    if not row.parent_code or level is None:
        step.error(row, "E", _("Thiếu mã đơn vị cấp trên."))
        return None
    found = resolve_code(row.parent_code, day, level=level - 1)
    if found.unit is None:
        step.error(row, "E", found.describe())
        return None
    return found.unit if step.writable(row, "E", found.unit) else None


def _adopt(step: _Step, row: UnitRow) -> bool:
    """A unit of the shipped list whose start was unknown began with this change: give it its
    start date. True when the row is settled (adopted, or in error)."""
    level, day = _level(row), step.change.effective
    if level is None:
        return True
    found = resolve_code(row.code, day, level=level).unit
    if found is None or found.valid_from is not None:
        return False
    parent = _parent(step, row, day)
    if parent is None or not step.writable(row, "B", found):
        return True
    if found.parent_id != parent.pk:
        step.error(
            row,
            "E",
            _("%(unit)s thuộc %(parent)s, không thuộc mã %(code)s.")
            % {"unit": found.name, "parent": found.parent.name, "code": row.parent_code},
        )
        return True
    found.valid_from = day
    step.save(found)
    step.record.began.add(found)
    step.result.units_updated += 1
    return True


def _earlier_end(level: int, code: str, before: datetime.date) -> datetime.date | None:
    """The last day of an earlier unit of the same code (a created unit starts after it)."""
    ends = Unit.objects.filter(level=level, code=code, valid_to__lt=before).values_list(
        "valid_to", flat=True
    )
    return max(ends, default=None)


def _end(step: _Step, row: UnitRow) -> None:
    level, last = _level(row), step.change.last_day
    if level is None:
        return
    found = resolve_code(row.code, last, level=level)
    unit = found.unit
    if unit is not None:
        if row.name and fold(row.name) not in (fold(unit.name), fold(unit.short_name)):
            step.error(row, "C", _("Tên không khớp: %(found)s.") % {"found": found.describe()})
            return
        if not step.writable(row, "B", unit):
            return
        step.report.note_code(row.sheet, row.row, "B", found)
        unit.valid_to = last
        step.save(unit)
        step.result.units_updated += 1
    else:  # not in the shipped list: the unit ended before 2025; record it
        if not (row.name and row.kind):
            step.error(
                row,
                "C",
                _("%(found)s; để ghi đơn vị đã kết thúc này cần tên, loại và mã cấp trên.")
                % {"found": found.describe()},
            )
            return
        parent = _parent(step, row, last)
        if parent is None:
            return
        earlier = _earlier_end(level, row.code, last)
        name, short = _names(row.name, row.kind)
        unit = Unit(
            code=row.code,
            name=name,
            short_name=short,
            kind=row.kind,
            level=level,
            parent=parent,
            valid_from=earlier + datetime.timedelta(days=1) if earlier else None,
            valid_to=last,
            source=step.change.legal_basis,
        )
        step.save(unit)
        step.result.units_created += 1
    step.record.ended.add(unit)


def _begin(step: _Step, row: UnitRow) -> None:
    level, day = _level(row), step.change.effective
    if level is None or row.kind is None:
        return
    found = resolve_code(row.code, day, level=level)
    if found.unit is not None:
        step.error(row, "B", _("Đã có đơn vị: %(found)s.") % {"found": found.describe()})
        return
    parent = _parent(step, row, day)
    if parent is None:
        return
    later = (
        Unit.objects.filter(level=level, code=row.code, valid_from__gt=day)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    ends = [d for d in (parent.valid_to, later and later - datetime.timedelta(days=1)) if d]
    name, short = _names(row.name, row.kind)
    unit = Unit(
        code=row.code,
        name=name,
        short_name=short,
        kind=row.kind,
        level=level,
        parent=parent,
        valid_from=day,
        valid_to=min(ends, default=None),
        source=step.change.legal_basis,
    )
    step.save(unit)
    step.record.began.add(unit)
    step.result.units_created += 1


def _link(step: _Step, row: LinkRow) -> None:
    ends = []
    for col, code, day in (
        ("B", row.old_code, step.change.last_day),
        ("C", row.new_code, step.change.effective),
    ):
        found = resolve_code(code, day, level=CODE_LENGTH_LEVEL.get(len(code)))
        if found.unit is None:
            step.error(row, col, found.describe())
            return
        if not step.writable(row, col, found.unit):
            return
        step.report.note_code(LINKS_SHEET, row.row, col, found)
        ends.append(found.unit)
    UnitLink.objects.update_or_create(
        old=ends[0],
        new=ends[1],
        defaults={
            "effective_date": step.change.effective,
            "is_default": row.is_default,
            "split": row.split,
            "source": step.change.legal_basis[:200],
            "change": step.record,
        },
    )
    step.result.links_created += 1


def _check_children(step: _Step, ended: list[UnitRow]) -> None:
    """A district that ended cannot leave communes behind it."""
    for unit in step.record.ended.filter(level=Level.DISTRICT):
        left = Unit.objects.filter(parent=unit, level=Level.COMMUNE).valid_on(step.change.effective)
        if left.exists():
            row = next(r for r in ended if r.code == unit.code)
            step.error(
                row,
                "B",
                _("%(unit)s kết thúc nhưng còn %(n)s đơn vị cấp xã sau ngày %(date)s: %(names)s.")
                % {
                    "unit": unit.name,
                    "n": left.count(),
                    "date": _day(step.change.last_day),
                    "names": ", ".join(left.values_list("name", flat=True)[:5]),
                },
            )


def history_apply(plan: HistoryPlan, *, scope, report: ImportReport, user=None) -> HistoryResult:
    """Write the plan, change by change in date order (the caller holds the transaction and
    rolls back when the report has errors). A change already recorded (same legal basis and
    effective date) is skipped, so a workbook or the shipped data can be loaded twice."""
    result = HistoryResult()
    for change in sorted(plan.changes, key=lambda c: (c.effective, c.row)):
        if UnitChange.objects.filter(
            legal_basis=change.legal_basis, effective_date=change.effective
        ).exists():
            result.changes_skipped += 1
            continue
        record = UnitChange.objects.create(
            legal_basis=change.legal_basis,
            issued_on=change.issued_on,
            effective_date=change.effective,
            description=change.description,
            source=change.source,
        )
        result.changes_created += 1
        step = _Step(change, record, scope, report, result, user)
        ended = [r for r in plan.ended if r.key == change.key]
        began = [r for r in plan.began if r.key == change.key]
        pending = [r for r in began if not _adopt(step, r)]
        for row in ended:
            _end(step, row)
        for row in sorted(pending, key=lambda r: _level(r) or 0):
            _begin(step, row)
        for row in plan.links:
            if row.key == change.key:
                _link(step, row)
        _check_children(step, ended)
    return result


@dataclass
class HistoryReport(ImportReport):
    result: HistoryResult = field(default_factory=HistoryResult)


def _run(plan: HistoryPlan, report: HistoryReport, *, scope, user) -> HistoryReport:
    if report.errors:
        return report
    with transaction.atomic():
        report.result = history_apply(plan, scope=scope, report=report, user=user)
        if report.errors or report.dry_run:
            transaction.set_rollback(True)
    if report.errors:  # rolled back: nothing was created or updated
        report.result = HistoryResult()
    report.created = report.result.changes_created
    report.updated = report.result.units_updated
    return report


def units_history_import(*, data: bytes, scope, user=None, dry_run: bool = False) -> HistoryReport:
    """Import a units history workbook: every row valid, or nothing written."""
    report = HistoryReport(dry_run=dry_run)
    plan = history_parse(data, report)
    if not plan.changes and not report.errors:
        report.add(CHANGES_SHEET, 2, "A", _("Trang không có thay đổi nào."))
    return _run(plan, report, scope=scope, user=user)


def units_history_load_shipped(
    *, province_code: str, scope, dry_run: bool = False
) -> HistoryReport:
    """Load the sourced history shipped for a province (see `units/data/history/`)."""
    report = HistoryReport(dry_run=dry_run)
    plan = shipped_plan(province_code)
    if plan is None:
        report.add(
            "-",
            0,
            "-",
            _("Chưa có lịch sử thay đổi đơn vị nào cho tỉnh %(code)s.") % {"code": province_code},
        )
        return report
    return _run(plan, report, scope=scope, user=None)


GUIDE = [
    ("Lịch sử đơn vị hành chính trước 01/07/2025", ""),
    (
        "ThayDoi",
        "Mỗi dòng một thay đổi: mã tự đặt (ví dụ LS-2024), căn cứ pháp lý (Nghị quyết …/NQ-UBTVQH…),"
        " ngày ban hành, ngày hiệu lực (dd/mm/yyyy), nội dung, nguồn (địa chỉ văn bản).",
    ),
    (
        "KetThuc",
        "Các đơn vị chấm dứt từ ngày hiệu lực (hết hiệu lực ngày hôm trước): mã thay đổi, mã,"
        " tên, loại, mã đơn vị cấp trên. Đơn vị không có trong danh mục thì được ghi mới.",
    ),
    (
        "BatDau",
        "Các đơn vị thành lập từ ngày hiệu lực: mã thay đổi, mã, tên, loại, mã cấp trên."
        " Đơn vị còn đến 30/06/2025 (có trong danh mục) chỉ được ghi ngày bắt đầu.",
    ),
    (
        "LienKet",
        "Đơn vị cũ → đơn vị mới (nhập, chia, điều chỉnh): mã cũ (tra theo ngày trước hiệu lực),"
        " mã mới (tra theo ngày hiệu lực), kế thừa chính Có/Không, chia tách Có/Không.",
    ),
    (
        "Ví dụ",
        "LS-2024 | Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã tỉnh Lạng Sơn 2023-2025 |"
        " 01/12/2024; KetThuc: LS-2024 | 06574 | Xã Tĩnh Bắc | Xã | 188;"
        " LienKet: LS-2024 | 06574 | 06559 | Có | Không.",
    ),
    (
        "Mã dùng lại",
        "Một mã có thể chỉ đơn vị khác nhau ở hai thời điểm: mã ở KetThuc và mã cũ ở LienKet"
        " được hiểu theo ngày trước hiệu lực; mã ở BatDau và mã mới theo ngày hiệu lực.",
    ),
]


def units_history_template() -> bytes:
    """The blank workbook: a guide sheet, then one sheet per part of a change."""
    wb = Workbook()
    guide = wb.active
    guide.title = "HuongDan"
    for title, text in GUIDE:
        guide.append([title, text])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 120
    for sheet, headers in HEADERS.items():
        ws = wb.create_sheet(sheet)
        write_table(ws, headers, [], widths={2: 30, 3: 30, 5: 40})
        if sheet in (ENDED_SHEET, BEGAN_SHEET):
            add_choice_validation(ws, 4, list(KIND_LABELS), 2, 1000)
        if sheet == LINKS_SHEET:
            add_choice_validation(ws, 4, [YES, NO], 2, 1000)
            add_choice_validation(ws, 5, [YES, NO], 2, 1000)
    return workbook_bytes(wb)
