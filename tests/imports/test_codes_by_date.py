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


# -- every registered importer ---------------------------------------------------------------
#
# Each case imports a record dated before 1/7/2025 with code 01849 (or, for villages, which are
# added to today's communes, today) and returns (the unit the record landed on, the unit that
# should be taken, the date of the record as messages print it). The report must say which
# unit the code was read as, on which day, and name the other unit of the code.


def _roadmap_book(*, plan_fields: list | None) -> bytes:
    from ntm.plans.excel import plans_template

    wb = load_workbook(io.BytesIO(plans_template(None)))
    if plan_fields:
        for row, value in enumerate(plan_fields, start=2):
            wb["KeHoach"].cell(row=row, column=2, value=value)
    wb["LoTrinh"].append([CODE, "Dương Quang", "Nông thôn mới", 2024])
    return _save(wb)


def _case_assessments(reused, ctx):
    run_import("assessments", data=_assessments_book("TEST-2021", 2023), **ctx.system)
    return ctx.last, Assessment.objects.get(year=2023).unit, reused[0], "31/12/2023"


def _case_recognitions(reused, ctx):
    wb = Workbook()
    ws = wb.active
    ws.title = "CongNhan"
    ws.append(["Mã xã", "Mã bộ tiêu chí", "Số quyết định", "Ngày quyết định", "Công nhận/Thu hồi"])
    ws.append([CODE, "TEST-2021", "10/QĐ-UBND", "10/12/2023", "Công nhận"])
    run_import(
        "recognitions",
        data=_save(wb),
        history_before=datetime.date(2025, 1, 1),
        history_reason="Lịch sử công nhận",
        **ctx.system,
    )
    return ctx.last, Recognition.objects.get().unit, reused[0], "10/12/2023"


def _case_ocop(reused, ctx):
    from ntm.ocop.services import sheets_load

    sheets_load()
    data = ocop_book(
        subjects=[["HTX Dương Quang", "Hợp tác xã", CODE, None, None, None, None, None]],
        products=[["Miến dong", "HTX Dương Quang", CODE, "Thực phẩm", None, None, None]],
        scores=[["06", 2020, 1, "10/09/2020", "Miến dong", "HTX Dương Quang", 30, 20, 22, ""]],
        decisions=[["Miến dong", "HTX Dương Quang", "1/QĐ", "01/10/2020", "UBND tỉnh", 4, 2020, 1]],
    )
    run_import("ocop", data=data, **ctx.system)
    return ctx.last, Certificate.objects.get().product.unit, reused[0], "10/09/2020"


def _case_resources(reused, ctx):
    run_import("resources", data=_resources_book(reused[0], 2023), **ctx.system)
    return ctx.last, Funding.objects.get(year=2023).unit, reused[0], "31/12/2023"


def _case_villages(reused, ctx):
    from django.utils import timezone
    from django.utils.formats import date_format

    wb = Workbook()
    ws = wb.active
    ws.title = "Thon"
    ws.append(["Mã xã", "Tên xã", "Tên thôn", "Loại", "Mã thôn"])
    ws.append([CODE, "", "Thôn Nà Mới", "Thôn", ""])
    run_import("villages", data=_save(wb), **ctx.system)
    today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    return ctx.last, Unit.objects.get(name="Thôn Nà Mới").parent, reused[1], today


def _case_plan(reused, ctx):
    from ntm.plans import services as plan_services
    from ntm.plans.models import RoadmapEntry

    plan = plan_services.plan_create(
        user=None,
        unit=Unit.objects.get(code="06", valid_to__isnull=False),
        number="125/KH-UBND",
        issued_on=datetime.date(2022, 2, 25),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch xây dựng nông thôn mới",
        year_from=2021,
        year_to=2025,
    )
    run_import("plan", data=_roadmap_book(plan_fields=None), plan_id=plan.pk, **ctx.system)
    return ctx.last, RoadmapEntry.objects.get().unit, reused[0], "31/12/2024"


def _case_plan_new(reused, ctx):
    from ntm.plans.models import RoadmapEntry

    fields = ["06", "126/KH-UBND", "01/03/2022", "UBND tỉnh Bắc Kạn", "Kế hoạch", 2021, 2025]
    run_import("plan-new", data=_roadmap_book(plan_fields=fields), **ctx.system)
    return ctx.last, RoadmapEntry.objects.get().unit, reused[0], "31/12/2024"


def _case_units(reused, ctx):
    from tests.units.test_history import workbook

    data = workbook(
        changes=[("LS-2020", "Nghị quyết 1/NQ-UBTVQH14", "01/12/2019", "01/01/2020", "Thử")],
        ended=[("LS-2020", CODE, "Xã Dương Quang", "Xã", "")],
        links=[],
    )
    run_import("units", data=data, **ctx.system)
    old = Unit.objects.get(pk=reused[0].pk)
    ended = Unit.objects.get(code=CODE, valid_to=datetime.date(2019, 12, 31))
    assert old.valid_to == datetime.date(2019, 12, 31)  # the old commune ended, not the new
    return ctx.last, ended, reused[0], "31/12/2019"


CASES = {
    "assessments": _case_assessments,
    "recognitions": _case_recognitions,
    "ocop": _case_ocop,
    "resources": _case_resources,
    "villages": _case_villages,
    "plan": _case_plan,
    "plan-new": _case_plan_new,
    "units": _case_units,
}
# Importers whose workbooks hold no unit code, with the reason.
NO_CODES = {"ocop-sheet": "a score sheet names an evaluation and a council member by ID"}


def test_every_importer_has_a_reused_code_case():
    from ntm.imports.registry import importers

    assert set(CASES) | set(NO_CODES) == {i.name for i in importers()}
    assert not set(CASES) & set(NO_CODES)


@pytest.fixture
def ctx(monkeypatch):
    """Runs through the runner as the command line; `ctx.last()` is the last report."""
    from types import SimpleNamespace

    from ntm.imports import runner

    reports = []
    original = runner.run_import

    def spy(*args, **kwargs):
        report = original(*args, **kwargs)
        reports.append(report)
        return report

    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "run_import", spy)
    return SimpleNamespace(system={"scope": system_scope(), "user": None}, last=lambda: reports[-1])


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_reused_code_lands_on_the_unit_of_the_record_date(name, reused, ctx, small_set, users):
    last, landed, expected, day = CASES[name](reused, ctx)
    report = last()
    assert report.ok, [str(e) for e in report.errors]
    assert landed == expected, (landed, expected)
    notes = [str(n) for n in report.notes]
    other = reused[1] if expected == reused[0] else reused[0]
    said = [n for n in notes if expected.name in n and day in n and other.name in n]
    assert said, notes


def test_the_upload_page_shows_which_unit_a_reused_code_was_read_as(reused, users, client_for):
    wb = Workbook()
    ws = wb.active
    ws.title = "Thon"
    ws.append(["Mã xã", "Tên xã", "Tên thôn", "Loại", "Mã thôn"])
    ws.append([CODE, "", "Thôn Nà Mới", "Thôn", ""])
    upload = io.BytesIO(_save(wb))
    upload.name = "thon.xlsx"
    page = client_for(users.admin).post(
        "/units/villages/import/", {"file": upload, "dry_run": "on"}
    )
    text = page.content.decode()
    assert "Mã 01849 vào ngày" in text and "là Xã Phong Quang" in text
    assert "Xã Dương Quang" in text
