"""Every demo login lands on a page with data: the dashboard opens on the latest year with
results in the user's scope, on a unit that has them."""

import pytest

from ntm.accounts.demo import DEMO_USERS, demo_users_ensure
from ntm.accounts.models import User
from ntm.assessments.demo import demo_current_ensure, demo_results_ensure
from ntm.plans.demo import demo_plan_ensure


@pytest.fixture
def demo_site(units):
    demo_results_ensure()
    demo_plan_ensure()
    demo_current_ensure()
    demo_users_ensure()


EXPECTED = {  # username: (unit code on landing, year)
    "backan": ("06", 2023),
    "sogtvt": ("06", 2023),
    "bachthong": ("063", 2023),
    "quanha": ("02005", 2023),
    "thainguyen": ("19", 2026),
    "camgiang": ("02008", 2026),
    "langson": ("20", 2020),
}


@pytest.mark.parametrize("spec", DEMO_USERS, ids=lambda s: s.username)
def test_every_demo_login_lands_on_a_page_with_data(demo_site, client, spec):
    client.force_login(User.objects.get(username=spec.username))
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    ctx = response.context
    if spec.username in ("admin", "trunguong"):  # every province side by side
        assert ctx["national"] and ctx["year"] == 2026
        rows = {p["code"]: p for p in ctx["provinces"]}
        assert rows["19"]["assessed"] == 36 and 'id="provinces"' in body
        return
    unit, year = ctx["unit"], ctx["year"]
    assert (unit.code, year) == EXPECTED[spec.username]
    summary = ctx["summary"]
    assert summary.communes_assessed + summary.communes_pending > 0
    assert 'id="kpi-average"' in body


@pytest.mark.parametrize(
    ("username", "year"), [("backan", 2023), ("langson", 2020), ("thainguyen", 2026)]
)
def test_the_matrix_opens_on_the_latest_year_with_results(demo_site, client, username, year):
    from django.urls import reverse

    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("assessments:matrix"))
    assert response.status_code == 200
    assert response.context["year"] == year
    assert response.context["matrix"].assessed > 0


def test_an_unchanged_average_says_so_instead_of_a_rise_of_zero(demo_site, client):
    client.force_login(User.objects.get(username="quanha"))
    body = client.get("/").content.decode()
    summary = client.get("/").context["summary"]
    assert summary.criteria_met_average_change == 0  # 11 criteria in 2022 and 2023
    assert "không đổi so với năm 2022" in body and "tăng 0 " not in body
