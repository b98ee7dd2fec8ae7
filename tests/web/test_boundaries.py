"""Commune boundaries: a small GeoJSON made here (not real boundaries), loaded atomically and
drawn as SVG polygons coloured by criteria met; dots when there are none."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ntm.accounts.scope import scope_for
from ntm.assessments.models import Assessment, State
from ntm.units.models import Kind, Unit
from ntm.web.boundaries import BoundaryError, boundaries_load
from ntm.web.models import CommuneBoundary

DAY = datetime.date(2024, 1, 1)


def _square(code, x, y, size=0.05):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {
        "type": "Feature",
        "properties": {"ma_xa": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture
def communes(units):
    return list(
        Unit.objects.filter(kind=Kind.COMMUNE, parent=units.bach_thong).order_by("code")[:3]
    )


def test_load_draws_polygons_coloured_and_clickable(units, users, client_for, small_set, communes):
    data = _geojson([_square(c.code, 105.8 + i * 0.05, 22.1) for i, c in enumerate(communes)])
    assert boundaries_load(data=data, on=DAY, scope=scope_for(users.coordinator)) == 3
    Assessment.objects.create(
        unit=communes[0],
        year=2023,
        criteria_set=small_set.set,
        state=State.APPROVED,
        criteria_met=3,
    )
    body = (
        client_for(users.coordinator)
        .get(f"/?unit={units.bach_thong.pk}&year=2023&set=TEST-2021")
        .content.decode()
    )
    assert 'id="boundary-map"' in body and "<circle" not in body
    paths = re.findall(
        r'<a href="/units/(\d+)/"><path d="M[^"]+" class="commune m-(\w+)">'
        r"<title>([^<]+)</title>",
        body,
    )
    assert {int(pk) for pk, _css, _t in paths} == {c.pk for c in communes}
    by_pk = {int(pk): (css, title) for pk, css, title in paths}
    assert by_pk[communes[0].pk] == ("full", f"{communes[0].name}: 3/3 tiêu chí đạt")
    assert by_pk[communes[1].pk] == ("none", f"{communes[1].name}: chưa có kết quả")


def test_dots_remain_without_boundaries(units, users, client_for):
    body = client_for(users.coordinator).get(f"/?unit={units.bach_thong.pk}&year=2023")
    assert "<circle" in body.content.decode() and 'id="boundary-map"' not in body.content.decode()


def test_a_bad_file_writes_nothing_and_names_each_problem(users, communes):
    features = [
        _square(communes[0].code, 105.8, 22.1),
        _square("99999", 105.9, 22.1),
        {"type": "Feature", "properties": {}, "geometry": None},
        {
            **_square(communes[1].code, 106, 22),
            "geometry": {"type": "Point", "coordinates": [1, 2]},
        },
    ]
    with pytest.raises(BoundaryError) as caught:
        boundaries_load(data=_geojson(features), on=DAY, scope=scope_for(users.coordinator))
    errors = caught.value.errors
    assert len(errors) == 3
    assert errors[0].startswith("Đối tượng 2: Mã 99999 không ứng với đơn vị nào")
    assert errors[1].startswith("Đối tượng 3: thiếu mã xã")
    assert "Đối tượng 4" in errors[2] and "Polygon hoặc MultiPolygon" in errors[2]
    assert CommuneBoundary.objects.count() == 0
    outsider = _geojson([_square(communes[0].code, 105.8, 22.1)])
    with pytest.raises(BoundaryError, match="không thuộc phạm vi"):
        boundaries_load(data=outsider, on=DAY, scope=scope_for(users.outsider))


def test_page_and_command(users, client_for, communes, tmp_path):
    data = _geojson([_square(communes[0].code, 105.8, 22.1)])
    client = client_for(users.coordinator)
    upload = SimpleUploadedFile("ranh-gioi.geojson", data, content_type="application/geo+json")
    response = client.post("/maps/boundaries/", {"file": upload, "date": "2024-01-01"})
    assert response.status_code == 302 and CommuneBoundary.objects.count() == 1
    assert "Đã có ranh giới của 1 xã" in client.get("/maps/boundaries/").content.decode()
    assert client_for(users.district).get("/maps/boundaries/").status_code == 403
    path = tmp_path / "b.geojson"
    path.write_bytes(_geojson([_square(c.code, 105.8 + i, 22.1) for i, c in enumerate(communes)]))
    call_command("boundaries", str(path), "--date", "01/01/2024")
    assert CommuneBoundary.objects.count() == 3
    path.write_bytes(b"{")
    with pytest.raises(CommandError, match="GeoJSON"):
        call_command("boundaries", str(path))
