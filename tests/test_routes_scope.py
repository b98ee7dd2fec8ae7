"""Walks every URL pattern and API route with a user of another unit: nothing may leak.

A new route must be classified here, or this test fails: that is the point.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The outsider's data (Lạng Sơn): its name must appear in no response to the Bắc Kạn users.
# (Queries are echoed back in search boxes, so markers keep their diacritics.)
OUTSIDE_MARKER = "Lạng Sơn"

# Routes that carry no user data at all.
PUBLIC = {
    "login", "logout", "set_language", "healthz", "api-schema", "api-docs", "api-redoc",
    "api-token", "api-root",
}  # fmt: skip
# Routes whose only parameter is a unit id.
UNIT_ROUTES = {
    "units:detail", "units:village_add", "units:attribute_add", "unit-detail",
}  # fmt: skip
# Lists and pages without parameters that show scoped data.
SCOPED_PAGES = {
    "home", "units:list", "units:villages_import", "units:villages_template", "unit-list",
    "api-me",
}  # fmt: skip


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}{p.name}" if p.name else None)


def _routes():
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith("admin/") and "format" not in route
    ]


def _fill(route: str, pk: int) -> str:
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), path)
    path = re.sub(r"<int:pk>", str(pk), path)
    return "/" + path.replace("\\", "")


def test_every_route_is_classified():
    unknown = [
        (route, name)
        for route, name in _routes()
        if name not in PUBLIC | UNIT_ROUTES | SCOPED_PAGES
    ]
    assert not unknown, f"Classify these routes in {__name__}: {unknown}"


@pytest.mark.parametrize("who", ["commune", "district", "coordinator", "department"])
def test_no_route_leaks_another_units_data(units, users, client_for, who):
    client = client_for(getattr(users, who))
    outside = units.lang_son_commune
    for route, name in _routes():
        if name in UNIT_ROUTES:
            url = _fill(route, outside.pk)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (403, 404, 405), (who, method, url)
        elif name in SCOPED_PAGES:
            url = _fill(route, 0)
            queries = ("", "?q=lang+son", "?search=lang%20son", "?level=1", "?parent_code=20")
            for query in (*queries, f"?q={outside.code}", f"?code={outside.code}"):
                response = client.get(url + query)
                assert response.status_code in (200, 403), (who, url + query)
                body = response.content.decode("utf-8", "replace")
                for marker in (OUTSIDE_MARKER, outside.name):
                    assert marker not in body, (who, url + query, marker)


def test_anonymous_is_sent_to_login_everywhere_but_public_routes(units, client):
    for route, name in _routes():
        if name in PUBLIC:
            continue
        url = _fill(route, units.quan_ha.pk)
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_national_viewer_cannot_write(units, users, client_for):
    client = client_for(users.national)
    assert (
        client.post(f"/units/{units.quan_ha_successor.pk}/villages/add/", {"name": "X"}).status_code
        == 403
    )
    assert client.post(f"/units/{units.quan_ha.pk}/attributes/add/", {}).status_code == 403
    assert client.get("/units/villages/import/").status_code == 403


def test_commune_officer_cannot_set_attributes(units, users, client_for):
    client = client_for(users.commune)
    data = {"kind": "border", "value": "yes", "valid_from_year": 2021}
    assert client.post(f"/units/{units.quan_ha.pk}/attributes/add/", data).status_code == 403
