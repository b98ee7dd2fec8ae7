"""Pages and API: a commune enters its own, the province sees all, national viewers read only."""

import datetime

import pytest
from rest_framework.test import APIClient

from ntm.resources import services
from ntm.resources.models import Activity, Funding


@pytest.fixture
def lang_son_rows(units, sources, system):
    funding, _ = services.funding_save(
        scope=system,
        user=None,
        unit=units.lang_son_commune,
        year=2023,
        source=sources.ntm_central,
        allocated=777_000,
        disbursed=1,
    )
    activity = services.activity_save(
        scope=system,
        unit=units.lang_son_commune,
        kind="training",
        name="Lớp Lạng Sơn",
        date=datetime.date(2023, 4, 1),
    )
    return funding, activity


def test_commune_enters_its_own_funding_table(units, users, sources, client_for):
    client = client_for(users.commune)
    url = f"/resources/entry/?unit={units.quan_ha.pk}&year=2024"
    assert client.get(url).status_code == 200
    data = {
        "section": "funding",
        f"alloc_{sources.ntm_central.pk}": "5000000",
        f"disb_{sources.ntm_central.pk}": "2500000",
    }
    assert client.post(url, data).status_code == 302
    f = Funding.objects.get()
    assert (f.unit, f.year, f.allocated, f.disbursed) == (units.quan_ha, 2024, 5_000_000, 2_500_000)
    data = {
        "section": "activity",
        "a-kind": "training",
        "a-name": "Tập huấn",
        "a-date": "02/05/2024",
        "a-measure": "người",
        "a-planned": 50,
        "a-actual": 44,
    }
    assert client.post(url, data).status_code == 302
    body = (
        client_for(users.coordinator)
        .get(f"/resources/?unit={units.bac_kan.pk}&year=2024")
        .content.decode()
    )
    assert "5.000.000" in body and "88%" in body
    home = (
        client_for(users.coordinator).get(f"/?unit={units.bac_kan.pk}&year=2024").content.decode()
    )
    assert 'id="resources"' in home and "5.000.000" in home


def test_commune_cannot_write_a_neighbour_national_reads_only(units, users, sources, client_for):
    other = f"/resources/entry/?unit={units.ba_be_commune.pk}&year=2024"
    data = {"section": "funding", f"alloc_{sources.ntm_central.pk}": "1"}
    assert client_for(users.commune).post(other, data).status_code in (403, 404)
    national = client_for(users.national)
    assert national.get(other).status_code == 200
    assert national.post(other, data).status_code == 403
    assert Funding.objects.count() == 0


def test_lists_and_export_hide_other_provinces(units, users, client_for, lang_son_rows):
    client = client_for(users.coordinator)
    for what in ("fundings", "activities"):
        body = client.get(f"/resources/list/?what={what}&year=2023").content.decode()
        assert "Lạng Sơn" not in body and "777.000" not in body
    assert (
        client.get(f"/resources/list/?what=fundings&unit={units.lang_son_commune.pk}").status_code
        == 404
    )
    assert b"Lang" not in client.get("/resources/export.xlsx?what=fundings").content
    outsider = (
        client_for(users.outsider).get("/resources/list/?what=fundings&year=2023").content.decode()
    )
    assert "777.000" in outsider


def test_api_scoped_and_written_through_services(units, users, lang_son_rows):
    api = APIClient()
    api.force_authenticate(users.commune)
    assert (
        api.get("/api/v1/fundings/").json()["results"] == []
        if isinstance(api.get("/api/v1/fundings/").json(), dict)
        else api.get("/api/v1/fundings/").json() == []
    )
    funding, activity = lang_son_rows
    assert api.get(f"/api/v1/fundings/{funding.pk}/").status_code == 404
    assert api.delete(f"/api/v1/activities/{activity.pk}/").status_code == 404
    response = api.post(
        "/api/v1/fundings/",
        {
            "unit": units.quan_ha.pk,
            "year": 2024,
            "source": "community_cash",
            "allocated": "300",
            "disbursed": "300",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["disbursement_rate"] == "1.0000"
    response = api.post(
        "/api/v1/fundings/",
        {
            "unit": units.lang_son_commune.pk,
            "year": 2024,
            "source": "credit",
            "allocated": "1",
            "disbursed": "0",
        },
    )
    assert response.status_code == 400
    figures = api.get(
        "/api/v1/resources/figures/", {"unit": units.quan_ha.code, "year": 2024}
    ).json()
    assert figures["resources"]["allocated"] == 300
    assert figures["resources"]["community"]["share_disbursed"] == 1.0
    assert api.get("/api/v1/resources/figures/", {"unit": "20", "year": 2023}).status_code == 404
    national = APIClient()
    national.force_authenticate(users.national)
    assert national.get(f"/api/v1/activities/{activity.pk}/").status_code == 200
    assert national.delete(f"/api/v1/activities/{activity.pk}/").status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()
    schema = national.get("/api/schema/").content.decode()
    assert "/api/v1/fundings/" in schema and "/api/v1/resources/figures/" in schema
