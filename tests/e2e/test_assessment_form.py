import pytest

from ntm.accounts.models import Role
from ntm.assessments.models import Assessment, State
from ntm.criteria.services import criteria_load
from ntm.units.models import Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(transactional_db):
    units_load(province_codes=["06"])
    criteria_load(codes=["NTM-XA-2021"])
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    return UserFactory(username="quanha", role=Role.COMMUNE_OFFICER, unit=quan_ha)


def test_commune_officer_fills_and_submits_an_assessment(page, live_server, login, officer):
    login("quanha", TEST_PASSWORD)
    page.click("text=Đánh giá tiêu chí")
    page.select_option("select[name=year]", "2023")
    page.click("form.search button[type=submit]")
    row = page.locator("table.matrix tr", has_text="Xã Quân Hà")
    row.locator("button", has_text="Tạo").click()
    assert "Xã Quân Hà" in page.text_content("h1")
    # Every criterion of the shipped set: answer the yes/no indicators, type the numbers.
    for select in page.locator("#assessment-form select[name^=b_]").all():
        select.select_option("1")
    for field in page.locator("#assessment-form input[name^=v_]").all():
        field.fill("100")
    # Criteria whose indicators have no threshold yet: a manual result, with its reason.
    undecided = page.locator(
        "tbody.criterion", has=page.locator("th.result", has_text="Chưa xác định")
    )
    page.click("#save")
    assert "Đã lưu" in page.text_content(".msg")
    for block in page.locator(
        "tbody.criterion", has=page.locator("th.result", has_text="Chưa xác định")
    ).all():
        block.locator("select[name^=m_]").select_option("1")
        block.locator("input[name^=r_]").fill("Theo biên bản kiểm tra của huyện")
    if undecided.count():
        page.click("#save")
    assert page.text_content("#criteria-met").strip().startswith("19/19")
    page.locator("form.transition button", has_text="Xã đã gửi").click()
    assert "Xã đã gửi" in page.text_content("#state")
    page.screenshot(path="test-results/assessment-form.png", full_page=False)
    a = Assessment.objects.get(unit=officer.unit, year=2023)
    assert a.state == State.SUBMITTED and a.criteria_met == 19
    assert a.state_changes.get().user == officer
