"""A province's real round counted as provinces publish it (seed 001, Bắc Kạn 2023): 71 products
evaluated by a council that met in January 2024, decision 231/QĐ-UBND of 7/2/2024; 12 re-certified
at 3★ (some after their certificate lapsed), 48 new (4 at 4★, 44 at 3★), 11 below 3★. The figures
count in 2023, the round's year, in the summary, the dashboard and the Word report."""

import datetime
import io

import pytest
from docx import Document

from ntm.ocop import services
from ntm.ocop.models import Outcome

D = datetime.date


@pytest.fixture
def round_2023(units, ocop, sheets):
    subject = ocop.coop
    earlier = {}
    # 12 products certified before: 7 in 2019-2020 (lapsed by 2023), 5 in 2021 (still valid).
    for i in range(12):
        p = services.product_save(
            user=None,
            name=f"Sản phẩm cũ {i:02d}",
            subject=subject,
            group="thuc_pham",
            unit=units.quan_ha,
        )
        issued = D(2019, 11, 1) if i < 7 else D(2021, 6, 1)
        services.certificate_issue(
            user=None, product=p, number=f"{100 + i}/QĐ-UBND", issued_on=issued, stars=3
        )
        earlier[p.pk] = p
    new = [
        services.product_save(
            user=None,
            name=f"Sản phẩm mới {i:02d}",
            subject=subject,
            group="do_uong",
            unit=units.quan_ha,
        )
        for i in range(59)
    ]
    rnd = services.round_save(  # round 2023, the council met on 10/01/2024
        user=None, unit=units.bac_kan, year=2023, number=2, held_on=D(2024, 1, 10)
    )
    decision = D(2024, 2, 7)
    totals = [60] * 12 + [75] * 4 + [55] * 44 + [45] * 11  # 3★, 4★, 3★, below 3★
    products = list(earlier.values()) + new
    for product, total in zip(products, totals, strict=True):
        split = {"A": min(total, 40), "B": min(max(total - 40, 0), 25)}
        split["C"] = total - split["A"] - split["B"]
        ev = services.evaluation_save(user=None, round=rnd, product=product, scores=split)
        if ev.stars >= 3:
            services.certificate_issue(
                user=None,
                product=product,
                number="231/QĐ-UBND",
                issued_on=decision,
                stars=ev.stars,
                evaluation=ev,
            )
    return rnd


EXPECTED_ROUND = {
    "evaluated": 71,
    "recertified": {"3": 12, "4": 0, "5": 0},
    "recertified_total": 12,
    "new": {"3": 44, "4": 4, "5": 0},
    "new_total": 48,
    "below_3": 11,
    "provisional": 0,
}


def test_a_january_council_and_a_february_decision_count_in_the_round_year(units, round_2023):
    from ntm.ocop.models import Certificate
    from ntm.reports.selectors import progress_summary

    lapsed = Certificate.objects.filter(number="231/QĐ-UBND", product__name="Sản phẩm cũ 00").get()
    assert lapsed.outcome == Outcome.RECERTIFIED  # its 2019 certificate lapsed in 2022
    o2023 = progress_summary(unit=units.bac_kan, year=2023).ocop
    assert o2023["round"] == EXPECTED_ROUND
    assert o2023["evaluated"] == 71
    assert o2023["certified_new"] == {"3": 44, "4": 4, "5": 0}  # decided in 2024, round 2023
    assert o2023["recertified"] == 12
    o2024 = progress_summary(unit=units.bac_kan, year=2024).ocop
    assert o2024["round"]["evaluated"] == 0 and o2024["certified_new"] == {"3": 0, "4": 0, "5": 0}
    assert o2024["standing"] == {"3": 56, "4": 4, "5": 0}  # + the 5 of 2021 replaced, not added


def test_the_word_report_and_the_dashboard_say_it(units, users, round_2023, client_for):
    from ntm.reports.annual import annual_report
    from ntm.reports.word import report_docx
    from ntm.reports.workbook import report_workbook

    report = annual_report(unit=units.bac_kan, year=2023)
    text = "\n".join(p.text for p in Document(io.BytesIO(report_docx(report))).paragraphs)
    assert (
        "71 sản phẩm được đánh giá; 12 sản phẩm đủ điều kiện cấp lại (12 sản phẩm 3 sao); 48 sản "
        "phẩm đủ điều kiện công nhận mới (4 sản phẩm 4 sao, 44 sản phẩm 3 sao); 11 sản phẩm chưa "
        "đạt 3 sao." in text
    )
    table = next(t for t in report.tables() if t.key == "ocop_dot")
    assert table.rows == [
        ["Cấp lại", 12, 0, 0, 12],
        ["Công nhận mới", 44, 4, 0, 48],
        ["Chưa đạt 3 sao", None, None, None, 11],
    ]
    assert table.total[-1] == 71
    assert "OCOP theo đợt" in report_workbook_sheets(report_workbook(report))
    page = client_for(users.coordinator).get("/?year=2023")
    assert "71 sản phẩm được đánh giá, 12 cấp lại, 48 công nhận mới, 11 chưa đạt 3 sao" in (
        page.content.decode()
    )


def report_workbook_sheets(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True).sheetnames
