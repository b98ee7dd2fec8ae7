import pytest

from ntm.accounts.models import Role
from ntm.units.models import Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quan_ha_officer(transactional_db):
    units_load(province_codes=["06"])  # transactional tests start from an empty database
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    return UserFactory(username="quanha", role=Role.COMMUNE_OFFICER, unit=quan_ha)


def test_commune_officer_sees_only_their_commune(page, live_server, login, quan_ha_officer):
    login("quanha", TEST_PASSWORD)
    assert "Tổng quan" in page.text_content("h1")
    page.click("text=Đơn vị hành chính")
    scope_table = page.locator("section.card", has_text="Phạm vi của bạn")
    assert scope_table.locator("tbody tr").count() == 1
    scope_table.locator("a", has_text="Xã Quân Hà").click()
    assert "Xã Quân Hà" in page.text_content("h1")
    assert "nay thuộc" in page.text_content(".history-sentence")
    # The district above is named in the breadcrumb but is not a link: it is outside the scope.
    assert page.locator(".crumbs a", has_text="Huyện Bạch Thông").count() == 0
    # Searching for another commune of the same district finds nothing.
    page.goto(f"{live_server.url}/units/?q=cam+giang")
    assert "Không tìm thấy" in page.text_content("main")
    page.goto(f"{live_server.url}/units/?q=quan+ha")
    assert page.locator("table.data a", has_text="Xã Quân Hà").count() >= 1
    page.screenshot(path="test-results/units-browser.png", full_page=True)


def test_language_switch_in_the_browser(page, live_server, login, quan_ha_officer):
    login("quanha", TEST_PASSWORD)
    page.select_option("#lang-form select", "en")
    page.click("#lang-form button")
    page.wait_for_load_state()
    assert "Overview" in page.text_content("h1")
