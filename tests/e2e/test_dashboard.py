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
    return UserFactory(username="backan", role=Role.PROVINCE_COORDINATOR, unit=bac_kan)


def test_dashboard_drills_down_from_province_to_commune(page, live_server, login, coordinator):
    login("backan", TEST_PASSWORD)
    page.goto(f"{live_server.url}/?year=2023")
    assert "Tỉnh Bắc Kạn" in page.text_content("h1")
    page.locator("#subunits a", has_text="Huyện Bạch Thông").click()
    page.wait_for_load_state()
    assert "Huyện Bạch Thông" in page.text_content("h1")
    assert page.locator(".crumbs a", has_text="Tỉnh Bắc Kạn").count() == 1
    page.locator("svg.map a").first.click()
    page.wait_for_load_state()
    assert page.text_content("h1").startswith("Xã") or page.text_content("h1").startswith(
        "Thị trấn"
    )
    page.screenshot(path="test-results/dashboard-commune.png")


def test_changing_the_year_updates_the_figures_in_place(page, live_server, login, coordinator):
    from ntm.assessments.demo import demo_results_ensure
    from ntm.criteria.services import criteria_load

    criteria_load(codes=["NTM-XA-2021"])
    demo_results_ensure()
    login("backan", TEST_PASSWORD)
    page.goto(f"{live_server.url}/?year=2023")
    assert page.text_content("#kpi-average").strip() == "12,81"
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    page.select_option("#dashboard-filters select[name=year]", "2022")
    # (not wait_for_function: Playwright evaluates its string with eval, which the CSP forbids)
    page.locator("#kpi-average", has_text="12,45").wait_for()
    assert page.evaluate("window.__marker") == 1
    assert "year=2022" in page.url


def test_the_annual_report_opens_from_the_dashboard(page, live_server, login, coordinator):
    from ntm.assessments.demo import demo_results_ensure
    from ntm.criteria.services import criteria_load
    from ntm.plans.demo import demo_plan_ensure

    criteria_load(codes=["NTM-XA-2021"])
    demo_results_ensure()
    demo_plan_ensure()
    login("backan", TEST_PASSWORD)
    page.goto(f"{live_server.url}/?year=2023")
    page.locator("#report-links a", has_text="Xem, in").click()
    page.wait_for_load_state()
    report = page.text_content("#report")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in report
    assert "Bình quân đạt 12,81 tiêu chí/xã, tăng 0,36 tiêu chí so với năm 2022 (" in report
    assert "đạt 5/17 xã (29%), chưa đạt kế hoạch, còn thiếu 12 xã" in report
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()  # the print view hides the site's frame
    page.emulate_media(media="screen")
    page.screenshot(path="test-results/annual-report.png", full_page=False)
    href = page.locator("#report-tools a", has_text="Tải bản Word").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}", timeout=60_000)
    assert response.ok
    assert 'filename="bao-cao-ntm-06-2023.docx"' in response.headers["content-disposition"]
