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
    subject = services.subject_save(user=None, kind="household", name="Hộ kinh doanh Chè Quân Hà",
                                    unit=quan_ha, phone="0987000111")  # fmt: skip
    product = services.product_save(user=None, name="Chè Shan tuyết Quân Hà", subject=subject,
                                    group="do_uong", unit=quan_ha)  # fmt: skip
    services.certificate_issue(user=None, product=product, number="77/QĐ-UBND", stars=4,
                               issued_on=datetime.date.today() - datetime.timedelta(days=10))  # fmt: skip
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
