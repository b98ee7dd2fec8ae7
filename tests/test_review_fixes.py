"""Second review: unicode digits, household names in public, moving money rows, 29 February."""

import datetime

import pytest
from rest_framework.test import APIClient

from ntm.ocop.rules import certificate_valid_to


@pytest.mark.parametrize(
    "url",
    [
        "/ocop/?stars=²",
        "/ocop/?place=²",
        "/api/v1/public/ocop/products/?stars=²",
        "/plans/?year=²",
        "/resources/?unit=²",
        "/api/v1/plans/?year=²²²²",
        "/api/v1/fundings/?year=²²²²",
        "/api/v1/resources/figures/?unit=06&year=²²²²",
        "/assessments/?year=²",
        "/assessments/?year=99999999999999999999",
    ],
)
def test_unicode_digits_are_not_server_errors(users, client_for, url):
    assert client_for(users.coordinator).get(url).status_code in (200, 400, 404)


def test_a_certificate_of_29_february_runs_36_full_months():
    assert certificate_valid_to(datetime.date(2024, 2, 29)) == datetime.date(2027, 2, 28)
    assert certificate_valid_to(datetime.date(2023, 3, 15)) == datetime.date(2026, 3, 14)


def test_moving_a_funding_row_to_another_year_is_refused(units, users):
    from ntm.resources.models import FundingSource

    api = APIClient()
    api.force_authenticate(users.coordinator)
    source = FundingSource.objects.first()
    created = api.post(
        "/api/v1/fundings/",
        {
            "unit": units.bac_kan.pk,
            "year": 2023,
            "source": source.code,
            "allocated": 100,
            "disbursed": 50,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/fundings/{pk}/", {"year": 2024}, format="json").status_code == 400
    assert api.get("/api/v1/fundings/", {"year": 2024}).json()["count"] == 0
