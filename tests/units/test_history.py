"""Units history before 2025: a workbook of changes, codes resolved by date, figures by year."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.reports.selectors import progress_summary
from ntm.units.history import (
    units_history_import,
    units_history_load_shipped,
    units_history_template,
)
from ntm.units.models import Level, Unit, UnitChange, UnitLink
from ntm.units.resolver import resolve_code, resolve_code_in_year
from ntm.units.selectors import communes_of

LS_2024 = "Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã tỉnh Lạng Sơn 2023-2025"


def workbook(changes=(), ended=(), began=(), links=()) -> bytes:
    wb = load_workbook(io.BytesIO(units_history_template()))
    for sheet, rows in (("ThayDoi", changes), ("KetThuc", ended), ("BatDau", began)):
        for row in rows:
            wb[sheet].append(list(row))
    for row in links:
        wb["LienKet"].append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


LOC_BINH_2024 = workbook(
    changes=[("LS-2024", LS_2024, "24/10/2024", "01/12/2024", "Nhập xã Tĩnh Bắc vào xã Tam Gia")],
    ended=[("LS-2024", "06574", "Xã Tĩnh Bắc", "Xã", "188")],
    links=[("LS-2024", "06574", "06559", "Có", "Không")],
)


def _loc_binh():
    return Unit.objects.get(level=Level.DISTRICT, code="188", valid_to__isnull=False)


@pytest.mark.django_db
def test_a_district_counts_the_communes_of_each_year():
    loc_binh = _loc_binh()
    assert communes_of(loc_binh, 2020).count() == 18  # the shipped list alone: 30/6/2025

    report = units_history_import(data=LOC_BINH_2024, scope=system_scope())

    assert report.ok, [str(e) for e in report.errors]
    assert (report.result.changes_created, report.result.units_created) == (1, 1)
    assert communes_of(loc_binh, 2020).count() == 19
    assert communes_of(loc_binh, 2023).count() == 19
    assert communes_of(loc_binh, 2024).count() == 18
    assert communes_of(loc_binh, 2025).count() == 18
    assert progress_summary(unit=loc_binh, year=2020).communes_total == 19
    assert progress_summary(unit=loc_binh, year=2024).communes_total == 18
    tinh_bac = Unit.objects.get(code="06574")
    assert (tinh_bac.valid_from, tinh_bac.valid_to) == (None, datetime.date(2024, 11, 30))
    link = UnitLink.objects.get(old=tinh_bac)
    assert (link.new.name, link.effective_date, link.is_default) == (
        "Xã Tam Gia",
        datetime.date(2024, 12, 1),
        True,
    )
    change = UnitChange.objects.get()
    assert list(change.ended.values_list("code", flat=True)) == ["06574"]
    assert change.issued_on == datetime.date(2024, 10, 24)


@pytest.mark.django_db
def test_a_unit_that_ended_counts_before_its_end_and_not_after():
    units_history_import(data=LOC_BINH_2024, scope=system_scope())
    tinh_bac = Unit.objects.get(code="06574")
    assert communes_of(_loc_binh(), 2023).filter(pk=tinh_bac.pk).exists()
    assert not communes_of(_loc_binh(), 2024).filter(pk=tinh_bac.pk).exists()
    assert resolve_code_in_year("06574", 2024).unit == tinh_bac  # still a unit of 2024


@pytest.mark.django_db
def test_a_dry_run_and_a_second_load_write_nothing():
    report = units_history_import(data=LOC_BINH_2024, scope=system_scope(), dry_run=True)
    assert report.ok and report.result.units_created == 1
    assert not Unit.objects.filter(code="06574").exists()
    assert not UnitChange.objects.exists()
    units_history_import(data=LOC_BINH_2024, scope=system_scope())
    again = units_history_import(data=LOC_BINH_2024, scope=system_scope())
    assert again.ok and (again.result.changes_skipped, again.result.units_created) == (1, 0)
    assert Unit.objects.filter(code="06574").count() == 1


@pytest.mark.django_db
def test_the_shipped_history_of_lang_son_reuses_a_code_by_date():
    report = units_history_load_shipped(province_code="20", scope=system_scope())
    assert report.ok, [str(e) for e in report.errors]
    before = resolve_code("06040", datetime.date(2020, 12, 31), level=Level.COMMUNE)
    after = resolve_code("06040", datetime.date(2024, 12, 31), level=Level.COMMUNE)
    assert before.unit.name == "Xã Đại Đồng" and after.unit.name == "Thị trấn Thất Khê"
    assert after.unit.valid_from == datetime.date(2024, 12, 1)
    assert "Xã Đại Đồng" in after.describe()
    dai_dong = before.unit
    assert sorted(
        (link.new.name, link.is_default, link.split) for link in dai_dong.successor_links.all()
    ) == [("Thị trấn Thất Khê", False, True), ("Xã Đội Cấn", True, True)]
    counts = {
        code: (communes_of(d, 2023).count(), communes_of(d, 2024).count())
        for code in ("180", "184", "186", "188")
        for d in [Unit.objects.get(level=Level.DISTRICT, code=code, valid_to__isnull=False)]
    }
    # xã of 2023 -> 2024: Tràng Định 21 -> 19, Văn Quan 16 -> 14, Hữu Lũng 23 -> 22, Lộc Bình 19 -> 18
    assert counts == {"180": (21, 19), "184": (16, 14), "186": (23, 22), "188": (19, 18)}


@pytest.mark.django_db
def test_errors_name_sheet_row_and_column_and_nothing_is_written():
    data = workbook(
        changes=[
            ("A", LS_2024, "", "01/12/2024", "", ""),
            ("B", "NQ khác", "", "31/13/2020", "", ""),
            ("C", "NQ sau", "", "01/07/2025", "", ""),
        ],
        ended=[
            ("A", "06574", "Xã Tĩnh Bắc", "Xã", "188"),
            ("A", "06559", "Xã Tên Khác", "Xã", "188"),
            ("Z", "06541", "", "", ""),
        ],
        began=[("A", "06541", "Xã Yên Khoái", "Xã", "188")],
        links=[("A", "06574", "99999", "Có", "Không")],
    )
    report = units_history_import(data=data, scope=system_scope())
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    assert ("ThayDoi", 3, "D") in found  # 31/13/2020 is no date
    assert ("ThayDoi", 4, "D") in found  # on or after 1/7/2025: the catalogue's change
    assert ("KetThuc", 4, "A") in found  # change Z is not on the change sheet
    assert not Unit.objects.filter(code="06574").exists()

    data = workbook(
        changes=[("A", LS_2024, "", "01/12/2024", "", "")],
        ended=[("A", "06574", "Xã Tĩnh Bắc", "Xã", "188"), ("A", "06559", "Xã Khác", "Xã", "")],
        began=[("A", "06541", "Xã Yên Khoái", "Xã", "188")] * 2,
        links=[("A", "06574", "99999", "Có", "Không")],
    )
    report = units_history_import(data=data, scope=system_scope())
    messages = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert "Xã Tam Gia" in messages[("KetThuc", 3, "C")]  # the name does not match the code
    # the shipped Yên Khoái takes the change's date as its start; a second row finds it begun
    assert ("BatDau", 2, "B") not in messages
    assert "Xã Yên Khoái" in messages[("BatDau", 3, "B")]
    assert "99999" in messages[("LienKet", 2, "C")]
    assert not Unit.objects.filter(code="06574").exists()
    assert not UnitChange.objects.exists()


@pytest.mark.django_db
def test_a_coordinator_changes_only_units_of_their_province(users):
    report = units_history_import(data=LOC_BINH_2024, scope=scope_for(users.coordinator))
    assert not report.ok
    assert any(e.column == "E" and "ngoài phạm vi" in e.message for e in report.errors)
    assert not Unit.objects.filter(code="06574").exists()
    report = units_history_import(data=LOC_BINH_2024, scope=scope_for(users.outsider))
    assert report.ok, [str(e) for e in report.errors]


@pytest.mark.django_db
def test_the_page_checks_a_workbook_then_writes_it(users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(users.outsider)  # the coordinator of Lạng Sơn
    assert client.get("/units/history/template.xlsx").status_code == 200

    def upload(dry_run):
        file = SimpleUploadedFile("ls.xlsx", LOC_BINH_2024)
        return client.post("/units/history/", {"file": file, "dry_run": dry_run or ""})

    response = upload(True)
    assert response.status_code == 200 and "Tệp hợp lệ" in response.content.decode()
    assert not UnitChange.objects.exists()
    response = upload(False)
    assert response.status_code == 200 and "Xã Tĩnh Bắc" in response.content.decode()
    assert UnitChange.objects.count() == 1
    assert client_for(users.district).get("/units/history/").status_code == 403


@pytest.mark.django_db
def test_commands_write_the_template_and_import_it(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    template = tmp_path / "units.xlsx"
    call_command("template", "units", "-o", str(template), verbosity=0)
    assert load_workbook(template).sheetnames == [
        "HuongDan",
        "ThayDoi",
        "KetThuc",
        "BatDau",
        "LienKet",
    ]
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import", "units", str(template), verbosity=0)  # no change in it
    filled = tmp_path / "ls.xlsx"
    filled.write_bytes(LOC_BINH_2024)
    call_command("import", "units", str(filled), "--dry-run", verbosity=0)
    assert not UnitChange.objects.exists()
    call_command("units", "history", "--shipped", "20", verbosity=0)
    assert UnitChange.objects.count() == 1
    assert Unit.objects.get(code="06574").valid_to == datetime.date(2024, 11, 30)


@pytest.mark.django_db
def test_reloading_the_catalogue_keeps_the_dates_the_history_gave():
    from ntm.units.services import units_load

    units_history_load_shipped(province_code="20", scope=system_scope())
    result = units_load(province_codes=["20"])
    assert (result.created, result.updated) == (0, 0)
    that_khe = resolve_code("06040", datetime.date(2025, 1, 1), level=Level.COMMUNE).unit
    assert that_khe.valid_from == datetime.date(2024, 12, 1)
    assert resolve_code("06040", datetime.date(2020, 6, 1)).unit.name == "Xã Đại Đồng"
