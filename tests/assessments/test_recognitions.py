import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.assessments.models import Recognition, State
from ntm.assessments.recognition_import import recognitions_import, recognitions_template
from ntm.assessments.recognitions import (
    RecognitionError,
    recognition_level_on,
    recognition_record,
    recognitions_of_year,
)
from ntm.assessments.services import (
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.models import CriteriaSet, Indicator
from ntm.criteria.services import criteria_set_clone
from ntm.units.models import Unit

D = datetime.date
HEADERS = [
    "Mã xã",
    "Mã bộ tiêu chí",
    "Số quyết định",
    "Ngày quyết định",
    "Công nhận/Thu hồi",
    "Lý do",
]


def _assessment(unit, cset, small_set, users, *, meets=True, approve=True, year=2023):
    a = assessment_get_or_create(unit=unit, year=year, criteria_set=cset)
    values = {small_set.i1.pk: True, small_set.i2.pk: 90, small_set.i3.pk: 90 if meets else 50}
    if cset != small_set.set:  # a copy of the set: the same indicators under their own ids
        by_code = {i.code: i.pk for i in Indicator.objects.filter(criterion__criteria_set=cset)}
        values = {by_code["1.1"]: True, by_code["2.1"]: 90, by_code["3.1"]: 90 if meets else 50}
    a = assessment_save(assessment=a, user=users.coordinator, version=a.version, values=values)
    if approve:
        for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
            a = assessment_transition(assessment=a, user=users.coordinator, to_state=state)
    return a


def _record(unit, cset, user, **kw):
    args = {
        "unit": unit,
        "level": cset.level,
        "criteria_set": cset,
        "year": 2023,
        "action": "recognised",
        "decision_number": "2345/QĐ-UBND",
        "decision_date": D(2023, 12, 15),
        "user": user,
    }
    args.update(kw)
    return recognition_record(**args)


def _refusal(field, **kw) -> str:
    with pytest.raises(RecognitionError) as caught:
        _record(**kw)
    assert caught.value.field == field, str(caught.value)
    return str(caught.value)


# -- recording -----------------------------------------------------------------------------


def test_recognition_needs_an_approved_assessment_that_meets_the_standard(units, small_set, users):
    quan_ha, cset, user = units.quan_ha, small_set.set, users.coordinator
    message = _refusal("override_reason", unit=quan_ha, cset=cset, user=user)
    assert "chưa có kết quả đánh giá năm 2023 đã phê duyệt và đạt chuẩn" in message
    _assessment(quan_ha, cset, small_set, users, meets=True, approve=False)  # not approved
    _refusal("override_reason", unit=quan_ha, cset=cset, user=user)
    assert not Recognition.objects.exists()

    other = Unit.objects.get(code="01975")  # Vi Hương: approved but misses TC3
    _assessment(other, cset, small_set, users, meets=False)
    _refusal("override_reason", unit=other, cset=cset, user=user)
    forced = _record(other, cset, user, override_reason="Theo Kết luận thanh tra số 12/KL")
    assert forced.override_reason == "Theo Kết luận thanh tra số 12/KL"
    assert forced.created_by == user and forced.history.first().history_user == user


def test_an_approved_assessment_under_a_set_of_the_same_level_is_enough(units, small_set, users):
    provincial = CriteriaSet.objects.get(pk=small_set.set.pk)
    provincial.pk, provincial.code = None, "TEST-2021-BK"
    provincial.save()
    for criterion in small_set.set.criteria.all():
        indicators = list(criterion.indicators.all())
        thresholds = {i.pk: list(i.thresholds.all()) for i in indicators}
        old = criterion.pk
        criterion.pk, criterion.criteria_set = None, provincial
        criterion.save()
        for indicator in indicators:
            ts = thresholds[indicator.pk]
            indicator.pk, indicator.criterion = None, criterion
            indicator.save()
            for t in ts:
                t.pk, t.indicator = None, indicator
                t.save()
        assert old != criterion.pk
    _assessment(units.quan_ha, provincial, small_set, users)
    recognition = _record(units.quan_ha, small_set.set, users.coordinator)
    assert recognition.criteria_set == small_set.set and recognition.override_reason == ""


def test_level_on_a_day_follows_the_latest_decision_and_revocation_needs_the_level(
    units, small_set, users
):
    quan_ha, cset, user = units.quan_ha, small_set.set, users.coordinator
    _assessment(quan_ha, cset, small_set, users)
    message = _refusal(
        "decision_date",
        unit=quan_ha,
        cset=cset,
        user=user,
        action="revoked",
        decision_number="50/QĐ-UBND",
        decision_date=D(2024, 3, 1),
    )
    assert "không ở mức “Đạt chuẩn nông thôn mới” vào ngày 01/03/2024" in message
    _record(quan_ha, cset, user)
    assert recognition_level_on(unit=quan_ha, day=D(2023, 12, 14)) == []
    assert recognition_level_on(unit=quan_ha, day=D(2023, 12, 15)) == ["ntm"]
    message = _refusal(
        "unit",
        unit=quan_ha,
        cset=cset,
        user=user,
        decision_number="9/QĐ-UBND",
        decision_date=D(2024, 1, 5),
    )
    assert "đã đạt mức" in message and "2345/QĐ-UBND ngày 15/12/2023" in message
    _record(
        quan_ha,
        cset,
        user,
        action="revoked",
        decision_number="50/QĐ-UBND",
        decision_date=D(2024, 3, 1),
    )
    assert recognition_level_on(unit=quan_ha, day=D(2024, 2, 29)) == ["ntm"]
    assert recognition_level_on(unit=quan_ha, day=D(2024, 3, 1)) == []
    assert recognition_level_on(unit=quan_ha, day=D(2030, 1, 1)) == []
    # Revoked, it may be recognised again (with an approved result of that year).
    _record(quan_ha, cset, user, decision_number="77/QĐ-UBND", decision_date=D(2024, 6, 1))
    assert recognition_level_on(unit=quan_ha, day=D(2024, 6, 1)) == ["ntm"]


def test_rules_on_level_unit_dates_and_numbers(units, small_set, users):
    quan_ha, cset, user = units.quan_ha, small_set.set, users.coordinator
    _assessment(quan_ha, cset, small_set, users)
    assert "không phải “Nông thôn mới nâng cao”" in _refusal(
        "criteria_set", unit=quan_ha, cset=cset, user=user, level="advanced"
    )
    town = Unit.objects.get(code="01969", valid_to__isnull=False)  # thị trấn Phủ Thông
    _refusal("unit", unit=town, cset=cset, user=user, override_reason="x")
    assert "sau ngày hôm nay" in _refusal(
        "decision_date",
        unit=quan_ha,
        cset=cset,
        user=user,
        decision_date=datetime.date.today() + datetime.timedelta(days=1),
    )
    assert "trước năm đánh giá 2023" in _refusal(
        "decision_date", unit=quan_ha, cset=cset, user=user, decision_date=D(2022, 12, 30)
    )
    assert "giai đoạn 2021-2025" in _refusal(
        "criteria_set",
        unit=quan_ha,
        cset=cset,
        user=user,
        year=2020,
        decision_date=D(2020, 12, 30),
        override_reason="x",
    )
    _refusal("decision_number", unit=quan_ha, cset=cset, user=user, decision_number="  ")
    _record(quan_ha, cset, user)
    assert "Quyết định 2345/QĐ-UBND đã được ghi cho Xã Quân Hà" in _refusal(
        "decision_number", unit=quan_ha, cset=cset, user=user
    )
    assert Recognition.objects.count() == 1


def test_only_the_province_coordinator_of_the_unit_records(units, small_set, users):
    for user in (users.commune, users.district, users.outsider, users.national):
        with pytest.raises(PermissionDenied):
            _record(units.quan_ha, small_set.set, user, override_reason="x")
    assert _record(units.quan_ha, small_set.set, users.admin, override_reason="x").pk


def test_recognitions_of_year_are_scoped(units, small_set, users):
    _record(units.quan_ha, small_set.set, users.coordinator, override_reason="x")
    assert [r.unit for r in recognitions_of_year(scope=scope_for(users.district), year=2023)] == [
        units.quan_ha
    ]
    assert not recognitions_of_year(scope=scope_for(users.district), year=2024).exists()
    assert not recognitions_of_year(scope=scope_for(users.outsider), year=2023).exists()
    assert recognitions_of_year(scope=scope_for(users.new_province), year=2023).count() == 1


# -- import --------------------------------------------------------------------------------


def _book(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "CongNhan"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(data, user, **kw):
    scope = scope_for(user) if user is not None else system_scope()
    return recognitions_import(data=data, scope=scope, user=user, **kw)


def test_import_applies_rows_in_date_order(units, small_set, users):
    _assessment(units.quan_ha, small_set.set, small_set, users)
    data = _book(
        [
            ["02005", "TEST-2021", "50/QĐ-UBND", "01/03/2024", "Thu hồi", ""],
            [2005, "test-2021", "2345/QĐ-UBND", D(2023, 12, 15), "Công nhận", None],
            [
                "01975",
                "TEST-2021",
                "2345/QĐ-UBND",
                "15/12/2023",
                "cong nhan",
                "Theo kết luận 12/KL",
            ],
        ]
    )
    report = _import(data, users.coordinator)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    assert recognition_level_on(unit=units.quan_ha, day=D(2024, 1, 1)) == ["ntm"]
    assert recognition_level_on(unit=units.quan_ha, day=D(2024, 3, 1)) == []
    vi_huong = Recognition.objects.get(unit__code="01975")
    assert vi_huong.override_reason == "Theo kết luận 12/KL" and vi_huong.year == 2023


def test_import_reports_every_error_and_writes_nothing(units, small_set, users):
    _assessment(units.quan_ha, small_set.set, small_set, users)
    data = _book(
        [
            ["02005", "TEST-2021", "2345/QĐ-UBND", "15/12/2023", "Công nhận", ""],  # fine alone
            ["99999", "TEST-2021", "1/QĐ-UBND", "15/12/2023", "Công nhận", "x"],  # unknown code
            ["01975", "KHONG-CO", "2/QĐ-UBND", "15/12/2023", "Công nhận", "x"],  # unknown set
            ["01975", "TEST-2021", "3/QĐ-UBND", "31/02/2023", "Công nhận", "x"],  # no such date
            ["01975", "TEST-2021", "4/QĐ-UBND", "15/12/2023", "Phê duyệt", "x"],  # not an action
            [
                "01978",
                "TEST-2021",
                "5/QĐ-UBND",
                "15/12/2023",
                "Công nhận",
                "",
            ],  # no result, no reason
            ["01981", "TEST-2021", "6/QĐ-UBND", "15/12/2023", "Thu hồi", ""],  # does not hold it
            ["01984", "TEST-2021", "=A1", "15/12/2023", "Công nhận", "x"],  # formula
            ["02005", "TEST-2021", "2345/QĐ-UBND", "15/12/2023", "Công nhận", ""],  # repeated
            [units.lang_son_commune.code, "TEST-2021", "7/QĐ", "15/12/2023", "Công nhận", "x"],
        ]
    )
    report = _import(data, users.coordinator)
    assert {(e.sheet, e.row, e.column) for e in report.errors} == {
        ("CongNhan", 3, "A"),
        ("CongNhan", 4, "B"),
        ("CongNhan", 5, "D"),
        ("CongNhan", 6, "E"),
        ("CongNhan", 7, "F"),
        ("CongNhan", 8, "D"),
        ("CongNhan", 9, "C"),
        ("CongNhan", 10, "C"),
        ("CongNhan", 11, "A"),
    }, [str(e) for e in report.errors]
    assert report.created == 0 and not Recognition.objects.exists()
    text = "\n".join(str(e) for e in report.errors)
    assert "Trang CongNhan, dòng 7, cột F:" in text and "hãy ghi lý do" in text
    assert "không phải là ngày" in text and "lặp lại dòng 2" in text


def test_import_needs_the_columns_and_the_rights(units, small_set, users):
    report = _import(_book([], headers=["Mã xã", "Số QĐ"]), users.coordinator)
    assert {(e.row, e.column) for e in report.errors} == {(1, "B"), (1, "-")}
    assert "Thiếu cột: Mã bộ tiêu chí, Số quyết định" in report.errors[-1].message
    data = _book([["02005", "TEST-2021", "1/QĐ", "15/12/2023", "Công nhận", "x"]])
    assert not _import(data, users.commune).ok
    assert not _import(b"xyz", users.coordinator).ok
    assert not Recognition.objects.exists()


def test_import_dry_run_writes_nothing(units, small_set, users):
    data = _book([["02005", "TEST-2021", "1/QĐ", "15/12/2023", "Công nhận", "x"]])
    report = _import(data, users.coordinator, dry_run=True)
    assert report.ok and report.dry_run and report.created == 1
    assert not Recognition.objects.exists()


def test_import_command_exit_codes(units, small_set, tmp_path, capsys):
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(_book([["02005", "TEST-2021", "1/QĐ", "15/12/2023", "Công nhận", ""]]))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import", "recognitions", str(bad), verbosity=0)
    assert capsys.readouterr().err.startswith("Trang CongNhan, dòng 2, cột F: ")
    good = tmp_path / "dung.xlsx"
    good.write_bytes(_book([["02005", "TEST-2021", "1/QĐ", "15/12/2023", "Công nhận", "x"]]))
    call_command("import", "recognitions", str(good), "--dry-run", verbosity=0)
    assert not Recognition.objects.exists()
    call_command("import", "recognitions", str(good), verbosity=0)
    assert "tạo mới 1" in capsys.readouterr().out
    assert Recognition.objects.get().created_by.username == "ntm-system"


def test_recognitions_template_reads_back(units, small_set, users):
    wb = load_workbook(io.BytesIO(recognitions_template()))
    ws = wb["CongNhan"]
    ws.append(["02005", "TEST-2021", "1/QĐ", "15/12/2023", "Công nhận", "x", 2023, "Chủ tịch"])
    out = io.BytesIO()
    wb.save(out)
    report = _import(out.getvalue(), users.coordinator)
    assert report.ok, [str(e) for e in report.errors]
    assert Recognition.objects.get().signer == "Chủ tịch"


def test_a_level_that_builds_on_another_needs_it_first(units, small_set, users):
    """Nâng cao is only for a xã that holds NTM on the decision's day (the levels data's
    `requires`), unless a reason is written (an older decision not entered yet)."""
    advanced = criteria_set_clone(
        source=small_set.set, province=units.bac_kan, code="TEST-NC-2021", name=""
    )
    CriteriaSet.objects.filter(pk=advanced.pk).update(level="advanced")
    advanced.refresh_from_db()
    quan_ha, user = units.quan_ha, users.coordinator
    _assessment(quan_ha, advanced, small_set, users)
    message = _refusal(
        "override_reason", unit=quan_ha, cset=advanced, user=user, decision_number="9/QĐ-UBND"
    )
    assert "chưa đạt mức “Đạt chuẩn nông thôn mới”" in message
    assert not Recognition.objects.exists()
    _assessment(quan_ha, small_set.set, small_set, users)
    _record(quan_ha, small_set.set, user, decision_date=D(2023, 12, 10))
    recognised = _record(quan_ha, advanced, user, decision_number="9/QĐ-UBND")
    assert recognised.level == "advanced" and recognised.override_reason == ""

    other = Unit.objects.get(code="01975")
    _assessment(other, advanced, small_set, users)
    forced = _record(other, advanced, user, override_reason="Quyết định NTM năm 2015, chưa nhập")
    assert forced.level == "advanced"
