"""The national report from the dashboard, as a background job: progress page, then download."""

import pytest

from ntm.accounts.models import Role
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def national(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    units_load(province_codes=["06"])
    return UserFactory(username="trunguong", role=Role.NATIONAL_VIEWER, unit=None)


def test_the_national_report_runs_in_the_background_and_downloads(
    page, live_server, login, national
):
    login("trunguong", TEST_PASSWORD)
    page.goto(f"{live_server.url}/?year=2023")
    page.locator("#report-job button[value=docx]").click()
    page.wait_for_load_state()
    assert "/jobs/" in page.url
    assert "Báo cáo năm 2023 — cả nước (Word)" in page.text_content("h1")
    page.locator("#job-download:not([hidden]) a").wait_for()
    assert page.text_content("#job-percent").strip() == "100%"
    with page.expect_download() as download:
        page.locator("#job-download a").click()
    assert download.value.suggested_filename == "bao-cao-ntm-ca-nuoc-2023.docx"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator(".crumbs a", has_text="Việc chạy nền").click()
    page.wait_for_load_state()
    assert page.locator("#job-list td", has_text="cả nước (Word)").count() == 1
