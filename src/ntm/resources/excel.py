"""Excel template, atomic import and exports of resources for one unit and year.

Sheets: ThongTin (unit code, year), NguonVon (one row per source), DongGop (one row), MoHinh,
HoatDong, and for a province MucQuyDoi (its valuation rates of the year: donated land per m²,
a workday; optional, so that older templates still import). The whole file is checked first; one error and nothing is written. Errors name the
sheet, row and column, in Vietnamese.
"""

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ntm.accounts.models import Role
from ntm.accounts.scope import Scope
from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    add_choice_validation,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_date,
    parse_vi_number,
    unescape_cell,
    workbook_bytes,
    write_table,
)
from ntm.resources import selectors, services
from ntm.resources.models import (
    Activity,
    ActivityKind,
    Contribution,
    ConversionRate,
    Funding,
    FundingSource,
    ModelKind,
    ModelSite,
    ModelStatus,
)
from ntm.resources.services import ResourceError
from ntm.units.models import Level, Unit
from ntm.units.resolver import resolve_code_in_year
from ntm.units.selectors import unit_by_code

INFO, FUNDING, CONTRIB, MODELS, ACTIVITIES = "ThongTin", "NguonVon", "DongGop", "MoHinh", "HoatDong"
RATES = "MucQuyDoi"
RATE_HEADERS = ["Giá trị 1 m² đất hiến (đồng)", "Giá trị 1 ngày công (đồng)", "Văn bản quy định"]
FUNDING_HEADERS = ["Mã nguồn", "Nguồn vốn", "Kế hoạch vốn (đồng)", "Giải ngân (đồng)", "Ghi chú"]
CONTRIB_HEADERS = [
    "Đất hiến (m²)",
    "Ngày công",
    "Tiền mặt (đồng)",
    "Vật tư, vật liệu quy ra tiền (đồng)",
    "Mô tả vật tư, vật liệu",
]
MODEL_HEADERS = [
    "Mã thôn/xã",
    "Loại mô hình",
    "Tên mô hình",
    "Năm công nhận",
    "Tình trạng",
    "Năm không còn duy trì",
]
ACTIVITY_HEADERS = [
    "Loại hoạt động",
    "Tên hoạt động",
    "Ngày (dd/mm/yyyy)",
    "Đơn vị tổ chức",
    "Đơn vị tính",
    "Kế hoạch",
    "Thực hiện",
]
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
# The column of each service field, to name it in an error found while writing.
_FIELD_COLUMNS = {
    RATES: {"land_per_m2": "A", "workday": "B", "decision": "C"},
    FUNDING: {"allocated": "C", "disbursed": "D", "note": "E"},
    CONTRIB: {
        "land_m2": "A",
        "workdays": "B",
        "cash": "C",
        "materials_value": "D",
        "materials": "E",
    },
    MODELS: {
        "unit": "A",
        "kind": "B",
        "name": "C",
        "year_recognised": "D",
        "status": "E",
        "lost_year": "F",
    },
    ACTIVITIES: {
        "kind": "A",
        "name": "B",
        "date": "C",
        "organiser": "D",
        "measure": "E",
        "planned": "F",
        "actual": "G",
    },
}


def _models_and_activities_sheets(wb, rows: dict) -> None:
    """The models and activities sheets of the template, with their drop-down lists."""
    ws = wb.create_sheet(MODELS)
    write_table(
        ws,
        MODEL_HEADERS,
        [
            [
                m.unit.code,
                m.get_kind_display(),
                m.name,
                m.year_recognised,
                m.get_status_display(),
                m.lost_year,
            ]
            for m in rows["models"]
        ],
        widths={1: 14, 2: 32, 3: 40, 4: 14, 5: 16, 6: 18},
    )
    add_choice_validation(ws, 2, [str(label) for label in ModelKind.labels], 2, 500)
    add_choice_validation(ws, 5, [str(label) for label in ModelStatus.labels], 2, 500)
    ws = wb.create_sheet(ACTIVITIES)
    write_table(
        ws,
        ACTIVITY_HEADERS,
        [
            [
                a.get_kind_display(),
                a.name,
                a.date.strftime("%d/%m/%Y"),
                a.organiser,
                a.measure,
                a.planned,
                a.actual,
            ]
            for a in rows["activities"]
        ],
        widths={1: 30, 2: 40, 3: 16, 4: 30, 5: 12, 6: 12, 7: 12},
    )
    add_choice_validation(ws, 1, [str(label) for label in ActivityKind.labels], 2, 500)


def resources_template(*, unit: Unit, year: int) -> bytes:
    """The template of a unit and year, filled with what is already saved."""
    rows = selectors.entry_rows(unit, year)
    wb = Workbook()
    ws = wb.active
    ws.title = INFO
    write_table(
        ws,
        ["Mục", "Giá trị"],
        [
            ["Mã đơn vị", unit.code],
            ["Năm", year],
            ["Tên đơn vị (để đối chiếu)", unit.name],
        ],
        widths={1: 28, 2: 40},
    )
    ws = wb.create_sheet(FUNDING)
    write_table(
        ws,
        FUNDING_HEADERS,
        [
            [s.code, s.name, f.allocated if f else 0, f.disbursed if f else 0, f.note if f else ""]
            for s, f in rows["funding_table"]
        ],
        widths={1: 18, 2: 60, 3: 22, 4: 22, 5: 30},
    )
    c = rows["contribution"]
    ws = wb.create_sheet(CONTRIB)
    write_table(
        ws,
        CONTRIB_HEADERS,
        [
            [c.land_m2, c.workdays, c.cash, c.materials_value, c.materials]
            if c
            else [0, 0, 0, 0, ""]
        ],
        widths={1: 16, 2: 14, 3: 20, 4: 24, 5: 40},
    )
    _models_and_activities_sheets(wb, rows)
    if unit.level == Level.PROVINCE:
        rate = ConversionRate.objects.filter(province=unit, year=year).first()
        write_table(
            wb.create_sheet(RATES),
            RATE_HEADERS,
            [[rate.land_per_m2, rate.workday, rate.decision] if rate else [None, None, ""]],
            widths={1: 28, 2: 28, 3: 40},
        )
    return workbook_bytes(wb)


# -- import ----------------------------------------------------------------------------------


def _col(index: int) -> str:
    return get_column_letter(index + 1)


class _Reader:
    def __init__(self, report: ImportReport, sheet: str):
        self.report, self.sheet = report, sheet

    def error(self, row: int, col: int, message: str) -> None:
        self.report.add(self.sheet, row, _col(col), message)

    def raw(self, values, row: int, col: int):
        value = values[col] if col < len(values) else None
        if is_formula(value):
            self.error(row, col, _("không nhận công thức, hãy nhập giá trị."))
            return None
        return unescape_cell(value)

    def text(self, values, row, col) -> str:
        return cell_text(self.raw(values, row, col))

    def number(self, values, row, col, *, integer: bool, places: int = 0):
        raw = self.raw(values, row, col)
        if isinstance(raw, str) and _THOUSANDS.match(raw.strip()):
            raw = raw.strip().replace(".", "")
        try:
            value = parse_vi_number(raw, places=4)
        except CellValueError as exc:
            self.error(row, col, str(exc))
            return None
        if value is None:
            return Decimal(0)
        if value < 0:
            self.error(row, col, _("cần số không âm."))
            return None
        if integer and value != value.to_integral_value():
            self.error(row, col, _("cần số nguyên (“%(v)s”).") % {"v": raw})
            return None
        return value if not integer else value.quantize(Decimal(1))

    def choice(self, values, row, col, choices) -> str | None:
        text = self.text(values, row, col)
        by_label = {str(label).casefold(): value for value, label in choices}
        by_value = {value: value for value, _label in choices}
        found = by_label.get(text.casefold()) or by_value.get(text)
        if found is None:
            self.error(
                row,
                col,
                _("“%(v)s” không có trong danh sách: %(list)s.")
                % {"v": text, "list": "; ".join(str(label) for _v, label in choices)},
            )
        return found

    def year(self, values, row, col, *, required: bool = True) -> int | None:
        value = self.number(values, row, col, integer=True)
        if value is None:
            return None
        if not value and not required:
            return None
        if not 2000 <= value <= 2100:
            self.error(row, col, _("cần năm từ 2000 đến 2100."))
            return None
        return int(value)


def _rows(wb, name: str):
    if name not in wb.sheetnames:
        return None
    return [list(r) for r in wb[name].iter_rows(min_row=2, values_only=True)]


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def resources_import(*, data: bytes, scope: Scope, user, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then write it in one transaction (or write nothing)."""
    report = ImportReport(dry_run=dry_run)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("—", 0, "—", str(exc))
        return report
    for name in (INFO, FUNDING, CONTRIB, MODELS, ACTIVITIES):
        if name not in wb.sheetnames:
            report.add(name, 0, "—", _("thiếu trang %(name)s (dùng tệp mẫu).") % {"name": name})
    if not report.ok:
        return report

    found = _unit_and_year(wb, report, scope)
    if found is None:
        return report
    unit, year = found
    ops = []  # (callable, kwargs, sheet, row) run in order inside one transaction
    ops += _funding_ops(wb, report, unit, year, user)
    ops += _contribution_ops(wb, report, unit, year, user)
    ops += _rate_ops(wb, report, scope, unit)
    ops += _model_ops(wb, report, unit, year)
    ops += _activity_ops(wb, report, unit, year)
    if not report.ok:
        return report
    _run_ops(ops, report, scope, unit, year, dry_run)
    return report


def _unit_and_year(wb, report: ImportReport, scope: Scope):
    """The unit (its code as it was in the year) and the year of the information sheet, or None
    with the fault reported."""
    info = _Reader(report, INFO)
    info_rows = _rows(wb, INFO)
    code = info.text(info_rows[0], 2, 1) if info_rows else ""
    year = info.year(info_rows[1], 3, 1) if len(info_rows) > 1 else None
    if year is None:
        if len(info_rows) <= 1:
            info.error(3, 1, _("cần năm."))
        return None
    # The code as it was in the funding year (codes were reused after 1/7/2025).
    found = resolve_code_in_year(code, year) if code else None
    unit = found.unit if found else None
    if unit is None:
        info.error(2, 1, _("không có đơn vị mã “%(c)s” trong năm %(y)s.") % {"c": code, "y": year})
        return None
    try:
        scope.require(unit, write=True)
    except (Http404, PermissionDenied):
        info.error(
            2,
            1,
            _("đơn vị “%(c)s” ngoài phạm vi bạn được nhập.") % {"c": code}
            + " "
            + found.describe()
            + ".",
        )
        return None
    report.note_code(info.sheet, 2, "B", found)
    return unit, year


def _funding_ops(wb, report: ImportReport, unit: Unit, year: int, user) -> list:
    ops = []
    sources = {s.code: s for s in FundingSource.objects.all()}
    r = _Reader(report, FUNDING)
    table = {}
    for i, values in enumerate(_rows(wb, FUNDING), start=2):
        if _blank(values):
            continue
        source = sources.get(r.text(values, i, 0))
        if source is None:
            r.error(
                i, 0, _("mã nguồn “%(c)s” không có trong danh mục.") % {"c": r.text(values, i, 0)}
            )
            continue
        if source.pk in table:
            r.error(i, 0, _("nguồn vốn lặp lại."))
            continue
        allocated = r.number(values, i, 2, integer=True)
        disbursed = r.number(values, i, 3, integer=True)
        table[source.pk] = (source, allocated, disbursed, r.text(values, i, 4), i)
    existing = set(Funding.objects.filter(unit=unit, year=year).values_list("source_id", flat=True))
    for source, allocated, disbursed, note, i in table.values():
        if allocated is None or disbursed is None:
            continue
        if not allocated and not disbursed and source.pk not in existing and not note:
            continue
        ops.append(
            (
                services.funding_save,
                {
                    "source": source,
                    "allocated": allocated,
                    "disbursed": disbursed,
                    "note": note,
                    "user": user,
                },
                FUNDING,
                i,
            )
        )
    return ops


def _contribution_ops(wb, report: ImportReport, unit: Unit, year: int, user) -> list:
    ops = []
    r = _Reader(report, CONTRIB)
    contrib_rows = [(i, v) for i, v in enumerate(_rows(wb, CONTRIB), start=2) if not _blank(v)]
    if len(contrib_rows) > 1:
        r.error(contrib_rows[1][0], 0, _("chỉ nhập một dòng đóng góp cho đơn vị và năm."))
    for i, values in contrib_rows[:1]:
        land = r.number(values, i, 0, integer=False)
        workdays = r.number(values, i, 1, integer=True)
        cash = r.number(values, i, 2, integer=True)
        materials_value = r.number(values, i, 3, integer=True)
        if None not in (land, workdays, cash, materials_value):
            has_row = Contribution.objects.filter(unit=unit, year=year).exists()
            if has_row or land or workdays or cash or materials_value:
                ops.append(
                    (
                        services.contribution_save,
                        {
                            "land_m2": land,
                            "workdays": workdays,
                            "cash": cash,
                            "materials_value": materials_value,
                            "materials": r.text(values, i, 4),
                            "user": user,
                        },
                        CONTRIB,
                        i,
                    )
                )
    return ops


def _model_ops(wb, report: ImportReport, unit: Unit, year: int) -> list:
    ops = []
    r = _Reader(report, MODELS)
    for i, values in enumerate(_rows(wb, MODELS), start=2):
        if _blank(values):
            continue
        kind = r.choice(values, i, 1, ModelKind.choices)
        name = r.text(values, i, 2)
        if not name:
            r.error(i, 2, _("cần tên mô hình."))
        year_recognised = r.year(values, i, 3)
        status = r.choice(values, i, 4, ModelStatus.choices)
        lost_year = r.year(values, i, 5, required=False)
        site_code = r.text(values, i, 0)
        site_unit = unit if not site_code else unit_by_code(site_code, year=year_recognised or year)
        if site_unit is None or not site_unit.path.startswith(unit.path):
            r.error(
                i,
                0,
                _("không có thôn/xã mã “%(c)s” thuộc %(u)s.") % {"c": site_code, "u": unit.name},
            )
            continue
        if None in (kind, year_recognised, status) or not name:
            continue
        site = ModelSite.objects.filter(unit=site_unit, kind=kind, name=name).first()
        ops.append(
            (
                services.model_site_save,
                {
                    "unit": site_unit,
                    "kind": kind,
                    "name": name,
                    "year_recognised": year_recognised,
                    "status": status,
                    "lost_year": lost_year,
                    "site": site,
                },
                MODELS,
                i,
            )
        )
    return ops


def _activity_ops(wb, report: ImportReport, unit: Unit, year: int) -> list:
    ops = []
    r = _Reader(report, ACTIVITIES)
    for i, values in enumerate(_rows(wb, ACTIVITIES), start=2):
        if _blank(values):
            continue
        kind = r.choice(values, i, 0, ActivityKind.choices)
        name = r.text(values, i, 1)
        if not name:
            r.error(i, 1, _("cần tên hoạt động."))
        try:
            day = parse_vi_date(r.raw(values, i, 2))
        except CellValueError as exc:
            r.error(i, 2, str(exc))
            continue
        if day is None:
            r.error(i, 2, _("cần ngày (dd/mm/yyyy)."))
            continue
        if day.year != year:
            r.error(i, 2, _("ngày phải thuộc năm %(y)s.") % {"y": year})
            continue
        planned = r.number(values, i, 5, integer=True)
        actual = r.number(values, i, 6, integer=True)
        if None in (kind, planned, actual) or not name:
            continue
        activity = Activity.objects.filter(unit=unit, kind=kind, name=name, date=day).first()
        ops.append(
            (
                services.activity_save,
                {
                    "kind": kind,
                    "name": name,
                    "date": day,
                    "organiser": r.text(values, i, 3),
                    "measure": r.text(values, i, 4) or "người",
                    "planned": planned,
                    "actual": actual,
                    "activity": activity,
                },
                ACTIVITIES,
                i,
            )
        )
    return ops


def _run_ops(ops: list, report: ImportReport, scope: Scope, unit: Unit, year: int, dry_run: bool):
    """Every write in one transaction (rolled back for a dry run, or at the first refusal)."""
    where = ("—", 0)
    try:
        with transaction.atomic():
            for fn, kwargs, *where in ops:  # noqa: B007 (where: named in errors)
                kwargs.setdefault("unit", unit)
                if fn is not services.activity_save and fn is not services.model_site_save:
                    kwargs["year"] = year
                is_new = kwargs.get("site") is None and kwargs.get("activity") is None
                if fn in (services.funding_save, services.contribution_save, _save_rate):
                    kwargs = dict(kwargs)
                    _obj, is_new = fn(scope=scope, **kwargs)
                else:
                    kwargs.pop("user", None)
                    fn(scope=scope, **kwargs)
                if is_new:
                    report.created += 1
                else:
                    report.updated += 1
            if dry_run:
                transaction.set_rollback(True)
    except ResourceError as exc:
        column = _FIELD_COLUMNS.get(where[0], {}).get(exc.field, "—")
        report.add(where[0], where[1], column, str(exc))
        report.created = report.updated = 0
    except (Http404, PermissionDenied):
        report.add(where[0], where[1], "A", _("đơn vị ngoài phạm vi bạn được nhập."))
        report.created = report.updated = 0


def _rate_ops(wb, report: ImportReport, scope: Scope, unit: Unit) -> list:
    """The province's valuation rates of the year from the MucQuyDoi sheet (if filled)."""
    rows = [(i, v) for i, v in enumerate(_rows(wb, RATES) or [], start=2) if not _blank(v)]
    if not rows:
        return []
    r = _Reader(report, RATES)
    i, values = rows[0]
    if len(rows) > 1:
        r.error(rows[1][0], 0, _("chỉ nhập một dòng mức quy đổi cho tỉnh và năm."))
    if unit.level != Level.PROVINCE:
        r.error(i, 0, _("chỉ tỉnh quy định mức quy đổi; tệp này của %(u)s.") % {"u": unit.name})
        return []
    user = scope.user
    if user is not None and not (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR):
        r.error(i, 0, _("chỉ Văn phòng Điều phối NTM tỉnh nhập mức quy đổi."))
        return []
    land = r.number(values, i, 0, integer=True)
    workday = r.number(values, i, 1, integer=True)
    if land is None or workday is None:
        return []
    rate = {
        "land_per_m2": land or None,
        "workday": workday or None,
        "decision": r.text(values, i, 2),
    }
    return [(_save_rate, rate, RATES, i)]


def _save_rate(*, scope: Scope, unit: Unit, year: int, user=None, **values):
    existed = ConversionRate.objects.filter(province=unit, year=year).exists()
    rate = services.rate_save(scope=scope, province=unit, year=year, **values)
    return rate, not existed


# -- exports ---------------------------------------------------------------------------------

EXPORTS = {
    "fundings": (
        [
            "Mã đơn vị",
            "Đơn vị",
            "Năm",
            "Nguồn vốn",
            "Kế hoạch vốn (đồng)",
            "Giải ngân (đồng)",
            "Tỷ lệ giải ngân (%)",
        ],
        lambda f: [
            f.unit.code,
            f.unit.name,
            f.year,
            f.source.name,
            f.allocated,
            f.disbursed,
            None if f.disbursement_rate is None else float(f.disbursement_rate * 100),
        ],
    ),
    "contributions": (
        ["Mã đơn vị", "Đơn vị", "Năm", *CONTRIB_HEADERS],
        lambda c: [
            c.unit.code,
            c.unit.name,
            c.year,
            c.land_m2,
            c.workdays,
            c.cash,
            c.materials_value,
            c.materials,
        ],
    ),
    "projects": (
        ["Mã đơn vị", "Đơn vị", "Năm", "Tên công trình", "Tiêu chí", "Tổng vốn (đồng)"],
        lambda p: [
            p.unit.code,
            p.unit.name,
            p.year,
            p.name,
            p.criterion.code if p.criterion else "",
            p.amount,
        ],
    ),
    "models": (
        ["Mã đơn vị", "Đơn vị", *MODEL_HEADERS[1:]],
        lambda m: [
            m.unit.code,
            m.unit.name,
            m.get_kind_display(),
            m.name,
            m.year_recognised,
            m.get_status_display(),
            m.lost_year,
        ],
    ),
    "activities": (
        ["Mã đơn vị", "Đơn vị", *ACTIVITY_HEADERS, "Tỷ lệ đạt (%)"],
        lambda a: [
            a.unit.code,
            a.unit.name,
            a.get_kind_display(),
            a.name,
            a.date.strftime("%d/%m/%Y"),
            a.organiser,
            a.measure,
            a.planned,
            a.actual,
            None if a.attainment is None else float(a.attainment * 100),
        ],
    ),
}


def resources_export(what: str, queryset) -> bytes:
    headers, row = EXPORTS[what]
    wb = Workbook()
    ws = wb.active
    ws.title = what
    write_table(ws, headers, (row(obj) for obj in queryset.iterator(chunk_size=2000)))
    return workbook_bytes(wb)
