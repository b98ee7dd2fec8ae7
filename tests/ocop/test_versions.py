"""Concurrent edits of OCOP records: subjects, products and evaluations carry a version; a save
made from a version someone else has since replaced is refused (page: the message, HTTP 409;
API: 409 stale_version), nothing is overwritten, and the second user saves after reloading."""

import datetime
import io
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.ocop import services
from ntm.ocop.excel import ocop_import, ocop_template
from ntm.ocop.models import Evaluation, Product, Subject

VERSION = re.compile(r'name="version" value="(\d+)"')


def _version_on(page) -> int:
    """The hidden version of the (first) form on a page."""
    return int(VERSION.search(page.content.decode()).group(1))


def _subject_post(subject, **changes):
    data = {
        "kind": subject.kind,
        "name": subject.name,
        "unit_code": subject.unit.code,
        "address": subject.address,
        "tax_code": subject.tax_code,
        "representative": subject.representative,
        "phone": subject.phone,
        "email": subject.email,
    }
    return {**data, **changes}


@pytest.fixture
def two(users, make_user, units):
    """Two users who may both change Quân Hà's subjects and score Bạch Thông's rounds: the
    province coordinator and Bạch Thông's district officer."""
    return users.coordinator, users.district


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# -- services --------------------------------------------------------------------------------


def test_service_refuses_a_stale_subject_and_names_who_changed_it(ocop, two):
    first, second = two
    read = Subject.objects.get(pk=ocop.coop.pk)  # both read version 1
    assert read.version == 1
    fields = {"kind": read.kind, "name": read.name, "unit": read.unit}
    saved = services.subject_save(user=first, subject=read, phone="0900000001", version=1, **fields)
    assert saved.version == 2
    with pytest.raises(services.StaleVersionError) as refused:
        services.subject_save(user=second, subject=read, phone="0900000002", version=1, **fields)
    message = str(refused.value)
    assert str(first) in message and "phiên bản 2" in message and "Hãy tải lại trang" in message
    assert isinstance(refused.value, services.OcopError)  # the pages and the import catch it
    assert Subject.objects.get(pk=read.pk).phone == "0900000001"
    services.subject_save(user=second, subject=read, phone="0900000002", version=2, **fields)
    stored = Subject.objects.get(pk=read.pk)
    assert (stored.phone, stored.version) == ("0900000002", 3)
    users_in_history = list(
        stored.history.order_by("history_date").values_list("history_user", flat=True)
    )
    assert users_in_history[-2:] == [first.pk, second.pk]


def test_every_service_write_bumps_the_version_even_unchecked(ocop, units, round_for, score):
    """The import and the command line do not check (version=None) but still count a change,
    so that a page opened before them is refused afterwards."""
    tea = Product.objects.get(pk=ocop.tea.pk)
    services.product_save(
        user=None,
        product=tea,
        name=tea.name,
        subject=tea.subject,
        group=tea.group,
        unit=tea.unit,
        description="Mới",
    )
    assert Product.objects.get(pk=tea.pk).version == 2
    rnd = round_for(units.bach_thong, datetime.date(2024, 9, 10))
    ev = score(rnd, tea, 72)
    assert ev.version == 1
    services.certificate_issue(
        user=None,
        product=tea,
        number="1/QĐ",
        issued_on=datetime.date(2024, 10, 1),
        stars=4,
        evaluation=ev,
    )
    tea = Product.objects.get(pk=tea.pk)
    assert tea.stage == "promotion" and tea.version == 3 and tea.description == "Mới"
    with pytest.raises(services.StaleVersionError):
        services.product_save(
            user=None,
            product=tea,
            name=tea.name,
            subject=tea.subject,
            group=tea.group,
            unit=tea.unit,
            version=2,
        )


def test_evaluation_entered_meanwhile_is_not_overwritten(ocop, units, round_for, two):
    first, second = two
    rnd = round_for(units.bach_thong, datetime.date(2024, 9, 10))
    lines = [line.code for line in services.sheet_for(rnd.held_on).lines.order_by("order")]
    scores_a = dict.fromkeys(lines, 20)
    scores_b = dict.fromkeys(lines, 10)
    ev = services.evaluation_save(
        user=first, round=rnd, product=ocop.tea, scores=scores_a, version=0
    )
    with pytest.raises(services.StaleVersionError, match="người khác sửa"):
        services.evaluation_save(
            user=second, round=rnd, product=ocop.tea, scores=scores_b, version=0
        )
    assert Evaluation.objects.get(pk=ev.pk).total == 20 * len(lines)
    again = services.evaluation_save(
        user=second, round=rnd, product=ocop.tea, scores=scores_b, version=1
    )
    assert (again.pk, again.total, again.version) == (ev.pk, 10 * len(lines), 2)


# -- pages -----------------------------------------------------------------------------------


def test_subject_page_two_users_same_version(ocop, two, client_for):
    first, second = (client_for(u) for u in two)
    url = f"/ocop/manage/subjects/{ocop.coop.pk}/edit/"
    v1, v2 = _version_on(first.get(url)), _version_on(second.get(url))
    assert v1 == v2 == 1
    coop = Subject.objects.get(pk=ocop.coop.pk)
    ok = first.post(url, _subject_post(coop, phone="0911111111", version=v1))
    assert ok.status_code == 302
    stale = second.post(url, _subject_post(coop, phone="0922222222", version=v2))
    body = stale.content.decode()
    assert stale.status_code == 409
    assert "vừa được người khác sửa" in body and str(two[0]) in body and "Hãy tải lại trang" in body
    assert Subject.objects.get(pk=coop.pk).phone == "0911111111"
    # The second user reloads (version 2) and saves.
    fresh = _version_on(second.get(url))
    assert fresh == 2
    assert (
        second.post(url, _subject_post(coop, phone="0922222222", version=fresh)).status_code == 302
    )
    stored = Subject.objects.get(pk=coop.pk)
    assert (stored.phone, stored.version) == ("0922222222", 3)
    assert {h.history_user_id for h in stored.history.filter(version__in=(2, 3))} == {
        u.pk for u in two
    }


def test_subject_page_without_version_is_refused(ocop, users, client_for):
    """A form posted without its hidden version (an old page) cannot overwrite anything."""
    client = client_for(users.coordinator)
    coop = Subject.objects.get(pk=ocop.coop.pk)
    response = client.post(f"/ocop/manage/subjects/{coop.pk}/edit/", _subject_post(coop, phone="1"))
    assert response.status_code == 409 and Subject.objects.get(pk=coop.pk).phone == coop.phone


def test_product_page_stale_after_an_import(ocop, users, client_for):
    client = client_for(users.coordinator)
    url = f"/ocop/manage/products/{ocop.tea.pk}/edit/"
    version = _version_on(client.get(url))
    # Meanwhile an import (file without a version column) changes the product.
    wb = load_workbook(io.BytesIO(ocop_template(scope=scope_for(users.district))))
    ws = wb["SanPham"]
    ws.delete_cols(ws.max_column)  # an older file: no "Phiên bản"
    description = [c.value for c in ws[1]].index("Mô tả")
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Chè Quân Hà":
            row[description].value = "Chè búp tươi"
    out = io.BytesIO()
    wb.save(out)
    report = ocop_import(data=out.getvalue(), scope=scope_for(users.district), user=users.district)
    assert report.ok, [str(e) for e in report.errors]
    assert Product.objects.get(pk=ocop.tea.pk).version == version + 1
    data = {
        "name": "Chè Quân Hà",
        "subject": ocop.coop.pk,
        "group": "do_uong",
        "unit_code": ocop.tea.unit.code,
        "stage": "idea",
        "description": "Khác",
        "version": version,
    }
    response = client.post(url, data)
    assert response.status_code == 409 and "Hãy tải lại trang" in response.content.decode()
    assert Product.objects.get(pk=ocop.tea.pk).description == "Chè búp tươi"


def test_round_page_two_councillors(ocop, units, round_for, two, client_for):
    rnd = round_for(units.bach_thong, datetime.date(2024, 9, 10))
    lines = [line.code for line in services.sheet_for(rnd.held_on).lines.order_by("order")]
    first, second = (client_for(u) for u in two)
    url = f"/ocop/manage/rounds/{rnd.pk}/"
    row = re.compile(
        rf'name="product" value="{ocop.tea.pk}"><input type="hidden" name="version" value="(\d+)"'
    )
    seen_a = int(row.search(first.get(url).content.decode()).group(1))
    seen_b = int(row.search(second.get(url).content.decode()).group(1))
    assert seen_a == seen_b == 0  # not scored yet

    def post(client, points, version):
        return client.post(
            url,
            {"product": ocop.tea.pk, "version": version, **{f"line_{c}": points for c in lines}},
        )

    assert post(first, "20", seen_a).status_code == 302
    stale = post(second, "10", seen_b)
    assert stale.status_code == 409 and "vừa được người khác sửa" in stale.content.decode()
    ev = Evaluation.objects.get(round=rnd, product=ocop.tea)
    assert ev.total == 20 * len(lines) and ev.version == 1
    fresh = int(row.search(stale.content.decode()).group(1))  # the page shows what is stored now
    assert fresh == 1
    assert post(second, "10", fresh).status_code == 302
    ev.refresh_from_db()
    assert ev.total == 10 * len(lines) and ev.version == 2
    assert [h.history_user_id for h in ev.history.order_by("history_date")] == [u.pk for u in two]


# -- API -------------------------------------------------------------------------------------


def test_api_subject_patch_two_clients(ocop, two):
    first, second = (_api(u) for u in two)
    url = f"/api/v1/ocop/subjects/{ocop.coop.pk}/"
    read_a, read_b = first.get(url).json(), second.get(url).json()
    assert read_a["version"] == read_b["version"] == 1
    ok = first.patch(url, {"phone": "0911", "version": read_a["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = second.patch(url, {"phone": "0922", "version": read_b["version"]}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and "Hãy tải lại trang" in stale.json()["detail"]
    assert Subject.objects.get(pk=ocop.coop.pk).phone == "0911"
    again = second.get(url).json()
    ok = second.patch(url, {"phone": "0922", "version": again["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["phone"] == "0922" and ok.json()["version"] == 3
    history = Subject.objects.get(pk=ocop.coop.pk).history.filter(version__gte=2)
    assert sorted(history.values_list("history_user_id", flat=True)) == sorted(u.pk for u in two)


def test_api_update_needs_the_version(ocop, users):
    api = _api(users.coordinator)
    url = f"/api/v1/ocop/products/{ocop.tea.pk}/"
    missing = api.patch(url, {"description": "X"}, format="json")
    assert missing.status_code == 400 and "phiên bản" in missing.json()["version"][0]
    assert Product.objects.get(pk=ocop.tea.pk).description == ""
    # Readers still get 403 (not 400), records out of scope 404.
    assert _api(users.national).patch(url, {"description": "X"}, format="json").status_code == 403
    outsider = _api(users.outsider).patch(url, {"description": "X", "version": 1}, format="json")
    assert outsider.status_code == 404
    # Creation needs no version.
    created = api.post(
        "/api/v1/ocop/products/",
        {
            "name": "Mật ong",
            "subject": ocop.coop.pk,
            "group": "thuc_pham",
            "unit": ocop.coop.unit.pk,
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    ok = api.patch(url, {"description": "X", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2


def test_api_evaluations_show_their_version(ocop, units, round_for, score, users):
    rnd = round_for(units.bach_thong, datetime.date(2024, 9, 10))
    score(rnd, ocop.tea, 72)
    body = _api(users.coordinator).get("/api/v1/ocop/evaluations/").json()
    assert [e["version"] for e in body["results"]] == [1]


def test_schema_documents_the_conflict(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/ocop/subjects/{id}/", "/api/v1/ocop/products/{id}/"):
        patch = schema["paths"][path]["patch"]
        assert "409" in patch["responses"] and "400" in patch["responses"], path


# -- Excel -----------------------------------------------------------------------------------


def test_template_carries_versions_and_a_stale_file_is_refused(ocop, users):
    scope = scope_for(users.coordinator)
    data = ocop_template(scope=scope)
    ws = load_workbook(io.BytesIO(data))["ChuThe"]
    header = [c.value for c in ws[1]]
    assert header[-1] == "Phiên bản" and ws.column_dimensions["I"].hidden
    # The file is unchanged: importing it writes nothing, so no version moves.
    assert ocop_import(data=data, scope=scope, user=users.coordinator).ok
    assert Subject.objects.get(pk=ocop.coop.pk).version == 1
    # Someone changes the subject on a page; then the old file, edited, is imported.
    coop = Subject.objects.get(pk=ocop.coop.pk)
    services.subject_save(
        user=users.district,
        subject=coop,
        kind=coop.kind,
        name=coop.name,
        unit=coop.unit,
        phone="0933",
        version=1,
    )
    wb = load_workbook(io.BytesIO(data))
    for row in wb["ChuThe"].iter_rows(min_row=2):
        if row[0].value == "HTX Quân Hà":
            row[3].value = "Thôn Mới"
            number = row[0].row
    out = io.BytesIO()
    wb.save(out)
    report = ocop_import(data=out.getvalue(), scope=scope, user=users.coordinator)
    assert not report.ok
    error = report.errors[0]
    assert (error.sheet, error.row, error.column) == ("ChuThe", number, "I")
    assert "sau khi tải tệp (phiên bản 2, tệp ghi 1)" in error.message
    stored = Subject.objects.get(pk=ocop.coop.pk)
    assert (stored.phone, stored.address, stored.version) == ("0933", "", 2)


def test_two_officers_of_a_district_are_two_writers(ocop, make_user, units, client_for):
    """Two district officers (made here) also see each other's change as a conflict."""
    a = make_user(Role.DISTRICT_OFFICER, units.bach_thong)
    b = make_user(Role.DISTRICT_OFFICER, units.bach_thong)
    url = f"/ocop/manage/products/{ocop.rice.pk}/edit/"
    ca, cb = client_for(a), client_for(b)
    version = _version_on(ca.get(url))
    assert _version_on(cb.get(url)) == version
    data = {
        "name": "Gạo nếp Quân Hà",
        "subject": ocop.coop.pk,
        "group": "thuc_pham",
        "unit_code": ocop.rice.unit.code,
        "stage": "idea",
        "version": version,
    }
    assert ca.post(url, {**data, "description": "A"}).status_code == 302
    assert cb.post(url, {**data, "description": "B"}).status_code == 409
    assert Product.objects.get(pk=ocop.rice.pk).description == "A"
