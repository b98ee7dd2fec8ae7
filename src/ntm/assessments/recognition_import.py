"""The import of a decisions workbook (sheet "CongNhan") and its template.

Every row is checked and applied in decision-date order by the rules of
`recognitions.recognition_record`, inside one transaction: all written or none. A history
import (go-live) takes decisions dated before a cut-off day the province chooses as they stand:
such rows need no per-row override reason; the batch's one reason is written to each decision's
history record.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter

from ntm.accounts.models import Role
from ntm.assessments.excel import SystemUserError, system_user
from ntm.assessments.excel.common import not_found_message, unit_in_scope
from ntm.assessments.models import RecognitionAction
from ntm.assessments.recognitions import (
    _UNIT_LEVEL,
    SHEET,
    RecognitionError,
    _date,
    recognition_record,
)
from ntm.criteria.models import AppliesTo
from ntm.criteria.selectors import criteria_sets_visible
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
from ntm.faults import maybe_die
from ntm.units.resolver import resolve_codes
from ntm.units.text import fold

# field -> (Vietnamese header, required)
COLUMNS = {
    "unit": ("Mã xã", True),
    "criteria_set": ("Mã bộ tiêu chí", True),
    "decision_number": ("Số quyết định", True),
    "decision_date": ("Ngày quyết định", True),
    "action": ("Công nhận/Thu hồi", True),
    "override_reason": ("Lý do", False),
    "year": ("Năm", False),
    "signer": ("Người ký", False),
}
_ALIASES = {"unit": ("Mã đơn vị",), "year": ("Năm đánh giá",)}
_IGNORED = ("STT", "Tên xã", "Tên đơn vị", "Huyện", "Ghi chú")
# The column an error is shown at when the field at fault has no column of its own.
_FALLBACK = {"override_reason": "action", "level": "criteria_set", "year": "decision_date"}
SHEET_GUIDE = "HuongDan"
TEMPLATE_ROWS = 1000
HISTORY_REASON_MAX = 100  # simple_history's history_change_reason


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def _header_map() -> dict[str, str]:
    found = {}
    for field, (label, _required) in COLUMNS.items():
        for text in (label, _(label), *_ALIASES.get(field, ())):
            found[_key(text)] = field
    for text in _IGNORED:
        found.setdefault(_key(text), "")
        found.setdefault(_key(_(text)), "")
    return found


def recognitions_template() -> bytes:
    """The "CongNhan" workbook to fill (the columns the import reads; codes as text, dates as
    dates) and a "HuongDan" sheet on how to fill it."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = [label for label, _required in COLUMNS.values()]
    write_table(ws, headers, [], widths={1: 10, 2: 16, 3: 18, 4: 16, 5: 18, 6: 40})
    add_choice_validation(ws, 5, ["Công nhận", "Thu hồi"], 2, TEMPLATE_ROWS)
    for row in range(2, TEMPLATE_ROWS + 1):
        ws.cell(row=row, column=1).number_format = "@"  # codes keep their leading zeros
        ws.cell(row=row, column=4).number_format = "DD/MM/YYYY"
    guide = wb.create_sheet(SHEET_GUIDE)
    for line in _guide_lines():
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    guide["A1"].font = Font(bold=True, size=13)
    return workbook_bytes(wb)


def _guide_lines() -> list[str]:
    return [
        _("Hướng dẫn nhập quyết định công nhận, thu hồi"),
        "",
        _("1. Trang “CongNhan”: mỗi dòng một quyết định; dòng 1 là tiêu đề, không sửa."),
        _(
            "2. Mã xã: mã đơn vị của xã vào ngày quyết định (mã có thể được dùng lại sau sắp xếp đơn vị hành chính; hệ thống lấy đơn vị có hiệu lực vào ngày quyết định)."
        ),
        _(
            "3. Mã bộ tiêu chí: bộ tiêu chí đã dùng để công nhận (xem danh sách bộ tiêu chí); mức công nhận lấy theo bộ tiêu chí."
        ),
        _("4. Ngày quyết định: ô ngày của Excel, hoặc văn bản dd/mm/yyyy hay yyyy-mm-dd."),
        _(
            "5. Công nhận/Thu hồi: chọn trong danh sách. Năm: năm đánh giá (để trống: năm của ngày quyết định)."
        ),
        _(
            "6. Lý do: bắt buộc khi công nhận mà xã chưa có kết quả đánh giá năm đó đã phê duyệt và đạt chuẩn."
        ),
        _(
            "7. Nhập lịch sử (khi bắt đầu dùng hệ thống): chọn ngày mốc và ghi một lý do chung; các quyết định trước ngày mốc được ghi như đã ban hành, không cần lý do từng dòng; lý do chung được ghi vào nhật ký thay đổi."
        ),
        _(
            "8. Hệ thống kiểm tra toàn bộ tệp trước khi ghi: có lỗi thì không ghi gì và báo lỗi theo trang, dòng, cột."
        ),
    ]


def recognitions_import(
    *,
    data: bytes,
    scope,
    user,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    history_before: datetime.date | None = None,
    history_reason: str = "",
) -> ImportReport:
    """Import decisions from sheet "CongNhan": every row checked, all written or none.

    Rows are applied in decision-date order, so a file may recognise a commune and later
    revoke it. The rules are those of `recognition_record`, applied inside one transaction
    that is rolled back when any row fails (or on a dry run). With `history_before`, decisions
    dated before that day are history: taken as they stand (no approved assessment or per-row
    reason needed), with `history_reason` in the audit log of each.
    """
    report = ImportReport(dry_run=dry_run)
    if not scope.can_write or (
        user is not None and not (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR)
    ):
        report.add(
            "-", 0, "-", _("Chỉ Văn phòng Điều phối NTM tỉnh được nhập quyết định công nhận.")
        )
        return report
    batch_reason = _history_reason(history_before, history_reason, report)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    if report.errors:
        return report
    if SHEET not in wb.sheetnames:
        report.add(
            "-",
            0,
            "-",
            _(
                "Tệp không có trang “%(sheet)s” (có: %(sheets)s); hãy dùng tệp mẫu (tải mẫu trên trang nhập, hoặc `ntm template recognitions`)."
            )
            % {"sheet": SHEET, "sheets": ", ".join(wb.sheetnames) or "—"},
        )
        return report
    rows = list(wb[SHEET].iter_rows(values_only=True))
    letters = _read_header(rows[0] if rows else (), report)
    if report.errors:
        return report
    parsed = _parse_rows(rows, letters, scope, report)
    with transaction.atomic():
        _apply(parsed, letters, report, user, dry_run, progress, history_before, batch_reason)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.created = 0
    return report


def _history_reason(before: datetime.date | None, reason: str, report: ImportReport) -> str:
    """The text written to the audit log of each historical decision ("" when none)."""
    reason = " ".join((reason or "").split())
    if before is None:
        return ""
    if before > timezone.localdate() + datetime.timedelta(days=1):
        report.add(
            "-",
            0,
            "-",
            _("Ngày mốc nhập lịch sử %(date)s sau ngày hôm nay.") % {"date": _date(before)},
        )
    if not reason:
        report.add(
            "-",
            0,
            "-",
            _("Nhập lịch sử cần một lý do chung (ví dụ: số hiệu văn bản tổng hợp của tỉnh)."),
        )
    text = _("Nhập lịch sử (trước %(date)s): %(reason)s") % {
        "date": _date(before),
        "reason": reason,
    }
    return text[:HISTORY_REASON_MAX]


def _apply(parsed, letters, report, user, dry_run, progress, history_before, batch_reason):
    step = progress or (lambda n: None)
    try:
        actor = user if user is not None or dry_run else system_user()
    except SystemUserError as exc:
        report.add("-", 0, "-", str(exc))
        return
    for row in sorted(parsed, key=lambda r: (r["decision_date"], r["row"])):
        history = history_before is not None and row["decision_date"] < history_before
        try:
            with transaction.atomic():
                recognition_record(
                    unit=row["unit"],
                    level=row["criteria_set"].level,
                    criteria_set=row["criteria_set"],
                    year=row["year"],
                    action=row["action"],
                    decision_number=row["decision_number"],
                    decision_date=row["decision_date"],
                    signer=row["signer"],
                    override_reason=row["override_reason"],
                    history_reason=batch_reason if history else "",
                    user=actor,
                )
            report.created += 1
        except RecognitionError as exc:
            column = letters.get(exc.field) or letters.get(_FALLBACK.get(exc.field, "")) or "A"
            report.add(SHEET, row["row"], column, str(exc))
        except PermissionDenied as exc:
            report.add(SHEET, row["row"], letters["unit"], str(exc))
        maybe_die("import")  # crash tests only (NTM_FAULT_AFTER_ROWS)
        step(1)


def _read_header(header, report: ImportReport) -> dict[str, str]:
    known = _header_map()
    letters: dict[str, str] = {}
    for idx, raw in enumerate(header):
        text = cell_text(raw)
        if not text:
            continue
        letter = get_column_letter(idx + 1)
        field = known.get(_key(text))
        if field is None:
            report.add(SHEET, 1, letter, _("Cột “%(header)s” không xác định.") % {"header": text})
        elif field and field in letters:
            report.add(SHEET, 1, letter, _("Cột “%(header)s” lặp lại.") % {"header": text})
        elif field:
            letters[field] = letter
    missing = [
        label for field, (label, required) in COLUMNS.items() if required and field not in letters
    ]
    if missing:
        report.add(SHEET, 1, "-", _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
    return letters


def _parse_rows(rows, letters: dict[str, str], scope, report: ImportReport) -> list[dict]:
    index = {field: column_index_from_string(letter) - 1 for field, letter in letters.items()}
    sets = {s.code.upper(): s for s in criteria_sets_visible(scope)}
    actions = {
        _key("Công nhận"): RecognitionAction.RECOGNISED,
        _key(_("Công nhận")): RecognitionAction.RECOGNISED,
        _key("Thu hồi"): RecognitionAction.REVOKED,
        _key(_("Thu hồi")): RecognitionAction.REVOKED,
    }
    parsed = []
    for row_no, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i] if i < len(row) else None) for f, i in index.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        item = {"row": row_no, "signer": "", "override_reason": ""}
        before = len(report.errors)

        def fail(field: str, message: str, row_no=row_no) -> None:
            report.add(SHEET, row_no, letters[field], message)

        formulas = [f for f, raw in cells.items() if is_formula(raw)]
        for field in formulas:
            fail(field, _("Không chấp nhận công thức; hãy nhập giá trị."))
        if formulas:
            continue

        code = cell_text(cells["criteria_set"]).upper()
        cset = sets.get(code)
        if cset is None:
            fail(
                "criteria_set",
                _("Không có bộ tiêu chí mã “%(code)s”.") % {"code": code}
                if code
                else _("Thiếu mã bộ tiêu chí."),
            )
        item["criteria_set"] = cset
        try:
            item["decision_date"] = parse_vi_date(cells["decision_date"])
        except CellValueError as exc:
            item["decision_date"] = None
            fail("decision_date", str(exc))
        else:
            if item["decision_date"] is None:
                fail("decision_date", _("Thiếu ngày quyết định."))
        item["decision_number"] = cell_text(cells["decision_number"])
        if not item["decision_number"]:
            fail("decision_number", _("Thiếu số quyết định."))
        action = actions.get(_key(cell_text(cells["action"])))
        if action is None:
            fail("action", _("Ghi “Công nhận” hoặc “Thu hồi”."))
        item["action"] = action
        year_text = cell_text(cells.get("year"))
        if year_text:
            if year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= 2100:
                item["year"] = int(year_text)
            else:
                fail("year", _("Năm “%(raw)s” không hợp lệ.") % {"raw": year_text})
        elif item["decision_date"] is not None:
            item["year"] = item["decision_date"].year
        item["override_reason"] = cell_text(cells.get("override_reason"))
        item["signer"] = cell_text(cells.get("signer"))
        item["code"] = cell_text(cells["unit"])
        if item["code"].isdigit() and cset is not None and cset.applies_to == AppliesTo.COMMUNE:
            item["code"] = item["code"].zfill(5)
        if not item["code"]:
            fail("unit", _("Thiếu mã xã."))
        if len(report.errors) == before:
            parsed.append(item)
    _resolve_units(parsed, scope, letters, report)
    return _drop_repeats(parsed, letters, report)


def _drop_repeats(parsed: list[dict], letters, report: ImportReport) -> list[dict]:
    """The rows with a unit, a decision repeated in the file reported (and left out)."""
    seen = {}
    kept = []
    for item in parsed:
        if item.get("unit") is None:
            continue
        key = (item["unit"].pk, item["criteria_set"].level, item["action"], item["decision_number"])
        if key in seen:
            report.add(
                SHEET,
                item["row"],
                letters["decision_number"],
                _("Quyết định này lặp lại dòng %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = item["row"]
        kept.append(item)
    return kept


def _resolve_units(items: list[dict], scope, letters, report: ImportReport) -> None:
    """Each row's unit by code and level on the decision date, through the resolver (a code
    reused after the 2025 reorganisation is read as the unit it named that day), else a unit
    of the code valid at some time in the assessment year."""
    by_level = defaultdict(list)
    for item in items:
        by_level[_UNIT_LEVEL.get(item["criteria_set"].applies_to)].append(item)
    for level, group in by_level.items():
        found = resolve_codes({(i["code"], i["decision_date"]) for i in group}, level=level)
        for item in group:
            resolved = found[(item["code"], item["decision_date"])]
            year = item["year"]
            unit = unit_in_scope(
                resolved, scope, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            )
            if unit is not None:
                item["unit"] = unit
                report.note_code(SHEET, item["row"], letters["unit"], resolved.taking(unit))
                continue
            known = [u for u in (resolved.unit, *resolved.others) if u and scope.contains(u)]
            if known:
                message = _("%(name)s không có hiệu lực vào ngày %(date)s.") % {
                    "name": known[0].name,
                    "date": _date(item["decision_date"]),
                }
                message += " " + resolved.describe() + "."
            else:
                message = not_found_message(resolved, _("Mã"))
            report.add(SHEET, item["row"], letters["unit"], message)
