"""National figures (every province side by side) against progress_summary and an independent count."""

import datetime
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from ntm.assessments.figures import figures_rebuild
from ntm.assessments.models import Assessment, Recognition, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.reports.figures import communes_on, figure_rows, tally, year_recognitions
from ntm.reports.selectors import (
    APPROVED,
    PROVISIONAL,
    national_provinces,
    national_summary,
    progress_summary,
)
from ntm.units.models import Kind, Level, Unit

YEARS = (2022, 2023, 2024, 2025)
BAND_LABELS = ["19", "15-18", "10-14", "5-9", "<5"]


@pytest.fixture
def national(units):
    """Bắc Kạn and Lạng Sơn, 2022-2025, NTM-XA-2021: random results (ties at band edges, some
    communes unassessed, some drafts), recognitions at several levels with revocations and
    same-day decisions, plus rows that must not count (a phường, a commune of the new hierarchy)."""
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    provinces = [units.bac_kan, units.lang_son]
    communes = list(
        Unit.objects.filter(level=Level.COMMUNE, kind=Kind.COMMUNE, valid_to__isnull=False)
        .filter(parent__parent__in=provinces)
        .order_by("code")
    )
    rng = random.Random(2025)
    truth = {}  # (year, commune pk) -> (criteria met, state)
    rows = []
    for year in YEARS:
        for commune in communes:
            if rng.random() < 0.12:
                continue
            met = rng.choice([19, 19, 18, 15, 14, 10, 9, 5, 4, 0, 12, 17, 13])
            state = State.APPROVED if rng.random() < 0.8 else State.SUBMITTED
            truth[(year, commune.pk)] = (met, state)
            rows.append(
                Assessment(
                    unit=commune,
                    year=year,
                    criteria_set=cset,
                    state=state,
                    criteria_met=met,
                    meets_standard=met == 19,
                )
            )
    # Not xã of a legacy province: never counted for the legacy provinces.
    ward = Unit.objects.filter(parent__parent=units.bac_kan, kind=Kind.WARD).first()
    new_commune = Unit.objects.filter(parent=units.thai_nguyen, kind=Kind.COMMUNE).first()
    for year in YEARS:
        rows.append(Assessment(unit=ward, year=year, criteria_set=cset, criteria_met=19))
    rows.append(Assessment(unit=new_commune, year=2025, criteria_set=cset, criteria_met=7))
    Assessment.objects.bulk_create(rows)

    decisions = []  # (unit pk, level, action, date, creation order)
    recognitions = []
    for commune in communes:
        for level in ("ntm", "advanced"):
            if rng.random() < (0.5 if level == "ntm" else 0.15):
                year = rng.choice(YEARS)
                day = datetime.date(year, rng.choice([6, 12]), rng.choice([15, 30]))
                decisions.append((commune.pk, level, "recognised", day))
                if (
                    rng.random() < 0.2
                ):  # revoked later, or on the same day (the later decision wins)
                    later = rng.choice([day, day + datetime.timedelta(days=200)])
                    decisions.append((commune.pk, level, "revoked", later))
                    if rng.random() < 0.3:
                        decisions.append(
                            (commune.pk, level, "recognised", later + datetime.timedelta(days=400))
                        )
    for n, (pk, level, action, day) in enumerate(decisions):
        recognitions.append(
            Recognition(
                unit_id=pk,
                level=level,
                criteria_set=cset,
                year=day.year,
                action=action,
                decision_number=f"{n}/QĐ-UBND",
                decision_date=day,
            )
        )
    Recognition.objects.bulk_create(recognitions)
    figures_rebuild()  # bulk writes: no refresh saw them
    province_of = {
        c.pk: c.parent.parent_id
        for c in Unit.objects.filter(pk__in=[c.pk for c in communes]).select_related("parent")
    }
    return {
        "cset": cset,
        "provinces": provinces,
        "communes": communes,
        "truth": truth,
        "decisions": decisions,
        "province_of": province_of,
    }


def _avg(total: int, n: int) -> Decimal:
    return (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _band(n: int) -> str:
    return (
        "19"
        if n == 19
        else "15-18"
        if n >= 15
        else "10-14"
        if n >= 10
        else "5-9"
        if n >= 5
        else "<5"
    )


def _basis(approved_only: bool) -> str:
    return APPROVED if approved_only else PROVISIONAL


def _independent(national, year, approved_only=False):
    """Per legacy province pk: the brief figures counted straight from the generated data."""
    out = {}
    for province in national["provinces"]:
        mine = [c.pk for c in national["communes"] if national["province_of"][c.pk] == province.pk]
        results = [
            national["truth"][(year, pk)][0]
            for pk in mine
            if (year, pk) in national["truth"]
            and (not approved_only or national["truth"][(year, pk)][1] == State.APPROVED)
        ]
        bands = dict.fromkeys(BAND_LABELS, 0)
        for met in results:
            bands[_band(met)] += 1
        # Latest decision (by date, then by creation order) per commune and level up to 31/12.
        latest = {}
        for order, (pk, level, action, day) in enumerate(national["decisions"]):
            if (
                pk in mine
                and day <= datetime.date(year, 12, 31)
                and ((pk, level) not in latest or (day, order) > latest[(pk, level)][0])
            ):
                latest[(pk, level)] = ((day, order), action)
        total = defaultdict(int)
        for (_pk, level), (_key, action) in latest.items():
            if action == "recognised":
                total[level] += 1
        new = defaultdict(int)
        for pk, level, action, day in national["decisions"]:
            if pk in mine and action == "recognised" and day.year == year:
                new[level] += 1
        out[province.pk] = {
            "communes": len(mine),
            "assessed": len(results),
            "criteria_met_average": _avg(sum(results), len(results)) if results else None,
            "bands": bands,
            "meets_standard": sum(1 for m in results if m == 19),
            "recognised_total": dict(total),
            "recognised_new": dict(new),
        }
    return out


BRIEF = [
    "communes",
    "assessed",
    "criteria_met_average",
    "bands",
    "meets_standard",
    "recognised_total",
    "recognised_new",
]


@pytest.mark.parametrize("year", [2023, 2025])
@pytest.mark.parametrize("approved_only", [False, True])
def test_national_equals_an_independent_count(units, national, year, approved_only):
    rows = {r["id"]: r for r in national_summary(year=year, basis=_basis(approved_only))}
    expected = _independent(national, year, approved_only)
    assert set(rows) == {units.bac_kan.pk, units.lang_son.pk}
    for pk, figures in expected.items():
        assert {k: rows[pk][k] for k in BRIEF} == figures, pk
    assert rows[units.bac_kan.pk]["communes"] == 95
    assert (
        rows[units.bac_kan.pk]["code"] == "06" and rows[units.bac_kan.pk]["name"] == "Tỉnh Bắc Kạn"
    )


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025, 2026])
@pytest.mark.parametrize("approved_only", [False, True])
def test_each_row_equals_the_province_summary(units, national, year, approved_only):
    rows = national_summary(year=year, basis=_basis(approved_only))
    assert rows
    for row in rows:
        s = progress_summary(
            unit=Unit.objects.get(pk=row["id"]), year=year, basis=_basis(approved_only)
        )
        assert row["criteria_set"] == (s.criteria_set.code if s.criteria_set else None)
        assert row["communes"] == s.communes_total
        assert row["assessed"] == s.communes_assessed
        assert row["criteria_met_average"] == s.criteria_met_average
        assert row["bands"] == s.bands
        assert row["meets_standard"] == s.meets_standard
        assert row["recognised_total"] == s.recognised_total
        assert row["recognised_new"] == s.recognised_new


def test_provinces_of_the_year(units, national):
    """Legacy provinces up to 2025 (their 2025 figures on the hierarchy of 30/6/2025), new from 2026."""
    assert [r["code"] for r in national_summary(year=2025, basis=PROVISIONAL)] == ["06", "20"]
    rows_2026 = national_summary(year=2026, basis=PROVISIONAL)
    assert {r["id"] for r in rows_2026} == {units.thai_nguyen.pk, units.lang_son_new.pk}
    assert all(r["communes"] > 0 for r in rows_2026)
    # A 2025 assessment of a commune of the new hierarchy is in no legacy province's figures.
    assert sum(r["assessed"] for r in national_summary(year=2025, basis=PROVISIONAL)) == sum(
        1 for (y, _pk) in national["truth"] if y == 2025
    )


def test_an_explicit_set_and_a_provincial_set_in_force(units, national):
    cset = national["cset"]
    provincial = CriteriaSet.objects.create(
        code="LS-NTM-2021",
        name="Bộ tiêu chí Lạng Sơn",
        decision_number="1/QĐ-UBND",
        period_start=2021,
        period_end=2025,
        applies_to="commune",
        level="ntm",
        threshold_basis="region",
        bands=cset.bands,
        province=units.lang_son,
        based_on=cset,
    )
    commune = next(
        c for c in national["communes"] if national["province_of"][c.pk] == units.lang_son.pk
    )
    Assessment.objects.create(
        unit=commune, year=2023, criteria_set=provincial, criteria_met=16, state=State.APPROVED
    )
    rows = {r["id"]: r for r in national_summary(year=2023, basis=PROVISIONAL)}
    ls = rows[units.lang_son.pk]
    assert ls["criteria_set"] == "LS-NTM-2021" and ls["assessed"] == 1
    assert ls["bands"]["15-18"] == 1 and ls["criteria_met_average"] == Decimal("16.00")
    s = progress_summary(unit=units.lang_son, year=2023, basis=PROVISIONAL)
    assert (ls["assessed"], ls["criteria_met_average"]) == (
        s.communes_assessed,
        s.criteria_met_average,
    )
    assert rows[units.bac_kan.pk]["criteria_set"] == "NTM-XA-2021"
    # The national set given explicitly applies to every province.
    explicit = {
        r["id"]: r for r in national_summary(year=2023, criteria_set=cset, basis=PROVISIONAL)
    }
    assert (
        explicit[units.lang_son.pk]["assessed"]
        == _independent(national, 2023)[units.lang_son.pk]["assessed"]
    )


def test_no_set_in_force_gives_counts_only(units, national):
    rows = national_summary(year=2030, basis=PROVISIONAL)
    assert rows and all(r["criteria_set"] is None and r["assessed"] == 0 for r in rows)
    assert all(r["criteria_met_average"] is None and r["bands"] == {} for r in rows)


def test_query_count_is_constant(units, national, django_assert_max_num_queries):
    """Grouped queries, never one per province."""
    with django_assert_max_num_queries(7):
        national_summary(year=2023, basis=PROVISIONAL)
    with django_assert_max_num_queries(7):
        national_summary(year=2023, criteria_set=national["cset"], basis=APPROVED)


@pytest.mark.parametrize("approved_only", [False, True])
def test_the_country_is_the_sum_of_its_provinces(units, national, approved_only):
    """One tally over every xã of the country equals the provinces' rows added up."""
    year, basis = 2023, _basis(approved_only)
    rows = national_summary(year=year, basis=basis)
    provinces = national_provinces(year)
    communes = communes_on({datetime.date(year, 12, 31): [p.pk for p in provinces]})
    recognitions = year_recognitions(communes, year)
    country = tally(
        communes=communes.count(),
        rows=figure_rows(communes, year, [national["cset"].pk]),
        cset=national["cset"],
        basis=basis,
        held=recognitions.held,
        decided=recognitions.decided,
    )

    def added(key):
        out = defaultdict(int)
        for r in rows:
            for k, v in r[key].items():
                out[k] += v
        return dict(out)

    assert country.communes_total == sum(r["communes"] for r in rows)
    assert country.communes_assessed == sum(r["assessed"] for r in rows) > 0
    assert country.meets_standard == sum(r["meets_standard"] for r in rows) > 0
    assert country.bands == added("bands")
    assert country.recognised_total == added("recognised_total") and country.recognised_total
    assert country.recognised_new == added("recognised_new")
    truth = [
        m
        for (y, pk), (m, state) in national["truth"].items()
        if y == year and (not approved_only or state == State.APPROVED)
    ]
    assert country.criteria_met_average == _avg(sum(truth), len(truth))
