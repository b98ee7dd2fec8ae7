import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.assessments.excel import (
    SHEET_GUIDE,
    SHEET_RESULTS,
    SHEET_VALUES,
    SYSTEM_USERNAME,
    SystemUserError,
    assessments_export,
    assessments_import,
    assessments_template,
    system_user,
)
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, State, StateChange
from ntm.assessments.services import (
    ManualResult,
    assessment_get_or_create,
    assessment_recompute,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.models import CriteriaSet, Indicator
from ntm.criteria.services import criteria_load
from ntm.excel import CellValueError, parse_vi_date, parse_vi_number
from ntm.units.models import AttributeKind, Unit
from ntm.units.selectors import attribute_value, attribute_values, unit_by_code

YEAR = 2023


# -- helpers -------------------------------------------------------------------------------


def _grid(data: bytes, sheet: str) -> dict[str, dict[str, object]]:
    """{commune code: {header: value}} of a sheet's data rows (from row 3)."""
    ws = load_workbook(io.BytesIO(data))[sheet]
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    return {
        row[0]: {h: v for h, v in zip(headers, row, strict=False) if h}
        for row in rows[2:]
        if row[0]
    }


def _row(data: bytes, code: str) -> int:
    ws = load_workbook(io.BytesIO(data))[SHEET_RESULTS]
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == code)


def _fill(data: bytes, cells: dict[tuple[str, str, str], object], *, edit=None) -> bytes:
    """Write values by (sheet, commune code, header) into a template, as a user would."""
    wb = load_workbook(io.BytesIO(data))
    for (sheet, code, header), value in cells.items():
        ws = wb[sheet]
        col = next(c.column for c in ws[1] if c.value == header)
        row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == code)
        ws.cell(row, col).value = value
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _template(small_set, units, scope=None, unit=None, year=YEAR):
    return assessments_template(
        scope=scope or system_scope(),
        unit=unit or units.bach_thong,
        year=year,
        criteria_set=small_set.set,
    )


def _import(data, user, **kw):
    scope = scope_for(user) if user is not None else system_scope()
    return assessments_import(data=data, scope=scope, user=user, **kw)


def _errors(report) -> set[tuple[str, int, str]]:
    return {(e.sheet, e.row, e.column) for e in report.errors}


def _snapshot():
    return (
        list(Assessment.objects.order_by("pk").values_list("pk", "state", "version")),
        list(IndicatorValue.objects.order_by("pk").values_list("pk", "value_bool", "value_number")),
        list(CriterionResult.objects.order_by("pk").values_list("pk", "manual", "met")),
        Assessment.history.count() + IndicatorValue.history.count(),
        CriterionResult.history.count() + StateChange.objects.count(),
    )


def _approved(unit, small_set, users, year=YEAR):
    a = assessment_get_or_create(unit=unit, year=year, criteria_set=small_set.set)
    a = assessment_save(
        assessment=a,
        user=users.coordinator,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: 90, small_set.i3.pk: 90},
    )
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=users.coordinator, to_state=state)
    return a


QH = "02005"  # Xã Quân Hà, Bạch Thông (until 30/6/2025)
CG = "02008"  # Xã Cẩm Giàng: the code of a legacy and of a current commune


# -- template ------------------------------------------------------------------------------


def test_template_lists_the_xa_of_the_year_with_codes_drop_downs_and_protection(units, small_set):
    data = _template(small_set, units)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [SHEET_RESULTS, SHEET_VALUES, SHEET_GUIDE]
    ws = wb[SHEET_RESULTS]
    assert [c.value for c in ws[1]] == [
        "Mã xã",
        "Tên xã",
        "Huyện",
        "TC1",
        "TC2",
        "TC3",
        "Lý do TC1",
        "Lý do TC2",
        "Lý do TC3",
        "Phiên bản",
    ]
    assert [c.value for c in ws[2]][3:6] == ["Quy hoạch", "Giao thông", "Thủy lợi"]
    codes = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert len(codes) == 13 and QH in codes and "01969" not in codes  # thị trấn Phủ Thông
    assert ws.cell(3, 3).value == "Huyện Bạch Thông"
    assert ws.freeze_panes == "D3"
    assert ws.protection.sheet
    assert ws.cell(3, 1).protection.locked and not ws.cell(3, 4).protection.locked
    assert not ws.cell(3, 7).protection.locked  # Lý do TC1
    # The version of each stored assessment: hidden, locked, blank while nothing is stored.
    assert ws.column_dimensions["J"].hidden and ws.cell(3, 10).protection.locked
    assert ws.cell(3, 10).value is None
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"Đạt,Chưa đạt"' and str(dv.sqref).startswith("D3:D15")
    values = wb[SHEET_VALUES]
    assert [c.value for c in values[1]][3:] == ["1.1", "2.1", "3.1", "Phiên bản"]
    assert values.column_dimensions["G"].hidden
    assert values.cell(2, 5).value == "Tỷ lệ đường được cứng hóa (%)"
    (yes_no,) = values.data_validations.dataValidation
    assert yes_no.formula1 == '"Có,Không"' and str(yes_no.sqref) == "D3:D15"
    guide = {r[0]: r[1] for r in wb[SHEET_GUIDE].iter_rows(values_only=True) if r and r[0]}
    assert guide["Mã bộ tiêu chí"] == "TEST-2021" and guide["Năm đánh giá"] == YEAR
    how = "\n".join(str(r[0]) for r in wb[SHEET_GUIDE].iter_rows(values_only=True) if r and r[0])
    assert "bắt buộc ghi lý do ở cột “Lý do TCn”" in how and "Cột ẩn “Phiên bản”" in how


def test_template_uses_the_units_of_the_year(units, small_set):
    """Cẩm Giàng's code belongs to a legacy commune until 2025 and to a new one after."""
    legacy = _grid(_template(small_set, units, unit=units.bac_kan), SHEET_RESULTS)
    assert len(legacy) == 95 and legacy[CG]["Huyện"] == "Huyện Bạch Thông"
    assert unit_by_code(CG, year=2023, level=3).valid_to is not None
    assert unit_by_code(CG, year=2025, level=3).valid_to is None
    assert unit_by_code("06", year=2023) == units.bac_kan


def test_template_is_prefilled_and_scoped(units, small_set, users):
    a = assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    assessment_save(
        assessment=a,
        user=users.commune,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: "72,5"},
        manual={small_set.c3.pk: ManualResult(False, "Biên bản")},
    )
    data = _template(small_set, units, scope=scope_for(users.commune), unit=units.bac_kan)
    results, values = _grid(data, SHEET_RESULTS), _grid(data, SHEET_VALUES)
    assert list(results) == [QH]  # the commune officer sees only Quân Hà
    assert [results[QH][h] for h in ("TC1", "TC2", "TC3")] == ["Đạt", "Đạt", "Chưa đạt"]
    assert [results[QH][f"Lý do {c}"] for c in ("TC1", "TC2", "TC3")] == [None, None, "Biên bản"]
    assert [values[QH][h] for h in ("1.1", "2.1", "3.1")] == ["Có", 72.5, None]
    a.refresh_from_db()
    assert results[QH]["Phiên bản"] == values[QH]["Phiên bản"] == a.version == 2


# -- import --------------------------------------------------------------------------------


def test_import_stores_values_derives_results_and_keeps_differences_with_a_reason_as_manual(
    units, small_set, users
):
    data = _fill(
        _template(small_set, units),
        {
            (SHEET_VALUES, QH, "1.1"): "Có",
            (SHEET_VALUES, QH, "2.1"): "72,5",  # vi-VN decimal comma; TDMNPB threshold 70
            (SHEET_VALUES, QH, "3.1"): 85,
            (SHEET_RESULTS, QH, "TC2"): "Đạt",  # agrees with the indicators: not manual
            (SHEET_RESULTS, QH, "Lý do TC2"): "Thừa",  # a reason for no manual result: unused
            (SHEET_RESULTS, QH, "TC3"): "Chưa đạt",  # differs: manual, with the typed reason
            (SHEET_RESULTS, QH, "Lý do TC3"): " Biên bản kiểm tra kênh mương ",
            (SHEET_RESULTS, CG, "TC1"): "Đạt",  # no indicator values: manual
            (SHEET_RESULTS, CG, "Lý do TC1"): "Quyết định phê duyệt quy hoạch",
        },
    )
    report = _import(data, users.district)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    qh = Assessment.objects.get(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    assert qh.values.get(indicator=small_set.i2).value_number == Decimal("72.5")
    results = {r.criterion_id: r for r in qh.results.all()}
    assert results[small_set.c2.pk].manual is None and results[small_set.c2.pk].met
    assert results[small_set.c2.pk].manual_reason == ""
    assert results[small_set.c3.pk].derived is True and results[small_set.c3.pk].manual is False
    assert results[small_set.c3.pk].manual_reason == "Biên bản kiểm tra kênh mương"
    assert (qh.criteria_met, qh.criteria_undecided, qh.meets_standard) == (2, 0, False)
    assert qh.history.first().history_user == users.district
    cg = Assessment.objects.get(unit__code=CG, year=YEAR, criteria_set=small_set.set)
    assert (cg.criteria_met, cg.criteria_undecided) == (1, 2)
    assert cg.results.get(criterion=small_set.c1).manual_reason == "Quyết định phê duyệt quy hoạch"
    # The service agrees with what the import computed: recomputing changes nothing.
    before = _snapshot()
    for a in (qh, cg):
        assessment_recompute(a)
    assert _snapshot() == before
    # A result typed equal to the derived one clears an earlier manual result (and its
    # reason, still in the pre-filled "Lý do TC3", is not kept).
    data = _fill(_template(small_set, units), {(SHEET_RESULTS, QH, "TC3"): "Đạt"})
    report = _import(data, users.district)
    assert report.ok and (report.created, report.updated) == (0, 1)
    result = CriterionResult.objects.get(assessment=qh, criterion=small_set.c3)
    assert result.manual is None and result.manual_reason == "" and result.met


def test_import_reports_every_error_with_sheet_row_column_and_writes_nothing(
    units, small_set, users
):
    locked = _approved(units.quan_ha, small_set, users)
    new_only = (
        Unit.objects.filter(level=3, kind="xa", valid_to__isnull=True)
        .exclude(code__in=Unit.objects.filter(valid_to__isnull=False).values("code"))
        .first()
    )

    def edit(wb):
        ws = wb[SHEET_RESULTS]
        ws["K1"] = "TC9"  # no such criterion
        ws["L1"] = "Ghi chú"  # no such column
        ws["M1"] = "Lý do TC7"  # no such criterion either
        ws.append(["99999", "", "", "Đạt"])  # row 16: unknown code
        ws.append(["01969", "", "", "Đạt"])  # row 17: a thị trấn
        ws.append([new_only.code, "", "", "Đạt"])  # row 18: a commune from 1/7/2025
        ws.append(["01975", "", "", "Chưa đạt"])  # row 19: Vi Hương again
        ws.append([units.lang_son_commune.code, "", "", "Đạt"])  # row 20: outside the scope
        values = wb[SHEET_VALUES]
        values["H1"] = "9.9"  # no such indicator

    rows = {code: r for r, code in enumerate(["01975", "01978", "01981", "01984"], start=3)}
    data = _fill(
        _template(small_set, units),
        {
            (SHEET_RESULTS, "01975", "TC1"): "Đạt rồi",  # not a choice
            (SHEET_RESULTS, "01978", "TC2"): "=1+1",  # formula
            (SHEET_RESULTS, QH, "TC1"): "Chưa đạt",  # the approved (locked) assessment
            (SHEET_VALUES, "01981", "2.1"): "abc",  # not a number
            (SHEET_VALUES, "01981", "1.1"): "5",  # not Có/Không
            (SHEET_VALUES, "01984", "3.1"): "Có",  # not a number
            (SHEET_VALUES, "01984", "1.1"): "Không",  # fine, but nothing is written
        },
        edit=edit,
    )
    before = _snapshot()
    report = _import(data, users.admin)
    qh_row = _row(data, QH)
    assert _errors(report) == {
        (SHEET_RESULTS, 1, "K"),
        (SHEET_RESULTS, 1, "L"),
        (SHEET_RESULTS, 1, "M"),
        (SHEET_VALUES, 1, "H"),
        (SHEET_RESULTS, rows["01975"], "D"),
        (SHEET_RESULTS, rows["01978"], "E"),
        (SHEET_RESULTS, qh_row, "D"),
        (SHEET_VALUES, rows["01981"], "E"),
        (SHEET_VALUES, rows["01981"], "D"),
        (SHEET_VALUES, rows["01984"], "F"),
        (SHEET_RESULTS, 16, "A"),
        (SHEET_RESULTS, 17, "A"),
        (SHEET_RESULTS, 18, "A"),
        (SHEET_RESULTS, 19, "A"),
        (SHEET_RESULTS, 20, "D"),  # in the admin's scope, but "Đạt" without values or reason
    }, [str(e) for e in report.errors]
    text = "\n".join(str(e) for e in report.errors)
    for expected in (
        "TC9 không có trong bộ TEST-2021",
        "“Ghi chú” không phải là tiêu chí",
        "Cột “Lý do TC7”: tiêu chí TC7 không có trong bộ TEST-2021",
        "TC1 ghi Chưa đạt nhưng các chỉ tiêu cho kết quả Đạt",
        "TC1 ghi Đạt nhưng các chỉ tiêu chưa đủ để tính kết quả",
        "“9.9” không phải là mã chỉ tiêu",
        "“Đạt rồi” không hợp lệ",
        "công thức",
        "đã được phê duyệt (khóa)",
        "“abc” không phải là số",
        "“5” không hợp lệ; chọn “Có” hoặc “Không”",
        "“99999” không có hoặc ngoài phạm vi",
        "không phải xã",
        "không có hiệu lực trong năm 2023",
        "lặp lại (đã có ở dòng 3)",
    ):
        assert expected in text
    assert str(report.errors[0]).startswith("Trang KetQua, dòng 1, cột K: ")
    assert _snapshot() == before
    assert locked.results.get(criterion=small_set.c1).manual is None
    # The commune of another province is out of a Bắc Kạn coordinator's scope (row 20).
    report = _import(data, users.coordinator)
    assert (SHEET_RESULTS, 20, "A") in _errors(report)
    assert "“05986” không có hoặc ngoài phạm vi" in "\n".join(str(e) for e in report.errors)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"B3": None}, "Thiếu mã bộ tiêu chí"),
        ({"B3": "KHONG-CO"}, "Không có bộ tiêu chí mã “KHONG-CO”"),
        ({"B5": None}, "Thiếu năm đánh giá"),
        ({"B5": 2019}, "không áp dụng cho năm 2019"),
        ({"B5": "=2020+3"}, "công thức"),
    ],
)
def test_import_needs_the_set_and_year_of_the_guide_sheet(units, small_set, users, cells, message):
    def edit(wb):
        wb[SHEET_GUIDE].protection.sheet = False
        for ref, value in cells.items():
            wb[SHEET_GUIDE][ref] = value

    data = _fill(_template(small_set, units), {(SHEET_RESULTS, QH, "TC1"): "Đạt"}, edit=edit)
    report = _import(data, users.coordinator)
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_GUIDE, "B")]
    assert message in report.errors[0].message
    assert not Assessment.objects.exists()


def test_import_refuses_a_file_that_is_not_a_workbook(users):
    report = _import(b"not a workbook", users.coordinator)
    assert not report.ok and "Không đọc được tệp Excel" in report.errors[0].message


def test_dry_run_checks_and_counts_but_writes_nothing(units, small_set, users):
    data = _fill(
        _template(small_set, units),
        {
            (SHEET_VALUES, QH, "1.1"): "Có",
            (SHEET_RESULTS, CG, "TC1"): "Chưa đạt",
            (SHEET_RESULTS, CG, "Lý do TC1"): "Chưa có quy hoạch được duyệt",
        },
    )
    before = _snapshot()
    report = _import(data, users.coordinator, dry_run=True)
    assert report.ok and report.dry_run and (report.created, report.updated) == (2, 0)
    assert _snapshot() == before


def test_round_trip_template_fill_import_export(units, small_set, users):
    filled = {
        (SHEET_VALUES, QH, "1.1"): "Có",
        (SHEET_VALUES, QH, "2.1"): 72.5,
        (SHEET_VALUES, QH, "3.1"): 85,
        (SHEET_RESULTS, QH, "TC1"): "Đạt",
        (SHEET_RESULTS, QH, "TC2"): "Đạt",
        (SHEET_RESULTS, QH, "TC3"): "Chưa đạt",  # manual
        (SHEET_RESULTS, QH, "Lý do TC3"): "Biên bản kiểm tra: kênh N2 hỏng",
        (SHEET_VALUES, CG, "1.1"): "Không",
        (SHEET_VALUES, CG, "2.1"): "65,25",
        (SHEET_RESULTS, CG, "TC1"): "Chưa đạt",
        (SHEET_RESULTS, CG, "TC2"): "Đạt",  # manual: 65,25 < 70
        (SHEET_RESULTS, CG, "Lý do TC2"): "- Sở GTVT thẩm định lại",  # exported as text
        (SHEET_RESULTS, CG, "TC3"): "Đạt",  # manual: no value
        (SHEET_RESULTS, CG, "Lý do TC3"): "Biên bản nghiệm thu",
        (SHEET_RESULTS, "01975", "TC2"): "Chưa đạt",
        (SHEET_RESULTS, "01975", "Lý do TC2"): "Chưa có số liệu",
    }
    template = _template(small_set, units)
    assert _import(_fill(template, filled), users.coordinator).ok
    exported = assessments_export(
        scope=scope_for(users.coordinator),
        unit=units.bach_thong,
        year=YEAR,
        criteria_set=small_set.set,
    )
    results, values = _grid(exported, SHEET_RESULTS), _grid(exported, SHEET_VALUES)
    assert {k: (results if k[0] == SHEET_RESULTS else values)[k[1]][k[2]] for k in filled} == {
        k: {"65,25": 65.25, "- Sở GTVT thẩm định lại": "'- Sở GTVT thẩm định lại"}.get(v, v)
        for k, v in filled.items()
    }
    assert results[QH]["Phiên bản"] == values[QH]["Phiên bản"] == 1
    assert results["01978"]["Phiên bản"] is None
    assert results[QH]["Số tiêu chí đạt"] == 2 and results[QH]["Đạt chuẩn"] == "Không"
    assert results[QH]["Trạng thái"] == "Đang nhập"
    assert results["01978"]["TC1"] is None and results["01978"]["Trạng thái"] is None
    # Exported results read back in change nothing.
    before = _snapshot()
    report = _import(exported, users.coordinator)
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert _snapshot() == before


# -- manual results need a reason; a stale file is refused ----------------------------------


def _qh_with_road(units, small_set, users, road):
    """Quân Hà with every indicator entered: TC2 (roads, TDMNPB threshold 70) follows `road`."""
    a = assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    return assessment_save(
        assessment=a,
        user=users.coordinator,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: road, small_set.i3.pk: 90},
    )


def _export(small_set, units, users):
    return assessments_export(
        scope=scope_for(users.coordinator),
        unit=units.bach_thong,
        year=YEAR,
        criteria_set=small_set.set,
    )


def _result(small_set, criterion) -> CriterionResult:
    return CriterionResult.objects.get(
        assessment__unit__code=QH, assessment__year=YEAR, criterion=criterion
    )


def test_reimported_export_with_corrected_indicators_follows_them_not_a_manual_result(
    units, small_set, users
):
    _qh_with_road(units, small_set, users, road=50)  # TC2 "Chưa đạt", from the indicators
    exported = _export(small_set, units, users)
    assert _grid(exported, SHEET_RESULTS)[QH]["TC2"] == "Chưa đạt"
    # Only ChiTieu is corrected; KetQua still shows the result the old value gave.
    report = _import(_fill(exported, {(SHEET_VALUES, QH, "2.1"): 95}), users.coordinator)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 1)
    result = _result(small_set, small_set.c2)
    assert (result.manual, result.manual_reason, result.derived, result.met) == (
        None,
        "",
        True,
        True,
    )
    a = result.assessment
    assert (a.criteria_met, a.meets_standard) == (3, True)


def test_result_contradicting_the_indicators_is_refused_with_sheet_row_and_column(
    units, small_set, users
):
    data = _fill(
        _template(small_set, units),
        {(SHEET_VALUES, QH, "2.1"): 95, (SHEET_RESULTS, QH, "TC2"): "Chưa đạt"},
    )
    report = _import(data, users.coordinator)
    assert [str(e) for e in report.errors] == [
        f"Trang KetQua, dòng {_row(data, QH)}, cột E: TC2 ghi Chưa đạt nhưng các chỉ tiêu cho "
        "kết quả Đạt; sửa chỉ tiêu hoặc ghi lý do ở cột Lý do TC2."
    ]
    assert not Assessment.objects.exists()
    # The same in an export: a result typed against the stored indicators, without a reason.
    _qh_with_road(units, small_set, users, road=50)
    before = _snapshot()
    report = _import(
        _fill(_export(small_set, units, users), {(SHEET_RESULTS, QH, "TC2"): "Đạt"}),
        users.coordinator,
    )
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_RESULTS, "E")]
    assert report.errors[0].message.startswith(
        "TC2 ghi Đạt nhưng các chỉ tiêu cho kết quả Chưa đạt;"
    )
    assert _snapshot() == before


def test_result_contradicting_the_indicators_with_a_reason_is_a_manual_result_with_that_reason(
    units, small_set, users
):
    _qh_with_road(units, small_set, users, road=50)
    reason = "Biên bản kiểm tra 12/2023: 3 tuyến đường thôn xuống cấp"
    data = _fill(
        _export(small_set, units, users),
        {(SHEET_VALUES, QH, "2.1"): 95, (SHEET_RESULTS, QH, "Lý do TC2"): reason},
    )  # KetQua keeps "Chưa đạt": with the reason it is kept against the indicators
    report = _import(data, users.coordinator)
    assert report.ok, [str(e) for e in report.errors]
    result = _result(small_set, small_set.c2)
    assert (result.manual, result.manual_reason, result.derived, result.met) == (
        False,
        reason,
        True,
        False,
    )
    assert result.history.first().history_user == users.coordinator
    # The export shows the reason, and reads back in unchanged.
    exported = _export(small_set, units, users)
    assert _grid(exported, SHEET_RESULTS)[QH]["Lý do TC2"] == reason
    before = _snapshot()
    report = _import(exported, users.coordinator)
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert _snapshot() == before
    # A new reason alone replaces the stored one; the manual result stays.
    data = _fill(_export(small_set, units, users), {(SHEET_RESULTS, QH, "Lý do TC2"): "Biên bản 2"})
    assert _import(data, users.coordinator).ok
    result.refresh_from_db()
    assert (result.manual, result.manual_reason) == (False, "Biên bản 2")


def test_result_the_indicators_cannot_decide_needs_a_reason(units, small_set, users):
    small_set.i2.thresholds.all().delete()  # TC2: a value but no threshold
    cells = {
        (SHEET_RESULTS, QH, "TC3"): "Đạt",  # TC3: no value
        (SHEET_VALUES, QH, "2.1"): 95,
        (SHEET_RESULTS, QH, "TC2"): "Đạt",
    }
    data = _fill(_template(small_set, units), cells)
    report = _import(data, users.coordinator)
    row = _row(data, QH)
    assert [str(e) for e in report.errors] == [
        f"Trang KetQua, dòng {row}, cột E: TC2 ghi Đạt nhưng các chỉ tiêu chưa đủ để tính kết quả "
        "(chưa có giá trị hoặc chưa có ngưỡng); nhập chỉ tiêu hoặc ghi lý do ở cột Lý do TC2.",
        f"Trang KetQua, dòng {row}, cột F: TC3 ghi Đạt nhưng các chỉ tiêu chưa đủ để tính kết quả "
        "(chưa có giá trị hoặc chưa có ngưỡng); nhập chỉ tiêu hoặc ghi lý do ở cột Lý do TC3.",
    ]
    assert not Assessment.objects.exists()
    cells |= {
        (SHEET_RESULTS, QH, "Lý do TC2"): "Sở GTVT xác nhận",
        (SHEET_RESULTS, QH, "Lý do TC3"): "Biên bản",
    }
    assert _import(_fill(_template(small_set, units), cells), users.coordinator).ok
    assert _result(small_set, small_set.c3).manual_reason == "Biên bản"
    # Turning the manual result round needs a new reason, not the one of the old result.
    data = _fill(_template(small_set, units), {(SHEET_RESULTS, QH, "TC3"): "Chưa đạt"})
    report = _import(data, users.coordinator)
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_RESULTS, "F")]
    assert "lý do của kết quả nhập tay cũ" in report.errors[0].message
    data = _fill(
        _template(small_set, units),
        {(SHEET_RESULTS, QH, "TC3"): "Chưa đạt", (SHEET_RESULTS, QH, "Lý do TC3"): "Kênh hỏng"},
    )
    assert _import(data, users.coordinator).ok
    result = _result(small_set, small_set.c3)
    assert (result.manual, result.manual_reason, result.met) == (False, "Kênh hỏng", False)


def test_file_made_before_the_assessment_was_saved_again_is_refused(units, small_set, users):
    a = assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    a = assessment_save(
        assessment=a, user=users.commune, version=a.version, values={small_set.i2.pk: 50}
    )
    old = _template(small_set, units, scope=scope_for(users.commune))  # version 2
    assert _grid(old, SHEET_VALUES)[QH]["Phiên bản"] == 2
    # The department corrects 2.1 on the page; the commune then imports its old file.
    a = assessment_save(
        assessment=a, user=users.department, version=a.version, values={small_set.i2.pk: 95}
    )
    assert a.version == 3
    before = _snapshot()
    report = _import(_fill(old, {(SHEET_VALUES, QH, "1.1"): "Có"}), users.commune)
    assert [str(e) for e in report.errors] == [
        "Trang ChiTieu, dòng 3, cột G: Kết quả của Xã Quân Hà (mã 02005) đã được sửa sau khi "
        "tải tệp (phiên bản 3, tệp ghi 2); tải lại mẫu/xuất lại rồi nhập."
    ]
    assert _snapshot() == before
    assert a.values.get(indicator=small_set.i2).value_number == 95
    # A file made now carries version 3 and imports.
    new = _fill(
        _template(small_set, units, scope=scope_for(users.commune)),
        {(SHEET_VALUES, QH, "1.1"): "Có"},
    )
    assert _import(new, users.commune).ok
    a.refresh_from_db()
    assert a.version == 4 and a.values.get(indicator=small_set.i2).value_number == 95
    # The hidden column is checked: a value that is not a version is an error.
    wb = load_workbook(io.BytesIO(new))
    wb[SHEET_VALUES]["G3"] = "x"
    out = io.BytesIO()
    wb.save(out)
    report = _import(out.getvalue(), users.commune)
    assert [(e.sheet, e.row, e.column) for e in report.errors][:1] == [(SHEET_VALUES, 3, "G")]
    assert "Phiên bản “x” không hợp lệ" in report.errors[0].message


def test_blank_version_is_for_communes_without_an_assessment(units, small_set, users):
    template = _template(small_set, units)  # nothing stored: every version is blank
    cam_giang = unit_by_code(CG, year=YEAR, level=3)
    assessment_get_or_create(unit=cam_giang, year=YEAR, criteria_set=small_set.set)
    data = _fill(template, {(SHEET_VALUES, QH, "1.1"): "Có", (SHEET_VALUES, CG, "1.1"): "Có"})
    report = _import(data, users.coordinator)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        (SHEET_VALUES, _row(data, CG), "G")
    ]
    assert "Xã Cẩm Giàng (mã 02008) đã được tạo sau khi tải tệp (phiên bản 1, tệp không ghi" in (
        report.errors[0].message
    )
    assert Assessment.objects.count() == 1
    # Quân Hà alone, still without an assessment, imports from the same file.
    report = _import(_fill(template, {(SHEET_VALUES, QH, "1.1"): "Có"}), users.coordinator)
    assert report.ok and report.created == 1


def test_system_user_cannot_sign_in_and_an_account_that_can_is_refused(units, small_set):
    user = system_user()
    assert user.is_superuser and not user.is_active and not user.has_usable_password()
    assert system_user() == user
    user.is_superuser = False
    user.save()
    assert system_user().is_superuser  # still unable to sign in: made the system user again
    user.is_active = True
    user.save()
    with pytest.raises(SystemUserError, match="ntm-system"):
        system_user()
    user.is_active, user.is_superuser = False, False
    user.set_password("Mat-khau-2025!")
    user.save()
    with pytest.raises(SystemUserError):
        system_user()
    user.refresh_from_db()
    assert not user.is_superuser and user.has_usable_password()
    # The command-line import reports it and writes nothing.
    report = _import(_fill(_template(small_set, units), {(SHEET_VALUES, QH, "1.1"): "Có"}), None)
    assert [e.message[:24] for e in report.errors] == ["Tài khoản “ntm-system” đ"]
    assert not Assessment.objects.exists()


def test_non_finite_or_huge_numbers_are_cell_errors(units, small_set, users):
    cells = {
        (SHEET_VALUES, QH, "2.1"): "NaN",
        (SHEET_VALUES, CG, "2.1"): "Infinity",
        (SHEET_VALUES, "01975", "2.1"): "1e30",
        (SHEET_VALUES, "01978", "2.1"): 1e30,
        (SHEET_VALUES, "01981", "3.1"): "-inf",
        (SHEET_VALUES, "01984", "3.1"): "sNaN",
    }
    data = _fill(_template(small_set, units), cells)
    report = _import(data, users.coordinator)
    assert _errors(report) == {
        (SHEET_VALUES, _row(data, code), "E" if header == "2.1" else "F")
        for _sheet, code, header in cells
    }
    assert all("không phải là số hợp lệ" in e.message for e in report.errors)
    assert not Assessment.objects.exists()


def test_approved_state_is_for_province_coordinators_only(units, small_set, users):
    data = _fill(
        _template(small_set, units, scope=scope_for(users.commune)),
        {(SHEET_RESULTS, QH, c): "Đạt" for c in ("TC1", "TC2", "TC3")},
    )
    report = _import(data, users.commune, state="approved")
    assert [e.message for e in report.errors] == [
        "Chỉ Văn phòng Điều phối NTM tỉnh được nhập kết quả ở trạng thái đã phê duyệt."
    ]
    assert not Assessment.objects.exists()
    assert not _import(data, users.coordinator, state="submitted").ok


def test_approved_state_moves_through_the_workflow_and_needs_every_result(units, small_set, users):
    cells = {(SHEET_RESULTS, QH, c): "Đạt" for c in ("TC1", "TC2", "TC3")}
    cells |= {(SHEET_RESULTS, QH, f"Lý do {c}"): "Quyết định 2023" for c in ("TC1", "TC2", "TC3")}
    cells[(SHEET_RESULTS, CG, "TC1")] = "Đạt"
    cells[(SHEET_RESULTS, CG, "Lý do TC1")] = "Quyết định 2023"
    data = _fill(_template(small_set, units), cells)
    report = _import(data, users.coordinator, state="approved")
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_RESULTS, "A")]
    assert "Cẩm Giàng còn thiếu TC2, TC3" in report.errors[0].message
    assert not Assessment.objects.exists()

    del cells[(SHEET_RESULTS, CG, "TC1")], cells[(SHEET_RESULTS, CG, "Lý do TC1")]
    report = _import(_fill(_template(small_set, units), cells), users.coordinator, state="approved")
    assert report.ok and report.created == 1
    a = Assessment.objects.get()
    assert a.state == State.APPROVED and a.meets_standard
    changes = StateChange.objects.filter(assessment=a).order_by("at", "pk")
    assert [c.to_state for c in changes] == [
        "submitted",
        "district_checked",
        "appraised",
        "approved",
    ]
    assert {c.reason for c in changes} == {"Nhập kết quả đã phê duyệt từ Excel"}
    assert {c.user for c in changes} == {users.coordinator}


def test_rights_follow_the_workflow_and_the_department(units, small_set, users):
    # A department officer changes only the criteria of its department.
    data = _fill(
        _template(small_set, units),
        {(SHEET_VALUES, QH, "2.1"): 80, (SHEET_RESULTS, QH, "TC1"): "Đạt"},
    )
    report = _import(data, users.department)
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_RESULTS, "D")]
    assert "TC1 do cơ quan khác phụ trách" in report.errors[0].message
    # Once submitted, the commune can no longer change its results; the district can.
    a = assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    a = assessment_save(
        assessment=a,
        user=users.commune,
        version=a.version,
        manual={c.pk: ManualResult(True, "x") for c in (small_set.c1, small_set.c2, small_set.c3)},
    )
    assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)
    data = _fill(_template(small_set, units), {(SHEET_VALUES, QH, "1.1"): "Không"})
    report = _import(data, users.commune)
    assert [(e.sheet, e.column) for e in report.errors] == [(SHEET_VALUES, "D")]
    assert "“Xã đã gửi”" in report.errors[0].message
    assert _import(data, users.district).ok
    # A read-only user cannot import at all.
    assert not _import(data, users.national).ok


def test_import_of_95_communes_with_the_shipped_set_uses_a_bounded_number_of_queries(units):
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    template = assessments_template(
        scope=system_scope(), unit=units.bac_kan, year=YEAR, criteria_set=cset
    )
    wb = load_workbook(io.BytesIO(template))
    values, results = wb[SHEET_VALUES], wb[SHEET_RESULTS]
    numbers = set(
        Indicator.objects.filter(criterion__criteria_set=cset, kind="number").values_list(
            "code", flat=True
        )
    )
    for n, row in enumerate(values.iter_rows(min_row=3, min_col=4, max_col=values.max_column - 1)):
        for cell in row:
            header = values.cell(1, cell.column).value
            cell.value = (60 + n % 40) if header in numbers else "Có"
    for n, row in enumerate(results.iter_rows(min_row=3, min_col=4, max_col=3 + 2 * 19)):
        for i, cell in enumerate(row):
            if i < 19:
                cell.value = "Chưa đạt" if i == n % 19 else "Đạt"
            else:  # Lý do TC1…TC19: used where a result is not what the indicators give
                cell.value = "Biên bản thẩm định của huyện"
    out = io.BytesIO()
    wb.save(out)
    with CaptureQueriesContext(connection) as queries:
        report = assessments_import(data=out.getvalue(), scope=system_scope(), user=None)
    assert report.ok, report.errors[:3]
    assert (report.created, report.updated) == (95, 0)
    # About 5 per assessment, in the service's recompute; no query per cell or per row.
    assert len(queries) < 95 * 7, len(queries)
    # the time (goal ≤ 2 s) is measured by `make bench`, never asserted here
    assert Assessment.objects.filter(criteria_met=18).count() == 95
    assert Assessment.history.filter(history_user__username=SYSTEM_USERNAME).count() == 95


# -- commands ------------------------------------------------------------------------------


def test_commands_template_import_export_and_exit_codes(units, small_set, tmp_path, capsys):
    path = tmp_path / "mau.xlsx"
    call_command(
        "template",
        "assessments",
        "--unit",
        "063",
        "--year",
        "2023",
        "--set",
        "TEST-2021",
        "-o",
        str(path),
        verbosity=0,
    )
    assert len(_grid(path.read_bytes(), SHEET_RESULTS)) == 13
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(
        _fill(
            path.read_bytes(),
            {(SHEET_RESULTS, QH, "TC1"): "có lẽ", (SHEET_VALUES, QH, "2.1"): "x"},
        )
    )
    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("import", "assessments", str(bad), verbosity=0)
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == [
        "Trang KetQua, dòng 11, cột D",
        "Trang ChiTieu, dòng 11, cột E",
    ]
    good = tmp_path / "dung.xlsx"
    cells = {(SHEET_RESULTS, QH, c): "Đạt" for c in ("TC1", "TC2", "TC3")}
    cells |= {(SHEET_RESULTS, QH, f"Lý do {c}"): "Quyết định 2023" for c in ("TC1", "TC2", "TC3")}
    good.write_bytes(_fill(path.read_bytes(), cells))
    call_command("import", "assessments", str(good), "--dry-run", verbosity=0)
    assert "chạy thử" in capsys.readouterr().out and not Assessment.objects.exists()
    call_command("import", "assessments", str(good), "--state", "approved", verbosity=0)
    assert "tạo mới 1" in capsys.readouterr().out
    a = Assessment.objects.get()
    assert a.state == State.APPROVED
    assert a.state_changes.first().user.username == SYSTEM_USERNAME
    out = tmp_path / "ketqua.xlsx"
    call_command(
        "export",
        "assessments",
        "--unit",
        "063",
        "--year",
        "2023",
        "--set",
        "TEST-2021",
        "-o",
        str(out),
        verbosity=0,
    )
    assert _grid(out.read_bytes(), SHEET_RESULTS)[QH]["Trạng thái"] == "Đã phê duyệt (khóa)"
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command(
            "template",
            "assessments",
            "--unit",
            "999",
            "--year",
            "2023",
            "--set",
            "TEST-2021",
            "-o",
            str(path),
        )
    with pytest.raises(CommandError, match="Không có tệp"):
        call_command("import", "assessments", str(tmp_path / "khong-co.xlsx"))


# -- shared helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("72,5", Decimal("72.5")),
        ("1.234,5", Decimal("1234.5")),
        ("72.5", Decimal("72.5")),
        (" 80 ", Decimal("80")),
        (72.5, Decimal("72.5")),
        (3, Decimal("3")),
        (0.1 + 0.2, Decimal("0.3")),
        ("", None),
        (None, None),
    ],
)
def test_parse_vi_number(raw, expected):
    assert parse_vi_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "1,2,3",
        True,
        "1e400",
        datetime.date(2023, 1, 1),
        "NaN",
        "sNaN",
        "Infinity",
        "-inf",
        "1e30",
        1e30,
        float("nan"),
        float("inf"),
    ],
)
def test_parse_vi_number_refuses(raw):
    with pytest.raises(CellValueError):
        parse_vi_number(raw)


def test_parse_vi_date():
    assert parse_vi_date("29/12/2023") == datetime.date(2023, 12, 29)
    assert parse_vi_date(datetime.datetime(2023, 12, 29, 0, 0)) == datetime.date(2023, 12, 29)
    assert parse_vi_date(45289) == datetime.date(2023, 12, 29)  # an Excel serial number
    with pytest.raises(CellValueError):
        parse_vi_date("31/02/2023")


def test_attribute_values_agrees_with_attribute_value(units):
    communes = list(Unit.objects.filter(path__startswith=units.bach_thong.path, level=3)[:5])
    expected = {u.pk: attribute_value(u, AttributeKind.REGION, YEAR) for u in communes}
    assert attribute_values(communes, AttributeKind.REGION, YEAR) == expected
    assert set(expected.values()) == {"TDMNPB"}
