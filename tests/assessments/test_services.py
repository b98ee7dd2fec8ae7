from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ntm.assessments.models import ResultKind, State, StateChange
from ntm.assessments.services import (
    AssessmentError,
    ManualResult,
    StaleVersionError,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.units.models import AttributeKind
from ntm.units.services import attribute_set


@pytest.fixture
def assessment(units, small_set, users):
    return assessment_get_or_create(
        unit=units.quan_ha, year=2023, criteria_set=small_set.set, user=users.commune
    )


def _save(assessment, user, **kw):
    return assessment_save(assessment=assessment, user=user, version=assessment.version, **kw)


def test_new_assessment_has_one_result_per_criterion(assessment):
    assert assessment.results.count() == 3
    assert assessment.state == State.DRAFT and assessment.criteria_met == 0


def test_results_are_derived_from_values_with_the_region_threshold(assessment, small_set, users):
    # Bắc Kạn is TDMNPB: the road threshold is 70 there, not the general 90.
    a = _save(
        assessment,
        users.commune,
        values={small_set.i1.pk: True, small_set.i2.pk: "72,5", small_set.i3.pk: 85},
    )
    assert a.criteria_met == 3 and a.meets_standard
    assert a.values.get(indicator=small_set.i2).value_number == Decimal("72.5")
    a = _save(a, users.commune, values={small_set.i3.pk: "100.5"})
    assert a.criteria_met == 2 and not a.meets_standard
    assert not a.results.get(criterion=small_set.c3).met


def test_general_threshold_applies_without_a_region(units, small_set, users):
    units.bac_kan.attributes.all().delete()
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    a = _save(a, users.coordinator, values={small_set.i2.pk: 72})
    assert a.results.get(criterion=small_set.c2).derived is False


def test_commune_group_thresholds_2026(units, group_set, users):
    commune = units.quan_ha_successor
    attribute_set(unit=commune, kind=AttributeKind.COMMUNE_GROUP, value="3", valid_from_year=2026)
    a = assessment_get_or_create(unit=commune, year=2026, criteria_set=group_set.set)
    a = _save(a, users.new_province, values={group_set.i1.pk: 75})
    assert a.meets_standard
    attribute_set(unit=commune, kind=AttributeKind.COMMUNE_GROUP, value="1", valid_from_year=2026)
    a = _save(a, users.new_province, values={group_set.i1.pk: 76})
    assert not a.meets_standard


def test_an_appraisal_result_stands_without_a_reason_when_indicators_do_not_decide(
    assessment, small_set, users
):
    a = _save(assessment, users.coordinator, manual={small_set.c3.pk: ManualResult(True, " ")})
    result = a.results.get(criterion=small_set.c3)
    assert (result.met, result.manual, result.derived) == (True, True, None)
    assert result.kind == ResultKind.APPRAISAL and result.manual_reason == ""
    assert a.criteria_met == 1 and a.criteria_undecided == 2
    a = _save(a, users.coordinator, manual={small_set.c3.pk: ManualResult(None)})
    result = a.results.get(criterion=small_set.c3)
    assert not result.met and result.kind == ResultKind.UNDECIDED


def test_a_result_against_the_indicators_needs_a_reason_and_wins(assessment, small_set, users):
    a = _save(assessment, users.coordinator, values={small_set.i3.pk: 50})  # 80-100 wanted
    with pytest.raises(
        AssessmentError, match="TC3 ghi Đạt nhưng các chỉ tiêu cho kết quả Chưa đạt"
    ):
        _save(a, users.coordinator, manual={small_set.c3.pk: ManualResult(True, "")})
    a.refresh_from_db()
    a = _save(
        a,
        users.coordinator,
        manual={small_set.c3.pk: ManualResult(True, "Theo biên bản thẩm định")},
    )
    result = a.results.get(criterion=small_set.c3)
    assert (result.met, result.derived, result.kind) == (True, False, ResultKind.OVERRIDE)
    assert result.manual_reason == "Theo biên bản thẩm định"


def test_a_result_equal_to_the_indicators_follows_them(assessment, small_set, users):
    a = _save(
        assessment,
        users.coordinator,
        values={small_set.i3.pk: 90},
        manual={small_set.c3.pk: ManualResult(True, "")},
    )
    result = a.results.get(criterion=small_set.c3)
    assert (result.manual, result.derived, result.kind) == (None, True, ResultKind.DERIVED)


def test_values_that_contradict_a_stored_appraisal_are_refused_without_a_reason(
    assessment, small_set, users
):
    a = _save(assessment, users.coordinator, manual={small_set.c3.pk: ManualResult(True)})
    with pytest.raises(AssessmentError, match="TC3 ghi Đạt"):
        _save(a, users.coordinator, values={small_set.i3.pk: 50})
    a.refresh_from_db()
    assert not a.values.exists()  # nothing written
    a = _save(a, users.coordinator, values={small_set.i3.pk: 95})  # agrees: stays appraised
    assert a.results.get(criterion=small_set.c3).kind == ResultKind.APPRAISAL


def test_approval_accepts_appraisal_results(assessment, small_set, users):
    typed = {
        c.pk: ManualResult(c != small_set.c2) for c in (small_set.c1, small_set.c2, small_set.c3)
    }
    a = _save(assessment, users.commune, manual=typed)
    assert (a.criteria_met, a.criteria_undecided) == (2, 0)
    for user, state in (
        (users.commune, State.SUBMITTED),
        (users.district, State.DISTRICT_CHECKED),
        (users.coordinator, State.APPRAISED),
        (users.coordinator, State.APPROVED),
    ):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    assert a.is_locked and a.criteria_met == 2 and not a.meets_standard


def test_stale_version_is_refused(assessment, small_set, users):
    old_version = assessment.version
    _save(assessment, users.commune, values={small_set.i1.pk: True})
    with pytest.raises(StaleVersionError, match="người khác"):
        assessment_save(
            assessment=assessment,
            user=users.district,
            version=old_version,
            values={small_set.i1.pk: False},
        )
    assessment.refresh_from_db()
    assert assessment.values.get().value_bool is True


def test_department_edits_only_its_criteria(assessment, small_set, users):
    _save(assessment, users.department, values={small_set.i2.pk: 80})
    with pytest.raises(PermissionDenied):
        assessment.refresh_from_db()
        _save(assessment, users.department, values={small_set.i1.pk: True})


def _fill(assessment, small_set, user):
    return _save(
        assessment, user, values={small_set.i1.pk: True, small_set.i2.pk: 90, small_set.i3.pk: 90}
    )


def test_workflow_up_to_approval_with_district_check_before_2026(assessment, small_set, users):
    a = _fill(assessment, small_set, users.commune)
    a = assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)
    with pytest.raises(AssessmentError):
        assessment_transition(assessment=a, user=users.coordinator, to_state=State.APPRAISED)
    with pytest.raises(PermissionDenied):
        assessment_transition(assessment=a, user=users.commune, to_state=State.DISTRICT_CHECKED)
    a = assessment_transition(assessment=a, user=users.district, to_state=State.DISTRICT_CHECKED)
    a = assessment_transition(assessment=a, user=users.coordinator, to_state=State.APPRAISED)
    a = assessment_transition(assessment=a, user=users.coordinator, to_state=State.APPROVED)
    assert a.is_locked
    with pytest.raises(AssessmentError, match="khóa"):
        _save(a, users.coordinator, values={small_set.i1.pk: False})
    assert [c.to_state for c in StateChange.objects.filter(assessment=a).order_by("at", "pk")] == [
        "submitted",
        "district_checked",
        "appraised",
        "approved",
    ]


def test_reopening_needs_a_reason_and_is_recorded(assessment, small_set, users):
    a = _fill(assessment, small_set, users.commune)
    for state, user in (
        (State.SUBMITTED, users.commune),
        (State.DISTRICT_CHECKED, users.district),
        (State.APPRAISED, users.coordinator),
        (State.APPROVED, users.coordinator),
    ):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    with pytest.raises(AssessmentError, match="lý do"):
        assessment_transition(assessment=a, user=users.coordinator, to_state=State.DRAFT)
    a = assessment_transition(
        assessment=a, user=users.coordinator, to_state=State.DRAFT, reason="Sai số liệu TC2"
    )
    assert a.state == State.DRAFT
    assert a.state_changes.first().reason == "Sai số liệu TC2"
    assert a.history.first().history_user == users.coordinator


def test_no_district_check_from_2026(units, group_set, users):
    commune = units.quan_ha_successor
    attribute_set(unit=commune, kind=AttributeKind.COMMUNE_GROUP, value="2", valid_from_year=2026)
    a = assessment_get_or_create(unit=commune, year=2026, criteria_set=group_set.set)
    a = _save(a, users.new_commune, values={group_set.i1.pk: 85})
    a = assessment_transition(assessment=a, user=users.new_commune, to_state=State.SUBMITTED)
    with pytest.raises(AssessmentError):
        assessment_transition(
            assessment=a, user=users.new_province, to_state=State.DISTRICT_CHECKED
        )
    a = assessment_transition(assessment=a, user=users.new_province, to_state=State.APPRAISED)
    assert a.state == State.APPRAISED


def test_submission_needs_every_criterion_decided(assessment, small_set, users):
    a = _save(assessment, users.commune, values={small_set.i1.pk: True})
    with pytest.raises(AssessmentError, match="chưa xác định"):
        assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)


@pytest.mark.parametrize(
    ("who", "year", "message"),
    [
        ("ward", 2023, "không phải là xã"),
        ("commune", 2019, "giai đoạn"),
        ("commune", 2026, "giai đoạn"),
        ("old_commune_late", 2025, None),
    ],
)
def test_unit_and_year_must_fit_the_set(units, small_set, who, year, message):
    from ntm.units.models import Unit

    unit = {
        "ward": Unit.objects.filter(kind="phuong", path__startswith=units.bac_kan.path).first(),
        "commune": units.quan_ha,
        "old_commune_late": units.quan_ha,
    }[who]
    if message is None:
        assert assessment_get_or_create(unit=unit, year=year, criteria_set=small_set.set).pk
    else:
        with pytest.raises(AssessmentError, match=message):
            assessment_get_or_create(unit=unit, year=year, criteria_set=small_set.set)


def test_values_history_shows_who_changed_what(assessment, small_set, users):
    a = _save(assessment, users.commune, values={small_set.i2.pk: 60})
    a = _save(a, users.district, values={small_set.i2.pk: 75})
    value = a.values.get(indicator=small_set.i2)
    records = list(value.history.order_by("history_date"))
    assert [r.value_number for r in records][:2] == [Decimal("60"), Decimal("75")]
    assert records[1].history_user == users.district
