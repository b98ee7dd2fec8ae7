"""The change log ("Nhật ký thay đổi") at /audit/: scope, roles, filters, pages, query count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ntm.accounts.scope import scope_for
from ntm.assessments.models import StateChange
from ntm.assessments.services import assessment_get_or_create
from ntm.ocop.models import Subject
from ntm.web.audit import PAGE_SIZE, AuditFilters, audit_log, audit_sources
from tests.test_routes_scope import outsider  # noqa: F401, F811 (a fixture)

URL = "/audit/"


def _subject(unit, name, user):
    subject = Subject(kind="household", name=name, unit=unit)
    subject._history_user = user
    subject.save()
    return subject


def _rename(subject, name, user):
    subject.name = name
    subject._history_user = user
    subject.save()


@pytest.fixture
def changes(units, users):
    """A subject created then renamed in Bắc Kạn (by the commune officer) and one in Lạng Sơn."""
    bk = _subject(units.quan_ha, "Hộ Nông Văn Kiểm-BK", users.commune)
    _rename(bk, "Hộ Nông Văn Kiểm-BK (đã sửa)", users.commune)
    ls = _subject(units.lang_son_commune, "Hộ Hoàng Thị Kiểm-LS", users.outsider)
    return bk, ls


def test_coordinator_sees_changes_in_their_province_only(changes, users, client_for):
    bk, _ls = changes
    body = client_for(users.coordinator).get(URL).content.decode()
    assert "Hộ Nông Văn Kiểm-BK (đã sửa)" in body
    assert "Kiểm-LS" not in body
    # The rename: who, what, before → after, a link to the record, the unit, the time.
    assert "Hộ Nông Văn Kiểm-BK → Hộ Nông Văn Kiểm-BK (đã sửa)" in body
    assert f'href="/ocop/manage/subjects/{bk.pk}/"' in body
    assert ">commune<" in body and "Sửa" in body and "Thêm" in body
    assert bk.unit.name in body
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", body)
    # ... and the Lạng Sơn coordinator sees the other one only.
    body = client_for(users.outsider).get(URL).content.decode()
    assert "Kiểm-LS" in body and "Kiểm-BK" not in body


def test_national_viewer_and_admin_see_everything(changes, users, client_for):
    for who in (users.national, users.admin):
        body = client_for(who).get(URL).content.decode()
        assert "Kiểm-LS" in body and "Kiểm-BK" in body


@pytest.mark.parametrize("who", ["commune", "district", "department", "no_unit"])
def test_other_roles_are_refused(users, client_for, who):
    assert client_for(getattr(users, who)).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_navigation_links_the_page_for_those_who_may_read_it(users, client_for):
    assert 'href="/audit/"' in client_for(users.coordinator).get("/units/").content.decode()
    assert 'href="/audit/"' not in client_for(users.commune).get("/units/").content.decode()


def test_filters_by_user_kind_and_dates(changes, units, users, client_for, small_set):
    assessment = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    StateChange.objects.create(
        assessment=assessment,
        from_state="draft",
        to_state="submitted",
        user=users.district,
        reason="Lý do kiểm-tra-chuyển",
    )
    client = client_for(users.coordinator)
    body = client.get(URL, {"user": "distr"}).content.decode()
    assert "kiểm-tra-chuyển" in body and "Chuyển trạng thái" in body
    assert "Đang nhập → Xã đã gửi" in body and "Kiểm-BK" not in body
    body = client.get(URL, {"user": "commune", "kind": "ocop_subject"}).content.decode()
    assert "Kiểm-BK" in body and "kiểm-tra-chuyển" not in body
    body = client.get(URL, {"kind": "transition"}).content.decode()
    assert "kiểm-tra-chuyển" in body and "Kiểm-BK" not in body
    today = timezone.localdate()
    tomorrow, yesterday = today + datetime.timedelta(days=1), today - datetime.timedelta(days=1)
    assert "Kiểm-BK" in client.get(URL, {"from": today.isoformat()}).content.decode()
    assert "Kiểm-BK" not in client.get(URL, {"from": tomorrow.isoformat()}).content.decode()
    assert "Kiểm-BK" not in client.get(URL, {"to": yesterday.strftime("%d/%m/%Y")}).content.decode()
    # Nonsense in the filters is ignored, never a server error.
    for query in ({"from": "32/13/2025"}, {"kind": "nope"}, {"page": "²"}, {"page": "-3"}):
        assert client.get(URL, query).status_code == 200


def test_deleted_records_show_without_link(changes, users, client_for):
    bk, _ls = changes
    pk = bk.pk
    bk._history_user = users.coordinator
    bk.delete()
    body = client_for(users.coordinator).get(URL, {"user": "coordinator"}).content.decode()
    assert "Xóa" in body and "Kiểm-BK (đã sửa)" in body
    assert f'href="/ocop/manage/subjects/{pk}/"' not in body


def test_pages_of_fifty(units, users, client_for):
    subject = _subject(units.quan_ha, "Hộ phân trang", users.commune)
    for n in range(PAGE_SIZE + 4):  # 1 creation + 54 edits = 55 changes
        _rename(subject, f"Hộ phân trang {n}", users.commune)
    scope_user = users.coordinator
    filters = AuditFilters(user="commune", kind="ocop_subject")
    first = audit_log(scope=scope_for(scope_user), filters=filters, page=1)
    second = audit_log(scope=scope_for(scope_user), filters=filters, page=2)
    assert len(first.entries) == PAGE_SIZE and first.has_next and not first.has_previous
    assert len(second.entries) == 5 and second.has_previous and not second.has_next
    assert first.entries[0].record == f"Hộ phân trang {PAGE_SIZE + 3}"  # newest first
    assert second.entries[-1].action == "+"
    times = [e.when for e in first.entries + second.entries]
    assert times == sorted(times, reverse=True)
    body = client_for(scope_user).get(URL, {"user": "commune", "page": 2}).content.decode()
    assert "Trang 2" in body and "page=1" in body and "page=3" not in body


def test_no_query_per_row(units, users, client_for, django_assert_max_num_queries):
    """The page costs one query per kind of record plus two per kind on the page, however many
    rows there are (see ntm.web.audit)."""
    client = client_for(users.coordinator)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"user": "commune"}).status_code == 200
        return len(ctx.captured_queries)

    subject = _subject(units.quan_ha, "Hộ đếm truy vấn", users.commune)
    _rename(subject, "Hộ đếm truy vấn (sửa)", users.commune)
    few = queries()  # 2 rows
    for n in range(60):
        _rename(subject, f"Hộ đếm truy vấn {n}", users.commune)
    many = queries()  # 50 rows shown, 62 found
    assert many == few
    with django_assert_max_num_queries(len(audit_sources()) + 2 * 2 + 8):
        client.get(URL, {"user": "commune"})


def test_every_kind_of_record_is_shown(outsider, users, client_for):  # noqa: F811
    """Lạng Sơn data of every app (the route-scope fixture): each kind lists, describes and
    links its rows; the Bắc Kạn coordinator sees none of them."""
    from ntm.web.audit import _entries

    for source in audit_sources():
        assert _entries(source, []) == {}, source.key  # the queries build for every kind
    admin, coordinator = client_for(users.admin), client_for(users.coordinator)
    shown = set()
    for source in audit_sources():
        response = admin.get(URL, {"kind": source.key})
        assert response.status_code == 200, source.key
        if "<td" in response.content.decode().split("<tbody>", 1)[1].split("</tbody>")[0]:
            shown.add(source.key)
        page = audit_log(scope=scope_for(users.coordinator), filters=AuditFilters(kind=source.key))
        assert not any(m in e.record for e in page.entries for m in outsider.markers), source.key
    expected = {
        "assessment",
        "evidence",
        "recognition",
        "plan",
        "target",
        "roadmap",
        "task",
        "ocop_subject",
        "ocop_product",
        "ocop_round",
        "ocop_evaluation",
        "ocop_score",
        "ocop_certificate",
        "funding",
        "contribution",
        "project",
        "model_site",
        "activity",
        "criteria_set",
        "criterion",
        "indicator",
        "threshold",
    }
    assert expected <= shown, expected - shown
    body = coordinator.get(URL).content.decode()
    assert not any(marker in body for marker in outsider.markers)
