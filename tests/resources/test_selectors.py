"""Figures: sums across the hierarchy and the 1/7/2025 reorganisation, exact money, ratios."""

import datetime
from decimal import Decimal

import pytest

from ntm.plans import services as plan_services
from ntm.reports.selectors import progress_summary
from ntm.resources import selectors, services
from ntm.resources.models import Activity, ModelStatus, ratio
from ntm.resources.services import ResourceError

D = Decimal


def fund(system, unit, year, source, allocated, disbursed):
    return services.funding_save(
        scope=system,
        user=None,
        unit=unit,
        year=year,
        source=source,
        allocated=allocated,
        disbursed=disbursed,
    )[0]


def test_taxonomy_is_loaded_from_data(sources):
    assert sources.ntm_central.name.startswith("Ngân sách trung ương")
    assert sources.community_cash.community and not sources.credit.community
    assert {
        "mtqg_poverty",
        "mtqg_ethnic",
        "province_budget",
        "district_budget",
        "commune_budget",
        "integrated",
        "enterprise",
        "other",
    } <= set(vars(sources))


def test_2024_figures_count_under_old_district_and_province(units, sources, system):
    fund(system, units.quan_ha, 2024, sources.ntm_central, 1_000_000_001, 900_000_000)
    fund(system, units.bach_thong, 2024, sources.district_budget, 500, 500)  # district level
    fund(system, units.bac_kan, 2024, sources.province_budget, 7, 0)  # province level
    fund(system, units.ba_be_commune, 2024, sources.ntm_central, 3, 3)
    fund(system, units.quan_ha, 2023, sources.ntm_central, 11, 11)  # another year

    def allocated(unit, year=2024):
        return selectors.money_figures(unit, year)["allocated"]

    assert allocated(units.quan_ha) == D(1_000_000_001)
    assert allocated(units.bach_thong) == D(1_000_000_501)
    assert allocated(units.ba_be) == D(3)
    assert allocated(units.bac_kan) == D(1_000_000_511)
    assert allocated(units.thai_nguyen) == 0  # the new province did not exist in 2024
    assert allocated(units.bac_kan, 2023) == D(11)


def test_2026_figures_count_under_the_new_province(units, sources, system):
    fund(system, units.quan_ha_successor, 2026, sources.ntm_central, 42, 21)
    assert selectors.money_figures(units.thai_nguyen, 2026)["allocated"] == D(42)
    assert selectors.money_figures(units.bac_kan, 2026)["allocated"] == 0
    with pytest.raises(ResourceError):  # the old commune no longer exists in 2026
        fund(system, units.quan_ha, 2026, sources.ntm_central, 1, 1)


def test_money_is_exact_decimal(units, sources, system):
    big = 999_999_999_999_999  # 15 digits: the most one row holds
    fund(system, units.quan_ha, 2024, sources.ntm_central, big, big)
    fund(system, units.bach_thong, 2024, sources.ntm_central, big, 1)
    fund(system, units.bac_kan, 2024, sources.ntm_central, 2, 0)
    money = selectors.money_figures(units.bac_kan, 2024)
    assert money["allocated"] == D(2 * 10**15) and isinstance(money["allocated"], Decimal)
    assert money["sources"][0]["allocated"] == D(2 * 10**15)
    assert money["disbursed"] == D(10**15)
    out = progress_summary(unit=units.bac_kan, year=2024).as_dict()["resources"]
    assert out["allocated"] == 2 * 10**15 and isinstance(out["allocated"], int)
    with pytest.raises(ResourceError):
        fund(system, units.quan_ha, 2024, sources.credit, 10**15, 0)


def test_rates_at_their_edges(units, sources, system):
    assert fund(system, units.quan_ha, 2024, sources.credit, 0, 5).disbursement_rate is None
    assert fund(system, units.quan_ha, 2024, sources.other, 300, 300).disbursement_rate == D(1)
    assert fund(system, units.quan_ha, 2024, sources.enterprise, 100, 120).disbursement_rate == D(
        "1.2"
    )
    money = selectors.money_figures(units.quan_ha, 2024)
    assert money["rate"] == ratio(425, 400) == D("1.0625")
    assert ratio(0, 0) is None and ratio(1, 3) == D("0.3333")


def test_community_share(units, sources, system):
    fund(system, units.quan_ha, 2024, sources.ntm_central, 600, 600)
    fund(system, units.quan_ha, 2024, sources.community_cash, 200, 150)
    community = selectors.money_figures(units.bach_thong, 2024)["community"]
    assert community["disbursed"] == D(150) and community["share_disbursed"] == D("0.2")
    assert community["share_allocated"] == D("0.25")


def test_negative_or_fractional_money_is_refused(units, sources, system):
    for bad in (-1, D("1.5")):
        with pytest.raises(ResourceError):
            fund(system, units.quan_ha, 2024, sources.ntm_central, bad, 0)


def test_contributions_summed_and_converted_only_where_a_rate_exists(units, system):
    services.contribution_save(
        scope=system,
        user=None,
        unit=units.quan_ha,
        year=2024,
        land_m2=D("177.5"),
        workdays=10,
        cash=1_500_000_000,
    )
    services.contribution_save(
        scope=system,
        user=None,
        unit=units.ba_be_commune,
        year=2024,
        land_m2=D("0.5"),
        workdays=5,
        materials_value=1000,
    )
    figures = selectors.contribution_figures(units.bac_kan, 2024)
    assert figures["land_m2"] == D("178.00") and figures["workdays"] == 15
    assert figures["cash"] == D(1_500_000_000) and figures["materials_value"] == D(1000)
    assert figures["land_value"] is None and figures["workdays_value"] is None
    assert not figures["converted_complete"]
    services.rate_save(
        scope=system,
        province=units.bac_kan,
        year=2024,
        land_per_m2=10_000,
        workday=200_000,
        decision="1/QĐ-UBND",
    )
    figures = selectors.contribution_figures(units.bac_kan, 2024)
    assert figures["land_value"] == D(1_780_000) and figures["workdays_value"] == D(3_000_000)
    assert figures["value"] == D(1_500_000_000 + 1000 + 1_780_000 + 3_000_000)
    assert figures["converted_complete"]
    # Lạng Sơn's rate never values Bắc Kạn's land
    assert selectors.contribution_figures(units.lang_son, 2024)["units"] == 0


def test_models_kept_at_year_end(units, system):
    village_unit = units.quan_ha
    services.model_site_save(
        scope=system, unit=village_unit, kind="green_clean", name="A", year_recognised=2021
    )
    services.model_site_save(
        scope=system,
        unit=village_unit,
        kind="green_clean",
        name="B",
        year_recognised=2022,
        status=ModelStatus.LOST,
        lost_year=2024,
    )
    services.model_site_save(
        scope=system, unit=village_unit, kind="model_garden", name="C", year_recognised=2025
    )
    assert selectors.model_figures(units.bac_kan, 2023)["by_kind"]["green_clean"] == 2
    by_kind = selectors.model_figures(units.bac_kan, 2024)["by_kind"]
    assert by_kind == {"green_clean": 1, "environment_group": 0, "model_area": 0, "model_garden": 0}


def test_activities_attainment_at_edges(units, system):
    def act(planned, actual, kind="training", measure="người"):
        return services.activity_save(
            scope=system,
            unit=units.quan_ha,
            kind=kind,
            name="Lớp",
            date=datetime.date(2024, 5, 2),
            planned=planned,
            actual=actual,
            measure=measure,
        )

    assert act(0, 5).attainment is None
    assert act(48, 48).attainment == D(1)
    assert act(10, 15).attainment == D("1.5")
    assert act(50, 44).attainment == D("0.88")
    act(3, 2, kind="communication", measure="tin bài")
    figures = selectors.activity_figures(units.bac_kan, 2024)
    people = figures["participants"]
    assert (people["planned"], people["actual"], people["ratio"]) == (108, 112, D("1.0370"))
    assert figures["count"] == 5
    comm = next(g for g in figures["by_kind"] if g["kind"] == "communication")
    assert comm["measure"] == "tin bài" and comm["ratio"] == D("0.6667")
    assert selectors.activity_figures(units.bac_kan, 2025)["count"] == 0
    assert Activity.objects.count() == 5


def test_summary_keys_equal_an_independent_sum(units, sources, system):
    rows = [
        (units.quan_ha, sources.ntm_central, 123_456_789, 100_000_000),
        (units.ba_be_commune, sources.community_cash, 50_000_000, 40_000_000),
        (units.bach_thong, sources.credit, 7, 7),
    ]
    for unit, source, a, d in rows:
        fund(system, unit, 2023, source, a, d)
    services.contribution_save(
        scope=system,
        user=None,
        unit=units.quan_ha,
        year=2023,
        land_m2=177165,
        workdays=27955,
        cash=1_500_000_000,
    )
    services.activity_save(
        scope=system,
        unit=units.bac_kan,
        kind="training",
        name="Tập huấn",
        date=datetime.date(2023, 6, 1),
        planned=48,
        actual=42,
    )
    out = progress_summary(unit=units.bac_kan, year=2023).as_dict()
    assert set(out) >= {"resources", "contributions", "models", "activities"}
    assert out["resources"]["allocated"] == sum(r[2] for r in rows)
    assert out["resources"]["disbursed"] == sum(r[3] for r in rows)
    assert out["resources"]["community"]["disbursed"] == 40_000_000
    assert out["contributions"]["land_m2"] == 177165 and out["contributions"]["workdays"] == 27955
    assert out["contributions"]["cash"] == 1_500_000_000
    assert out["activities"]["participants"]["actual"] == 42
    assert out["activities"]["participants"]["ratio"] == pytest.approx(0.875)


def test_plan_targets_for_participants_and_money_are_computed(units, sources, system, small_set):
    plan = plan_services.plan_create(
        user=None,
        unit=units.bac_kan,
        number="9/KH-UBND",
        issued_on=datetime.date(2023, 1, 5),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch",
        year_from=2023,
        year_to=2023,
        status="active",
    )
    plan_services.target_create(
        plan=plan, user=None, metric="activity_participants", year=2023, value=48
    )
    plan_services.target_create(
        plan=plan, user=None, metric="money_mobilised", year=2023, value=1000
    )
    services.activity_save(
        scope=system,
        unit=units.quan_ha,
        kind="training",
        name="Lớp 1",
        date=datetime.date(2023, 3, 1),
        planned=48,
        actual=42,
    )
    fund(system, units.quan_ha, 2023, sources.ntm_central, 2000, 1200)
    targets = {t["metric"]: t for t in progress_summary(unit=units.bac_kan, year=2023).targets}
    assert targets["activity_participants"]["actual"] == D(42)
    assert "42/48" in targets["activity_participants"]["wording"]
    assert targets["money_mobilised"]["actual"] == D(1200)
    assert "vượt kế hoạch" in targets["money_mobilised"]["wording"]
