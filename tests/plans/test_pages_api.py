import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from ntm.plans import services
from ntm.plans.models import Plan, RoadmapEntry, Target, Task

from .conftest import TARGET_HEADER, xlsx


@pytest.fixture
def ls_plan(units):
    plan = services.plan_create(
        user=None,
        unit=units.lang_son,
        number="55/KH-UBND",
        issued_on=datetime.date(2023, 2, 1),
        issuer="UBND tỉnh Lạng Sơn",
        title="Kế hoạch LS",
        year_from=2023,
        year_to=2023,
        status="active",
    )
    services.target_create(plan=plan, user=None, metric="villages_ntm", year=2023, value=5)
    services.task_save(plan=plan, user=None, content="Việc LS", lead_agency="Sở")
    return plan


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_search_filter_and_scope(plan, ls_plan, users, client_for):
    client = client_for(users.coordinator)
    body = client.get("/plans/").content.decode()
    assert "125/KH-UBND" in body and "55/KH-UBND" not in body
    assert "125/KH-UBND" in client.get("/plans/?q=125&year=2023").content.decode()
    assert "125/KH-UBND" not in client.get("/plans/?year=2026").content.decode()
    assert "125/KH-UBND" not in client.get("/plans/?q=999").content.decode()
    national = client_for(users.national).get("/plans/").content.decode()
    assert "125/KH-UBND" in national and "55/KH-UBND" in national


def test_detail_shows_targets_progress_roadmap_and_tasks(plan, users, units, client_for, cset, bk):
    c = users.coordinator
    services.target_create(
        plan=plan, user=c, metric="communes_new_at_level", level="ntm", year=2023, value=5
    )
    services.roadmap_save(plan=plan, user=c, unit=bk.communes[0], level="ntm", target_year=2023)
    services.task_save(
        plan=plan,
        user=c,
        content="Rà soát",
        lead_agency="Sở Xây dựng",
        deadline=datetime.date(2023, 1, 31),
    )
    body = client_for(users.coordinator).get(f"/plans/{plan.pk}/?year=2023").content.decode()
    assert "đạt 0/5 xã (0%), chưa đạt kế hoạch, còn thiếu 5 xã" in body
    assert bk.communes[0].name in body and "Chậm lộ trình" in body
    assert "Rà soát" in body and "Quá hạn" in body
    assert "Thêm chỉ tiêu" in body
    district = client_for(users.district).get(f"/plans/{plan.pk}/")
    assert district.status_code == 404  # a district officer does not see the province's plan


def test_forms_create_plan_target_allocation_roadmap_task(users, units, client_for, bk):
    client = client_for(users.coordinator)
    response = client.post(
        "/plans/new/",
        {
            "number": "12/KH-UBND",
            "issued_on": "15/01/2023",
            "issuer": "UBND tỉnh",
            "title": "KH 2023",
            "unit": units.bac_kan.pk,
            "year_from": 2023,
            "year_to": 2023,
            "status": "active",
        },
    )
    plan = Plan.objects.get(number="12/KH-UBND")
    assert response.status_code == 302 and plan.issued_on == datetime.date(2023, 1, 15)
    client.post(
        f"/plans/{plan.pk}/targets/add/", {"metric": "villages_ntm", "year": 2023, "value": "60"}
    )
    top = Target.objects.get(plan=plan)
    response = client.post(
        f"/plans/{plan.pk}/targets/add/", {"parent": top.pk, "unit": units.ba_be.pk, "value": "61"}
    )
    assert "vượt chỉ tiêu" in response.content.decode()
    client.post(
        f"/plans/{plan.pk}/targets/add/", {"parent": top.pk, "unit": units.ba_be.pk, "value": "20"}
    )
    assert top.allocations.get().unit == units.ba_be
    client.post(
        f"/plans/{plan.pk}/roadmap/add/",
        {"unit_code": bk.communes[2].code, "level": "ntm", "target_year": 2023},
    )
    assert RoadmapEntry.objects.get(plan=plan).unit == bk.communes[2]
    client.post(
        f"/plans/{plan.pk}/tasks/add/",
        {"content": "Tập huấn", "lead_agency": "Sở NN", "status": "not_started"},
    )
    task = Task.objects.get(plan=plan)
    client.post(
        f"/plans/{plan.pk}/tasks/{task.pk}/progress/",
        {"text": "Đã mở 2 lớp", "status": "in_progress", "version": task.version},
    )
    task.refresh_from_db()
    assert task.status == "in_progress" and task.notes.get().text == "Đã mở 2 lớp"


def test_readers_and_other_provinces_cannot_write(plan, ls_plan, users, client_for):
    target = Target.objects.get(plan=ls_plan)
    for who, hidden in (("national", 403), ("department", 403), ("commune", 404)):
        client = client_for(
            getattr(users, who)
        )  # a commune officer does not see the province's plan
        assert client.post(f"/plans/{plan.pk}/edit/", {"number": "X"}).status_code == hidden, who
        assert client.get(f"/plans/{plan.pk}/import/").status_code == hidden, who
        assert client.get("/plans/new/").status_code == 403, who
    client = client_for(users.coordinator)
    assert client.get(f"/plans/{ls_plan.pk}/").status_code == 404
    assert client.post(f"/plans/{ls_plan.pk}/targets/{target.pk}/delete/").status_code == 404
    assert client.post(f"/plans/{ls_plan.pk}/delete/").status_code == 404
    assert (
        Target.objects.filter(pk=target.pk).exists() and Plan.objects.filter(pk=ls_plan.pk).exists()
    )


def test_import_page_previews_then_writes(plan, users, client_for):
    client = client_for(users.coordinator)
    data = xlsx({"ChiTieu": [TARGET_HEADER, ["villages_ntm", None, None, "06", None, 2023, 12]]})
    response = client.post(
        f"/plans/{plan.pk}/import/", {"file": SimpleUploadedFile("kh.xlsx", data), "dry_run": "on"}
    )
    assert "Tệp hợp lệ: sẽ tạo 1" in response.content.decode() and not Target.objects.exists()
    bad = xlsx({"ChiTieu": [TARGET_HEADER, ["villages_ntm", None, None, "06", None, 2029, 12]]})
    response = client.post(
        f"/plans/{plan.pk}/import/", {"file": SimpleUploadedFile("kh.xlsx", bad)}
    )
    assert "ngoài giai đoạn" in response.content.decode() and not Target.objects.exists()
    client.post(f"/plans/{plan.pk}/import/", {"file": SimpleUploadedFile("kh.xlsx", data)})
    assert Target.objects.get().value == 12
    response = client.get(f"/plans/{plan.pk}/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_api_crud_and_scope(plan, ls_plan, users, units):
    api = _api(users.coordinator)
    listed = api.get("/api/v1/plans/").json()["results"]
    assert [p["number"] for p in listed] == ["125/KH-UBND"]
    created = api.post(
        "/api/v1/plans/",
        {
            "number": "3/KH-UBND",
            "issued_on": "2024-01-10",
            "issuer": "UBND tỉnh",
            "title": "KH 2024",
            "unit": units.bac_kan.pk,
            "year_from": 2024,
            "year_to": 2024,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pid = created.json()["id"]
    t = api.post(
        "/api/v1/plan-targets/",
        {"plan": pid, "metric": "villages_ntm", "year": 2024, "value": "10"},
        format="json",
    )
    assert t.status_code == 201, t.json()
    over = api.post(
        "/api/v1/plan-targets/",
        {"plan": pid, "parent": t.json()["id"], "unit": units.ba_be.pk, "value": "11"},
        format="json",
    )
    assert over.status_code == 400 and "vượt chỉ tiêu" in over.json()["value"][0]
    assert (
        api.patch(
            f"/api/v1/plan-targets/{t.json()['id']}/", {"value": "12", "version": 1}, format="json"
        ).json()["value"]
        == "12.00"
    )
    r = api.post(
        "/api/v1/roadmap/",
        {"plan": pid, "unit": units.quan_ha.pk, "level": "ntm", "target_year": 2024},
        format="json",
    )
    assert r.status_code == 201, r.json()
    task = api.post(
        "/api/v1/plan-tasks/", {"plan": pid, "content": "Việc", "lead_agency": "Sở"}, format="json"
    )
    assert task.status_code == 201
    progress = api.post(
        f"/api/v1/plan-tasks/{task.json()['id']}/progress/",
        {"text": "Xong", "status": "done", "version": task.json()["version"]},
        format="json",
    )
    assert progress.status_code == 201 and progress.json()["status"] == "done"
    assert [x["plan"] for x in api.get(f"/api/v1/plan-targets/?plan={pid}").json()["results"]] == [
        pid
    ]
    # another province's plan: invisible, and cannot be written to
    assert api.get(f"/api/v1/plans/{ls_plan.pk}/").status_code == 404
    assert (
        api.post(
            "/api/v1/plan-targets/",
            {"plan": ls_plan.pk, "metric": "villages_ntm", "year": 2023, "value": "1"},
            format="json",
        ).status_code
        == 400
    )
    assert api.get("/api/v1/plan-tasks/").json()["count"] == 1
    national = _api(users.national)
    assert national.get(f"/api/v1/plans/{ls_plan.pk}/").status_code == 200
    assert (
        national.patch(f"/api/v1/plans/{ls_plan.pk}/", {"title": "X"}, format="json").status_code
        == 403
    )
    assert national.delete(f"/api/v1/plans/{pid}/").status_code == 403
    assert Plan.objects.get(pk=ls_plan.pk).title == "Kế hoạch LS"
    assert api.delete(f"/api/v1/plans/{plan.pk}/").status_code == 400  # active: not deleted
    schema = _api(users.coordinator).get("/api/schema/")
    assert b"/api/v1/plan-targets/" in schema.content and b"/api/v1/roadmap/" in schema.content
