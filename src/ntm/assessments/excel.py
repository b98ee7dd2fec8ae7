"""Assessments to and from Excel: the template, the import and the export that reads back in.

Layout (the same in the template and the export, so that an export imports unchanged):
- "KetQua": Mã xã, Tên xã, Huyện, then TC1…TCn (Đạt / Chưa đạt), then "Lý do TC1"…"Lý do TCn"
  (the reason of a manual result); the export adds the number of criteria met, the standard and
  the state. Row 1 holds the codes, row 2 the names.
- "ChiTieu": Mã xã, Tên xã, Huyện, then one column per indicator (header = its code, e.g.
  "2.1"; row 2 = name and unit). Yes/no indicators take Có / Không, the others a number.
- Both end with a hidden, locked column "Phiên bản": the version of each stored assessment
  when the file was made (blank: none stored).
- "HuongDan": the criteria set code and the year (the import reads them there) and how to fill.

The import checks the whole workbook before writing anything and writes in one transaction.
A blank cell leaves the stored value as it is. A criterion result typed in "KetQua" is a manual
result only when the indicators do not give it (they give the other result, or none) and the
row gives a reason in "Lý do TCn"; without a reason it is an error, as on the page
(`services.assessment_save`). A typed result equal to what the indicators give, or repeating
what the stored values gave before the file changed them, is not a manual result. A row that
would change an assessment whose version is not the file's is an error (someone saved it since
the file was made). Rows, values and results are written in bulk with their history; each
assessment touched is then recomputed by `services.assessment_recompute`, and
`state="approved"` moves it through the workflow with `services.assessment_transition`, as the
pages do.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from ntm.accounts.models import Role
from ntm.assessments import workflow
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, State
from ntm.assessments.services import (
    AssessmentError,
    assessment_recompute,
    assessment_transition,
    can_edit,
)
from ntm.criteria.engine import criterion_met, indicator_met, threshold_for
from ntm.criteria.models import AppliesTo, CriteriaSet, IndicatorKind, ThresholdBasis
from ntm.criteria.selectors import criteria_sets_visible
from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    add_choice_validation_columns,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_number,
    protect_sheet,
    unescape_cell,
    workbook_bytes,
    write_table,
)
from ntm.faults import maybe_die
from ntm.units.models import AttributeKind, Kind, Level, Unit
from ntm.units.selectors import attribute_values, communes_of
from ntm.units.text import fold

SHEET_RESULTS = "KetQua"
SHEET_VALUES = "ChiTieu"
SHEET_GUIDE = "HuongDan"
FIXED_COLUMNS = 3  # Mã xã, Tên xã, Huyện
FIRST_DATA_ROW = 3  # row 1: codes, row 2: names
SYSTEM_USERNAME = "ntm-system"
_CRITERION_HEADER = re.compile(r"^TC0*(\d+)$", re.IGNORECASE)


class AssessmentExcelError(ValueError):
    """The template or export cannot be made for these arguments."""


class SystemUserError(RuntimeError):
    """The account "ntm-system" exists but could be used to sign in: it is not made a superuser."""


# -- labels (Vietnamese is the file format; a translated label is accepted too) -----------


@lru_cache(maxsize=64)
def _folded(texts: tuple[str, ...], language: str | None) -> frozenset[str]:
    return frozenset({fold(t) for t in texts} | {fold(_(t)) for t in texts})


def _labels(*texts: str) -> frozenset[str]:
    """Folded forms of Vietnamese labels and of their translation in the active language."""
    return _folded(texts, get_language())


def _met_label(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Đạt") if value else _("Chưa đạt")


def _yes_no_label(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Có") if value else _("Không")


def _parse_choice(raw, *, yes: set[str], no: set[str], expected: str) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = fold(cell_text(raw))
    if not text:
        return None
    if text in yes:
        return True
    if text in no:
        return False
    raise CellValueError(
        _("“%(raw)s” không hợp lệ; chọn %(expected)s (để trống nếu giữ nguyên).")
        % {"raw": cell_text(raw), "expected": expected}
    )


def _parse_result(raw) -> bool | None:
    return _parse_choice(
        raw,
        yes=_labels("Đạt"),
        no=_labels("Chưa đạt", "Không đạt"),
        expected=_("“Đạt” hoặc “Chưa đạt”"),
    )


def _parse_yes_no(raw) -> bool | None:
    return _parse_choice(
        raw,
        yes=_labels("Có", "Đạt"),
        no=_labels("Không", "Chưa đạt", "Không đạt"),
        expected=_("“Có” hoặc “Không”"),
    )


def _info_headers() -> set[str]:
    return _labels("Tên xã", "Huyện", "Số tiêu chí đạt", "Đạt chuẩn", "Trạng thái")


def _version_header() -> str:
    return _("Phiên bản")


def _reason_header(criterion) -> str:
    return _("Lý do %(code)s") % {"code": criterion.code}


@lru_cache(maxsize=16)
def _reason_prefixes(language: str | None) -> tuple[str, ...]:
    texts = {"Lý do ", _("Lý do %(code)s") % {"code": ""}}
    return tuple(sorted({fold(t) for t in texts if fold(t)}, key=len, reverse=True))


def _reason_number(text: str) -> int | None:
    """The criterion number of a header "Lý do TC2" (or its translation), else None."""
    folded = fold(text)
    for prefix in _reason_prefixes(get_language()):
        if folded.startswith(prefix):
            match = _CRITERION_HEADER.match(folded[len(prefix) :].replace(" ", ""))
            if match:
                return int(match.group(1))
    return None


# -- the criteria set as the workbook sees it ------------------------------------------------


@dataclass
class _SetInfo:
    cset: CriteriaSet
    criteria: list
    indicators: list
    indicator_header: dict[int, str]  # indicator id -> header text
    by_header: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, cset: CriteriaSet) -> "_SetInfo":
        criteria = list(cset.criteria.prefetch_related("indicators__thresholds").order_by("number"))
        indicators = [i for c in criteria for i in c.indicators.all()]
        counts = defaultdict(int)
        for indicator in indicators:
            counts[indicator.code] += 1
        headers = {}
        for criterion in criteria:
            for indicator in criterion.indicators.all():
                headers[indicator.pk] = (
                    indicator.code
                    if counts[indicator.code] == 1
                    else f"{criterion.code}/{indicator.code}"
                )
        info = cls(cset, criteria, indicators, headers)
        info.by_header = {headers[i.pk]: i for i in indicators}
        return info

    @property
    def criterion_range(self) -> str:
        if not self.criteria:
            return "—"
        return f"{self.criteria[0].code}–{self.criteria[-1].code}"


def _require_commune_set(cset: CriteriaSet) -> None:
    if cset.applies_to != AppliesTo.COMMUNE:
        raise AssessmentExcelError(
            _("Bộ %(code)s không phải bộ tiêu chí xã; tệp Excel này chỉ dành cho xã.")
            % {"code": cset.code}
        )


def _communes(scope, unit: Unit, year: int) -> list[Unit]:
    return list(
        scope.filter(communes_of(unit, year), field="").select_related("parent").order_by("code")
    )


@dataclass
class _Stored:
    """What is stored for one assessment: the row, its results and values by id."""

    assessment: Assessment
    results: dict[int, CriterionResult]
    values: dict[int, IndicatorValue]


def _stored(unit_ids, year: int, cset: CriteriaSet, *, lock: bool = False) -> dict[int, _Stored]:
    qs = Assessment.objects.filter(unit_id__in=list(unit_ids), year=year, criteria_set=cset)
    qs = qs.order_by("pk")  # no join on units: FOR UPDATE must lock the assessments only
    if lock:
        qs = qs.select_for_update()
    by_pk = {a.pk: _Stored(a, {}, {}) for a in qs}
    if by_pk:
        for result in CriterionResult.objects.filter(assessment_id__in=list(by_pk)):
            by_pk[result.assessment_id].results[result.criterion_id] = result
        for value in IndicatorValue.objects.filter(assessment_id__in=list(by_pk)):
            by_pk[value.assessment_id].values[value.indicator_id] = value
    return {s.assessment.unit_id: s for s in by_pk.values()}


def _final(result: CriterionResult | None) -> bool | None:
    if result is None:
        return None
    return result.manual if result.manual is not None else result.derived


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


# -- import --------------------------------------------------------------------------------


def system_user():
    """The user that command-line imports are recorded under: a superuser that cannot sign in
    (inactive, unusable password), created so on first use. An existing "ntm-system" account
    that is active or has a usable password is someone's login: it is refused
    (SystemUserError), never promoted to superuser."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_superuser": True,
            "is_active": False,
            "first_name": _("Hệ thống (dòng lệnh)"),
            "password": make_password(None),
        },
    )
    if created:
        return user
    if user.is_active or user.has_usable_password():
        raise SystemUserError(
            _(
                "Tài khoản “%(name)s” đã có và đang hoạt động hoặc có mật khẩu đăng nhập; hệ thống không dùng tài khoản này để ghi các lần nhập từ dòng lệnh. Hãy khóa tài khoản và bỏ mật khẩu của nó (hoặc đổi tên tài khoản) rồi chạy lại."
            )
            % {"name": SYSTEM_USERNAME}
        )
    if not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user


# Stands in for the system user while checking, so that a dry run creates no user.
_SYSTEM_CHECKER = SimpleNamespace(is_superuser=True, role="", department="")


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


def _read_grid(wb, sheet: str, info: _SetInfo, report: ImportReport) -> list[_Line]:
    rows = wb[sheet].iter_rows(values_only=True)
    header = next(rows, None) or ()
    if not header or fold(cell_text(header[0])) not in _labels("Mã xã"):
        report.add(sheet, 1, "A", _("Ô A1 phải là “Mã xã”; hãy dùng tệp mẫu tải từ hệ thống."))
        return []
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
    codes = {line.code for line in lines}
    candidates = defaultdict(list)
    qs = scope.filter(Unit.objects.filter(level=Level.COMMUNE, code__in=codes), field="")
    for unit in qs.select_related("parent"):
        candidates[unit.code].append(unit)
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def valid_on(u: Unit, day) -> bool:
        return (u.valid_from is None or u.valid_from <= day) and (
            u.valid_to is None or u.valid_to >= day
        )

    def during(u: Unit) -> bool:
        return (u.valid_from is None or u.valid_from <= end) and (
            u.valid_to is None or u.valid_to >= start
        )

    seen: dict[tuple[str, int], int] = {}
    for line in lines:
        units = candidates.get(line.code)
        if not units:
            report.add(
                line.sheet,
                line.row,
                "A",
                _("Mã xã “%(code)s” không có hoặc ngoài phạm vi của bạn.") % {"code": line.code},
            )
            continue
        chosen = [u for u in units if valid_on(u, end)] or [u for u in units if during(u)]
        if not chosen:
            u = units[0]
            report.add(
                line.sheet,
                line.row,
                "A",
                _("%(name)s (mã %(code)s) không có hiệu lực trong năm %(year)s.")
                % {"name": u.name, "code": u.code, "year": year},
            )
            continue
        unit = chosen[0]
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


@dataclass
class _Plan:
    """What the import will do to one commune's assessment."""

    unit: Unit
    stored: _Stored | None
    values: dict[int, tuple[bool | None, Decimal | None]] = field(default_factory=dict)
    manual: dict[int, bool | None] = field(default_factory=dict)  # criterion id -> new manual
    reasons: dict[int, str] = field(default_factory=dict)  # criterion id -> its new reason
    derived: dict[int, bool | None] = field(default_factory=dict)
    indicator_met: dict[int, bool | None] = field(default_factory=dict)
    first: tuple[str, int, str] | None = None  # where the first change is, for messages
    row: tuple[str, int] | None = None  # the first row naming the commune
    lines: list[_Line] = field(default_factory=list)  # the rows naming the commune
    changing: list[_Line] = field(default_factory=list)  # those that change something
    changed: bool = False
    approve: bool = False

    @cached_property
    def probe(self) -> Assessment:
        """The assessment as can_edit sees it (a new one starts as a draft)."""
        return self.stored.assessment if self.stored else Assessment(state=State.DRAFT)

    @property
    def state(self) -> str:
        return self.stored.assessment.state if self.stored else State.DRAFT

    def final(self, criterion_id: int) -> bool | None:
        manual = self.manual_of(criterion_id)
        return manual if manual is not None else self.derived.get(criterion_id)

    def manual_of(self, criterion_id: int) -> bool | None:
        if criterion_id in self.manual:
            return self.manual[criterion_id]
        result = self.stored.results.get(criterion_id) if self.stored else None
        return result.manual if result else None

    def change_at(self, line: _Line, letter: str) -> None:
        self.changed = True
        self.first = self.first or (line.sheet, line.row, letter)
        if not any(other is line for other in self.changing):
            self.changing.append(line)


def _bases(info: _SetInfo, units: list[Unit], year: int) -> dict[int, str | None]:
    kind = {
        ThresholdBasis.REGION: AttributeKind.REGION,
        ThresholdBasis.COMMUNE_GROUP: AttributeKind.COMMUNE_GROUP,
    }.get(info.cset.threshold_basis)
    if kind is None:
        return {u.pk: None for u in units}
    return attribute_values(units, kind, year)


def _derive(plan: _Plan, info: _SetInfo, basis: str | None, year: int) -> None:
    """Indicator and criterion outcomes from stored values overlaid with the new ones, by the
    same rules as services.assessment_recompute."""
    merged = {}
    if plan.stored:
        merged = {k: (v.value_bool, v.value_number) for k, v in plan.stored.values.items()}
    merged.update(plan.values)
    for criterion in info.criteria:
        outcomes = []
        for indicator in criterion.indicators.all():
            value_bool, value_number = merged.get(indicator.pk, (None, None))
            met = indicator_met(
                kind=indicator.kind,
                operator=indicator.operator,
                value_bool=value_bool,
                value_number=value_number,
                threshold=threshold_for(indicator.thresholds.all(), basis=basis, year=year),
            )
            plan.indicator_met[indicator.pk] = met
            outcomes.append(met)
        plan.derived[criterion.pk] = criterion_met(outcomes) if merged else None


def _approval_path(state: str, year: int, unit=None) -> list[str]:
    path = []
    order = [State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED]
    while state != State.APPROVED:
        state = next(
            s
            for s in order
            if workflow.transition_allowed(state, s, year=year, unit=unit) and s != state
        )
        path.append(state)
    return path


def _edit_refusal(checker, plan: _Plan, criterion) -> str | None:
    """Why `checker` may not change this criterion's data, or None when it may."""
    probe = plan.probe
    if can_edit(checker, probe, criterion):
        return None
    if probe.state == State.APPROVED:
        return "locked"
    if checker.role == Role.DEPARTMENT_OFFICER and checker.role in workflow.EDITORS[probe.state]:
        return _("%(code)s do %(department)s phụ trách; bạn không được sửa.") % {
            "code": criterion.code,
            "department": criterion.department or _("cơ quan khác"),
        }
    return _("Kết quả đang ở trạng thái “%(state)s”; vai trò của bạn không được sửa.") % {
        "state": State(probe.state).label
    }


def _typed_result(
    plan: _Plan, criterion, wanted: bool | None, reason: str
) -> tuple[bool | None, str, str | None]:
    """What a "KetQua" row asks for one criterion: (manual result, its reason, error or None).

    `wanted` is the typed result (None: blank), `reason` the text of "Lý do TCn" ("" blank).
    A manual result is kept only with a reason typed by the user; a result the indicators give
    (or gave before this file changed them) is not a manual result.
    """
    stored = plan.stored.results.get(criterion.pk) if plan.stored else None
    current = stored.manual if stored else None
    current_reason = stored.manual_reason if stored and current is not None else ""
    # A reason counts when it is typed for this result: not blank and not the stored one.
    fresh = reason if reason and reason != current_reason.strip() else ""
    derived = plan.derived[criterion.pk]
    if wanted is None or wanted == current:
        # Blank result, or the manual result as stored: only its reason may change.
        return current, (fresh or current_reason) if current is not None else "", None
    if derived is not None and wanted == derived:
        return None, "", None  # what the indicators give (clears another manual result)
    if (
        derived is not None
        and current is None
        and not fresh
        and stored is not None
        and wanted == stored.derived
    ):
        # The file repeats what the stored values gave (e.g. an export whose indicators were
        # then corrected): the result follows the indicators.
        return None, "", None
    if fresh:
        return wanted, fresh, None
    column = _reason_header(criterion)
    if derived is None:
        message = _(
            "%(code)s ghi %(typed)s nhưng các chỉ tiêu chưa đủ để tính kết quả (chưa có giá trị hoặc chưa có ngưỡng); nhập chỉ tiêu hoặc ghi lý do ở cột %(column)s."
        ) % {
            "code": criterion.code,
            "typed": _met_label(wanted),
            "column": column,
        }
    else:
        message = _(
            "%(code)s ghi %(typed)s nhưng các chỉ tiêu cho kết quả %(derived)s; sửa chỉ tiêu hoặc ghi lý do ở cột %(column)s."
        ) % {
            "code": criterion.code,
            "typed": _met_label(wanted),
            "derived": _met_label(derived),
            "column": column,
        }
    if reason:
        message += " " + _("(Lý do đang ghi là lý do của kết quả nhập tay cũ; hãy ghi lý do mới.)")
    return wanted, "", message


def _check_version(plan: _Plan, report: ImportReport) -> None:
    """Refuse to change an assessment saved since the file was made (its "Phiên bản")."""
    current = plan.stored.assessment.version if plan.stored else None
    for line in plan.changing or plan.lines:
        if line.version == current:
            continue
        values = {
            "name": plan.unit.name,
            "code": plan.unit.code,
            "current": current,
            "file": line.version,
        }
        if current is None:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) ghi trong tệp (phiên bản %(file)s) không còn trong hệ thống; tải lại mẫu/xuất lại rồi nhập."
            )
        elif line.version is None:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) đã được tạo sau khi tải tệp (phiên bản %(current)s, tệp không ghi phiên bản); tải lại mẫu/xuất lại rồi nhập."
            )
        else:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) đã được sửa sau khi tải tệp (phiên bản %(current)s, tệp ghi %(file)s); tải lại mẫu/xuất lại rồi nhập."
            )
        report.add(line.sheet, line.row, line.version_letter or "A", message % values)
        return


def _plan_changes(
    plans: dict[int, _Plan],
    lines: list[_Line],
    info: _SetInfo,
    year: int,
    checker,
    approve: bool,
    report: ImportReport,
) -> None:
    criteria = {c.pk: c for c in info.criteria}
    criterion_of_indicator = {i.pk: criteria[i.criterion_id] for i in info.indicators}
    # 1. Parse every cell; remember where each value came from. Results are judged in step 2,
    # against what the indicators give once the file's values are merged in.
    typed: dict[int, list] = defaultdict(list)  # unit -> [(line, {criterion: (letter, bool)},
    #                                                     {criterion: (letter, reason)})]
    for line in lines:
        plan = plans[line.unit.pk]
        plan.row = plan.row or (line.sheet, line.row)
        plan.lines.append(line)
        if line.sheet == SHEET_RESULTS:
            results, reasons, invalid = {}, {}, set()
            for letter, target, raw in line.cells:
                if isinstance(target, _Reason):
                    reasons[target.criterion.pk] = (letter, _reason_text(raw))
                    continue
                try:
                    results[target.pk] = (letter, _parse_result(raw))
                except CellValueError as exc:
                    report.add(line.sheet, line.row, letter, str(exc))
                    invalid.add(target.pk)
            for pk in invalid:
                reasons.pop(pk, None)
            typed[line.unit.pk].append((line, results, reasons))
            continue
        for letter, target, raw in line.cells:
            try:
                if target.kind == IndicatorKind.BOOLEAN:
                    new = (_parse_yes_no(raw), None)
                else:
                    new = (None, parse_vi_number(raw))
            except CellValueError as exc:
                report.add(line.sheet, line.row, letter, str(exc))
                continue
            old = plan.stored.values.get(target.pk) if plan.stored else None
            if old is None or (old.value_bool, old.value_number) != new:
                plan.values[target.pk] = new
                plan.change_at(line, letter)
                refusal = _edit_refusal(checker, plan, criterion_of_indicator[target.pk])
                if refusal and refusal != "locked":
                    report.add(line.sheet, line.row, letter, refusal)
    # 2. Derive from the merged values, then decide the manual results from "KetQua".
    bases = _bases(info, [p.unit for p in plans.values()], year)
    for plan in plans.values():
        _derive(plan, info, bases[plan.unit.pk], year)
        for line, results, reasons in typed.get(plan.unit.pk, []):
            for criterion in info.criteria:
                pk = criterion.pk
                if pk not in results and pk not in reasons:
                    continue
                letter, wanted = results.get(pk) or (reasons[pk][0], None)
                reason = reasons[pk][1] if pk in reasons else ""
                manual, manual_reason, problem = _typed_result(plan, criterion, wanted, reason)
                current = plan.manual_of(pk)
                stored = plan.stored.results.get(pk) if plan.stored else None
                current_reason = stored.manual_reason if stored and current is not None else ""
                if (manual, manual_reason) == (current, current_reason) and problem is None:
                    continue
                plan.manual[pk], plan.reasons[pk] = manual, manual_reason
                plan.change_at(line, letter)
                refusal = _edit_refusal(checker, plan, criterion)
                if refusal and refusal != "locked":
                    report.add(line.sheet, line.row, letter, refusal)
                elif problem:
                    report.add(line.sheet, line.row, letter, problem)
        if plan.changed and plan.state == State.APPROVED:
            sheet, row, letter = plan.first
            report.add(
                sheet,
                row,
                letter,
                _(
                    "Kết quả năm %(year)s của %(name)s đã được phê duyệt (khóa); cần mở lại (có lý do) trước khi sửa."
                )
                % {"year": year, "name": plan.unit.name},
            )
        plan.approve = approve and plan.state != State.APPROVED
        if plan.approve:
            missing = [c.code for c in info.criteria if plan.final(c.pk) is None]
            if missing:
                sheet, row = plan.row
                report.add(
                    sheet,
                    row,
                    "A",
                    _(
                        "Nhập ở trạng thái đã phê duyệt cần đủ kết quả mọi tiêu chí; %(name)s còn thiếu %(codes)s."
                    )
                    % {"name": plan.unit.name, "codes": ", ".join(missing)},
                )
        if plan.changed or plan.approve:
            _check_version(plan, report)


def _counts(plan: _Plan, info: _SetInfo) -> tuple[int, int, bool]:
    finals = [plan.final(c.pk) for c in info.criteria]
    met = sum(1 for f in finals if f is True)
    undecided = sum(
        1 for c in info.criteria if plan.manual_of(c.pk) is None and plan.derived[c.pk] is None
    )
    return met, undecided, bool(finals) and met == len(finals)


def _update_with_history(objs: list, model, fields: list[str], history: dict) -> None:
    """Like simple_history's bulk_update_with_history, but one plain UPDATE per distinct set
    of new values instead of Django's CASE-per-row bulk_update, which is slow on thousands of
    rows. Imports repeat a few values (Đạt, Có, the same counts) many times."""
    if not objs:
        return
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    manager = model._default_manager
    for key, pks in groups.items():
        for start in range(0, len(pks), 500):
            manager.filter(pk__in=pks[start : start + 500]).update(
                **dict(zip(fields, key, strict=True))
            )
    model.history.bulk_history_create(objs, batch_size=1000, update=True, **history)


def _write(plans: list[_Plan], info: _SetInfo, year: int, actor, progress) -> tuple[int, int]:
    """Write the planned changes in bulk (with history), recompute, then approve if asked."""
    today = timezone.localdate().strftime("%d/%m/%Y")
    change_reason = _("Nhập từ tệp Excel %(date)s") % {"date": today}  # of the history rows
    history = {"default_user": actor, "default_change_reason": change_reason[:100]}
    now = timezone.now()
    changed = [p for p in plans if p.changed]
    new_plans = [p for p in changed if p.stored is None]
    old_plans = [p for p in changed if p.stored is not None]

    created = []
    for plan in new_plans:
        met, undecided, standard = _counts(plan, info)
        created.append(
            Assessment(
                unit=plan.unit,
                year=year,
                criteria_set=info.cset,
                state=State.DRAFT,
                criteria_met=met,
                criteria_undecided=undecided,
                meets_standard=standard,
            )
        )
    created = bulk_create_with_history(created, Assessment, batch_size=500, **history)
    for plan, assessment in zip(new_plans, created, strict=True):
        plan.stored = _Stored(assessment, {}, {})

    results_new, results_changed, values_new, values_changed = [], [], [], []
    for plan in changed:
        assessment = plan.stored.assessment
        for criterion in info.criteria:
            manual = plan.manual_of(criterion.pk)
            derived = plan.derived[criterion.pk]
            met = manual if manual is not None else derived is True
            manual_reason = plan.reasons.get(criterion.pk, "") if manual is not None else ""
            result = plan.stored.results.get(criterion.pk)
            if result is None:
                results_new.append(
                    CriterionResult(
                        assessment=assessment,
                        criterion=criterion,
                        manual=manual,
                        met=met,
                        derived=derived,
                        manual_reason=manual_reason,
                    )
                )
                continue
            before = (result.manual, result.manual_reason, result.derived, result.met)
            result.manual, result.derived, result.met = manual, derived, met
            if criterion.pk in plan.manual:
                result.manual_reason = manual_reason
            if before != (result.manual, result.manual_reason, result.derived, result.met):
                results_changed.append(result)
        for indicator_id, (value_bool, value_number) in plan.values.items():
            value = plan.stored.values.get(indicator_id)
            if value is None:
                values_new.append(
                    IndicatorValue(
                        assessment=assessment,
                        indicator_id=indicator_id,
                        value_bool=value_bool,
                        value_number=value_number,
                        met=plan.indicator_met[indicator_id],
                    )
                )
            else:
                value.value_bool, value.value_number = value_bool, value_number
                value.met = plan.indicator_met[indicator_id]
                values_changed.append(value)
    bulk_create_with_history(results_new, CriterionResult, batch_size=1000, **history)
    _update_with_history(
        results_changed, CriterionResult, ["manual", "manual_reason", "derived", "met"], history
    )
    bulk_create_with_history(values_new, IndicatorValue, batch_size=1000, **history)
    _update_with_history(
        values_changed, IndicatorValue, ["value_bool", "value_number", "met"], history
    )
    old_rows = []
    for plan in old_plans:
        a = plan.stored.assessment
        a.criteria_met, a.criteria_undecided, a.meets_standard = _counts(plan, info)
        a.version += 1
        a.updated_at = now
        old_rows.append(a)
    _update_with_history(
        old_rows,
        Assessment,
        ["version", "updated_at", "criteria_met", "criteria_undecided", "meets_standard"],
        history,
    )

    # The service recomputes as the pages do (a no-op when the figures above agree with it),
    # from the rows as now stored, fetched for all the assessments in two queries.
    prefetch_related_objects([p.stored.assessment for p in changed], "values", "results")
    for plan in changed:
        a = plan.stored.assessment
        a.unit, a.criteria_set = plan.unit, info.cset
        assessment_recompute(a)
        maybe_die("import")  # crash tests only (NTM_FAULT_AFTER_ROWS)
        if not plan.approve:
            progress(1)
    approve_reason = _("Nhập kết quả đã phê duyệt từ Excel")
    for plan in plans:
        if not plan.approve:
            continue
        a = plan.stored.assessment
        for to_state in _approval_path(a.state, year, a.unit):
            a = assessment_transition(
                assessment=a, user=actor, to_state=to_state, reason=approve_reason
            )
        maybe_die("import")
        progress(1)
    touched = {p.unit.pk for p in changed} | {p.unit.pk for p in plans if p.approve}
    return len(new_plans), len(touched) - len(new_plans)


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
        with transaction.atomic():
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
