"""API tokens expire after API_TOKEN_DAYS and can be revoked from the account page."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import TEST_PASSWORD


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _age(token: Token, days: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=days))


def test_a_fresh_token_works_and_an_expired_one_gets_401_in_vietnamese(users, settings):
    settings.API_TOKEN_DAYS = 30
    token = Token.objects.create(user=users.commune)
    assert _api(token.key).get("/api/v1/me/").json()["username"] == "commune"
    _age(token, 29.9)
    assert _api(token.key).get("/api/v1/me/").status_code == 200
    _age(token, 30.01)
    response = _api(token.key).get("/api/v1/me/")
    assert response.status_code == 401
    assert "Mã truy cập API đã hết hạn (dùng được 30 ngày)" in response.json()["detail"]


def test_the_days_follow_the_setting(users, settings):
    settings.API_TOKEN_DAYS = 7
    token = Token.objects.create(user=users.commune)
    _age(token, 8)
    assert _api(token.key).get("/api/v1/me/").status_code == 401
    settings.API_TOKEN_DAYS = 10
    assert _api(token.key).get("/api/v1/me/").status_code == 200


def test_the_token_endpoint_replaces_an_expired_token(users):
    url = "/api/v1/auth/token/"
    first = APIClient().post(url, {"username": "commune", "password": TEST_PASSWORD}).json()
    again = APIClient().post(url, {"username": "commune", "password": TEST_PASSWORD}).json()
    assert again["token"] == first["token"]  # still valid: the same token
    expires = datetime.datetime.fromisoformat(first["expires"])
    assert (
        datetime.timedelta(days=29, hours=23)
        < expires - timezone.now()
        <= datetime.timedelta(days=30)
    )
    _age(Token.objects.get(key=first["token"]), 31)
    renewed = APIClient().post(url, {"username": "commune", "password": TEST_PASSWORD}).json()
    assert renewed["token"] != first["token"]
    assert _api(first["token"]).get("/api/v1/me/").status_code == 401
    assert _api(renewed["token"]).get("/api/v1/me/").status_code == 200


def test_a_user_creates_a_token_shown_once_and_revokes_it(users, client_for):
    client = client_for(users.commune)
    page = client.get("/accounts/")
    assert page.status_code == 200
    assert "Chưa có mã truy cập API." in page.content.decode()

    created = client.post("/accounts/", {"action": "create"})
    assert created.status_code == 200
    token = Token.objects.get(user=users.commune)
    assert token.key in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    assert _api(token.key).get("/api/v1/me/").status_code == 200

    later = client.get("/accounts/").content.decode()
    assert token.key not in later  # shown once
    assert token.key[:8] + "…" in later

    revoked = client.post("/accounts/", {"action": "revoke", "token": token.key[:8]})
    assert revoked.status_code == 302 and revoked["Location"] == "/accounts/"
    assert not Token.objects.filter(user=users.commune).exists()
    assert _api(token.key).get("/api/v1/me/").status_code == 401


def test_a_new_token_replaces_the_old_one(users, client_for):
    client = client_for(users.commune)
    client.post("/accounts/", {"action": "create"})
    old = Token.objects.get(user=users.commune).key
    client.post("/accounts/", {"action": "create"})
    new = Token.objects.get(user=users.commune).key
    assert new != old
    assert _api(old).get("/api/v1/me/").status_code == 401
    assert _api(new).get("/api/v1/me/").status_code == 200


def test_another_users_token_cannot_be_revoked(users, client_for):
    victim = Token.objects.create(user=users.commune)
    attacker = client_for(users.district)
    response = attacker.post("/accounts/", {"action": "revoke", "token": victim.key[:8]})
    assert response.status_code == 404
    assert Token.objects.filter(pk=victim.pk).exists()
    assert _api(victim.key).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("prefix", ["", "abc", "x" * 40])
def test_a_malformed_revoke_is_404(users, client_for, prefix):
    Token.objects.create(user=users.commune)
    response = client_for(users.commune).post("/accounts/", {"action": "revoke", "token": prefix})
    assert response.status_code == 404
    assert Token.objects.filter(user=users.commune).exists()


def test_the_account_page_needs_a_login_and_every_user_sees_its_link(users, client_for):
    anonymous = APIClient().get("/accounts/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for user in (users.commune, users.coordinator, users.admin):
        home = client_for(user).get("/").content.decode()
        assert (
            'id="nav-account" href="/accounts/"' in home
            or 'href="/accounts/" id="nav-account"' in home
        )
