"""Rules found missing in review: each case here failed before its fix."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from ntm.accounts.scope import scope_for
from ntm.assessments.models import State
from ntm.assessments.services import (
    AssessmentError,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.services import (
    CriteriaEditError,
    criteria_set_clone,
    indicator_save,
    threshold_save,
)
from ntm.units.models import AttributeKind, Unit, UnitLink
from ntm.units.services import attribute_set


def _fill(a, small_set, user, road=90):
    return assessment_save(
        assessment=a,
        user=user,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: road, small_set.i3.pk: 90},
    )


def test_api_refuses_a_criteria_set_of_another_province(units, users, small_set):
    small_set.set.province = units.lang_son
    small_set.set.save()
    api = APIClient()
    api.force_authenticate(users.commune)
    response = api.post(
        "/api/v1/assessments/",
        {"unit": units.quan_ha.pk, "year": 2023, "criteria_set": "TEST-2021"},
        format="json",
    )
    assert response.status_code == 400


def test_notes_follow_the_editing_rights(units, users, small_set):
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    a = assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)
    a = assessment_transition(assessment=a, user=users.district, to_state=State.DISTRICT_CHECKED)
    with pytest.raises(PermissionDenied):
        assessment_save(assessment=a, user=users.commune, version=a.version, notes="sửa ghi chú")


def test_evidence_upload_follows_the_editing_rights(
    units, users, small_set, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    a = assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)
    a = assessment_transition(assessment=a, user=users.district, to_state=State.DISTRICT_CHECKED)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_for(users.commune).post(
        f"/assessments/{a.pk}/evidence/", {"title": "x", "file": pdf}
    )
    assert response.status_code == 403 and not a.evidence.exists()


def test_approval_needs_every_criterion_decided(units, users, small_set):
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set),
        small_set,
        users.commune,
    )
    a = assessment_transition(assessment=a, user=users.commune, to_state=State.SUBMITTED)
    a = assessment_transition(assessment=a, user=users.district, to_state=State.DISTRICT_CHECKED)
    a = assessment_save(
        assessment=a, user=users.coordinator, version=a.version, values={small_set.i2.pk: ""}
    )
    with pytest.raises(AssessmentError, match="chưa xác định"):
        assessment_transition(assessment=a, user=users.coordinator, to_state=State.APPRAISED)


def test_api_transition_needs_the_version(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    api = APIClient()
    api.force_authenticate(users.commune)
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/transition/", {"to_state": "submitted"}, format="json"
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    "url",
    [
        "/assessments/matrix/?unit=abc",
        "/assessments/matrix/?district=abc",
        "/assessments/export.xlsx?unit=1x",
        "/assessments/matrix/?year=99999999999",
        "/assessments/matrix/?year=0",
        "/?year=abc",
        "/?unit=abc",
        "/api/v1/reports/summary/?unit=06&year=99999",
    ],
)
def test_malformed_parameters_are_not_server_errors(users, client_for, url):
    assert client_for(users.coordinator).get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e30", "-1e99"])
def test_non_finite_numbers_are_refused_cleanly(units, users, small_set, raw):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    with pytest.raises(AssessmentError):
        assessment_save(
            assessment=a, user=users.commune, version=a.version, values={small_set.i2.pk: raw}
        )


def test_malformed_posts_are_not_server_errors(units, users, small_set, client_for):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    client = client_for(users.commune)
    assert (
        client.post(
            f"/assessments/{a.pk}/", {"version": "abc", f"v_{small_set.i2.pk}": "5"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/assessments/open/", {"unit": "abc", "year": "2023", "set": "TEST-2021"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/assessments/open/", {"unit": units.quan_ha.pk, "year": "99999", "set": "TEST-2021"}
        ).status_code
        == 302
    )


def test_a_new_commune_in_2025_goes_straight_to_the_province(units, users, small_set):
    attribute_set(
        unit=units.thai_nguyen, kind=AttributeKind.REGION, value="TDMNPB", valid_from_year=2025
    )
    a = assessment_get_or_create(
        unit=units.quan_ha_successor, year=2025, criteria_set=small_set.set
    )
    a = _fill(a, small_set, users.new_province)
    a = assessment_transition(assessment=a, user=users.new_commune, to_state=State.SUBMITTED)
    with pytest.raises(AssessmentError):
        assessment_transition(
            assessment=a, user=users.new_province, to_state=State.DISTRICT_CHECKED
        )
    assert (
        assessment_transition(assessment=a, user=users.new_province, to_state=State.APPRAISED).state
        == State.APPRAISED
    )


def test_a_region_change_recomputes_open_assessments(units, users, small_set):
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set),
        small_set,
        users.commune,
        road=75,
    )
    assert a.criteria_met == 3  # TDMNPB threshold is 70
    attribute_set(unit=units.quan_ha, kind=AttributeKind.REGION, value="DBSH", valid_from_year=2023)
    a.refresh_from_db()
    assert a.criteria_met == 2  # the general threshold (90) applies to DBSH here


def test_threshold_edits_recompute_and_are_refused_once_approved(units, users, small_set):
    small_set.set.province = units.bac_kan
    small_set.set.save()
    a = _fill(
        assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set),
        small_set,
        users.commune,
        road=75,
    )
    threshold_save(indicator=small_set.i2, basis="TDMNPB", value=Decimal("80"))
    a.refresh_from_db()
    assert a.criteria_met == 2
    threshold_save(indicator=small_set.i2, basis="TDMNPB", value=Decimal("70"))
    a.refresh_from_db()
    for state, user in (
        (State.SUBMITTED, users.commune),
        (State.DISTRICT_CHECKED, users.district),
        (State.APPRAISED, users.coordinator),
        (State.APPROVED, users.coordinator),
    ):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    with pytest.raises(CriteriaEditError, match="phiên bản mới"):
        threshold_save(indicator=small_set.i2, basis="TDMNPB", value=Decimal("95"))
    a.refresh_from_db()
    assert a.criteria_met == 3 and a.meets_standard


def test_indicator_codes_are_unique_within_a_set(units, small_set):
    small_set.set.province = units.bac_kan
    small_set.set.save()
    with pytest.raises(CriteriaEditError, match="2.1"):
        indicator_save(criterion=small_set.c1, code="2.1", name="trùng mã", kind="boolean")


def test_partial_successor_reads_but_does_not_write_the_split_commune(units, make_user):
    from ntm.accounts.models import Role

    link = (
        UnitLink.objects.filter(split=True, is_default=False).select_related("old", "new").first()
    )
    if link is None:
        pytest.skip("no split commune in the loaded provinces")
    officer = make_user(Role.COMMUNE_OFFICER, link.new)
    scope = scope_for(officer)
    assert scope.contains(link.old)
    assert not scope.can_write_to(link.old)
    assert scope.can_write_to(link.new)
    principal = UnitLink.objects.get(old=link.old, is_default=True).new
    assert scope_for(make_user(Role.COMMUNE_OFFICER, principal)).can_write_to(link.old)
    assert Unit.objects.filter(pk=link.old.pk).exists()


def test_clone_keeps_the_set_editable_and_unique(units, small_set):
    clone = criteria_set_clone(
        source=small_set.set, province=units.bac_kan, code="BK-TEST", name=""
    )
    assert clone.criteria.count() == 3
