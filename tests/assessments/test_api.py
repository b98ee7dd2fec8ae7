from rest_framework.test import APIClient

from ntm.assessments.models import State
from ntm.assessments.services import assessment_get_or_create


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_read_save_and_submit_through_the_api(units, users, small_set):
    api = _api(users.commune)
    created = api.post(
        "/api/v1/assessments/",
        {"unit": units.quan_ha.pk, "year": 2023, "criteria_set": "TEST-2021"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    saved = api.post(
        f"/api/v1/assessments/{pk}/save/",
        {"version": version, "values": {"1.1": True, "2.1": 75, "3.1": "85,5"}},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["criteria_met"] == 3 and body["meets_standard"]
    assert {r["criterion"]: r["met"] for r in body["results"]} == {
        "TC1": True,
        "TC2": True,
        "TC3": True,
    }
    moved = api.post(
        f"/api/v1/assessments/{pk}/transition/",
        {"to_state": "submitted", "version": body["version"]},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["state"] == State.SUBMITTED


def test_stale_save_gets_409(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    first = _api(users.commune).post(
        f"/api/v1/assessments/{a.pk}/save/",
        {"version": a.version, "values": {"2.1": 50}},
        format="json",
    )
    assert first.status_code == 200
    second = _api(users.district).post(
        f"/api/v1/assessments/{a.pk}/save/",
        {"version": a.version, "values": {"2.1": 99}},
        format="json",
    )
    assert second.status_code == 409
    assert second.json()["code"] == "stale_version"
    a.refresh_from_db()
    assert a.values.get().value_number == 50


def test_bad_codes_and_values_are_400_not_500(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    api = _api(users.commune)
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"9.9": 1}},
            format="json",
        ).status_code
        == 400
    )
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"2.1": "abc"}},
            format="json",
        ).status_code
        == 400
    )
    manual = {"TC3": {"met": True, "reason": ""}}  # against 3.1 = 50 (80-100 wanted)
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"3.1": 50}, "manual": manual},
            format="json",
        ).status_code
        == 400
    )
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/", "not json", content_type="application/json"
        ).status_code
        == 400
    )


def test_list_filters_and_scope(units, users, small_set):
    assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    assessment_get_or_create(unit=units.ba_be_commune, year=2023, criteria_set=small_set.set)
    assert (
        _api(users.coordinator)
        .get("/api/v1/assessments/", {"year": 2023, "set": "TEST-2021"})
        .json()["count"]
        == 2
    )
    assert _api(users.district).get("/api/v1/assessments/").json()["count"] == 1
    assert _api(users.outsider).get("/api/v1/assessments/").json()["count"] == 0
    assert (
        _api(users.coordinator).get("/api/v1/assessments/", {"unit_code": "02005"}).json()["count"]
        == 1
    )


def test_department_cannot_touch_other_criteria_via_api(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    api = _api(users.department)
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"1.1": True}},
            format="json",
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"2.1": 88}},
            format="json",
        ).status_code
        == 200
    )


def test_criteria_sets_api_and_clone(units, users):
    from ntm.criteria.services import criteria_load

    criteria_load(codes=["NTM-XA-2021"])
    api = _api(users.coordinator)
    detail = api.get("/api/v1/criteria-sets/NTM-XA-2021/").json()
    assert detail["decision_number"] == "318/QĐ-TTg" and len(detail["criteria"]) == 19
    clone = api.post("/api/v1/criteria-sets/NTM-XA-2021/clone/", {"code": "BK-2021"}, format="json")
    assert clone.status_code == 201 and clone.json()["province_code"] == "06"
    assert (
        api.post(
            "/api/v1/criteria-sets/NTM-XA-2021/clone/", {"code": "BK-2021"}, format="json"
        ).status_code
        == 400
    )
    assert (
        _api(users.commune)
        .post("/api/v1/criteria-sets/NTM-XA-2021/clone/", {"code": "Q"}, format="json")
        .status_code
        == 403
    )
    assert _api(users.outsider).get("/api/v1/criteria-sets/BK-2021/").status_code == 404


def test_an_appraisal_result_goes_in_without_a_reason_and_says_so(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    response = _api(users.coordinator).post(
        f"/api/v1/assessments/{a.pk}/save/",
        {"version": a.version, "manual": {"TC1": {"met": True}, "TC3": {"met": False}}},
        format="json",
    )
    assert response.status_code == 200, response.content
    results = {r["criterion"]: r for r in response.json()["results"]}
    assert results["TC1"]["kind"] == "appraisal" and results["TC1"]["met"] is True
    assert results["TC3"]["kind"] == "appraisal" and results["TC3"]["met"] is False
    assert results["TC2"]["kind"] == ""
    assert response.json()["criteria_met"] == 1


def test_a_percentage_out_of_bounds_is_refused_naming_the_indicator(units, users, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    api = _api(users.coordinator)
    for bad in (150, "-5", "100,5"):
        response = api.post(
            f"/api/v1/assessments/{a.pk}/save/",
            {"version": a.version, "values": {"2.1": bad}},
            format="json",
        )
        assert response.status_code == 400
        assert "2.1" in response.json()["detail"] and "0 đến 100" in response.json()["detail"]
    ok = api.post(
        f"/api/v1/assessments/{a.pk}/save/",
        {"version": a.version, "values": {"2.1": 100}},
        format="json",
    )
    assert ok.status_code == 200
