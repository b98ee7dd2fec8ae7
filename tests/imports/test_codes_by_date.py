"""Every importer places a record with a reused code on the unit valid at the record's date.

01849 is Xã Dương Quang (Bắc Kạn) until 30/6/2025 and Xã Phong Quang (Thái Nguyên) after.
"""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.assessments.models import Assessment, Recognition
from ntm.imports.runner import run_import
from ntm.ocop.models import Certificate, Product, Subject
from ntm.resources.excel import resources_template
from ntm.resources.models import Funding
from ntm.units.models import Level, Unit
from tests.ocop.conftest import sheets  # noqa: F401  (fixture)
from tests.ocop.test_excel import _book as ocop_book

CODE = "01849"


@pytest.fixture
def reused(units):
    old = Unit.objects.get(code=CODE, level=Level.COMMUNE, valid_to__isnull=False)
    new = Unit.objects.get(code=CODE, level=Level.COMMUNE, valid_to__isnull=True)
    assert (old.name, old.valid_to, new.name) == (
        "Xã Dương Quang",
        datetime.date(2025, 6, 30),
        "Xã Phong Quang",
    )
    return old, new


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _assessments_book(set_code: str, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "KetQua"
    ws.append(["Mã xã", "Tên xã", "Huyện", "TC1", "Lý do TC1"])
    ws.append([CODE, "", "", "Đạt", "Biên bản thẩm định"])
    guide = wb.create_sheet("HuongDan")
    guide.append(["Mã bộ tiêu chí", set_code])
    guide.append(["Năm đánh giá", year])
    return _save(wb)


def test_assessments_take_the_unit_of_the_assessment_year(reused, small_set, group_set, users):
    old, new = reused
    report = run_import(
        "assessments", data=_assessments_book("TEST-2021", 2023), scope=system_scope(), user=None
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Assessment.objects.get(year=2023).unit == old
    report = run_import(
        "assessments", data=_assessments_book("TEST-2026", 2026), scope=system_scope(), user=None
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Assessment.objects.get(year=2026).unit == new
    # A Bắc Kạn user's 2026 file: 01849 is then a Thái Nguyên commune; the message says so.
    report = run_import(
        "assessments",
        data=_assessments_book("TEST-2026", 2026),
        scope=scope_for(users.coordinator),
        user=users.coordinator,
    )
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("KetQua", 2, "A")]
    message = report.errors[0].message
    assert "Mã 01849 vào ngày 31/12/2026 là Xã Phong Quang" in message
    assert "từ 01/07/2025" in message and "Xã Dương Quang" in message and "30/06/2025" in message


def test_recognitions_take_the_unit_of_the_decision_date(reused, small_set):
    old, new = reused
    wb = Workbook()
    ws = wb.active
    ws.title = "CongNhan"
    ws.append(["Mã xã", "Mã bộ tiêu chí", "Số quyết định", "Ngày quyết định", "Công nhận/Thu hồi"])
    ws.append([CODE, "TEST-2021", "10/QĐ-UBND", "10/12/2023", "Công nhận"])
    ws.append([CODE, "TEST-2021", "20/QĐ-UBND", "2025-08-01", "Công nhận"])
    report = run_import(
        "recognitions",
        data=_save(wb),
        scope=system_scope(),
        user=None,
        history_before=datetime.date(2025, 9, 1),
        history_reason="Lịch sử công nhận",
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Recognition.objects.get(decision_number="10/QĐ-UBND").unit == old
    assert Recognition.objects.get(decision_number="20/QĐ-UBND").unit == new


def test_ocop_products_certified_before_2025_stay_on_the_old_commune(reused, sheets):  # noqa: F811
    old, new = reused
    data = ocop_book(
        subjects=[["HTX Dương Quang", "Hợp tác xã", CODE, None, None, None, None, None]],
        products=[["Miến dong", "HTX Dương Quang", CODE, "Thực phẩm", None, None, None]],
        scores=[["06", 2020, 1, "10/09/2020", "Miến dong", "HTX Dương Quang", 30, 20, 22, ""]],
        decisions=[["Miến dong", "HTX Dương Quang", "1/QĐ", "01/10/2020", "UBND tỉnh", 4, 2020, 1]],
    )
    report = run_import("ocop", data=data, scope=system_scope(), user=None)
    assert report.ok, [str(e) for e in report.errors]
    assert Product.objects.get().unit == old and Subject.objects.get().unit == old
    assert Certificate.objects.get().product.unit == old
    # With no date in the file, a subject is taken as it is today: the current commune.
    data = ocop_book(
        subjects=[["HTX Phong Quang", "Hợp tác xã", CODE, None, None, None, None, None]]
    )
    report = run_import("ocop", data=data, scope=system_scope(), user=None)
    assert report.ok, [str(e) for e in report.errors]
    assert Subject.objects.get(name="HTX Phong Quang").unit == new


def _resources_book(unit, year) -> bytes:
    wb = load_workbook(io.BytesIO(resources_template(unit=unit, year=year)))
    wb["ThongTin"]["B2"] = CODE
    ws = wb["NguonVon"]
    ws["C2"], ws["D2"] = 1_000_000, 900_000
    return _save(wb)


def test_resources_take_the_unit_of_the_funding_year(reused, users):
    old, new = reused
    report = run_import(
        "resources", data=_resources_book(old, 2023), scope=system_scope(), user=None
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Funding.objects.get(year=2023).unit == old
    report = run_import(
        "resources", data=_resources_book(new, 2026), scope=system_scope(), user=None
    )
    assert report.ok, [str(e) for e in report.errors]
    assert Funding.objects.get(year=2026).unit == new
    report = run_import(
        "resources",
        data=_resources_book(old, 2026),
        scope=scope_for(users.coordinator),
        user=users.coordinator,
    )
    assert not report.ok
    assert "Xã Phong Quang" in report.errors[0].message
    assert "Xã Dương Quang" in report.errors[0].message


def test_villages_go_to_the_commune_of_today(reused):
    old, new = reused
    wb = Workbook()
    ws = wb.active
    ws.title = "Thon"
    ws.append(["Mã xã", "Tên xã", "Tên thôn", "Loại", "Mã thôn"])
    ws.append([CODE, "", "Thôn Nà Mới", "Thôn", ""])
    report = run_import("villages", data=_save(wb), scope=system_scope(), user=None)
    assert report.ok, [str(e) for e in report.errors]
    assert Unit.objects.get(name="Thôn Nà Mới").parent == new
