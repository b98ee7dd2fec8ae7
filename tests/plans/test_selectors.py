import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from ntm.assessments.models import Assessment, Recognition, State
from ntm.plans import services
from ntm.plans.models import PlanStatus
from ntm.plans.selectors import behind_roadmap, progress_wording
from ntm.reports.selectors import progress_summary
from ntm.reports.targets import targets_progress
from ntm.units.models import Level, Unit


@pytest.mark.parametrize(
    "metric,target,actual,ratio,wording",
    [
        (
            "communes_new_at_level",
            17,
            5,
            Decimal("0.29"),
            "đạt 5/17 xã (29%), chưa đạt kế hoạch, còn thiếu 12 xã",
        ),
        ("communes_new_at_level", 17, 17, Decimal("1.00"), "đạt 17/17 xã (100%), đạt kế hoạch"),
        ("communes_new_at_level", 9, 12, Decimal("1.33"), "đạt 12/9 xã (133%), vượt kế hoạch 3 xã"),
        ("communes_total_at_level", 0, 0, None, "thực hiện 0 xã (kế hoạch 0 xã), đạt kế hoạch"),
        ("villages_ntm", 0, 2, None, "thực hiện 2 thôn (kế hoạch 0 thôn), vượt kế hoạch 2 thôn"),
        (
            "criteria_average",
            Decimal("13.5"),
            Decimal("12.81"),
            Decimal("0.95"),
            "đạt 12,81/13,5 tiêu chí/xã (95%), chưa đạt kế hoạch, còn thiếu 0,69 tiêu chí/xã",
        ),
        ("ocop_products_by_stars", 15, None, None, "chưa có số liệu"),
    ],
)
def test_wording_and_ratio(metric, target, actual, ratio, wording):
    got_ratio, got_wording = progress_wording(
        metric, Decimal(target), None if actual is None else Decimal(actual)
    )
    assert got_ratio == ratio
    assert got_wording == wording


def _recognise(unit, cset, year, level="ntm", day=None, action="recognised"):
    return Recognition.objects.create(
        unit=unit,
        level=level,
        criteria_set=cset,
        year=year,
        action=action,
        decision_number=f"{unit.code}-{year}-{level}-{action}/QĐ-UBND",
        decision_date=day or datetime.date(year, 12, 20),
        override_reason="kiểm thử",
    )


@pytest.fixture
def progress_data(plan, users, units, cset, bk):
    """2023: 3 new NTM communes (2 in Bạch Thông), one held since 2022; 2 NTM villages;
    assessments giving an average of 15 criteria."""
    c = users.coordinator
    _recognise(bk.communes[0], cset, 2022)
    for commune in bk.bach_thong_communes[:2] + bk.ba_be_communes[:1]:
        _recognise(commune, cset, 2023)
    villages = list(
        Unit.objects.filter(level=Level.VILLAGE, path__startswith=units.bac_kan.path)[:2]
    )
    if len(villages) < 2:  # villages are entered by users: make two
        villages = [
            Unit.objects.create(
                code=f"T{i}",
                name=f"Thôn {i}",
                short_name=f"Thôn {i}",
                kind="thon",
                level=Level.VILLAGE,
                parent=units.quan_ha,
            )
            for i in range(2)
        ]
    for v in villages:
        _recognise(v, cset, 2023, level="village_ntm")
    for commune, met in zip(bk.communes[:4], (19, 19, 12, 10), strict=True):
        Assessment.objects.create(
            unit=commune,
            year=2023,
            criteria_set=cset,
            state=State.APPROVED,
            criteria_met=met,
            meets_standard=met == 19,
        )
    targets = {
        "new": services.target_create(
            plan=plan, user=c, metric="communes_new_at_level", level="ntm", year=2023, value=5
        ),
        "total": services.target_create(
            plan=plan, user=c, metric="communes_total_at_level", level="ntm", year=2023, value=4
        ),
        "avg": services.target_create(
            plan=plan, user=c, metric="criteria_average", year=2023, value="13.5"
        ),
        "villages": services.target_create(
            plan=plan, user=c, metric="villages_ntm", year=2023, value=0
        ),
        "ocop": services.target_create(
            plan=plan, user=c, metric="ocop_products_by_stars", stars=4, year=2023, value=3
        ),
        "income": services.target_create(
            plan=plan, user=c, metric="income_multiple", year=2023, value="1.5", base_year=2020
        ),
        "other_year": services.target_create(
            plan=plan, user=c, metric="villages_ntm", year=2024, value=10
        ),
    }
    targets["bt"] = services.target_create(
        plan=plan, user=c, parent=targets["new"], unit=units.bach_thong, value=2
    )
    return targets


def test_targets_progress_of_the_province(units, progress_data):
    summary = progress_summary(unit=units.bac_kan, year=2023)
    rows = {r["target_id"]: r for r in summary.targets}
    assert set(rows) == {
        progress_data[k].pk for k in ("new", "total", "avg", "villages", "ocop", "income")
    }
    new = rows[progress_data["new"].pk]
    assert (new["target"], new["actual"], new["ratio"]) == (Decimal(5), Decimal(3), Decimal("0.60"))
    assert new["wording"] == "đạt 3/5 xã (60%), chưa đạt kế hoạch, còn thiếu 2 xã"
    assert new["level"] == "ntm" and new["plan"] == "125/KH-UBND"
    total = rows[progress_data["total"].pk]
    assert total["actual"] == 4 and total["wording"] == "đạt 4/4 xã (100%), đạt kế hoạch"
    avg = rows[progress_data["avg"].pk]
    assert avg["actual"] == Decimal("15.00") and avg["ratio"] == Decimal("1.11")
    assert avg["wording"].endswith("vượt kế hoạch 1,5 tiêu chí/xã")
    villages = rows[progress_data["villages"].pk]
    assert villages["actual"] == 2 and villages["ratio"] is None
    assert rows[progress_data["ocop"].pk]["actual"] == 0  # no OCOP certificate in 2023 yet
    assert rows[progress_data["income"].pk]["actual"] is None  # no income figure is computed
    assert rows[progress_data["income"].pk]["wording"] == "chưa có số liệu"


def test_allocations_show_under_the_district(units, progress_data):
    summary = progress_summary(unit=units.bach_thong, year=2023)
    (row,) = summary.targets
    assert row["is_allocation"] and row["unit"] == units.bach_thong.code
    assert row["wording"] == "đạt 2/2 xã (100%), đạt kế hoạch"


def test_draft_and_closed_plans_and_other_years_are_left_out(units, plan, progress_data, users):
    assert (
        targets_progress(
            unit=units.bac_kan, year=2022, summary=progress_summary(unit=units.bac_kan, year=2022)
        )
        == []
    )
    plan.status = PlanStatus.DRAFT
    plan.save()
    assert progress_summary(unit=units.bac_kan, year=2023).targets == []
    # the plan's page still shows its own targets, whatever its status
    rows = targets_progress(
        unit=units.bac_kan,
        year=2023,
        summary=progress_summary(unit=units.bac_kan, year=2023),
        plan=plan,
    )
    assert len(rows) == 6


def test_behind_roadmap(units, plan, users, cset, bk):
    c = users.coordinator
    on_time, late, later, revoked = (
        bk.communes[10],
        bk.communes[11],
        bk.communes[12],
        bk.communes[13],
    )
    for commune, year in ((on_time, 2022), (late, 2023), (later, 2025), (revoked, 2022)):
        services.roadmap_save(plan=plan, user=c, unit=commune, level="ntm", target_year=year)
    services.roadmap_save(plan=plan, user=c, unit=on_time, level="advanced", target_year=2023)
    _recognise(on_time, cset, 2022)
    _recognise(revoked, cset, 2022)
    _recognise(revoked, cset, 2023, action="revoked", day=datetime.date(2023, 6, 1))
    _recognise(late, cset, 2024)  # recognised, but a year late
    rows = behind_roadmap(unit=units.bac_kan, year=2023)
    assert [(r["code"], r["level"], r["target_year"]) for r in rows] == sorted(
        [(late.code, "ntm", 2023), (revoked.code, "ntm", 2022), (on_time.code, "advanced", 2023)],
        key=lambda r: (r[2], r[0], r[1]),
    )
    assert [r["code"] for r in behind_roadmap(unit=units.bac_kan, year=2024)] == sorted(
        [revoked.code, on_time.code],
        key=lambda code: (2022 if code == revoked.code else 2023, code),
    )
    assert behind_roadmap(unit=units.ba_be, year=2023) == [
        r for r in rows if r["code"] in {c.code for c in bk.ba_be_communes}
    ]
    summary = progress_summary(unit=units.bac_kan, year=2023)
    assert summary.behind_roadmap == rows
    plan.status = PlanStatus.CLOSED
    plan.save()
    assert behind_roadmap(unit=units.bac_kan, year=2023) == []


def test_report_summary_json_shows_the_plan_targets(units, progress_data):
    out = StringIO()
    call_command(
        "report", "summary", "--unit", "06", "--year", "2023", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    by_metric = {(t["metric"], t["level"], t["stars"]): t for t in data["targets"]}
    new = by_metric[("communes_new_at_level", "ntm", None)]
    assert (new["target"], new["actual"], new["ratio"]) == (5.0, 3.0, 0.6)
    assert new["wording"] == "đạt 3/5 xã (60%), chưa đạt kế hoạch, còn thiếu 2 xã"
    assert by_metric[("ocop_products_by_stars", None, 4)]["actual"] == 0
    assert "behind_roadmap" in data
    text = StringIO()
    call_command(
        "report", "summary", "--unit", "06", "--year", "2023", "--format", "text", stdout=text
    )
    assert (
        "Số xã đạt chuẩn mới trong năm — Đạt chuẩn nông thôn mới: đạt 3/5 xã (60%)"
        in text.getvalue()
    )
