import datetime

import pytest

from ntm.ocop import services
from ntm.units.models import Level, Unit
from ntm.units.services import units_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certified(transactional_db):
    units_load(province_codes=["06"])
    services.sheets_load()
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    subject = services.subject_save(
        user=None,
        kind="household",
        name="Hộ kinh doanh Chè Quân Hà",
        unit=quan_ha,
        phone="0987000111",
    )
    product = services.product_save(
        user=None, name="Chè Shan tuyết Quân Hà", subject=subject, group="do_uong", unit=quan_ha
    )
    services.certificate_issue(
        user=None,
        product=product,
        number="77/QĐ-UBND",
        stars=4,
        issued_on=datetime.date.today() - datetime.timedelta(days=10),
    )
    return product


def test_public_catalogue_and_product_page(page, live_server, certified):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/ocop/")
    page.select_option("select[name=stars]", "4")
    page.click("form.search button[type=submit]")
    page.click("text=Chè Shan tuyết Quân Hà")
    assert "4 ★" in page.text_content("#stars")
    assert page.locator("#qr svg").count() == 1
    assert f"/ocop/p/{certified.pk}/" in page.text_content("#qr")
    assert "0987000111" not in page.content()


def test_a_district_council_enters_one_evaluation(page, live_server, login, certified):
    from ntm.accounts.models import Role
    from tests.conftest import TEST_PASSWORD, UserFactory

    bach_thong = Unit.objects.get(level=Level.DISTRICT, code="063", valid_to__isnull=False)
    UserFactory(username="bachthong", role=Role.DISTRICT_OFFICER, unit=bach_thong)
    rnd = services.round_save(
        user=None, unit=bach_thong, year=2024, number=1, held_on=datetime.date(2024, 9, 1)
    )
    login("bachthong", TEST_PASSWORD)
    page.goto(f"{live_server.url}/ocop/manage/rounds/{rnd.pk}/")
    row = page.locator(f"#scores tr[data-product='{certified.pk}']")
    inputs = row.locator("input[name^=line_]")
    values = ["30", "20", "22"]  # parts A, B, C of the 148/QĐ-TTg sheet (max 40, 25, 35)
    for i in range(inputs.count()):
        inputs.nth(i).fill(values[i] if i < len(values) else "0")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    saved = page.locator(f"#scores tr[data-product='{certified.pk}']")
    assert saved.locator("td.total").text_content().strip() in ("72", "72.00", "72,00", "72,0")
    assert "4 ★" in saved.locator("td.stars").text_content()
    # A line above its maximum is refused with a message, nothing saved.
    saved.locator("input[name^=line_]").first.fill("41")
    saved.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"#scores tr[data-product='{certified.pk}'] .msg.error").count() == 1
