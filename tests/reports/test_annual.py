"""The annual report: every number in the Word and Excel files equals the summary figures."""

import datetime
import io
import re
import unicodedata
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from ntm.accounts.scope import system_scope
from ntm.assessments.models import Assessment
from ntm.ocop import services as ocop_services
from ntm.ocop.selectors import ocop_figures
from ntm.plans import services as plan_services
from ntm.plans.models import PlanStatus, TaskStatus
from ntm.reports import pdf
from ntm.reports.annual import annual_report
from ntm.reports.document import percent
from ntm.reports.selectors import national_summary, progress_summary
from ntm.reports.word import report_docx
from ntm.reports.workbook import FIRST_DATA_ROW, report_workbook, sheet_name
from ntm.resources import services as resource_services
from ntm.resources.models import FundingSource

ISSUED = datetime.date(2024, 1, 15)


@pytest.fixture
def full(units, users, dataset):
    """The dataset plus a 2023 plan with targets and tasks, an OCOP certificate, money,
    contributions and an activity, all in Bắc Kạn."""
    plan = plan_services.plan_create(
        user=users.coordinator,
        unit=units.bac_kan,
        number="125/KH-UBND",
        issued_on=datetime.date(2023, 2, 28),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch xây dựng nông thôn mới năm 2023",
        year_from=2023,
        year_to=2023,
        status=PlanStatus.ACTIVE,
    )
    plan_services.target_create(
        plan=plan,
        user=users.coordinator,
        metric="communes_new_at_level",
        level="ntm",
        year=2023,
        value=17,
    )
    plan_services.target_create(
        plan=plan, user=users.coordinator, metric="criteria_average", year=2023, value=Decimal("14")
    )
    plan_services.task_save(
        plan=plan,
        user=users.coordinator,
        group="Tuyên truyền",
        content='=HYPERLINK("http://x") tuyên truyền',
        lead_agency="Sở NN",
        deadline=datetime.date(2023, 6, 30),
        status=TaskStatus.DONE,
    )
    plan_services.task_save(
        plan=plan,
        user=users.coordinator,
        group="Hạ tầng",
        content="Làm đường trục xã",
        lead_agency="Sở GTVT",
        deadline=datetime.date(2023, 9, 30),
    )
    ocop_services.sheets_load()
    coop = ocop_services.subject_save(
        user=None, kind="cooperative", name="HTX Quân Hà", unit=units.quan_ha, tax_code="4700123456"
    )
    tea = ocop_services.product_save(
        user=None, name="Chè Quân Hà", subject=coop, group="do_uong", unit=units.quan_ha
    )
    ocop_services.certificate_issue(
        user=None, product=tea, number="231/QĐ-UBND", issued_on=datetime.date(2023, 11, 7), stars=4
    )
    scope = system_scope()
    source = FundingSource.objects.order_by("order").first()
    resource_services.funding_save(
        scope=scope,
        user=None,
        unit=units.bac_kan,
        year=2023,
        source=source,
        allocated=1_500_000_000,
        disbursed=1_200_000_000,
    )
    resource_services.contribution_save(
        scope=scope,
        user=None,
        unit=units.quan_ha,
        year=2023,
        land_m2=177165,
        workdays=27955,
        cash=1_500_000_000,
    )
    resource_services.activity_save(
        scope=scope,
        unit=units.bac_kan,
        kind="training",
        name="Tập huấn cán bộ xã",
        date=datetime.date(2023, 5, 10),
        planned=48,
        actual=42,
    )
    return plan


def _docx_tables(data: bytes) -> dict:
    doc = Document(io.BytesIO(data))
    tables = {}
    for table in doc.tables:
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        if caption is not None:
            tables[caption.get(qn("w:val"))] = [[c.text for c in row.cells] for row in table.rows]
    return tables


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def vi(value, places=None) -> str:
    """The vi-VN text a number must appear as (written here independently of the code)."""
    if places is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-places))
        whole, _, fraction = f"{value:f}".partition(".")
    else:
        whole, fraction = str(value), ""
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


@pytest.fixture
def province_docx(units, full):
    report = annual_report(unit=units.bac_kan, year=2023, issued_on=ISSUED)
    return report, report_docx(report)


def test_word_tables_equal_the_summary(units, province_docx):
    s = progress_summary(unit=units.bac_kan, year=2023)
    _report, data = province_docx
    tables = _docx_tables(data)

    bands = {row[0]: row[1] for row in tables["nhom_tieu_chi"][1:-1]}
    assert bands == {label: vi(n) for label, n in s.bands.items()}
    assert tables["nhom_tieu_chi"][-1][1] == vi(s.communes_assessed)

    criteria = {row[0]: row[2:] for row in tables["tieu_chi"][1:]}
    for a in s.criteria_attainment:
        assert criteria[a["criterion"]] == [
            vi(a["met"]),
            vi(a["not_met"]),
            vi(percent(a["met"], s.communes_assessed), 1),
        ]

    recognition = {row[0]: row[1:4] for row in tables["cong_nhan"][1:]}
    assert recognition["Đạt chuẩn nông thôn mới"] == [
        vi(s.recognised_new.get("ntm", 0)),
        vi(s.revoked.get("ntm", 0)),
        vi(s.recognised_total.get("ntm", 0)),
    ]

    districts = {row[0]: row[2:] for row in tables["don_vi"][1:-1]}
    for u in s.subunits:
        average = "—" if u["criteria_met_average"] is None else vi(u["criteria_met_average"], 2)
        assert districts[u["code"]] == [
            vi(u["communes"]),
            vi(u["assessed"]),
            average,
            vi(u["recognised"]),
        ]
    assert tables["don_vi"][-1][4] == vi(s.criteria_met_average, 2)

    ocop = {row[0]: row[1:] for row in tables["ocop"][1:-1]}
    assert ocop["4 sao"] == [vi(s.ocop["certified_new"]["4"]), vi(s.ocop["standing"]["4"])]
    assert s.ocop["standing"]["4"] == 1

    targets = {row[1]: row[3:6] for row in tables["chi_tieu"][1:]}
    for t in s.targets:
        label = next(k for k in targets if k.startswith(t["metric_label"]))
        places = 2 if t["metric"] == "criteria_average" else None
        assert targets[label][0] == vi(t["target"] if places else int(t["target"]), places)
        assert targets[label][1] == vi(t["actual"] if places else int(t["actual"]), places)
        assert targets[label][2] == vi(percent(t["actual"], t["target"], 0), 0)

    money = tables["nguon_von"]
    assert money[-1][1:3] == [vi(int(s.resources["allocated"])), vi(int(s.resources["disbursed"]))]
    statuses = {row[3]: row[-1] for row in tables["nhiem_vu"][1:]}
    assert statuses == {"Sở NN": "Hoàn thành", "Sở GTVT": "Quá hạn"}

    matrix = tables["phu_luc_xa"]
    assert len(matrix) - 1 == s.communes_total
    met = Assessment.objects.filter(
        year=2023, criteria_set=s.criteria_set, unit__path__startswith=units.bac_kan.path
    ).values_list("criteria_met", flat=True)
    assert Counter(row[-1] for row in matrix[1:] if row[-1] != "—") == Counter(vi(n) for n in met)
    recognitions = tables["phu_luc_cong_nhan"]
    assert len(recognitions) - 1 == sum(s.recognised_new.values()) + sum(s.revoked.values())
    assert tables["phu_luc_ocop"][1][1] == "Chè Quân Hà"


def test_word_sentences_carry_the_figures_in_vietnamese_style(units, province_docx):
    s = progress_summary(unit=units.bac_kan, year=2023)
    _report, data = province_docx
    text = _docx_text(data)
    change = s.criteria_met_average_change
    word = "tăng" if change > 0 else "giảm"
    assert (
        f"Bình quân đạt {vi(s.criteria_met_average, 2)} tiêu chí/xã, {word} "
        f"{vi(abs(change), 2)} tiêu chí so với năm 2022 (cùng tính trên kết quả đã phê duyệt "
        "của hai năm)." in text
    )
    for label, n in s.bands.items():
        if n and label == "19":
            assert f"{vi(n)} xã đạt 19 tiêu chí" in text
    new = s.recognised_new.get("ntm", 0)
    assert f"Năm 2023 có {vi(new)} xã đạt chuẩn nông thôn mới được công nhận mới" in text
    assert "đạt 0/17 xã" in text or f"đạt {new}/17 xã" in text
    assert "hiến 177.165 m² đất, đóng góp 27.955 ngày công, 1.500,0 triệu đồng tiền mặt" in text
    assert "Tổ chức 1 hoạt động với 42 người tham gia, đạt 88% kế hoạch." in text
    assert text == unicodedata.normalize("NFC", text)


def test_word_layout_follows_decree_30(province_docx):
    _report, data = province_docx
    doc = Document(io.BytesIO(data))
    header_cells = [c.text for c in doc.tables[0].rows[0].cells]
    assert "UBND TỈNH BẮC KẠN" in header_cells[0]
    assert "VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI" in header_cells[0]
    assert re.search(r"Số:\s+/BC-VPĐP", header_cells[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_cells[1]
    assert "Độc lập - Tự do - Hạnh phúc" in header_cells[1]
    assert "Bắc Kạn, ngày 15 tháng 01 năm 2024" in header_cells[1]
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts
    assert any(t.startswith("Kết quả thực hiện Chương trình mục tiêu quốc gia") for t in texts)
    assert any("TỒN TẠI, HẠN CHẾ" in t for t in texts)
    placeholders = [p for p in doc.paragraphs if p.text.startswith("[Văn phòng Điều phối bổ sung")]
    assert len(placeholders) == 3 and all(
        r.font.highlight_color for p in placeholders for r in p.runs
    )
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.top_margin.cm, 1) == 2.0
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert len(doc.inline_shapes) == 2  # the two charts, as pictures
    assert any(s.orientation == 1 for s in doc.sections)  # the annex of communes is landscape
    assert "Nơi nhận:" in "\n".join(c.text for t in doc.tables for c in t.rows[0].cells)


def test_excel_tables_equal_the_summary_and_are_printable(units, full):
    s = progress_summary(unit=units.bac_kan, year=2023)
    report = annual_report(unit=units.bac_kan, year=2023, issued_on=ISSUED)
    wb = load_workbook(io.BytesIO(report_workbook(report)))
    assert wb.sheetnames[0] == "Mục lục"

    def rows(key):
        ws = wb[sheet_name(key)]
        return [list(r) for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]

    bands = rows("nhom_tieu_chi")
    assert {r[0]: r[1] for r in bands[:-1]} == s.bands
    assert bands[-1][1] == s.communes_assessed
    criteria = {r[0]: r[2:4] for r in rows("tieu_chi")}
    assert criteria == {a["criterion"]: [a["met"], a["not_met"]] for a in s.criteria_attainment}
    districts = {r[0]: r[2:] for r in rows("don_vi")[:-1]}
    for u in s.subunits:
        assert districts[u["code"]][0:2] == [u["communes"], u["assessed"]]
        assert districts[u["code"]][3] == u["recognised"]
        if u["criteria_met_average"] is not None:
            assert districts[u["code"]][2] == pytest.approx(u["criteria_met_average"])
    ocop = rows("ocop")
    assert ocop[-1][1:] == [sum(s.ocop["certified_new"].values()), s.ocop["standing_total"]]
    assert rows("nguon_von")[-1][1:3] == [
        float(s.resources["allocated"]),
        float(s.resources["disbursed"]),
    ]
    tasks = rows("nhiem_vu")
    hyperlink = next(t[2] for t in tasks if "HYPERLINK" in t[2])
    assert hyperlink.startswith("'=HYPERLINK")  # escaped: Excel shows text, runs nothing
    ws = wb[sheet_name("tieu_chi")]
    assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
    assert ws["A1"].value.startswith("Biểu") and ws["A1"].font.bold
    assert ws.print_title_rows == "$4:$4"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert "Đơn vị tính: xã" in ws["A3"].value


def test_a_year_without_data_says_so(units, db, tmp_path):
    out = tmp_path / "bao-cao.docx"
    call_command("report", "annual", "--unit", "06", "--year", "2019", "-o", str(out))
    text = _docx_text(out.read_bytes())
    assert "chưa có số liệu" in text
    call_command(
        "report", "tables", "--unit", "06", "--year", "2019", "-o", str(tmp_path / "b.xlsx")
    )
    assert load_workbook(tmp_path / "b.xlsx").sheetnames[0] == "Mục lục"


def test_district_and_commune_reports(units, full):
    district = annual_report(unit=units.bach_thong, year=2023, issued_on=ISSUED)
    s = progress_summary(unit=units.bach_thong, year=2023)
    tables = _docx_tables(report_docx(district))
    assert {r[0]: r[1] for r in tables["nhom_tieu_chi"][1:-1]} == {
        k: vi(v) for k, v in s.bands.items()
    }
    assert district.issuer == "UBND HUYỆN BẠCH THÔNG" and "/BC-UBND" in district.number
    commune = annual_report(unit=units.quan_ha, year=2023, issued_on=ISSUED)
    data = report_docx(commune)
    assert "UBND XÃ QUÂN HÀ" in _docx_text(data) or commune.issuer == "UBND XÃ QUÂN HÀ"
    assert _docx_tables(data)["phu_luc_ocop"][1][1] == "Chè Quân Hà"


def test_national_report_equals_the_national_figures(units, dataset):
    rows = national_summary(year=2023)
    report = annual_report(unit=None, year=2023, issued_on=ISSUED)
    tables = _docx_tables(report_docx(report))
    by_code = {r[0]: r for r in tables["tinh"][1:-1]}
    assert set(by_code) == {r["code"] for r in rows}
    for r in rows:
        assert by_code[r["code"]][2:4] == [vi(r["communes"]), vi(r["assessed"])]
        assert by_code[r["code"]][6] == vi(r["recognised_total"].get("ntm", 0))
    total = tables["tinh"][-1]
    assert total[2] == vi(sum(r["communes"] for r in rows))
    assert total[6] == vi(sum(r["recognised_total"].get("ntm", 0) for r in rows))
    assert report.issuer == "VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI TRUNG ƯƠNG"
    ocop = ocop_figures(unit=None, year=2023)
    assert tables["ocop"][-1][1:] == [
        vi(sum(ocop["certified_new"].values())),
        vi(ocop["standing_total"]),
    ]


def test_pages_are_scoped_and_match_the_dashboard(units, users, full, client_for):
    query = {"unit": units.bac_kan.pk, "year": 2023}
    client = client_for(users.coordinator)
    page = client.get("/reports/annual/", query)
    assert page.status_code == 200
    s = progress_summary(unit=units.bac_kan, year=2023)
    html = page.content.decode()
    assert f"Bình quân đạt {vi(s.criteria_met_average, 2)} tiêu chí/xã" in html
    dashboard = client.get("/", query).content.decode()
    assert f'id="kpi-average">{vi(s.criteria_met_average, 2)}<' in dashboard
    assert "/reports/annual.docx?" in dashboard and "/reports/tables.xlsx?" in dashboard
    docx = client.get("/reports/annual.docx", query)
    assert docx.status_code == 200 and docx["Content-Disposition"].startswith("attachment")
    assert _docx_tables(docx.content)["nhom_tieu_chi"][-1][1] == vi(s.communes_assessed)
    xlsx = client.get("/reports/tables.xlsx", query)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    outsider = client_for(users.outsider)
    for url in ("/reports/annual/", "/reports/annual.docx", "/reports/tables.xlsx"):
        assert outsider.get(url, query).status_code == 404
        assert outsider.get(url, {"year": 2023}).status_code == 403  # the nation: not theirs
    national = client_for(users.national).get("/reports/annual/", {"year": 2023})
    assert national.status_code == 200 and "cả nước" in national.content.decode()


def test_pdf_without_libreoffice_gives_a_clear_message(
    units, users, full, client_for, monkeypatch, tmp_path
):
    monkeypatch.setattr(pdf, "libreoffice", lambda: None)
    response = client_for(users.coordinator).get(
        "/reports/annual.pdf", {"unit": units.bac_kan.pk, "year": 2023}
    )
    assert response.status_code == 503 and "LibreOffice" in response.content.decode()
    with pytest.raises(CommandError, match="LibreOffice"):
        call_command(
            "report",
            "annual",
            "--unit",
            "06",
            "--year",
            "2023",
            "--pdf",
            "-o",
            str(tmp_path / "r.docx"),
        )


@pytest.mark.slow
@pytest.mark.skipif(pdf.libreoffice() is None, reason="LibreOffice is not installed")
def test_pdf_through_libreoffice(province_docx):
    _report, data = province_docx
    assert pdf.docx_to_pdf(data)[:5] == b"%PDF-"
