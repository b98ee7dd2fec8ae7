"""The "Tài khoản" link is visible in the header at 1366×768 for a user who is neither staff nor
coordinator, and its page creates an API token shown once."""

import pytest

from ntm.accounts.models import Role
from ntm.units.models import Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(transactional_db):
    units_load(province_codes=["06"])
    commune = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    return UserFactory(username="quanha", role=Role.COMMUNE_OFFICER, unit=commune)


def test_account_link_is_visible_at_1366x768(page, login, live_server, officer):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("quanha", TEST_PASSWORD)
    link = page.locator("#nav-account")
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768
    assert link.inner_text() == "Tài khoản"

    link.click()
    page.wait_for_url(f"{live_server.url}/accounts/")
    assert page.locator("#token-state").inner_text() == "Chưa có mã truy cập API."
    page.click("#token-create")
    key = page.locator("#new-token").inner_text()
    assert len(key) == 40
    page.goto(f"{live_server.url}/accounts/")
    assert page.locator("#new-token").count() == 0
    assert key[:8] in page.locator("#token-state").inner_text()
