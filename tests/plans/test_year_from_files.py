"""A province's year loaded from files and commands alone: units history, plan with targets,
results, recognitions, funding with valuation rates, models (no form).

Lạng Sơn 2020, district Lộc Bình: 19 xã, "232 tiêu chí, trung bình mỗi xã đạt 12,21 tiêu chí"
(seed 004). The per-commune split of the 232 criteria is not in the seed: the test gives 6 xã
19 criteria (the six the report names) and spreads the rest; only the totals are the report's.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ntm.assessments.models import Assessment, Recognition, State
from ntm.plans.models import Plan, Target
from ntm.reports.selectors import progress_summary
from ntm.resources.models import ConversionRate
from ntm.resources.selectors import contribution_figures, model_figures
from ntm.units.models import Level, Unit
from ntm.units.selectors import communes_of

NINETEEN = ["Yên Khoái", "Hữu Khánh", "Đồng Bục", "Tú Đoạn", "Khuất Xá", "Tú Mịch"]


def _edit(path, edit):
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)


def _header_col(ws, header):
    return next(c.column for c in ws[1] if c.value == header)


def _results(loc_binh):
    """{commune code: criteria met}: 6 × 19 + 12 × 9 + 1 × 10 = 232."""
    communes = list(communes_of(loc_binh, 2020).order_by("code"))
    assert len(communes) == 19
    rest = iter([9] * 12 + [10])
    return {c.code: 19 if c.short_name in NINETEEN else next(rest) for c in communes}


def _fill_results(wb, met):
    ws = wb["KetQua"]
    for row in range(3, ws.max_row + 1):
        code = ws.cell(row, 1).value
        if code not in met:
            continue
        for n in range(1, 20):
            ws.cell(row, _header_col(ws, f"TC{n}")).value = "Đạt" if n <= met[code] else "Chưa đạt"
            ws.cell(row, _header_col(ws, f"Lý do TC{n}")).value = "Báo cáo năm 2020"


def _rows(ws, rows):
    for row in rows:
        ws.append(row)


@pytest.mark.django_db
def test_a_province_year_loads_from_files_and_commands(tmp_path):
    def run(*args):
        call_command(*args, verbosity=0)

    run("units", "history", "--shipped", "20")
    run("criteria", "load", "NTM-XA-2016")
    run("resources", "sources")
    loc_binh = Unit.objects.get(level=Level.DISTRICT, code="188", valid_to__isnull=False)

    # the province's plan, by command, then its targets from its workbook
    run(
        "plan",
        "create",
        "--unit",
        "20",
        "--name",
        "Kế hoạch xây dựng nông thôn mới năm 2020",
        "--from",
        "2020",
        "--to",
        "2020",
        "--decision",
        "125/KH-UBND",
        "--date",
        "25/02/2020",
    )
    plan = Plan.objects.get(number="125/KH-UBND")
    assert (plan.unit.code, plan.year_from, plan.issuer) == (
        "20",
        2020,
        "Ủy ban nhân dân tỉnh Lạng Sơn",
    )
    book = tmp_path / "kh.xlsx"
    run("plan", "template", "--plan-id", str(plan.pk), "-o", str(book))
    _edit(
        book,
        lambda wb: _rows(
            wb["ChiTieu"],
            [
                [
                    "Số xã đạt chuẩn mới trong năm",
                    "Đạt chuẩn nông thôn mới",
                    None,
                    "20",
                    None,
                    2020,
                    13,
                ],
                [
                    "Số xã đạt chuẩn mới trong năm",
                    "Đạt chuẩn nông thôn mới",
                    None,
                    "188",
                    None,
                    2020,
                    2,
                ],
            ],
        ),
    )
    run("plan", "import", "--plan-id", str(plan.pk), str(book))
    assert plan.targets.count() == 2

    # the district's plan: created by its workbook alone (KeHoach sheet)
    new = tmp_path / "kh-huyen.xlsx"
    run("plan", "template", "-o", str(new))

    def district_plan(wb):
        for row, value in enumerate(
            [
                "188",
                "89/KH-UBND",
                "10/03/2020",
                "Ủy ban nhân dân huyện Lộc Bình",
                "Kế hoạch xây dựng NTM huyện Lộc Bình năm 2020",
                2020,
                2020,
                "Đang thực hiện",
            ],
            start=2,
        ):
            wb["KeHoach"].cell(row, 2).value = value
        _rows(wb["ChiTieu"], [["Bình quân số tiêu chí đạt/xã", None, None, "188", None, 2020, 12]])
        _rows(wb["LoTrinh"], [["06541", None, "Đạt chuẩn nông thôn mới", 2020]])

    _edit(new, district_plan)
    run("plan", "import", str(new), "--dry-run")
    assert not Plan.objects.filter(number="89/KH-UBND").exists()
    run("plan", "import", str(new))
    district = Plan.objects.get(number="89/KH-UBND")
    assert (district.unit, district.status, district.roadmap.count()) == (loc_binh, "active", 1)
    assert Target.objects.get(plan=district).value == Decimal("12")

    # results of the 19 xã, approved (the figures of a past year)
    results = tmp_path / "kq.xlsx"
    run(
        "template",
        "assessments",
        "--unit",
        "188",
        "--year",
        "2020",
        "--set",
        "NTM-XA-2016",
        "-o",
        str(results),
    )
    met = _results(loc_binh)
    assert sum(met.values()) == 232
    _edit(results, lambda wb: _fill_results(wb, met))
    run("import", "assessments", str(results), "--state", "approved")
    assert Assessment.objects.filter(year=2020, state=State.APPROVED).count() == 19

    # recognitions of the year
    decided = [c for c, n in met.items() if n == 19][:2]
    recognitions = tmp_path / "cn.xlsx"
    from ntm.assessments.recognitions import recognitions_template

    recognitions.write_bytes(recognitions_template())
    _edit(
        recognitions,
        lambda wb: _rows(
            wb["CongNhan"],
            [
                [code, "NTM-XA-2016", f"{3100 + i}/QĐ-UBND", "28/12/2020", "Công nhận", ""]
                for i, code in enumerate(decided)
            ],
        ),
    )
    run("import", "recognitions", str(recognitions))
    assert Recognition.objects.filter(year=2020).count() == 2

    # funding, contributions and models of the district; the province's valuation rates
    money = tmp_path / "nl-huyen.xlsx"
    run("resources", "template", "--unit", "188", "--year", "2020", "-o", str(money))

    def district_money(wb):
        ws = wb["NguonVon"]
        ws.cell(2, 3).value, ws.cell(2, 4).value = 5_000_000_000, 4_200_000_000
        ws = wb["DongGop"]
        for col, value in enumerate([1200, 350, 80_000_000, 0, ""], start=1):
            ws.cell(2, col).value = value
        _rows(
            wb["MoHinh"], [["06541", "Khu dân cư kiểu mẫu", "Thôn Nà Pàn", 2020, "Duy trì", None]]
        )

    _edit(money, district_money)
    assert "MucQuyDoi" not in load_workbook(money).sheetnames  # a district sets no rate
    run("resources", "import", str(money))
    rates = tmp_path / "nl-tinh.xlsx"
    run("resources", "template", "--unit", "20", "--year", "2020", "-o", str(rates))

    def rates_row(wb):
        for col, value in enumerate([50_000, 150_000, "QĐ 99/QĐ-UBND"], start=1):
            wb["MucQuyDoi"].cell(2, col).value = value

    _edit(rates, rates_row)
    run("resources", "import", str(rates))
    rate = ConversionRate.objects.get(province__code="20", year=2020)
    assert (rate.land_per_m2, rate.workday, rate.decision) == (50_000, 150_000, "QĐ 99/QĐ-UBND")

    # the figures of the year
    summary = progress_summary(unit=loc_binh, year=2020)
    assert (summary.communes_total, summary.communes_assessed) == (19, 19)
    assert summary.criteria_met_average == Decimal("12.21")
    assert summary.recognised_new == {"ntm": 2}
    contributions = contribution_figures(loc_binh, 2020)
    assert contributions["land_value"] == 1200 * 50_000
    assert contributions["workdays_value"] == 350 * 150_000
    assert model_figures(loc_binh, 2020)["total"] == 1
    assert progress_summary(unit=loc_binh, year=2024).communes_total == 18
    assert Unit.objects.get(code="06574").valid_to == datetime.date(2024, 11, 30)


@pytest.mark.django_db
def test_a_plan_workbook_with_a_bad_header_writes_nothing(tmp_path):
    from ntm.accounts.scope import system_scope
    from ntm.plans.excel import plans_template
    from ntm.plans.excel_create import plan_workbook_import

    wb = load_workbook(io.BytesIO(plans_template(None)))
    for row, value in enumerate(["999", "", "31/02/2020", "UBND", "KH", 2021, 2020, "?"], start=2):
        wb["KeHoach"].cell(row, 2).value = value
    out = io.BytesIO()
    wb.save(out)
    report = plan_workbook_import(data=out.getvalue(), scope=system_scope(), user=None)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("KeHoach", 3, "B"),  # no number
        ("KeHoach", 4, "B"),  # 31/02 is no date (so the unit code is not looked up)
        ("KeHoach", 9, "B"),  # the status
    ]
    assert not Plan.objects.exists()

    for row, value in enumerate(["20", "1/KH", "01/02/2020", "UBND", "KH", 2021, 2020], start=2):
        wb["KeHoach"].cell(row, 2).value = value
    wb["KeHoach"].cell(9, 2).value = "Dự thảo"
    out = io.BytesIO()
    wb.save(out)
    report = plan_workbook_import(data=out.getvalue(), scope=system_scope(), user=None)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("KeHoach", 8, "B")]
    assert "2021" in report.errors[0].message
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_the_page_creates_a_plan_from_its_workbook(users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(users.outsider)  # the coordinator of Lạng Sơn
    blank = client.get("/plans/new/template.xlsx")
    assert blank.status_code == 200
    wb = load_workbook(io.BytesIO(blank.content))
    header = ["20", "125/KH-UBND", "25/02/2020", "UBND tỉnh Lạng Sơn", "KH 2020", 2020, 2020]
    for row, value in enumerate(header, start=2):
        wb["KeHoach"].cell(row, 2).value = value
    out = io.BytesIO()
    wb.save(out)

    def upload(dry_run):
        file = SimpleUploadedFile("kh.xlsx", out.getvalue())
        return client.post("/plans/new/import/", {"file": file, "dry_run": dry_run or ""})

    assert upload(True).status_code == 200 and not Plan.objects.exists()
    response = upload(False)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert client_for(users.coordinator).post("/plans/new/import/", {}).status_code == 200
    assert client_for(users.commune).get("/plans/new/import/").status_code == 403
