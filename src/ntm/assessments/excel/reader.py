"""Reading the workbook: the guide sheet (set and year), the grids, the communes by code."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ntm.assessments.excel.common import (
    _CRITERION_HEADER,
    FIXED_COLUMNS,
    SHEET_GUIDE,
    SHEET_RESULTS,
    _info_headers,
    _labels,
    _reason_number,
    _SetInfo,
    not_found_message,
    unit_in_scope,
)
from ntm.criteria.models import AppliesTo, CriteriaSet
from ntm.criteria.selectors import criteria_sets_visible
from ntm.excel import (
    ImportReport,
    cell_text,
    is_formula,
    unescape_cell,
)
from ntm.units.models import Kind, Level, Unit
from ntm.units.resolver import resolve_codes, year_day
from ntm.units.text import fold


@dataclass
class _Line:
    sheet: str
    row: int
    code: str
    cells: list  # (column letter, target criterion/indicator/_Reason, raw value)
    version: int | None = None  # the hidden "Phiên bản" cell: the version the file was made from
    version_letter: str | None = None  # its column (None: the sheet has no such column)
    unit: Unit | None = None


@dataclass(frozen=True)
class _Reason:
    """A "Lý do TCn" column: the reason of the criterion's manual result."""

    criterion: object


def _reason_text(raw) -> str:
    if isinstance(raw, str):
        return unescape_cell(raw).strip()  # the export escapes text such as "- Biên bản"
    return cell_text(raw)


def _commune_code(raw) -> str:
    text = cell_text(raw)
    return text.zfill(5) if text.isdigit() else text


def _read_guide(wb, report: ImportReport, scope) -> tuple[CriteriaSet | None, int | None]:
    if SHEET_GUIDE not in wb.sheetnames:
        report.add(
            SHEET_GUIDE,
            0,
            "-",
            _(
                "Không có trang “%(sheet)s” (mã bộ tiêu chí và năm); hãy dùng tệp mẫu tải từ hệ thống."
            )
            % {"sheet": SHEET_GUIDE},
        )
        return None, None
    found = {}
    set_labels, year_labels = _labels("Mã bộ tiêu chí"), _labels("Năm đánh giá", "Năm")
    for row_no, row in enumerate(wb[SHEET_GUIDE].iter_rows(values_only=True, max_col=2), start=1):
        if not row:
            continue
        label = fold(cell_text(row[0]))
        value = row[1] if len(row) > 1 else None
        if label in set_labels and "set" not in found:
            found["set"] = (row_no, value)
        elif label in year_labels and "year" not in found:
            found["year"] = (row_no, value)
    cset = year = None
    row_no, raw = found.get("set", (0, None))
    code = cell_text(raw)
    if is_formula(raw):
        report.add(SHEET_GUIDE, row_no, "B", _("Không chấp nhận công thức; hãy nhập giá trị."))
    elif not code:
        report.add(SHEET_GUIDE, row_no, "B", _("Thiếu mã bộ tiêu chí (dòng “Mã bộ tiêu chí”)."))
    else:
        cset = criteria_sets_visible(scope).filter(code=code).first()
        if cset is None:
            report.add(
                SHEET_GUIDE, row_no, "B", _("Không có bộ tiêu chí mã “%(code)s”.") % {"code": code}
            )
        elif cset.applies_to != AppliesTo.COMMUNE:
            report.add(
                SHEET_GUIDE,
                row_no,
                "B",
                _("Bộ %(code)s không phải bộ tiêu chí xã.") % {"code": cset.code},
            )
            cset = None
    row_no, raw = found.get("year", (0, None))
    text = cell_text(raw)
    if is_formula(raw):
        report.add(SHEET_GUIDE, row_no, "B", _("Không chấp nhận công thức; hãy nhập giá trị."))
    elif not text:
        report.add(SHEET_GUIDE, row_no, "B", _("Thiếu năm đánh giá (dòng “Năm đánh giá”)."))
    elif not (text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
        report.add(SHEET_GUIDE, row_no, "B", _("Năm “%(raw)s” không hợp lệ.") % {"raw": text})
    else:
        year = int(text)
        if cset is not None and not cset.period_start <= year <= cset.period_end:
            report.add(
                SHEET_GUIDE,
                row_no,
                "B",
                _(
                    "Bộ %(code)s áp dụng cho giai đoạn %(start)s-%(end)s, không áp dụng cho năm %(year)s."
                )
                % {
                    "code": cset.code,
                    "start": cset.period_start,
                    "end": cset.period_end,
                    "year": year,
                },
            )
            year = None
    return cset, year


def _header_target(sheet: str, raw, info: _SetInfo):
    """The criterion or indicator a header names; None for information columns; a message
    (str) for a header that names nothing in the set."""
    text = cell_text(raw)
    if sheet == SHEET_RESULTS:
        number = _reason_number(text)
        if number is not None:
            found = next((c for c in info.criteria if c.number == number), None)
            if found is not None:
                return _Reason(found)
            return _(
                "Cột “%(header)s”: tiêu chí TC%(n)s không có trong bộ %(code)s (có %(range)s)."
            ) % {
                "header": text,
                "n": number,
                "code": info.cset.code,
                "range": info.criterion_range,
            }
        match = _CRITERION_HEADER.match(text.replace(" ", ""))
        if match:
            number = int(match.group(1))
            found = next((c for c in info.criteria if c.number == number), None)
            if found is not None:
                return found
            return _("Tiêu chí TC%(n)s không có trong bộ %(code)s (có %(range)s).") % {
                "n": number,
                "code": info.cset.code,
                "range": info.criterion_range,
            }
        if fold(text) in _info_headers():
            return None
        return _("Cột “%(header)s” không phải là tiêu chí của bộ %(code)s (có %(range)s).") % {
            "header": text,
            "code": info.cset.code,
            "range": info.criterion_range,
        }
    candidates = [text, text.replace(" ", "")]
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        candidates.append(str(raw))
    for candidate in candidates:
        if candidate in info.by_header:
            return info.by_header[candidate]
    if fold(text) in _info_headers():
        return None
    return _("Cột “%(header)s” không phải là mã chỉ tiêu của bộ %(code)s.") % {
        "header": text,
        "code": info.cset.code,
    }


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_columns(sheet: str, header, info: _SetInfo, report: ImportReport):
    """{column index: indicator, criterion or reason} of the header row, and the index of the
    hidden version column (or None); unknown, repeated or formula headers are reported."""
    columns: dict[int, object] = {}
    seen: dict[tuple[str, int], str] = {}
    version_idx = None
    for idx in range(FIXED_COLUMNS, len(header)):
        raw = header[idx]
        letter = get_column_letter(idx + 1)
        if _blank(raw):
            continue
        if is_formula(raw):
            report.add(sheet, 1, letter, _("Không chấp nhận công thức; hãy nhập giá trị."))
            continue
        if fold(cell_text(raw)) in _labels("Phiên bản"):
            key, target = ("version", 0), None
        else:
            target = _header_target(sheet, raw, info)
            if isinstance(target, str):
                report.add(sheet, 1, letter, target)
                continue
            if target is None:
                continue
            key = (
                ("reason", target.criterion.pk) if isinstance(target, _Reason) else ("", target.pk)
            )
        if key in seen:
            report.add(
                sheet,
                1,
                letter,
                _("Cột “%(header)s” lặp lại (đã có ở cột %(other)s).")
                % {"header": cell_text(raw), "other": seen[key]},
            )
            continue
        seen[key] = letter
        if target is None:
            version_idx = idx
        else:
            columns[idx] = target
    return columns, version_idx


def _read_grid(wb, sheet: str, info: _SetInfo, report: ImportReport) -> list[_Line]:
    rows = wb[sheet].iter_rows(values_only=True)
    header = next(rows, None) or ()
    if not header or fold(cell_text(header[0])) not in _labels("Mã xã"):
        report.add(sheet, 1, "A", _("Ô A1 phải là “Mã xã”; hãy dùng tệp mẫu tải từ hệ thống."))
        return []
    columns, version_idx = _header_columns(sheet, header, info, report)
    lines = []
    for row_no, row in enumerate(rows, start=2):
        if not row:
            continue
        if row_no == 2 and fold(cell_text(row[0])) in _labels("Tên tiêu chí →", "Tên chỉ tiêu →"):
            continue  # the names row
        cells = [
            (get_column_letter(idx + 1), target, row[idx])
            for idx, target in columns.items()
            if idx < len(row) and not _blank(row[idx])
        ]
        if not cells:  # nothing to import on this row (its code is not even looked at)
            continue
        code_raw = row[0]
        if is_formula(code_raw):
            report.add(sheet, row_no, "A", _("Không chấp nhận công thức; hãy nhập giá trị."))
            continue
        code = _commune_code(code_raw)
        if not code:
            report.add(sheet, row_no, "A", _("Thiếu mã xã."))
            continue
        kept = []
        for letter, target, raw in cells:
            if is_formula(raw):
                report.add(sheet, row_no, letter, _("Không chấp nhận công thức; hãy nhập giá trị."))
            else:
                kept.append((letter, target, raw))
        line = _Line(sheet, row_no, code, kept)
        if version_idx is not None:
            line.version_letter = get_column_letter(version_idx + 1)
            raw = row[version_idx] if version_idx < len(row) else None
            text = cell_text(raw)
            if is_formula(raw) or (text and not (text.isascii() and text.isdigit())):
                report.add(
                    sheet,
                    row_no,
                    line.version_letter,
                    _(
                        "Phiên bản “%(raw)s” không hợp lệ; không sửa cột ẩn “Phiên bản” (hãy tải lại mẫu)."
                    )
                    % {"raw": text},
                )
            elif text:
                line.version = int(text)
        lines.append(line)
    return lines


def _resolve_units(lines: list[_Line], scope, year: int, report: ImportReport) -> None:
    """Each row's commune by its code on the year's reference day (31/12; a commune that ended
    during the year, on a day of the year), through the resolver: a code reused after the 2025
    reorganisation is read as the unit it named in that year."""
    day = year_day(year)
    found = resolve_codes({(line.code, day) for line in lines}, level=Level.COMMUNE)
    seen: dict[tuple[str, int], int] = {}
    for line in lines:
        resolved = found[(line.code, day)]
        unit = unit_in_scope(resolved, scope, datetime.date(year, 1, 1), day)
        if unit is None:
            known = [u for u in (resolved.unit, *resolved.others) if u and scope.contains(u)]
            if known:
                message = _("%(name)s (mã %(code)s) không có hiệu lực trong năm %(year)s.") % {
                    "name": known[0].name,
                    "code": known[0].code,
                    "year": year,
                }
                message += " " + resolved.describe() + "."
            else:
                message = not_found_message(resolved, _("Mã xã"))
            report.add(line.sheet, line.row, "A", message)
            continue
        if unit.kind != Kind.COMMUNE:
            report.add(
                line.sheet,
                line.row,
                "A",
                _("%(name)s là %(kind)s, không phải xã; chỉ xã được đánh giá theo bộ tiêu chí xã.")
                % {"name": unit.name, "kind": unit.get_kind_display().lower()},
            )
            continue
        key = (line.sheet, unit.pk)
        if key in seen:
            report.add(
                line.sheet,
                line.row,
                "A",
                _("Xã %(code)s lặp lại (đã có ở dòng %(row)s).")
                % {"code": unit.code, "row": seen[key]},
            )
            continue
        seen[key] = line.row
        line.unit = unit
        report.note_code(line.sheet, line.row, "A", resolved.taking(unit))
