"""The recognition import as a province brings its history in at go-live: one upload (or one
command) of every decision since 2011, on the sets of each period, taken as they stand."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.assessments.models import Recognition
from ntm.assessments.recognition_import import recognitions_import, recognitions_template
from ntm.assessments.recognitions import levels_held
from ntm.criteria.models import CriteriaSet
from ntm.imports.runner import run_import
from ntm.units.models import Unit

D = datetime.date
CUT_OFF = D(2025, 1, 1)
REASON = "Tổng hợp theo Báo cáo 123/BC-UBND ngày 10/12/2024"


def _set(code, level, start, end):
    # The 2010–2015 set stands in for 491/QĐ-TTg (NTM-XA-2010, shipped by the criteria data).
    return CriteriaSet.objects.create(
        code=code,
        name=code,
        decision_number="TEST",
        period_start=start,
        period_end=end,
        applies_to="commune",
        level=level,
        threshold_basis="region",
        bands=[],
    )


@pytest.fixture
def periods(db):
    return {
        "2011": _set("TEST-2011", "ntm", 2011, 2015),
        "2016": _set("TEST-2016", "ntm", 2016, 2020),
        "2021": _set("TEST-2021", "ntm", 2021, 2025),
        "nc": _set("TEST-NC-2021", "advanced", 2021, 2025),
    }


def _history_rows(communes: list[Unit]) -> list[list]:
    """20 communes: recognised 2011–2015; ten of them revoked in 2017 and recognised again on
    the 2016 set in 2019; all recognised at the advanced level in 2022–2024. 60 decisions,
    dates as Excel dates, dd/mm/yyyy text and yyyy-mm-dd text."""
    rows = []
    for n, unit in enumerate(communes):
        year = 2011 + n % 5
        rows.append([unit.code, "TEST-2011", f"{100 + n}/QĐ-UBND", D(year, 12, 10), "Công nhận"])
        if n % 2 == 0:
            rows.append([unit.code, "TEST-2016", f"{200 + n}/QĐ-UBND", "05/06/2017", "Thu hồi"])
            rows.append([unit.code, "TEST-2016", f"{300 + n}/QĐ-UBND", "2019-12-20", "Công nhận"])
        nc_year = 2022 + n % 3
        rows.append(
            [unit.code, "TEST-NC-2021", f"{400 + n}/QĐ-UBND", f"{nc_year}-11-30", "Công nhận"]
        )
    return rows


def _book(rows) -> bytes:
    wb = load_workbook(io.BytesIO(recognitions_template()))
    ws = wb["CongNhan"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def communes(units):
    found = list(
        Unit.objects.filter(path__startswith=units.bac_kan.path, level=3, kind="xa")
        .valid_on(D(2011, 1, 1))
        .order_by("code")[:20]
    )
    assert len(found) == 20
    return found


def _check_history(communes, periods) -> None:
    assert Recognition.objects.count() == 60
    assert set(Recognition.objects.values_list("criteria_set__code", flat=True)) == {
        "TEST-2011",
        "TEST-2016",
        "TEST-NC-2021",
    }
    assert not Recognition.objects.exclude(override_reason="").exists()
    ids = [u.pk for u in communes]
    assert all(levels_held(ids, D(2016, 1, 1))[pk] == {"ntm"} for pk in ids)
    in_2018 = levels_held(ids, D(2018, 1, 1))
    assert sum(1 for pk in ids if in_2018.get(pk)) == 10
    assert all(levels_held(ids, D(2024, 12, 31))[pk] == {"ntm", "advanced"} for pk in ids)
    reasons = set(Recognition.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"Nhập lịch sử (trước 01/01/2025): {REASON}"[:100]}


def test_history_of_60_decisions_goes_in_through_the_template_in_one_upload(
    communes, periods, users, client_for
):
    data = _book(_history_rows(communes))
    # Without the history option, each decision would need an approved result or a reason.
    refused = recognitions_import(
        data=data, scope=scope_for(users.coordinator), user=users.coordinator
    )
    # (the revocations then find no recognition to revoke)
    assert len(refused.errors) == 60 and not Recognition.objects.exists()
    assert (refused.errors[0].sheet, refused.errors[0].row, refused.errors[0].column) == (
        "CongNhan",
        2,
        "F",
    )
    assert "hãy ghi lý do" in refused.errors[0].message
    client = client_for(users.coordinator)
    upload = io.BytesIO(data)
    upload.name = "lich-su.xlsx"
    response = client.post(
        "/imports/recognitions/",
        {
            "file": upload,
            "history_before": "01/01/2025",
            "history_reason": REASON,
        },
    )
    assert response.status_code == 200, response.content[:500]
    assert "Đã nhập" in response.content.decode()
    _check_history(communes, periods)


def test_history_goes_in_with_one_command(communes, periods, tmp_path, capsys):
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(_book(_history_rows(communes)))
    with pytest.raises(CommandError, match="lý do chung"):
        call_command("import", "recognitions", str(path), "--history-before", "2025-01-01")
    call_command(
        "import",
        "recognitions",
        str(path),
        "--history-before",
        "01/01/2025",
        "--history-reason",
        REASON,
        verbosity=0,
    )
    assert "tạo mới 60" in capsys.readouterr().out
    _check_history(communes, periods)


def test_decisions_on_or_after_the_cut_off_still_follow_the_rules(communes, periods, users):
    unit = communes[0]
    data = _book(
        [
            [unit.code, "TEST-2011", "1/QĐ-UBND", "10/12/2012", "Công nhận"],
            [unit.code, "TEST-2021", "2/QĐ-UBND", "2025-01-01", "Thu hồi"],
            [unit.code, "TEST-2021", "3/QĐ-UBND", "2025-01-02", "Công nhận"],
        ]
    )
    report = run_import(
        "recognitions",
        data=data,
        scope=scope_for(users.coordinator),
        user=users.coordinator,
        history_before=CUT_OFF,
        history_reason=REASON,
    )
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("CongNhan", 4, "F")]
    assert "hãy ghi lý do" in report.errors[0].message
    assert not Recognition.objects.exists()


def test_a_missing_sheet_or_column_is_named_without_row_zero(periods, users):
    wb = Workbook()
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    report = recognitions_import(data=out.getvalue(), scope=system_scope(), user=None)
    assert [str(e) for e in report.errors] == [
        "Tệp không có trang “CongNhan” (có: Sheet1); hãy dùng tệp mẫu (tải mẫu trên trang nhập, "
        "hoặc `ntm template recognitions`)."
    ]
    report = recognitions_import(
        data=b"x", scope=system_scope(), user=None, history_before=CUT_OFF, history_reason=""
    )
    assert "lý do chung" in str(report.errors[0]) and "dòng 0" not in str(report.errors[0])


def test_template_command_writes_the_template(tmp_path, capsys, db):
    path = tmp_path / "mau.xlsx"
    call_command("template", "recognitions", "-o", str(path), verbosity=0)
    wb = load_workbook(path)
    assert wb.sheetnames == ["CongNhan", "HuongDan"]
    assert [c.value for c in wb["CongNhan"][1]][:5] == [
        "Mã xã",
        "Mã bộ tiêu chí",
        "Số quyết định",
        "Ngày quyết định",
        "Công nhận/Thu hồi",
    ]
    assert wb["CongNhan"]["D2"].number_format == "DD/MM/YYYY"
