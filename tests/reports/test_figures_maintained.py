"""The figures kept on write (assessments.CommuneFigure) equal a full recompute after every kind
of write: save, import, transition, reopen, recognition, unit change, criteria-set change."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for
from ntm.assessments.excel import SHEET_VALUES, assessments_import, assessments_template
from ntm.assessments.figures import as_tuples, figures_computed, figures_rebuild, figures_stored
from ntm.assessments.models import Assessment, CommuneFigure, State
from ntm.assessments.recognitions import recognition_record
from ntm.assessments.services import (
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import threshold_save
from ntm.reports.selectors import average_by_year, national_summary, progress_summary
from ntm.units.models import AttributeKind, Unit
from ntm.units.services import attribute_set
from ntm.units.signals import units_written

YEAR = 2023


def _same() -> list[tuple]:
    """The kept rows equal a recompute from scratch; returns them."""
    stored = as_tuples(figures_stored())
    assert stored == as_tuples(figures_computed())
    return stored


def _row(unit, year=YEAR) -> CommuneFigure:
    return CommuneFigure.objects.get(unit=unit, year=year)


def _fill(a, small_set, user, road=90):
    return assessment_save(
        assessment=a,
        user=user,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: road, small_set.i3.pk: 90},
    )


def _approved(unit, small_set, users, *, year=YEAR, road=90):
    """A result of the unit filled by its commune, then approved up the chain."""
    a = assessment_get_or_create(unit=unit, year=year, criteria_set=small_set.set)
    return _approve(_fill(a, small_set, users.commune, road=road), users)


def _approve(a, users):
    for state, user in (
        (State.SUBMITTED, users.commune),
        (State.DISTRICT_CHECKED, users.district),
        (State.APPRAISED, users.coordinator),
        (State.APPROVED, users.coordinator),
    ):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    return a


def test_save_transition_and_reopen_keep_the_row(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set)
    assert _same() and _row(units.quan_ha).criteria_met == 0
    a = _fill(a, small_set, users.commune, road=60)  # below the TDMNPB threshold (70)
    rows = _same()
    row = _row(units.quan_ha)
    assert (row.criteria_met, row.met_mask, row.meets_standard) == (2, 0b101, False)
    assert (row.state, row.approved) == (State.DRAFT, False)
    assert len(rows) == 1
    a = _fill(a, small_set, users.commune, road=75)
    _same()
    assert (_row(units.quan_ha).criteria_met, _row(units.quan_ha).met_mask) == (3, 0b111)
    a = _approve(a, users)
    _same()
    assert _row(units.quan_ha).approved and _row(units.quan_ha).meets_standard
    a = assessment_transition(
        assessment=a, user=users.coordinator, to_state=State.DRAFT, reason="Sai số liệu"
    )
    _same()
    assert (_row(units.quan_ha).state, _row(units.quan_ha).approved) == (State.DRAFT, False)


def test_official_figures_follow_approval_at_once(units, users, small_set):
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    summary = progress_summary(unit=units.bach_thong, year=YEAR, criteria_set=small_set.set)
    assert (summary.communes_assessed, summary.communes_pending) == (0, 1)
    _approve(a, users)
    summary = progress_summary(unit=units.bach_thong, year=YEAR, criteria_set=small_set.set)
    assert (summary.communes_assessed, summary.meets_standard) == (1, 1)
    assert summary.criteria_met_average == Decimal("3.00")
    assert [a["met"] for a in summary.criteria_attainment] == [1, 1, 1]
    trend = dict(average_by_year(unit=units.bac_kan, criteria_set=small_set.set, last_year=YEAR))
    assert trend[YEAR] == Decimal("3.00") and trend[2022] is None


def test_import_keeps_the_rows_of_every_commune_it_writes(units, users, small_set):
    data = assessments_template(
        scope=scope_for(users.district),
        unit=units.bach_thong,
        year=YEAR,
        criteria_set=small_set.set,
    )
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET_VALUES]
    headers = {c.value: c.column for c in ws[1]}
    codes = []
    for r in range(3, ws.max_row + 1):
        code = ws.cell(r, 1).value
        if code and len(codes) < 3:
            codes.append(code)
            ws.cell(r, headers["1.1"]).value = "Có"
            ws.cell(r, headers["2.1"]).value = 95
            ws.cell(r, headers["3.1"]).value = 50  # outside 80-100: TC3 not met
    out = io.BytesIO()
    wb.save(out)
    report = assessments_import(
        data=out.getvalue(), scope=scope_for(users.district), user=users.district
    )
    assert report.ok, report.errors
    rows = _same()
    assert len(rows) == 3
    assert {r.criteria_met for r in CommuneFigure.objects.all()} == {2}
    assert {r.met_mask for r in CommuneFigure.objects.all()} == {0b011}
    assert sorted(CommuneFigure.objects.values_list("unit__code", flat=True)) == sorted(codes)


def test_recognition_and_revocation_change_the_levels_held(units, users, small_set):
    a = _approved(units.quan_ha, small_set, users)
    assessment_get_or_create(unit=units.quan_ha, year=2024, criteria_set=small_set.set)
    recognition_record(
        unit=units.quan_ha,
        level="ntm",
        criteria_set=small_set.set,
        year=YEAR,
        action="recognised",
        decision_number="1/QĐ-UBND",
        decision_date=datetime.date(YEAR, 12, 20),
        user=users.coordinator,
    )
    _same()
    assert (_row(units.quan_ha).levels, _row(units.quan_ha, 2024).levels) == ("ntm", "ntm")
    summary = progress_summary(unit=units.bac_kan, year=YEAR, criteria_set=small_set.set)
    assert summary.recognised_total == {"ntm": 1} and summary.recognised_new == {"ntm": 1}
    recognition_record(
        unit=units.quan_ha,
        level="ntm",
        criteria_set=small_set.set,
        year=2024,
        action="revoked",
        decision_number="2/QĐ-UBND",
        decision_date=datetime.date(2024, 3, 1),
        user=users.coordinator,
    )
    _same()
    assert (_row(units.quan_ha).levels, _row(units.quan_ha, 2024).levels) == ("ntm", "")
    assert a.pk == Assessment.objects.get(unit=units.quan_ha, year=YEAR).pk


def test_a_commune_moved_to_another_district_counts_there(units, users, small_set):
    _approved(units.quan_ha, small_set, users)
    before = progress_summary(unit=units.ba_be, year=YEAR, criteria_set=small_set.set)
    assert before.communes_assessed == 0
    commune = Unit.objects.get(pk=units.quan_ha.pk)
    commune.parent = units.ba_be
    commune.save()
    commune.refresh_from_db()
    assert (commune.province_key, commune.district_key) == (units.bac_kan.pk, units.ba_be.pk)
    _same()
    after = progress_summary(unit=units.ba_be, year=YEAR, criteria_set=small_set.set)
    assert (after.communes_total, after.communes_assessed) == (before.communes_total + 1, 1)
    moved = progress_summary(unit=units.bach_thong, year=YEAR, criteria_set=small_set.set)
    assert moved.communes_assessed == 0


def _national_assessed(province) -> int:
    rows = national_summary(year=YEAR)
    return next(r["assessed"] for r in rows if r["id"] == province.pk)


@pytest.mark.parametrize("how", ["save", "bulk"])
def test_a_commune_that_ends_leaves_the_national_table_too(units, users, small_set, how):
    """The rows copy their unit's province and validity (the national table reads no units):
    a unit that ends before the year's last day drops out there as in the province's figures,
    whether it was saved or written in bulk by the catalogue (units_written)."""
    CriteriaSet.objects.filter(pk=small_set.set.pk).update(period_start=YEAR, period_end=YEAR)
    _approved(units.quan_ha, small_set, users)
    assert _national_assessed(units.bac_kan) == 1
    ended = datetime.date(YEAR, 6, 30)
    if how == "save":
        commune = Unit.objects.get(pk=units.quan_ha.pk)
        commune.valid_to = ended
        commune.save()
    else:
        Unit.objects.filter(pk=units.quan_ha.pk).update(valid_to=ended)
        units_written.send(sender=Unit, unit_ids=[units.quan_ha.pk])
    _same()
    assert _row(units.quan_ha).unit_valid_to == ended
    assert _national_assessed(units.bac_kan) == 0
    summary = progress_summary(unit=units.bac_kan, year=YEAR, criteria_set=small_set.set)
    assert summary.communes_assessed == 0


def test_a_region_change_and_a_threshold_change_reach_the_rows(units, users, small_set):
    _fill(
        assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set),
        small_set,
        users.commune,
        road=75,
    )
    assert _row(units.quan_ha).criteria_met == 3  # TDMNPB threshold is 70
    attribute_set(unit=units.quan_ha, kind=AttributeKind.REGION, value="DBSH", valid_from_year=YEAR)
    _same()
    assert _row(units.quan_ha).criteria_met == 2  # the general threshold (90) applies
    attribute_set(
        unit=units.quan_ha, kind=AttributeKind.REGION, value="TDMNPB", valid_from_year=YEAR
    )
    assert _row(units.quan_ha).criteria_met == 3
    threshold_save(indicator=small_set.i2, basis="TDMNPB", value=Decimal("80"))  # the set changes
    _same()
    assert (_row(units.quan_ha).criteria_met, _row(units.quan_ha).met_mask) == (2, 0b101)


def test_rebuild_command_restores_rows_lost_to_a_raw_write(units, users, small_set):
    _fill(
        assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    Assessment.objects.filter(unit=units.quan_ha).update(criteria_met=1)  # bypasses the services
    assert as_tuples(figures_stored()) != as_tuples(figures_computed())
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("figures", "check", stdout=out)
    assert "1 dòng số liệu; 2 dòng khác với tính lại" in out.getvalue()
    call_command("figures", "rebuild", stdout=out)
    assert "Đã tính lại 1 dòng số liệu." in out.getvalue()
    _same()
    assert _row(units.quan_ha).criteria_met == 1
    assert figures_rebuild() == 1


@pytest.mark.parametrize("basis", ["approved", "provisional"])
def test_average_by_year_is_one_query(units, users, small_set, basis, django_assert_num_queries):
    _approved(units.quan_ha, small_set, users, year=2022, road=60)
    _fill(
        assessment_get_or_create(unit=units.quan_ha, year=YEAR, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    with django_assert_num_queries(1):
        trend = average_by_year(
            unit=units.bach_thong, criteria_set=small_set.set, last_year=2024, basis=basis
        )
    expected_2023 = Decimal("3.00") if basis == "provisional" else None
    assert trend == [
        (2021, None),
        (2022, Decimal("2.00")),
        (2023, expected_2023),
        (2024, None),
    ]
