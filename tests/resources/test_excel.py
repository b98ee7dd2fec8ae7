"""Template, atomic import (errors name sheet/row/column; nothing written), CLI, export."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for
from ntm.resources.excel import resources_import, resources_template
from ntm.resources.models import Activity, Contribution, Funding, ModelSite


def _filled(unit, year, edit) -> bytes:
    wb = load_workbook(io.BytesIO(resources_template(unit=unit, year=year)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _good(wb):
    ws = wb["NguonVon"]
    ws["C2"], ws["D2"] = 1_000_000, "900.000"  # vi-VN thousands written as text
    wb["DongGop"].append([])
    ws = wb["DongGop"]
    ws["A2"], ws["B2"], ws["C2"] = "177,5", 30, 2_000_000
    wb["MoHinh"].append(["", "Khu dân cư Xanh - sạch - đẹp", "Thôn A", 2022, "Duy trì", None])
    wb["HoatDong"].append(
        ["Lớp tập huấn, đào tạo", "Tập huấn", "02/05/2024", "UBND xã", "người", 50, 44]
    )


def _counts():
    return (
        Funding.objects.count(),
        Contribution.objects.count(),
        ModelSite.objects.count(),
        Activity.objects.count(),
    )


def test_template_roundtrip_dry_run_then_write(units, users, system):
    data = _filled(units.quan_ha, 2024, _good)
    report = resources_import(data=data, scope=system, user=None, dry_run=True)
    assert report.ok, report.errors
    assert report.created == 4 and _counts() == (0, 0, 0, 0)
    report = resources_import(data=data, scope=scope_for(users.commune), user=users.commune)
    assert report.ok, report.errors
    assert _counts() == (1, 1, 1, 1)
    funding = Funding.objects.get()
    assert (funding.allocated, funding.disbursed, funding.source.code) == (
        1_000_000,
        900_000,
        "ntm_central",
    )
    assert str(Contribution.objects.get().land_m2) == "177.50"
    # again: the same rows are updated, not duplicated
    again = resources_import(
        data=_filled(units.quan_ha, 2024, lambda wb: None), scope=system, user=None
    )
    assert again.ok and again.created == 0 and _counts() == (1, 1, 1, 1)


def test_errors_name_sheet_row_column_and_nothing_is_written(units, system):
    def bad(wb):
        _good(wb)
        wb["NguonVon"]["C3"] = "nhiều"
        wb["NguonVon"]["D4"] = -5
        wb["HoatDong"].append(["Lớp tập huấn, đào tạo", "Sai năm", "01/01/2023", "", "người", 1, 1])
        wb["MoHinh"].append(["", "Không có loại này", "Thôn B", 2022, "Duy trì", None])
        wb["NguonVon"].append(["khong_co", "?", 1, 1])

    report = resources_import(data=_filled(units.quan_ha, 2024, bad), scope=system, user=None)
    assert not report.ok and _counts() == (0, 0, 0, 0)
    where = {(e.sheet, e.row, e.column) for e in report.errors}
    assert {
        ("NguonVon", 3, "C"),
        ("NguonVon", 4, "D"),
        ("HoatDong", 3, "C"),
        ("MoHinh", 3, "B"),
        ("NguonVon", 13, "A"),
    } <= where
    assert any("Trang NguonVon, dòng 3, cột C" in str(e) for e in report.errors)


def test_import_outside_scope_is_refused(units, users):
    data = _filled(units.quan_ha, 2024, _good)
    report = resources_import(data=data, scope=scope_for(users.outsider), user=users.outsider)
    assert not report.ok and report.errors[0].sheet == "ThongTin" and _counts() == (0, 0, 0, 0)
    report = resources_import(data=b"not a workbook", scope=scope_for(users.commune), user=None)
    assert not report.ok


def test_cli_template_and_import(units, tmp_path, capsys):
    path = tmp_path / "nl.xlsx"
    call_command(
        "resources", "template", "--unit", units.quan_ha.code, "--year", "2024", "-o", str(path)
    )
    wb = load_workbook(path)
    assert wb["ThongTin"]["B2"].value == units.quan_ha.code
    _good(wb)
    wb.save(path)
    call_command("resources", "import", str(path), "--dry-run")
    assert _counts() == (0, 0, 0, 0)
    call_command("resources", "import", str(path))
    assert _counts() == (1, 1, 1, 1)
    wb["NguonVon"]["C2"] = "=1+1"
    wb.save(path)
    with pytest.raises(CommandError):
        call_command("resources", "import", str(path))


def _rates(values):
    def edit(wb):
        if "MucQuyDoi" not in wb.sheetnames:  # a district's file: the sheet added by hand
            wb.create_sheet("MucQuyDoi").append(["a", "b", "c"])
        for col, value in enumerate(values, start=1):
            wb["MucQuyDoi"].cell(2, col).value = value

    return edit


def test_the_province_file_carries_its_valuation_rates(units, users):
    from ntm.resources.models import ConversionRate

    data = _filled(units.bac_kan, 2023, _rates(["50.000", 150_000, "QĐ 1/QĐ-UBND"]))
    report = resources_import(data=data, scope=scope_for(users.department), user=users.department)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("MucQuyDoi", 2, "A")]
    assert not ConversionRate.objects.exists()
    report = resources_import(data=data, scope=scope_for(users.coordinator), user=users.coordinator)
    assert report.ok, report.errors
    rate = ConversionRate.objects.get()
    assert (rate.province, rate.year, rate.land_per_m2, rate.workday) == (
        units.bac_kan,
        2023,
        50_000,
        150_000,
    )
    wb = load_workbook(io.BytesIO(resources_template(unit=units.bac_kan, year=2023)))
    assert [c.value for c in wb["MucQuyDoi"][2]] == [50_000, 150_000, "QĐ 1/QĐ-UBND"]
    district = _filled(units.bach_thong, 2023, _rates([1, 2, "x"]))
    report = resources_import(data=district, scope=scope_for(users.coordinator), user=None)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("MucQuyDoi", 2, "A")]
    assert "chỉ tỉnh" in report.errors[0].message
