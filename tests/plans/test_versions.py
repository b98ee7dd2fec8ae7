"""Concurrent edits of plans, targets (allocations too), roadmap entries and tasks: each carries a
version; a save made from a version someone else has since replaced is refused (page: the
message, HTTP 409; API: 409 stale_version), nothing is overwritten, and the second user saves
after reloading. An update through the API without `version` is a 400."""

import datetime
import io
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.plans import services
from ntm.plans.excel import plans_import, plans_template
from ntm.plans.models import Plan, RoadmapEntry, Target, Task

from .conftest import TARGET_HEADER, xlsx

VERSION = re.compile(r'name="version" value="(\d+)"')


def _version_on(page) -> int:
    return int(VERSION.search(page.content.decode()).group(1))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def coordinators(users, make_user, units):
    """Two province coordinators of Bắc Kạn."""
    return users.coordinator, make_user(
        Role.PROVINCE_COORDINATOR, units.bac_kan, username="coordinator2"
    )


@pytest.fixture
def district_plan(units, users):
    """Bạch Thông's plan: its district officer and the province coordinator both may change it."""
    plan = services.plan_create(
        user=users.district,
        unit=units.bach_thong,
        number="7/KH-UBND",
        issued_on=datetime.date(2023, 3, 1),
        issuer="UBND huyện Bạch Thông",
        title="KH huyện",
        year_from=2023,
        year_to=2025,
    )
    target = services.target_create(
        plan=plan, user=users.district, metric="villages_ntm", year=2024, value=10
    )
    task = services.task_save(
        plan=plan, user=users.district, content="Rà soát", lead_agency="Phòng NN"
    )
    return plan, target, task


def _plan_post(plan, **changes):
    data = {
        "number": plan.number,
        "issued_on": plan.issued_on.strftime("%d/%m/%Y"),
        "issuer": plan.issuer,
        "title": plan.title,
        "unit": plan.unit_id,
        "year_from": plan.year_from,
        "year_to": plan.year_to,
        "status": plan.status,
    }
    return {**data, **changes}


# -- services --------------------------------------------------------------------------------


def test_service_refuses_a_stale_plan(plan, coordinators):
    first, second = coordinators
    fields = {
        f: getattr(plan, f)
        for f in ("number", "issued_on", "issuer", "year_from", "year_to", "status")
    }
    services.plan_update(plan=plan, user=first, title="A", version=1, **fields)
    with pytest.raises(services.StaleVersionError) as refused:
        services.plan_update(plan=plan, user=second, title="B", version=1, **fields)
    assert isinstance(refused.value, services.PlanError)
    assert str(first) in str(refused.value) and "Hãy tải lại trang" in str(refused.value)
    assert Plan.objects.get(pk=plan.pk).title == "A"
    saved = services.plan_update(plan=plan, user=second, title="B", version=2, **fields)
    assert (saved.title, saved.version) == ("B", 3)


def test_allocation_and_its_parent_are_versioned(plan, units, coordinators):
    first, second = coordinators
    top = services.target_create(plan=plan, user=first, metric="villages_ntm", year=2024, value=10)
    share = services.target_create(plan=plan, user=first, parent=top, unit=units.ba_be, value=4)
    # Creating an allocation does not change the parent's version (its value did not change).
    assert Target.objects.get(pk=top.pk).version == 1
    services.target_update(target=share, user=first, value=5, version=1)
    with pytest.raises(services.StaleVersionError):
        services.target_update(target=share, user=second, value=6, version=1)
    assert Target.objects.get(pk=share.pk).value == 5
    services.target_update(target=top, user=second, value=12, version=1)
    with pytest.raises(services.StaleVersionError):
        services.target_update(target=top, user=first, value=20, version=1)
    assert Target.objects.get(pk=top.pk).value == 12


def test_task_status_is_checked_a_note_alone_is_not(plan, coordinators):
    first, second = coordinators
    task = services.task_save(plan=plan, user=first, content="Tập huấn", lead_agency="Sở NN")
    services.task_progress(task=task, user=first, status="in_progress", version=1)
    stale = Task.objects.get(pk=task.pk)
    with pytest.raises(services.StaleVersionError):
        services.task_progress(task=stale, user=second, status="done", text="Xong", version=1)
    task = Task.objects.get(pk=task.pk)
    assert task.status == "in_progress" and not task.notes.exists()  # the note was not kept either
    services.task_progress(task=task, user=second, text="Đã mở lớp 1", version=1)  # a note only
    assert task.notes.count() == 1 and Task.objects.get(pk=task.pk).version == 2


def test_roadmap_entry_is_versioned(plan, bk, coordinators):
    first, second = coordinators
    entry, created = services.roadmap_save(
        plan=plan, user=first, unit=bk.communes[0], level="ntm", target_year=2024
    )
    assert created and entry.version == 1
    services.roadmap_save(
        plan=plan, user=first, unit=entry.unit, level="ntm", target_year=2025, version=1
    )
    with pytest.raises(services.StaleVersionError):
        services.roadmap_save(
            plan=plan, user=second, unit=entry.unit, level="ntm", target_year=2023, version=1
        )
    assert RoadmapEntry.objects.get(pk=entry.pk).target_year == 2025


# -- pages -----------------------------------------------------------------------------------


def test_plan_page_two_coordinators(plan, coordinators, client_for):
    first, second = (client_for(u) for u in coordinators)
    url = f"/plans/{plan.pk}/edit/"
    v1, v2 = _version_on(first.get(url)), _version_on(second.get(url))
    assert v1 == v2 == 1
    assert (
        first.post(url, _plan_post(plan, title="Bản của người thứ nhất", version=v1)).status_code
        == 302
    )
    stale = second.post(url, _plan_post(plan, title="Bản của người thứ hai", version=v2))
    body = stale.content.decode()
    assert stale.status_code == 409
    assert (
        "vừa được người khác sửa" in body
        and str(coordinators[0]) in body
        and "Hãy tải lại trang" in body
    )
    assert Plan.objects.get(pk=plan.pk).title == "Bản của người thứ nhất"
    fresh = _version_on(second.get(url))
    assert fresh == 2
    assert (
        second.post(url, _plan_post(plan, title="Bản của người thứ hai", version=fresh)).status_code
        == 302
    )
    stored = Plan.objects.get(pk=plan.pk)
    assert (stored.title, stored.version) == ("Bản của người thứ hai", 3)
    history = stored.history.filter(version__in=(2, 3)).order_by("version")
    assert [h.history_user_id for h in history] == [u.pk for u in coordinators]
    assert [h.title for h in history] == ["Bản của người thứ nhất", "Bản của người thứ hai"]


def test_target_and_task_pages_district_and_province(district_plan, users, client_for):
    plan, target, task = district_plan
    district, province = client_for(users.district), client_for(users.coordinator)
    url = f"/plans/{plan.pk}/targets/{target.pk}/edit/"
    seen = [_version_on(c.get(url)) for c in (district, province)]
    assert district.post(url, {"value": "11", "version": seen[0]}).status_code == 302
    stale = province.post(url, {"value": "15", "version": seen[1]})
    assert stale.status_code == 409 and "Hãy tải lại trang" in stale.content.decode()
    assert Target.objects.get(pk=target.pk).value == 11
    assert (
        province.post(url, {"value": "15", "version": _version_on(province.get(url))}).status_code
        == 302
    )
    assert Target.objects.get(pk=target.pk).value == 15

    url = f"/plans/{plan.pk}/tasks/{task.pk}/"
    seen = [_version_on(c.get(url)) for c in (district, province)]
    data = {"content": "Rà soát", "lead_agency": "Phòng NN", "status": "in_progress"}
    assert (
        district.post(url, {**data, "other_agencies": "UBND xã", "version": seen[0]}).status_code
        == 302
    )
    stale = province.post(url, {**data, "other_agencies": "Sở NN", "version": seen[1]})
    assert stale.status_code == 409
    assert Task.objects.get(pk=task.pk).other_agencies == "UBND xã"


def test_task_progress_form_on_the_detail_page(district_plan, users, client_for):
    plan, _target, task = district_plan
    district, province = client_for(users.district), client_for(users.coordinator)
    page = district.get(f"/plans/{plan.pk}/").content.decode()
    assert f'action="/plans/{plan.pk}/tasks/{task.pk}/progress/"' in page
    assert 'name="version" value="1"' in page
    url = f"/plans/{plan.pk}/tasks/{task.pk}/progress/"
    district.post(url, {"status": "in_progress", "version": 1})
    response = province.post(url, {"status": "done", "text": "Xong", "version": 1}, follow=True)
    assert "vừa được người khác sửa" in response.content.decode()
    task = Task.objects.get(pk=task.pk)
    assert task.status == "in_progress" and not task.notes.exists()


# -- API -------------------------------------------------------------------------------------


def test_api_plan_two_clients(plan, coordinators):
    first, second = (_api(u) for u in coordinators)
    url = f"/api/v1/plans/{plan.pk}/"
    read_a, read_b = first.get(url).json(), second.get(url).json()
    assert read_a["version"] == read_b["version"] == 1
    ok = first.patch(url, {"title": "A", "version": read_a["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = second.put(url, {**read_b, "title": "B"}, format="json")  # PUT of what it read
    assert stale.status_code == 409, stale.json()
    assert stale.json()["code"] == "stale_version" and "Hãy tải lại trang" in stale.json()["detail"]
    assert Plan.objects.get(pk=plan.pk).title == "A"
    again = second.get(url).json()
    ok = second.put(url, {**again, "title": "B"}, format="json")
    assert ok.status_code == 200 and (ok.json()["title"], ok.json()["version"]) == ("B", 3)
    assert sorted(
        Plan.objects.get(pk=plan.pk)
        .history.filter(version__gte=2)
        .values_list("history_user_id", flat=True)
    ) == sorted(u.pk for u in coordinators)


def test_api_targets_roadmap_tasks_need_and_check_the_version(plan, bk, units, coordinators):
    first, second = (_api(u) for u in coordinators)
    target = first.post(
        "/api/v1/plan-targets/",
        {"plan": plan.pk, "metric": "villages_ntm", "year": 2024, "value": "10"},
        format="json",
    ).json()
    url = f"/api/v1/plan-targets/{target['id']}/"
    missing = first.patch(url, {"value": "11"}, format="json")
    assert missing.status_code == 400 and "phiên bản" in missing.json()["version"][0]
    assert first.patch(url, {"value": "11", "version": 1}, format="json").status_code == 200
    assert second.patch(url, {"value": "12", "version": 1}, format="json").status_code == 409
    assert Target.objects.get(pk=target["id"]).value == 11

    entry = first.post(
        "/api/v1/roadmap/",
        {"plan": plan.pk, "unit": bk.communes[0].pk, "level": "ntm", "target_year": 2024},
        format="json",
    ).json()
    url = f"/api/v1/roadmap/{entry['id']}/"
    assert first.patch(url, {"target_year": 2025}, format="json").status_code == 400
    assert first.patch(url, {"target_year": 2025, "version": 1}, format="json").status_code == 200
    assert second.patch(url, {"target_year": 2023, "version": 1}, format="json").status_code == 409
    assert RoadmapEntry.objects.get(pk=entry["id"]).target_year == 2025

    task = first.post(
        "/api/v1/plan-tasks/",
        {"plan": plan.pk, "content": "Việc", "lead_agency": "Sở"},
        format="json",
    ).json()
    url = f"/api/v1/plan-tasks/{task['id']}/"
    assert first.patch(url, {"content": "Việc A", "version": 1}, format="json").status_code == 200
    stale = second.patch(url, {"content": "Việc B", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    progress = f"/api/v1/plan-tasks/{task['id']}/progress/"
    assert second.post(progress, {"status": "done"}, format="json").status_code == 400
    assert second.post(progress, {"status": "done", "version": 1}, format="json").status_code == 409
    assert second.post(progress, {"text": "Ghi chú"}, format="json").status_code == 201  # a note
    done = second.post(progress, {"status": "done", "version": 2}, format="json")
    assert (
        done.status_code == 201 and done.json()["status"] == "done" and done.json()["version"] == 3
    )
    assert Task.objects.get(pk=task["id"]).content == "Việc A"


def test_api_readers_get_403_not_400(plan, users):
    url = f"/api/v1/plans/{plan.pk}/"
    assert _api(users.national).patch(url, {"title": "X"}, format="json").status_code == 403
    assert (
        _api(users.outsider).patch(url, {"title": "X", "version": 1}, format="json").status_code
        == 404
    )


def test_schema_documents_the_conflict(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (
        "/api/v1/plans/{id}/",
        "/api/v1/plan-targets/{id}/",
        "/api/v1/roadmap/{id}/",
        "/api/v1/plan-tasks/{id}/",
    ):
        for method in ("put", "patch"):
            responses = schema["paths"][path][method]["responses"]
            assert "409" in responses and "400" in responses, (path, method)
    assert "409" in schema["paths"]["/api/v1/plan-tasks/{id}/progress/"]["post"]["responses"]


# -- Excel -----------------------------------------------------------------------------------


def _set_cell(data: bytes, sheet: str, match, column: int, value) -> tuple[bytes, int]:
    wb = load_workbook(io.BytesIO(data))
    for row in wb[sheet].iter_rows(min_row=2):
        if match(row):
            row[column].value = value
            number = row[0].row
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), number


def test_template_versions_refuse_a_stale_file(district_plan, users):
    plan, target, task = district_plan
    scope = scope_for(users.district)
    data = plans_template(plan)
    wb = load_workbook(io.BytesIO(data))
    for sheet, letter in (("ChiTieu", "J"), ("LoTrinh", "E"), ("NhiemVu", "I")):
        assert wb[sheet].cell(row=1, column=wb[sheet].max_column).value == "Phiên bản", sheet
        assert wb[sheet].column_dimensions[letter].hidden, sheet
    # Unchanged rows are not written (no version moves) even when stale.
    assert plans_import(plan=plan, data=data, scope=scope, user=users.district).ok
    assert Target.objects.get(pk=target.pk).version == 1
    # A page changes the target; the old file, with another value, is refused on that row.
    services.target_update(target=target, user=users.coordinator, value=12, version=1)
    stale, number = _set_cell(data, "ChiTieu", lambda r: r[5].value == 2024, 6, 14)
    report = plans_import(plan=plan, data=stale, scope=scope, user=users.district)
    assert not report.ok
    error = report.errors[0]
    assert (error.sheet, error.row, error.column) == ("ChiTieu", number, "J")
    assert "phiên bản 2, tệp ghi 1" in error.message
    assert Target.objects.get(pk=target.pk).value == 12
    # The same for a task (a file made after the target's change, before the task's).
    data = plans_template(plan)
    services.task_save(
        plan=plan,
        user=users.coordinator,
        task=task,
        content="Rà soát",
        lead_agency="Phòng NN",
        status="done",
        version=1,
    )
    stale, number = _set_cell(data, "NhiemVu", lambda r: r[0].value == task.pk, 4, "Sở NN")
    report = plans_import(plan=plan, data=stale, scope=scope, user=users.district)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("NhiemVu", number, "I")]
    assert Task.objects.get(pk=task.pk).other_agencies == ""


def test_import_without_versions_makes_open_pages_stale(district_plan, users, client_for):
    plan, target, _task = district_plan
    client = client_for(users.coordinator)
    url = f"/plans/{plan.pk}/targets/{target.pk}/edit/"
    seen = _version_on(client.get(url))
    data = xlsx({"ChiTieu": [TARGET_HEADER, ["villages_ntm", None, None, "063", None, 2024, 13]]})
    report = plans_import(
        plan=plan, data=data, scope=scope_for(users.district), user=users.district
    )
    assert report.ok and report.updated == 1
    assert Target.objects.get(pk=target.pk).version == seen + 1
    response = client.post(url, {"value": "20", "version": seen})
    assert response.status_code == 409 and Target.objects.get(pk=target.pk).value == 13
