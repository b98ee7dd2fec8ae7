"""From a commune's result to the province's approval at 1366×768, and the official figure moving
only then (the provisional one showing its coverage before)."""

import pytest

from ntm.accounts.models import Role
from ntm.assessments.models import Assessment, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.units.models import Kind, Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def screen(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def people(transactional_db):
    units_load(province_codes=["06"])
    criteria_load(codes=["NTM-XA-2021"])
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    other = (
        Unit.objects.filter(kind=Kind.COMMUNE, parent=quan_ha.parent)
        .exclude(pk=quan_ha.pk)
        .order_by("code")
        .first()
    )
    Assessment.objects.create(
        unit=other,
        year=2023,
        criteria_set=CriteriaSet.objects.get(code="NTM-XA-2021"),
        state=State.APPROVED,
        criteria_met=12,
    )
    return {
        "commune": UserFactory(username="quanha", role=Role.COMMUNE_OFFICER, unit=quan_ha),
        "district": UserFactory(
            username="bachthong", role=Role.DISTRICT_OFFICER, unit=quan_ha.parent
        ),
        "province": UserFactory(
            username="backan", role=Role.PROVINCE_COORDINATOR, unit=quan_ha.parent.parent
        ),
    }


def _log_in(page, url, username):
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{url}/")


def _no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _fill_every_criterion(page):
    for select in page.locator("#assessment-form select[name^=b_]").all():
        select.select_option("1")
    for field in page.locator("#assessment-form input[name^=v_]").all():
        field.fill("100")
    page.click("#save")
    for block in page.locator(
        "tbody.criterion", has=page.locator("th.result", has_text="Chưa xác định")
    ).all():
        block.locator("select[name^=m_]").select_option("1")
        block.locator("input[name^=r_]").fill("Theo biên bản kiểm tra của huyện")
    page.click("#save")


def _dashboard(page, url, unit_pk):
    page.goto(f"{url}/?unit={unit_pk}&year=2023")
    _no_sideways_scroll(page)
    return page.text_content("#kpi-average").strip()


def test_commune_to_province_approval(screen, live_server, people):
    page, url = screen, live_server.url
    province_pk = people["province"].unit.pk

    _log_in(page, url, "quanha")
    _no_sideways_scroll(page)
    page.click("text=Đánh giá tiêu chí")
    page.select_option("select[name=year]", "2023")
    page.click("form.search button[type=submit]")
    _no_sideways_scroll(page)
    create = page.locator("table.matrix tr", has_text="Xã Quân Hà").locator(
        "button", has_text="Tạo"
    )
    box = create.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366  # visible without scrolling
    count_header = page.locator("table.matrix th", has_text="Số TC đạt").bounding_box()
    assert count_header["x"] + count_header["width"] <= 1366
    create.click()
    _no_sideways_scroll(page)
    _fill_every_criterion(page)
    assert page.text_content("#criteria-met").strip().startswith("19/19")
    page.locator("form.transition button", has_text="Xã đã gửi").click()
    assert "Xã đã gửi" in page.text_content("#state")
    _no_sideways_scroll(page)

    # Before any check: the official figure counts the approved xã only; the provisional one
    # counts Quân Hà too and says how many are approved.
    _log_in(page, url, "backan")
    assert _dashboard(page, url, province_pk) == "12"
    provisional = page.text_content("#kpi-provisional")
    assert "Tạm tính: 15,5 tiêu chí/xã" in provisional
    assert "1/95 xã đã phê duyệt; 1 xã tạm tính" in provisional

    _log_in(page, url, "bachthong")
    page.locator("#nav-inbox-count", has_text="1").wait_for()
    page.click("#nav-inbox")
    page.locator("#inbox-results_waiting a", has_text="Xã Quân Hà — 2023").click()
    page.locator("form.transition button", has_text="Huyện đã kiểm tra").click()
    assert "Huyện đã kiểm tra" in page.text_content("#state")

    _log_in(page, url, "backan")
    assert _dashboard(page, url, province_pk) == "12"  # checked, not approved: unchanged
    page.click("#nav-inbox")
    _no_sideways_scroll(page)
    page.locator("#inbox-results_waiting a", has_text="Xã Quân Hà — 2023").click()
    page.locator("form.transition button", has_text="Tỉnh đã thẩm định").click()
    assert "Tỉnh đã thẩm định" in page.text_content("#state")
    assert _dashboard(page, url, province_pk) == "12"
    page.click("#nav-inbox")
    page.locator("#inbox-results_waiting a", has_text="Xã Quân Hà — 2023").click()
    page.locator("form.transition button", has_text="Đã phê duyệt").click()
    assert "Đã phê duyệt" in page.text_content("#state")

    assert _dashboard(page, url, province_pk) == "15,5"
    assert page.locator("#kpi-provisional").count() == 0
    assert "2/95 xã đã phê duyệt" in page.text_content("#kpi-coverage")
    page.screenshot(path="test-results/review-flow-dashboard.png")
