"""The demo data reproduces every figure the provinces published, read from the summary selector
the dashboard, the API and the annual report use; and its records hold together."""

from decimal import Decimal

import pytest

from ntm.assessments.demo import demo_current_ensure, demo_results_ensure
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, Recognition, State
from ntm.criteria.models import CriteriaSet
from ntm.plans.demo import demo_plan_ensure
from ntm.reports.selectors import progress_summary
from ntm.units.models import Unit


@pytest.fixture
def demo(units):
    written = demo_results_ensure()
    demo_plan_ensure()
    demo_current_ensure()
    return written


def _set(code):
    return CriteriaSet.objects.get(code=code)


def test_bac_kan_2023_as_published(demo, units):
    s = progress_summary(unit=units.bac_kan, year=2023)
    assert s.criteria_set.code == "NTM-XA-2021"
    assert s.communes_assessed == 95
    assert s.bands == {"19": 29, "15-18": 5, "10-14": 33, "5-9": 28, "<5": 0}
    assert s.criteria_met_average == Decimal("12.81")
    assert s.criteria_met_average_change == Decimal("0.36")
    assert s.recognised_new == {"ntm": 5, "advanced": 2}
    wording = {(t["metric"], t["level"]): t["wording"] for t in s.targets}
    assert wording[("communes_new_at_level", "ntm")].startswith("đạt 5/17 xã (29%)")
    assert wording[("communes_new_at_level", "advanced")].startswith("đạt 2/6 xã")


def test_bac_kan_2023_advanced_set_as_published(demo, units):
    s = progress_summary(unit=units.bac_kan, year=2023, criteria_set=_set("NTM-XA-NC-2021"))
    assert s.communes_assessed == 23
    assert s.bands == {"19": 4, "15-18": 0, "10-14": 1, "5-9": 9, "<5": 9}
    assert round(s.criteria_met_average, 1) == Decimal("7.6")  # published to one decimal


def test_no_ntm_commune_in_pac_nam_and_ngan_son(demo, units):
    held = Recognition.objects.filter(
        unit__parent__code__in=("060", "062"), unit__parent__valid_to__isnull=False
    )
    assert not held.exists()


def test_lang_son_2020_as_published(demo, units):
    s = progress_summary(unit=units.lang_son, year=2020)
    assert s.criteria_set.code == "NTM-XA-2016"
    assert s.criteria_met_average == Decimal("12.97")
    assert s.criteria_met_average_change == Decimal("1.43")
    assert s.recognised_new == {"ntm": 16, "advanced": 4}
    assert s.recognised_total["ntm"] == 65
    loc_binh = Unit.objects.get(level=2, code="188", valid_to__isnull=False)
    named = Assessment.objects.filter(
        unit__parent=loc_binh, year=2020, criteria_set__code="NTM-XA-2016", criteria_met=19
    ).values_list("unit__name", flat=True)
    assert {"Xã Yên Khoái", "Xã Hữu Khánh", "Xã Đồng Bục", "Xã Tú Đoạn"} <= set(named)
    assert {"Xã Khuất Xá", "Xã Tú Mịch"} <= set(named)


def test_every_decision_of_a_year_with_results_meets_the_set(demo, units):
    decisions = Recognition.objects.select_related("criteria_set", "unit")
    years_on_record = {units.bac_kan.path: (2022, 2023), units.lang_son.path: (2019, 2020)}
    backed = 0
    for r in decisions:
        years = next(y for p, y in years_on_record.items() if r.unit.path.startswith(p))
        result = Assessment.objects.filter(
            unit=r.unit, year=r.year, criteria_set=r.criteria_set, state=State.APPROVED
        ).first()
        if r.year in years:
            assert result is not None and result.meets_standard, r
            backed += 1
        else:
            assert result is None  # a history decision, before the results on record
    assert backed == 4 + 5 + 2 + 12 + 16 + 4


def test_counts_follow_the_criterion_results_and_values_the_thresholds(demo, units):
    a = Assessment.objects.filter(year=2020, criteria_set__code="NTM-XA-2016").first()
    results = CriterionResult.objects.filter(assessment=a)
    assert results.count() == 19
    assert sum(1 for r in results if r.met) == a.criteria_met
    # Indicator values where the set has a threshold, on the side of it the result says.
    values = IndicatorValue.objects.filter(assessment__year=2020, indicator__code="15.1")
    assert (
        values.count()
        == Assessment.objects.filter(year=2020, criteria_set__code="NTM-XA-2016").count()
    )
    assert values.filter(met=False).exists() and values.filter(met=True).exists()
    met_by = {}
    for v in IndicatorValue.objects.filter(assessment__year=2020).select_related("indicator"):
        met_by.setdefault((v.assessment_id, v.indicator.criterion_id), []).append(v.met)
    for r in CriterionResult.objects.filter(assessment__year=2020):
        got = met_by.get((r.assessment_id, r.criterion_id))
        if got is None:
            assert r.kind == "appraisal" and r.manual == r.met  # typed, nothing to derive from
        elif r.met:
            assert all(got)
        else:
            assert not all(got) and r.derived is False
    # A typed result never contradicts its indicators without a reason.
    assert not CriterionResult.objects.filter(kind="override").exists()


def test_current_commune_has_a_2026_draft_and_others_approved(demo, units):
    cam_giang = Unit.objects.get(code="02008", valid_to__isnull=True)
    draft = Assessment.objects.get(unit=cam_giang, year=2026)
    assert draft.state == State.DRAFT and draft.criteria_set.code == "NTM-XA-2026"
    assert draft.criteria_undecided > 0
    s = progress_summary(unit=units.thai_nguyen, year=2026)
    assert s.communes_assessed == 36 and s.criteria_met_average is not None


def test_demo_runs_once(demo, units):
    counts = (Assessment.objects.count(), Recognition.objects.count())
    assert demo > 0
    assert demo_results_ensure() == 0 and demo_plan_ensure() == 0 and demo_current_ensure() == 0
    assert (Assessment.objects.count(), Recognition.objects.count()) == counts


def test_ocop_resources_and_villages(demo, units):
    import datetime

    from ntm.accounts.demo import demo_users_ensure
    from ntm.ocop.demo import demo_ocop_ensure
    from ntm.ocop.models import Certificate, CouncilMember, Evaluation
    from ntm.resources.demo import demo_resources_ensure
    from ntm.resources.models import Contribution, ConversionRate, Funding
    from ntm.units.demo import demo_villages_ensure

    demo_users_ensure()
    assert demo_villages_ensure() == 9
    assert demo_ocop_ensure() == 4 + 4 + 3
    assert demo_resources_ensure() > 0
    four = Certificate.objects.filter(number="231/QĐ-UBND", stars=4)
    assert four.count() == 4  # as published for 2023
    assert {c.valid_to for c in four} == {datetime.date(2027, 2, 6)}
    for c in Certificate.objects.select_related("product__unit"):  # on the units of its date
        unit = c.product.unit
        assert unit.valid_to is None or c.issued_on <= unit.valid_to
    assert CouncilMember.objects.filter(role="chair", user__username="thainguyen").exists()
    assert Evaluation.objects.filter(round__year=2026).count() == 2
    ls_2020 = Funding.objects.get(unit=units.lang_son, year=2020)
    assert ls_2020.allocated == Decimal(2445) * 10**9
    bk = Contribution.objects.get(unit=units.bac_kan, year=2023)
    assert (bk.land_m2, bk.workdays) == (Decimal("177165"), 27955)
    assert ConversionRate.objects.filter(province=units.bac_kan, year=2023).exists()
    villages = Unit.objects.filter(level=4)
    for v in villages.select_related("parent"):
        assert v.parent.valid_to == v.valid_to  # a thôn lives with its commune
    assert (demo_villages_ensure(), demo_ocop_ensure(), demo_resources_ensure()) == (0, 0, 0)
