"""The Content-Security-Policy holds in a real browser: no page of ours, nor the API
documentation, trips a CSP violation, and the documentation still renders under its policy."""

import pytest

from ntm.accounts.models import Role
from ntm.units.models import Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(transactional_db):
    units_load(province_codes=["06"])
    bac_kan = Unit.objects.get(level=Level.PROVINCE, code="06", valid_to__isnull=False)
    return UserFactory(
        username="backan",
        role=Role.PROVINCE_COORDINATOR,
        unit=bac_kan,
        is_staff=True,
        is_superuser=True,
    )


# Redoc's side menu shows its maker's logo from a CDN: blocked, as every outside load should be.
EXPECTED = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)


def _violations(page):
    found = []

    def seen(msg):
        text = msg.text
        if "Content Security Policy" in text and not any(url in text for url in EXPECTED):
            found.append(text)

    page.on("console", seen)
    return found


def test_pages_and_api_docs_run_without_csp_violations(page, live_server, login, coordinator):
    violations = _violations(page)
    login("backan", TEST_PASSWORD)
    for path in ("/?year=2023", "/public/", "/units/", "/assessments/", "/audit/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() > 10
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("[data-section-id]", timeout=20000)
    assert violations == [], "\n".join(violations)
