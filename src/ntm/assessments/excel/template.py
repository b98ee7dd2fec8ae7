"""The template to fill and the export that reads back in (same layout)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ntm.assessments.excel.common import (
    FIRST_DATA_ROW,
    FIXED_COLUMNS,
    SHEET_GUIDE,
    SHEET_RESULTS,
    SHEET_VALUES,
    _final,
    _met_label,
    _reason_header,
    _require_commune_set,
    _SetInfo,
    _Stored,
    _stored,
    _version_header,
    _yes_no_label,
)
from ntm.assessments.models import CriterionResult, State
from ntm.criteria.models import CriteriaSet, IndicatorKind
from ntm.excel import (
    add_choice_validation_columns,
    protect_sheet,
    workbook_bytes,
    write_table,
)
from ntm.units.models import Unit
from ntm.units.selectors import communes_of


def _communes(scope, unit: Unit, year: int) -> list[Unit]:
    return list(
        scope.filter(communes_of(unit, year), field="").select_related("parent").order_by("code")
    )


def _number_cell(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# -- template and export -----------------------------------------------------------------


def _style_names_row(ws, columns: int) -> None:
    for col in range(1, columns + 1):
        cell = ws.cell(row=2, column=col)
        cell.font = Font(italic=True, size=9)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 75
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=FIXED_COLUMNS + 1).coordinate


def _fixed(commune: Unit) -> list:
    return [commune.code, commune.name, commune.parent.name if commune.parent_id else ""]


def _manual_reason(result: CriterionResult | None) -> str | None:
    if result is None or result.manual is None:
        return None
    return result.manual_reason or None


def _version_cell(s: "_Stored | None") -> int | None:
    return s.assessment.version if s else None


def _hide_version_column(ws, column: int) -> None:
    """The last column: the version of each stored assessment, hidden and locked."""
    ws.column_dimensions[get_column_letter(column)].hidden = True


def _write_results_sheet(ws, info, communes, stored, *, export: bool) -> None:
    n = len(info.criteria)
    headers = [
        _("Mã xã"),
        _("Tên xã"),
        _("Huyện"),
        *(c.code for c in info.criteria),
        *(_reason_header(c) for c in info.criteria),
    ]
    names = [
        _("Tên tiêu chí →"),
        "",
        "",
        *(c.name for c in info.criteria),
        *(
            _("Bắt buộc khi %(code)s khác kết quả tính từ chỉ tiêu hoặc chưa tính được")
            % {"code": c.code}
            for c in info.criteria
        ),
    ]
    if export:
        headers += [_("Số tiêu chí đạt"), _("Đạt chuẩn"), _("Trạng thái")]
        names += ["", "", ""]
    headers.append(_version_header())
    names.append(_("Không sửa cột này"))
    rows = [names]
    for commune in communes:
        s = stored.get(commune.pk)
        row = _fixed(commune)
        results = [s.results.get(c.pk) if s else None for c in info.criteria]
        row += [_met_label(_final(r)) for r in results]
        row += [_manual_reason(r) for r in results]
        if export:
            a = s.assessment if s else None
            row += (
                [a.criteria_met, _yes_no_label(a.meets_standard), str(State(a.state).label)]
                if a
                else [None, None, None]
            )
        row.append(_version_cell(s))
        rows.append(row)
    write_table(ws, headers, rows, widths={1: 10, 2: 26, 3: 22})
    _style_names_row(ws, len(headers))
    inputs = list(range(FIXED_COLUMNS + 1, FIXED_COLUMNS + 1 + n))
    reasons = list(range(FIXED_COLUMNS + 1 + n, FIXED_COLUMNS + 1 + 2 * n))
    last = FIRST_DATA_ROW + len(communes) - 1
    add_choice_validation_columns(ws, inputs, [_("Đạt"), _("Chưa đạt")], FIRST_DATA_ROW, last)
    for criterion, col in zip(info.criteria, inputs, strict=True):
        ws.column_dimensions[get_column_letter(col)].width = 11
        if criterion.department:
            ws.cell(row=1, column=col).comment = Comment(
                _("Sở, ngành phụ trách: %(department)s") % {"department": criterion.department},
                "NTM",
            )
    for col in reasons:
        ws.column_dimensions[get_column_letter(col)].width = 24
    _hide_version_column(ws, len(headers))
    editable = inputs + reasons
    protect_sheet(ws, unlocked=[(r, c) for r in range(FIRST_DATA_ROW, last + 1) for c in editable])


def _indicator_name(indicator) -> str:
    return f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name


def _write_values_sheet(ws, info, communes, stored) -> None:
    headers = [
        _("Mã xã"),
        _("Tên xã"),
        _("Huyện"),
        *(info.indicator_header[i.pk] for i in info.indicators),
        _version_header(),
    ]
    names = [
        _("Tên chỉ tiêu →"),
        "",
        "",
        *(_indicator_name(i) for i in info.indicators),
        _("Không sửa cột này"),
    ]
    rows = [names]
    for commune in communes:
        s = stored.get(commune.pk)
        row = _fixed(commune)
        for indicator in info.indicators:
            value = s.values.get(indicator.pk) if s else None
            if value is None:
                row.append(None)
            elif indicator.kind == IndicatorKind.BOOLEAN:
                row.append(_yes_no_label(value.value_bool))
            else:
                row.append(_number_cell(value.value_number))
        row.append(_version_cell(s))
        rows.append(row)
    write_table(ws, headers, rows, widths={1: 10, 2: 26, 3: 22})
    _style_names_row(ws, len(headers))
    _hide_version_column(ws, len(headers))
    first_input = FIXED_COLUMNS + 1
    inputs = list(range(first_input, first_input + len(info.indicators)))
    last = FIRST_DATA_ROW + len(communes) - 1
    yes_no = [
        col
        for col, i in zip(inputs, info.indicators, strict=True)
        if i.kind == IndicatorKind.BOOLEAN
    ]
    add_choice_validation_columns(ws, yes_no, [_("Có"), _("Không")], FIRST_DATA_ROW, last)
    criterion_of = {c.pk: c for c in info.criteria}
    for col, indicator in zip(inputs, info.indicators, strict=True):
        ws.column_dimensions[get_column_letter(col)].width = 12
        criterion = criterion_of[indicator.criterion_id]
        kind = (
            _("Có/Không")
            if indicator.kind == IndicatorKind.BOOLEAN
            else _("số, dấu phẩy thập phân (72,5)")
        )
        ws.cell(row=1, column=col).comment = Comment(
            f"{criterion.code}. {criterion.name}\n{_indicator_name(indicator)}\n{kind}", "NTM"
        )
    protect_sheet(ws, unlocked=[(r, c) for r in range(FIRST_DATA_ROW, last + 1) for c in inputs])


def _write_guide_sheet(ws, unit: Unit, year: int, cset: CriteriaSet) -> None:
    rows = [
        [_("Hướng dẫn nhập kết quả đánh giá xã nông thôn mới")],
        [],
        [_("Mã bộ tiêu chí"), cset.code],
        [_("Tên bộ tiêu chí"), cset.name],
        [_("Năm đánh giá"), year],
        [_("Đơn vị"), unit.code, unit.name],
        [_("Ngày tạo tệp"), timezone.localdate().strftime("%d/%m/%Y")],
        [],
        [_("Cách nhập")],
        [_("1. Trang “KetQua”: mỗi xã một dòng; mỗi tiêu chí chọn “Đạt” hoặc “Chưa đạt”.")],
        [
            _(
                "2. Trang “ChiTieu”: giá trị từng chỉ tiêu; chỉ tiêu có/không chọn “Có” hoặc “Không”, chỉ tiêu số nhập số (dấu phẩy thập phân, ví dụ 72,5)."
            )
        ],
        [_("3. Ô để trống: giữ nguyên giá trị đang lưu trong hệ thống.")],
        [
            _(
                "4. Kết quả tiêu chí trùng với kết quả tính từ chỉ tiêu thì không phải nhập tay. Ghi kết quả khác với kết quả tính từ chỉ tiêu, hoặc khi chỉ tiêu chưa đủ để tính (chưa có giá trị hoặc chưa có ngưỡng), là kết quả nhập tay: bắt buộc ghi lý do ở cột “Lý do TCn” cùng dòng (ví dụ “Lý do TC2”), nếu không tệp bị báo lỗi. Lý do chỉ được lưu cho kết quả nhập tay."
            )
        ],
        [
            _(
                "5. Sửa chỉ tiêu mà để nguyên kết quả tiêu chí cũ ở trang “KetQua”: kết quả được tính lại từ chỉ tiêu mới (không thành nhập tay)."
            )
        ],
        [
            _(
                "6. Không sửa mã xã, dòng tiêu đề và trang này; không dùng công thức. Kết quả đã phê duyệt (khóa) cần được mở lại trước khi nhập."
            )
        ],
        [
            _(
                "7. Cột ẩn “Phiên bản” ghi phiên bản kết quả của từng xã lúc tạo tệp. Nếu kết quả đã được sửa trên hệ thống sau đó, dòng của xã đó bị báo lỗi: hãy tải lại mẫu (hoặc xuất lại) rồi nhập."
            )
        ],
        [
            _(
                "8. Hệ thống kiểm tra toàn bộ tệp trước khi ghi: nếu có lỗi, không ghi gì và báo lỗi theo trang, dòng, cột."
            )
        ],
    ]
    for row in rows:
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A9"].font = Font(bold=True)
    for cell in ("A3", "A4", "A5", "A6", "A7"):
        ws[cell].font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 40
    protect_sheet(ws)


def _workbook(*, scope, unit: Unit, year: int, criteria_set: CriteriaSet, export: bool) -> bytes:
    _require_commune_set(criteria_set)
    info = _SetInfo.load(criteria_set)
    communes = _communes(scope, unit, year)
    stored = _stored([c.pk for c in communes], year, criteria_set)
    wb = Workbook()
    results = wb.active
    results.title = SHEET_RESULTS
    _write_results_sheet(results, info, communes, stored, export=export)
    _write_values_sheet(wb.create_sheet(SHEET_VALUES), info, communes, stored)
    _write_guide_sheet(wb.create_sheet(SHEET_GUIDE), unit, year, criteria_set)
    return workbook_bytes(wb)


def assessments_template(*, scope, unit: Unit, year: int, criteria_set: CriteriaSet) -> bytes:
    """The workbook to fill: every xã of `unit` valid in `year`, pre-filled with what is stored."""
    return _workbook(scope=scope, unit=unit, year=year, criteria_set=criteria_set, export=False)


def assessments_export(*, scope, unit: Unit, year: int, criteria_set: CriteriaSet) -> bytes:
    """The template's layout filled with the stored results, plus counts, standard and state."""
    return _workbook(scope=scope, unit=unit, year=year, criteria_set=criteria_set, export=True)
