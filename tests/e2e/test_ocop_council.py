"""Browser: a council member opens a product's score sheet, scores it, saves; the chair closes
the round and the proposal list appears."""

import datetime

import pytest

from ntm.ocop import council, services
from ntm.ocop.models import SheetOption
from ntm.units.models import Level, Unit
from ntm.units.services import units_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scoring_round(transactional_db):
    from ntm.accounts.models import Role
    from tests.conftest import UserFactory

    units_load(province_codes=["06"])
    services.sheets_load()
    province = Unit.objects.get(level=Level.PROVINCE, code="06", valid_to__isnull=False)
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    chair = UserFactory(username="chutich", role=Role.PROVINCE_COORDINATOR, unit=province)
    member = UserFactory(username="thanhvien", role=Role.DEPARTMENT_OFFICER, unit=province)
    subject = services.subject_save(user=None, kind="cooperative", name="HTX Rượu", unit=quan_ha)
    product = services.product_save(
        user=None, name="Rượu men lá", subject=subject, unit=quan_ha, classification="II.1.a"
    )
    rnd = services.round_save(
        user=None, unit=province, year=2026, number=2, held_on=datetime.date(2026, 12, 10)
    )
    council.council_set(user=None, round=rnd, members=[(chair, "chair"), (member, "member")])
    (ev,) = council.round_products_add(user=None, round=rnd, products=[product])
    best = {}
    for o in SheetOption.objects.filter(item__sheet=ev.product_sheet, item__scored=True):
        code = o.item.code
        if code not in best or o.points > best[code].points:
            best[code] = o
    council.member_sheet_save(user=chair, evaluation=ev, choices={c: o.pk for c, o in best.items()})
    return rnd, ev, best


def test_a_member_scores_and_the_chair_closes(page, live_server, login, scoring_round):
    from tests.conftest import TEST_PASSWORD

    rnd, ev, best = scoring_round
    login("thanhvien", TEST_PASSWORD)
    page.goto(f"{live_server.url}/ocop/manage/rounds/{rnd.pk}/")
    page.click(f"#council-scores tr[data-product='{ev.product_id}'] a.score-link")
    page.wait_for_selector("#score-form")
    assert page.locator("#sheet input[type=radio]").count() == 98  # sheet 14, Rượu trắng
    for code, option in best.items():
        page.check(f"input[name='item_{code}'][value='{option.pk}']")
    page.click("#save")
    page.wait_for_load_state()
    assert "100" in page.text_content("#my-total") and "Đã chấm đủ" in page.text_content(
        "#my-total"
    )
    page.click("text=Về đợt đánh giá")
    row = page.locator(f"#council-scores tr[data-product='{ev.product_id}']")
    assert row.locator("td.mean").text_content().strip() in ("100,00", "100.00")
    assert "5 ★" in row.locator("td.stars").text_content()
    assert page.locator("#close-round").count() == 0  # only the chair closes
    page.context.clear_cookies()
    login("chutich", TEST_PASSWORD)
    page.goto(f"{live_server.url}/ocop/manage/rounds/{rnd.pk}/")
    page.click("#close-round")
    page.wait_for_load_state()
    assert "Đề nghị công nhận 5 sao" in page.text_content("#proposals")
    assert "Đã kết thúc" in page.text_content("#council h2")
