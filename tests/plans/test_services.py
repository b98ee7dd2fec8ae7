import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ntm.plans import services
from ntm.plans.models import OVERDUE, Plan, PlanStatus, RoadmapEntry, Target, Task, TaskStatus
from ntm.plans.services import PlanError


def _plan_kwargs(unit, **kw):
    base = dict(
        unit=unit,
        number="9/KH-UBND",
        issued_on=datetime.date(2023, 1, 5),
        issuer="UBND",
        title="Kế hoạch",
        year_from=2023,
        year_to=2023,
    )
    return {**base, **kw}


def test_who_may_create_plans(units, users):
    assert services.plan_create(user=users.coordinator, **_plan_kwargs(units.bac_kan)).pk
    assert (
        services.plan_create(user=users.coordinator, **_plan_kwargs(units.ba_be)).unit
        == units.ba_be
    )
    assert services.plan_create(user=users.district, **_plan_kwargs(units.bach_thong)).pk
    for user, unit in [
        (users.district, units.bac_kan),  # a district officer: not the province's plan
        (users.district, units.ba_be),  # nor another district's
        (users.national, units.bac_kan),
        (users.department, units.bac_kan),
        (users.commune, units.bac_kan),
        (users.outsider, units.bac_kan),
    ]:
        with pytest.raises(PermissionDenied):
            services.plan_create(user=user, **_plan_kwargs(unit, number="10/KH-UBND"))
    assert Plan.objects.count() == 3


def test_plan_rules(units, users, plan):
    with pytest.raises(PlanError, match="không sau") as exc:
        services.plan_create(
            user=users.coordinator, **_plan_kwargs(units.bac_kan, year_from=2024, year_to=2023)
        )
    assert exc.value.field == "year_to"
    with pytest.raises(PlanError, match="chỉ lập cho tỉnh hoặc huyện"):
        services.plan_create(user=users.coordinator, **_plan_kwargs(units.quan_ha))
    with pytest.raises(PlanError, match="Đã có kế hoạch 125/KH-UBND"):
        services.plan_create(
            user=users.coordinator,
            **_plan_kwargs(units.bac_kan, number="125/KH-UBND", issued_on=plan.issued_on),
        )
    with pytest.raises(PlanError, match="không tồn tại trong giai đoạn"):  # Bắc Kạn ended 30/6/2025
        services.plan_create(
            user=users.coordinator, **_plan_kwargs(units.bac_kan, year_from=2026, year_to=2027)
        )


def test_plan_history_records_the_user(plan, users):
    record = plan.history.first()
    assert record.history_user == users.coordinator and record.history_type == "+"


def test_target_rules(plan, users, units):
    c = users.coordinator
    with pytest.raises(PlanError, match="cần chọn mức") as exc:
        services.target_create(
            plan=plan, user=c, metric="communes_new_at_level", year=2023, value=9
        )
    assert exc.value.field == "level"
    with pytest.raises(PlanError, match="không theo mức"):
        services.target_create(
            plan=plan, user=c, metric="criteria_average", level="ntm", year=2023, value=13
        )
    with pytest.raises(PlanError, match="không theo hạng sao"):
        services.target_create(
            plan=plan, user=c, metric="activity_participants", stars=3, year=2023, value=48
        )
    with pytest.raises(PlanError, match="3, 4 hoặc 5"):
        services.target_create(
            plan=plan, user=c, metric="ocop_products_by_stars", stars=2, year=2023, value=5
        )
    with pytest.raises(PlanError, match="ngoài giai đoạn") as exc:
        services.target_create(plan=plan, user=c, metric="criteria_average", year=2026, value=13)
    assert exc.value.field == "year"
    with pytest.raises(PlanError, match="cần năm gốc"):
        services.target_create(plan=plan, user=c, metric="income_multiple", year=2023, value="1.5")
    with pytest.raises(PlanError, match="số nguyên"):
        services.target_create(
            plan=plan, user=c, metric="communes_new_at_level", level="ntm", year=2023, value="2.5"
        )
    with pytest.raises(PlanError, match="không âm"):
        services.target_create(plan=plan, user=c, metric="villages_ntm", year=2023, value=-1)
    with pytest.raises(PlanError, match="hãy phân bổ"):
        services.target_create(
            plan=plan, user=c, metric="villages_ntm", year=2023, value=60, unit=units.ba_be
        )
    income = services.target_create(
        plan=plan, user=c, metric="income_multiple", year=2025, value="1.5", base_year=2020
    )
    assert income.value == Decimal("1.50") and income.base_year == 2020
    villages = services.target_create(plan=plan, user=c, metric="villages_ntm", year=2023, value=60)
    assert villages.level == "village_ntm"  # set by the metric
    with pytest.raises(PlanError, match="đã có chỉ tiêu này"):
        services.target_create(plan=plan, user=c, metric="villages_ntm", year=2023, value=61)
    assert Target.objects.filter(plan=plan).count() == 2


def test_allocations_may_not_exceed_an_additive_target(plan, users, units):
    c = users.coordinator
    target = services.target_create(
        plan=plan, user=c, metric="communes_new_at_level", level="ntm", year=2023, value=9
    )
    a = services.target_create(plan=plan, user=c, parent=target, unit=units.bach_thong, value=5)
    assert (a.metric, a.level, a.year, a.parent) == ("communes_new_at_level", "ntm", 2023, target)
    with pytest.raises(PlanError) as exc:
        services.target_create(plan=plan, user=c, parent=target, unit=units.ba_be, value=5)
    assert "Tổng phân bổ (10) vượt chỉ tiêu" in str(exc.value)
    assert "(9); còn được phân bổ tối đa 4." in str(exc.value)
    assert exc.value.field == "value"
    services.target_create(plan=plan, user=c, parent=target, unit=units.ba_be, value=4)
    with pytest.raises(PlanError, match="Đã phân bổ 9"):
        services.target_update(target=target, user=c, value=8)
    with pytest.raises(PlanError, match="vượt chỉ tiêu"):
        services.target_update(target=a, user=c, value=6)
    services.target_update(target=target, user=c, value=10)
    services.target_update(target=a, user=c, value=6)
    assert target.allocations.count() == 2
    with pytest.raises(PlanError, match="không trực thuộc"):
        services.target_create(plan=plan, user=c, parent=a, unit=units.ba_be_commune, value=1)


def test_non_additive_allocations_are_not_summed(plan, users, units):
    c = users.coordinator
    average = services.target_create(
        plan=plan, user=c, metric="criteria_average", year=2023, value="13.5"
    )
    services.target_create(plan=plan, user=c, parent=average, unit=units.bach_thong, value="14.2")
    services.target_create(plan=plan, user=c, parent=average, unit=units.ba_be, value="12.8")
    assert average.allocations.count() == 2


def test_roadmap_rules(plan, users, units, bk):
    c = users.coordinator
    entry, created = services.roadmap_save(
        plan=plan, user=c, unit=units.quan_ha, level="ntm", target_year=2023
    )
    assert created and entry.target_year == 2023
    entry, created = services.roadmap_save(
        plan=plan, user=c, unit=units.quan_ha, level="ntm", target_year=2024
    )
    assert not created and RoadmapEntry.objects.get(pk=entry.pk).target_year == 2024
    with pytest.raises(PlanError, match="không phải là xã"):
        services.roadmap_save(
            plan=plan, user=c, unit=units.bach_thong, level="ntm", target_year=2023
        )
    with pytest.raises(PlanError, match="không thuộc"):
        services.roadmap_save(
            plan=plan, user=c, unit=units.lang_son_commune, level="ntm", target_year=2023
        )
    with pytest.raises(PlanError, match="ngoài giai đoạn"):
        services.roadmap_save(
            plan=plan, user=c, unit=units.quan_ha, level="advanced", target_year=2030
        )
    with pytest.raises(PlanError, match="Mức phải là"):
        services.roadmap_save(
            plan=plan, user=c, unit=units.quan_ha, level="village_ntm", target_year=2023
        )
    assert RoadmapEntry.objects.count() == 1


def test_task_status_overdue_is_derived(plan, users):
    task = services.task_save(
        plan=plan,
        user=users.coordinator,
        group="Nhóm 1",
        content="Rà soát quy hoạch",
        lead_agency="Sở Xây dựng",
        deadline=datetime.date(2023, 6, 30),
    )
    assert task.status_on(datetime.date(2023, 6, 30)) == TaskStatus.NOT_STARTED
    assert task.status_on(datetime.date(2023, 7, 1)) == OVERDUE
    note = services.task_progress(
        task=task, user=users.coordinator, text="Đã hoàn thành", status="done"
    )
    task.refresh_from_db()
    assert (
        task.status == TaskStatus.DONE
        and task.status_on(datetime.date(2024, 1, 1)) == TaskStatus.DONE
    )
    assert note.text == "Đã hoàn thành" and task.notes.count() == 1
    with pytest.raises(PlanError, match="Cần ghi nội dung nhiệm vụ"):
        services.task_save(plan=plan, user=users.coordinator, content=" ", lead_agency="Sở")
    with pytest.raises(PermissionDenied):
        services.task_save(plan=plan, user=users.department, content="X", lead_agency="Sở")
    assert Task.objects.count() == 1


def test_plan_years_cannot_shrink_past_its_targets(plan, users):
    services.target_create(
        plan=plan, user=users.coordinator, metric="villages_ntm", year=2025, value=10
    )
    fields = {f: getattr(plan, f) for f in ("number", "issued_on", "issuer", "title", "status")}
    with pytest.raises(PlanError, match="2025"):
        services.plan_update(
            plan=plan, user=users.coordinator, year_from=2021, year_to=2024, **fields
        )
    with pytest.raises(PlanError, match="dự thảo"):
        services.plan_delete(plan=plan, user=users.coordinator)
    plan.refresh_from_db()
    assert plan.year_to == 2025 and plan.status == PlanStatus.ACTIVE
