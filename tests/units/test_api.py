from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_units_list_is_scoped_and_paginated(units, users):
    data = _api(users.district).get("/api/v1/units/").json()
    codes = {row["code"] for row in data["results"]}
    assert data["count"] == len(codes) == 1 + units.bach_thong.children.count()
    assert "063" in codes and "02005" in codes
    assert "06" not in codes


def test_units_filters(units, users):
    api = _api(users.coordinator)
    by_level = api.get("/api/v1/units/", {"level": 2}).json()
    assert by_level["count"] == 8
    by_parent = api.get("/api/v1/units/", {"parent": units.bach_thong.pk, "kind": "xa"}).json()
    assert by_parent["count"] == units.bach_thong.children.filter(kind="xa").count()
    search = api.get("/api/v1/units/", {"search": "quan ha"}).json()
    assert [r["name"] for r in search["results"]] == ["Xã Quân Hà"]
    by_code = api.get("/api/v1/units/", {"code": "02005"}).json()
    assert by_code["count"] == 1


def test_valid_on_filter(users):
    api = _api(users.national)
    before = api.get("/api/v1/units/", {"level": 1, "valid_on": "2025-06-30"}).json()
    after = api.get("/api/v1/units/", {"level": 1, "valid_on": "2025-07-01"}).json()
    assert {r["code"] for r in before["results"]} == {"06", "20"}
    assert {r["code"] for r in after["results"]} == {"19", "20"}


def test_unit_detail_has_attributes_and_links(units, users):
    data = _api(users.commune).get(f"/api/v1/units/{units.quan_ha.pk}/").json()
    assert data["name"] == "Xã Quân Hà"
    assert data["parent_code"] == "063"
    assert data["valid_to"] == "2025-06-30"
    assert any(
        s["is_default"] and s["new_code"] == units.quan_ha_successor.code
        for s in data["successors"]
    )


def test_unit_detail_outside_scope_is_404(units, users):
    assert _api(users.commune).get(f"/api/v1/units/{units.ba_be_commune.pk}/").status_code == 404


def test_units_api_is_read_only(units, users):
    api = _api(users.admin)
    assert api.post("/api/v1/units/", {"code": "1"}).status_code == 405
    assert api.delete(f"/api/v1/units/{units.quan_ha.pk}/").status_code == 405


def test_token_authentication(users):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "commune", "password": "Kiem-tra-2025!"}
    )
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == users.commune
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["unit_code"] == "02005" and me["role"] == "commune_officer" and me["can_write"]


def test_anonymous_api_is_refused(db):
    assert APIClient().get("/api/v1/units/").status_code in (401, 403)


def test_openapi_schema_and_docs_without_cdn(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/units/" in text and "valid_on" in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs
