import datetime

import pytest
from django.urls import reverse

from ntm.ocop import services
from ntm.ocop.models import Evaluation

D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture
def certified(ocop):
    """Tea (organisation) and anise (Lạng Sơn household) valid today; rice expired."""
    services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="11/QĐ-UBND",
        issued_on=TODAY - datetime.timedelta(days=30),
        stars=4,
    )
    services.certificate_issue(
        user=None,
        product=ocop.anise,
        number="12/QĐ-UBND",
        issued_on=TODAY - datetime.timedelta(days=60),
        stars=3,
    )
    services.certificate_issue(
        user=None,
        product=ocop.rice,
        number="13/QĐ-UBND",
        issued_on=TODAY - datetime.timedelta(days=365 * 3 + 5),
        stars=5,
    )
    return ocop


def test_public_catalogue_lists_only_valid_certificates(client, certified):
    body = client.get("/ocop/").content.decode()
    assert "Chè Quân Hà" in body and "Hoa hồi Lạng Sơn" in body and "Gạo nếp" not in body
    assert "Chè Quân Hà" not in client.get("/ocop/?stars=3").content.decode()
    assert "Hoa hồi" not in client.get("/ocop/?group=do_uong").content.decode()
    assert client.get(f"/ocop/p/{certified.rice.pk}/").status_code == 404
    page = client.get(f"/ocop/p/{certified.anise.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and f"/ocop/p/{certified.anise.pk}/" in body
    for private in ("0987654321", "4900123456", "Hoàng Thị Lạng"):
        assert private not in body
    assert "0912345678" in client.get(f"/ocop/p/{certified.tea.pk}/").content.decode()
    assert "http" not in body.split("<main>")[0].replace("http-equiv", "")  # no external assets


def test_public_api_no_personal_data(client, certified):
    data = client.get("/api/v1/public/ocop/products/").json()
    rows = {r["name"]: r for r in data["results"]}
    assert set(rows) == {"Chè Quân Hà", "Hoa hồi Lạng Sơn"}
    assert rows["Hoa hồi Lạng Sơn"]["contact"] is None
    text = str(data)
    for private in ("0987654321", "4900123456", "4700123456", "Nguyễn Văn Đại"):
        assert private not in text
    assert client.get("/api/v1/public/ocop/products/?stars=4").json()["count"] == 1


def test_scoped_api_hides_lang_son(users, client_for, certified):
    client = client_for(users.coordinator)
    names = [r["name"] for r in client.get("/api/v1/ocop/products/").json()["results"]]
    assert names == ["Chè Quân Hà", "Gạo nếp Quân Hà"]
    assert client.get(f"/api/v1/ocop/products/{certified.anise.pk}/").status_code == 404
    assert "Lạng" not in str(client.get("/api/v1/ocop/subjects/").json())
    assert len(client.get("/api/v1/ocop/certificates/").json()["results"]) == 2
    national = client_for(users.national)
    assert national.get("/api/v1/ocop/products/").json()["count"] == 3
    response = national.post(
        "/api/v1/ocop/subjects/",
        {"kind": "enterprise", "name": "X", "unit": certified.coop.unit_id},
    )
    assert response.status_code == 403


def test_api_creates_a_subject_in_scope(users, client_for, units, sheets):
    client = client_for(users.commune)
    response = client.post(
        "/api/v1/ocop/subjects/",
        {"kind": "enterprise", "name": "Công ty Quân Hà", "unit": units.quan_ha.pk},
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/ocop/subjects/",
        {"kind": "enterprise", "name": "Y", "unit": units.lang_son_commune.pk},
    )
    assert response.status_code == 400
    assert "/api/v1/ocop/certificates/" in client.get("/api/schema/").content.decode()


def test_council_enters_scores_on_the_round_page(users, client_for, units, ocop, round_for):
    rnd = round_for(units.bach_thong, D(2025, 7, 6))
    client = client_for(users.district)
    page = client.get(f"/ocop/manage/rounds/{rnd.pk}/").content.decode()
    assert "Chè Quân Hà" in page and "cấp xã" in page
    url = f"/ocop/manage/rounds/{rnd.pk}/"
    response = client.post(
        url, {"product": ocop.tea.pk, "line_A": "41", "line_B": "1", "line_C": "1"}
    )
    assert response.status_code == 200 and not Evaluation.objects.exists()
    response = client.post(
        url, {"product": ocop.tea.pk, "line_A": "40", "line_B": "25", "line_C": "25"}
    )
    assert response.status_code == 302
    ev = Evaluation.objects.get()
    assert ev.total == 90 and ev.stars == 5 and ev.council_level == "ministry"
    # The national viewer reads but cannot score; the outsider does not see the round.
    assert client_for(users.national).post(url, {"product": ocop.tea.pk}).status_code == 403
    assert client_for(users.outsider).get(url).status_code == 404


def test_pages_for_staff(users, client_for, certified):
    client = client_for(users.coordinator)
    for name in (
        "ocop:manage",
        "ocop:subjects",
        "ocop:products",
        "ocop:rounds",
        "ocop:standing",
        "ocop:round_create",
        "ocop:product_create",
        "ocop:subject_create",
        "ocop:import",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Hoa hồi" not in response.content.decode(), name
    assert "Chè Quân Hà" in client.get("/ocop/manage/standing/").content.decode()
    export = client.get("/ocop/manage/standing.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    response = client.post(
        f"/ocop/manage/products/{certified.tea.pk}/certificates/add/",
        {"number": "50/QĐ-UBND", "issued_on": TODAY.strftime("%d/%m/%Y"), "stars": 4},
    )
    assert response.status_code == 302
    assert certified.tea.certificates.get(number="50/QĐ-UBND").outcome == "recertified"
    response = client.post(
        "/ocop/manage/subjects/new/",
        {"kind": "enterprise", "name": "Công ty A", "unit_code": "02005"},
    )
    assert response.status_code == 302
