import pytest
from django.test import override_settings

from ntm.units.models import Level, Unit


def test_login_page_is_vietnamese(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in body and 'lang="vi"' in body


def test_login_with_wrong_password_says_so(client, users):
    body = client.post(
        "/accounts/login/", {"username": "commune", "password": "x"}
    ).content.decode()
    assert "không đúng" in body


def test_login_then_home(client, users):
    response = client.post(
        "/accounts/login/", {"username": "coordinator", "password": "Kiem-tra-2025!"}, follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tỉnh Bắc Kạn" in body and "Tổng quan" in body


def test_home_counts_and_map(users, client_for):
    body = client_for(users.coordinator).get("/?year=2023").content.decode()
    assert "Tỉnh Bắc Kạn" in body
    assert body.count("<circle") == 95  # every xã of Bắc Kạn, coloured by criteria met
    assert 'id="subunits"' in body and "Huyện Bạch Thông" in body
    # Thái Nguyên's coordinator sees the new province, with a link to the history it absorbed.
    body_2025 = client_for(users.new_province).get("/?year=2025").content.decode()
    assert "Tỉnh Thái Nguyên" in body_2025 and "Tỉnh Bắc Kạn" in body_2025
    body_2026 = client_for(users.new_province).get("/?year=2026").content.decode()
    assert "Tỉnh Thái Nguyên" in body_2026 and 'id="kpi-assessed"' in body_2026


def test_home_queries_do_not_grow_with_units(users, client_for, django_assert_max_num_queries):
    client = client_for(users.coordinator)
    with django_assert_max_num_queries(25):
        client.get("/?year=2023")


def test_unit_detail_shows_children_history_and_sentence(units, users, client_for):
    body = client_for(users.coordinator).get(f"/units/{units.bach_thong.pk}/").content.decode()
    assert "Xã Quân Hà" in body and "Huyện Bạch Thông" in body
    body = client_for(users.coordinator).get(f"/units/{units.quan_ha.pk}/").content.decode()
    assert "thuộc huyện Bạch Thông đến 30/06/2025, nay thuộc" in body


def test_unit_detail_query_count_is_bounded(
    units, users, client_for, django_assert_max_num_queries
):
    client = client_for(users.coordinator)
    with django_assert_max_num_queries(20):
        client.get(f"/units/{units.bac_kan.pk}/")


def test_search_without_diacritics(users, client_for):
    body = client_for(users.coordinator).get("/units/?q=quan+ha").content.decode()
    assert "Xã Quân Hà" in body


def test_commune_officer_sees_only_own_commune_in_browser(units, users, client_for):
    body = client_for(users.commune).get("/units/").content.decode()
    assert "Xã Quân Hà" in body
    assert "Huyện Ba Bể" not in body


def test_add_village_through_the_page(units, users, client_for):
    client = client_for(users.new_commune)
    commune = units.quan_ha_successor
    response = client.post(
        f"/units/{commune.pk}/villages/add/",
        {"name": "Thôn Khuổi Chủ", "kind": "thon"},
        follow=True,
    )
    assert "Đã thêm Thôn Khuổi Chủ" in response.content.decode()
    assert Unit.objects.filter(parent=commune, level=Level.VILLAGE, name="Thôn Khuổi Chủ").exists()
    again = client.post(
        f"/units/{commune.pk}/villages/add/",
        {"name": "thôn khuổi chủ", "kind": "thon"},
        follow=True,
    )
    assert "đã có thôn" in again.content.decode()


def test_coordinator_sets_an_attribute(units, users, client_for):
    client = client_for(users.coordinator)
    data = {"kind": "ethnic_zone", "value": "III", "valid_from_year": 2021, "source": "861/QĐ-TTg"}
    response = client.post(f"/units/{units.quan_ha.pk}/attributes/add/", data, follow=True)
    assert "Đã lưu thuộc tính" in response.content.decode()
    assert units.quan_ha.attributes.get().value == "III"


def test_villages_template_download(users, client_for):
    response = client_for(users.coordinator).get("/units/villages/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_language_switch_to_english(users, client_for):
    client = client_for(users.coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/units/").content.decode()
    assert "Log out" in body and "Đăng xuất" not in body
    assert 'lang="en"' in body


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/units/", "/"])
def test_pages_need_login(client, db, path):
    assert client.get(path).status_code == 302


@override_settings(LANGUAGE_CODE="vi")
def test_admin_is_vietnamese(users, client_for):
    body = client_for(users.admin).get("/admin/").content.decode()
    assert "Quản trị" in body or "quản trị" in body


def test_unit_page_shows_the_level_held(units, users, client_for):
    import datetime

    from ntm.assessments.models import Recognition
    from ntm.criteria.models import CriteriaSet
    from ntm.criteria.services import criteria_load

    criteria_load(codes=["NTM-XA-2021"])
    client = client_for(users.coordinator)
    assert "chưa được công nhận" in client.get(f"/units/{units.quan_ha.pk}/").content.decode()
    Recognition.objects.create(
        unit=units.quan_ha,
        level="ntm",
        criteria_set=CriteriaSet.objects.get(code="NTM-XA-2021"),
        year=2021,
        decision_number="2290/QĐ-UBND",
        decision_date=datetime.date(2021, 12, 20),
        override_reason="kiểm thử",
    )
    assert "Đạt chuẩn nông thôn mới" in client.get(f"/units/{units.quan_ha.pk}/").content.decode()


def test_vietnamese_even_when_the_browser_asks_for_english(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in body and "Đăng nhập" in body


def test_dashboard_partial_trend_and_set_filter(units, users, client_for):
    from ntm.assessments.demo import demo_results_ensure
    from ntm.criteria.services import criteria_load

    criteria_load(codes=["NTM-XA-2021", "NTM-XA-NC-2021"])
    demo_results_ensure()
    client = client_for(users.coordinator)
    full = client.get("/?year=2023").content.decode()
    assert (
        "12,81" in full
        and "Bình quân tiêu chí/xã qua các năm" in full
        and "12,45" in full.replace("12.45", "12,45")
    )
    partial = client.get("/?year=2023&partial=1").content.decode()
    assert "<html" not in partial and 'id="kpi-average"' in partial and "12,81" in partial
    other_set = client.get("/?year=2023&set=NTM-XA-NC-2021&partial=1").content.decode()
    assert "12,81" not in other_set  # no results under the advanced set


def test_dashboard_lists_ocop_certificates_about_to_expire(units, users, client_for):
    import datetime

    from ntm.ocop import services as ocop

    ocop.sheets_load()
    coop = ocop.subject_save(user=None, kind="cooperative", name="HTX Quân Hà", unit=units.quan_ha)
    tea = ocop.product_save(
        user=None, name="Chè Shan tuyết Quân Hà", subject=coop, group="do_uong", unit=units.quan_ha
    )
    ocop.certificate_issue(
        user=None, product=tea, number="9/QĐ-UBND", issued_on=datetime.date(2021, 3, 1), stars=3
    )
    body = client_for(users.coordinator).get("/?year=2023").content.decode()
    assert 'id="ocop"' in body and "Chè Shan tuyết Quân Hà" in body and "Sắp hết hạn" in body


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, db):
    from django.contrib.staticfiles import finders

    for path in ("/accounts/login/", "/public/"):
        html = client.get(path).content.decode()
        assert 'rel="icon"' in html and "web/favicon.svg" in html, path
    assert finders.find("web/favicon.svg")


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("web/favicon.svg")
