"""Every write to plans, targets, roadmaps and tasks. Keyword-only arguments; the rules refuse
with a message in Vietnamese (`PlanError.field` names the argument at fault).

Who may write: province coordinators (their province's plans and its districts' plans),
district officers (their district's plans) and superusers; never national viewers, department
or commune officers. `user=None` is the command line (a trusted system caller).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ntm import versioning
from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for, system_scope
from ntm.criteria import levels as recognition_levels
from ntm.plans.models import (
    METRICS,
    OCOP_STARS,
    Metric,
    Plan,
    PlanStatus,
    RoadmapEntry,
    Target,
    Task,
    TaskNote,
    TaskStatus,
)
from ntm.units.models import Kind, Level, Unit

MIN_YEAR, MAX_YEAR = 2000, 2100
PLAN_UNIT_LEVELS = (Level.PROVINCE, Level.DISTRICT)


class PlanError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class StaleVersionError(PlanError, versioning.StaleVersionError):
    """Someone else saved the record since this user loaded it (the API answers 409)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message, field)


def _vi(value: Decimal) -> str:
    from ntm.lib.formatting import vi_number

    value = Decimal(value)
    return vi_number(value.normalize() if value == value.to_integral_value() else value)


# -- who may write ---------------------------------------------------------------------------


PLAN_WRITERS = {Role.PROVINCE_COORDINATOR, Role.DISTRICT_OFFICER}


def plan_writers(unit: Unit | None) -> set[str]:
    """Coordinators write plans of every unit in scope; district officers those of districts."""
    if unit is None or unit.level == Level.DISTRICT:
        return PLAN_WRITERS
    return {Role.PROVINCE_COORDINATOR}


def can_write_plan_for(user, unit: Unit) -> bool:
    """May this user create or change plans of this unit?"""
    scope = system_scope() if user is None else scope_for(user)
    return scope.may_write(unit, plan_writers(unit))


def can_create_plans(user) -> bool:
    return scope_for(user).may_write(None, PLAN_WRITERS)


def _require(user, plan_or_unit) -> None:
    unit = plan_or_unit.unit if isinstance(plan_or_unit, Plan) else plan_or_unit
    if not can_write_plan_for(user, unit):
        raise PermissionDenied(_("Bạn không có quyền sửa kế hoạch của đơn vị này."))


def _save(obj, user) -> None:
    if user is not None:
        obj._history_user = user
    versioning.bump_on_save(obj)
    obj.save()


def _lock(obj, version):
    """The stored row of a record being changed, locked, checked against the version the user
    read (None: a trusted caller that does not check, such as the import)."""
    return versioning.lock(obj, version, error=StaleVersionError)


def _delete(obj, user) -> None:
    if user is not None:
        obj._history_user = user
    obj.delete()


# -- plans -----------------------------------------------------------------------------------


def _exists_between(unit: Unit, first_year: int, last_year: int) -> bool:
    start, end = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= end) and (
        unit.valid_to is None or unit.valid_to >= start
    )


def _clean_plan(
    *,
    plan: Plan | None,
    unit: Unit,
    number: str,
    issued_on,
    issuer: str,
    title: str,
    year_from: int,
    year_to: int,
    status: str,
) -> dict:
    number, issuer, title = (number or "").strip(), (issuer or "").strip(), (title or "").strip()
    if not number:
        raise PlanError(_("Cần ghi số ký hiệu kế hoạch (ví dụ 125/KH-UBND)."), "number")
    if not isinstance(issued_on, datetime.date):
        raise PlanError(_("Cần ghi ngày ban hành (dd/mm/yyyy)."), "issued_on")
    if not issuer:
        raise PlanError(_("Cần ghi cơ quan ban hành."), "issuer")
    if not title:
        raise PlanError(_("Cần ghi trích yếu kế hoạch."), "title")
    if unit.level not in PLAN_UNIT_LEVELS:
        raise PlanError(
            _("Kế hoạch chỉ lập cho tỉnh hoặc huyện, không cho %(unit)s.") % {"unit": unit.name},
            "unit",
        )
    for name, year in (("year_from", year_from), ("year_to", year_to)):
        if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
            raise PlanError(
                _("Năm phải là số từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}, name
            )
    if year_from > year_to:
        raise PlanError(
            _("“Từ năm” (%(a)s) phải không sau “đến năm” (%(b)s).")
            % {"a": year_from, "b": year_to},
            "year_to",
        )
    if not _exists_between(unit, year_from, year_to):
        raise PlanError(
            _("%(unit)s không tồn tại trong giai đoạn %(a)s-%(b)s.")
            % {"unit": unit.name, "a": year_from, "b": year_to},
            "unit",
        )
    if status not in PlanStatus.values:
        raise PlanError(_("Trạng thái “%(s)s” không hợp lệ.") % {"s": status}, "status")
    clash = Plan.objects.filter(unit=unit, number=number, issued_on=issued_on)
    if plan is not None:
        clash = clash.exclude(pk=plan.pk)
    if clash.exists():
        raise PlanError(
            _("Đã có kế hoạch %(n)s ngày %(d)s của %(unit)s.")
            % {"n": number, "d": issued_on.strftime("%d/%m/%Y"), "unit": unit.name},
            "number",
        )
    return {
        "unit": unit,
        "number": number,
        "issued_on": issued_on,
        "issuer": issuer,
        "title": title,
        "year_from": year_from,
        "year_to": year_to,
        "status": status,
    }


@transaction.atomic
def plan_create(
    *,
    user,
    unit: Unit,
    number: str,
    issued_on: datetime.date,
    issuer: str,
    title: str,
    year_from: int,
    year_to: int,
    status: str = PlanStatus.DRAFT,
) -> Plan:
    _require(user, unit)
    fields = _clean_plan(
        plan=None,
        unit=unit,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        title=title,
        year_from=year_from,
        year_to=year_to,
        status=status,
    )
    plan = Plan(**fields, created_by=user)
    _save(plan, user)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    user,
    unit: Unit | None = None,
    number: str,
    issued_on: datetime.date,
    issuer: str,
    title: str,
    year_from: int,
    year_to: int,
    status: str,
    version: int | None = None,
) -> Plan:
    """Change a plan; `version` is the one the user read (stale: refused, nothing saved)."""
    _require(user, plan)
    plan = _lock(plan, version)
    _require(user, plan)
    unit = unit or plan.unit
    if unit.pk != plan.unit_id:
        _require(user, unit)
        if plan.targets.exists() or plan.roadmap.exists():
            raise PlanError(
                _("Kế hoạch đã có chỉ tiêu hoặc lộ trình; không đổi được đơn vị."), "unit"
            )
    fields = _clean_plan(
        plan=plan,
        unit=unit,
        number=number,
        issued_on=issued_on,
        issuer=issuer,
        title=title,
        year_from=year_from,
        year_to=year_to,
        status=status,
    )
    outside = sorted(
        {y for y in plan.targets.values_list("year", flat=True) if not year_from <= y <= year_to}
        | {
            y
            for y in plan.roadmap.values_list("target_year", flat=True)
            if not year_from <= y <= year_to
        }
    )
    if outside:
        raise PlanError(
            _(
                "Còn chỉ tiêu hoặc lộ trình của năm %(years)s, ngoài giai đoạn %(a)s-%(b)s; hãy sửa chúng trước."
            )
            % {"years": ", ".join(map(str, outside)), "a": year_from, "b": year_to},
            "year_from",
        )
    for name, value in fields.items():
        setattr(plan, name, value)
    _save(plan, user)
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, user) -> None:
    _require(user, plan)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError(_("Chỉ xóa được kế hoạch ở trạng thái dự thảo."), "status")
    _delete(plan, user)


# -- targets and allocations -----------------------------------------------------------------


def _check_year_in_plan(plan: Plan, year, field: str = "year") -> int:
    if not isinstance(year, int) or not plan.year_from <= year <= plan.year_to:
        raise PlanError(
            _("Năm %(y)s ngoài giai đoạn của kế hoạch (%(a)s-%(b)s).")
            % {"y": year, "a": plan.year_from, "b": plan.year_to},
            field,
        )
    return year


def _check_value(metric: str, value) -> Decimal:
    info = METRICS[metric]
    try:
        value = Decimal(value)
    except (TypeError, ArithmeticError, ValueError) as exc:
        raise PlanError(_("Giá trị phải là số."), "value") from exc
    if not value.is_finite() or value < 0:
        raise PlanError(_("Giá trị phải là số không âm."), "value")
    if value >= Decimal(10) ** 16:
        raise PlanError(_("Giá trị quá lớn."), "value")
    if info.places == 0 and value != value.to_integral_value():
        raise PlanError(
            _("Chỉ tiêu “%(m)s” phải là số nguyên.") % {"m": Metric(metric).label}, "value"
        )
    if value != value.quantize(Decimal("0.01")):
        raise PlanError(_("Giá trị chỉ được có tối đa 2 chữ số thập phân."), "value")
    return value


def _check_kind(
    metric: str, level: str, stars, base_year, year: int
) -> tuple[str, int | None, int | None]:
    if metric not in Metric.values:
        raise PlanError(_("Chỉ tiêu “%(m)s” không có trong danh mục.") % {"m": metric}, "metric")
    info = METRICS[metric]
    label = Metric(metric).label
    level = (level or "").strip()
    if info.fixed_level:
        if level and level != info.fixed_level:
            raise PlanError(
                _("Chỉ tiêu “%(m)s” chỉ có mức “%(l)s”.")
                % {"m": label, "l": recognition_levels.label(info.fixed_level)},
                "level",
            )
        level = info.fixed_level
    elif info.levels:
        if level not in info.levels:
            raise PlanError(
                _("Chỉ tiêu “%(m)s” cần chọn mức: %(levels)s.")
                % {
                    "m": label,
                    "levels": ", ".join(recognition_levels.label(v) for v in info.levels),
                },
                "level",
            )
    elif level:
        raise PlanError(
            _("Chỉ tiêu “%(m)s” không theo mức công nhận; để trống mức.") % {"m": label}, "level"
        )
    if info.stars:
        if stars is not None and stars not in OCOP_STARS:
            raise PlanError(
                _("Hạng sao OCOP phải là 3, 4 hoặc 5 (để trống: từ 3 sao trở lên)."), "stars"
            )
    elif stars is not None:
        raise PlanError(
            _("Chỉ tiêu “%(m)s” không theo hạng sao; để trống số sao.") % {"m": label}, "stars"
        )
    if info.base_year:
        if not isinstance(base_year, int) or not MIN_YEAR <= base_year < year:
            raise PlanError(
                _("Chỉ tiêu “%(m)s” cần năm gốc, trước năm %(y)s.") % {"m": label, "y": year},
                "base_year",
            )
    elif base_year is not None:
        raise PlanError(
            _("Chỉ tiêu “%(m)s” không có năm gốc; để trống.") % {"m": label}, "base_year"
        )
    return level, stars, base_year


def _allocated(parent: Target, exclude: Target | None = None) -> Decimal:
    qs = parent.allocations.all()
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(total=Sum("value"))["total"] or Decimal(0)


def _check_allocation_sum(parent: Target, value: Decimal, target: Target | None) -> None:
    if not METRICS[parent.metric].additive:
        return
    others = _allocated(parent, exclude=target)
    if others + value > parent.value:
        raise PlanError(
            _(
                "Tổng phân bổ (%(sum)s) vượt chỉ tiêu %(unit)s (%(target)s); còn được phân bổ tối đa %(left)s."
            )
            % {
                "sum": _vi(others + value),
                "unit": parent.unit.name,
                "target": _vi(parent.value),
                "left": _vi(max(parent.value - others, Decimal(0))),
            },
            "value",
        )


def target_key(target: Target) -> tuple:
    return (target.metric, target.level, target.stars, target.year, target.unit_id)


def _check_unique(plan: Plan, key: tuple, target: Target | None) -> None:
    metric, level, stars, year, unit_id = key
    qs = Target.objects.filter(
        plan=plan, metric=metric, level=level, stars=stars, year=year, unit_id=unit_id
    )
    if target is not None and target.pk:
        qs = qs.exclude(pk=target.pk)
    if qs.exists():
        raise PlanError(
            _("Kế hoạch đã có chỉ tiêu này cho đơn vị và năm đó; hãy sửa chỉ tiêu đã có."), "metric"
        )


@transaction.atomic
def target_create(
    *,
    plan: Plan,
    user,
    metric: str = "",
    level: str = "",
    stars: int | None = None,
    year: int | None = None,
    value,
    base_year: int | None = None,
    note: str = "",
    unit: Unit | None = None,
    parent: Target | None = None,
) -> Target:
    """A target of the plan's unit, or (with `parent`) its allocation to a sub-unit: the
    allocation takes the parent's metric, level, stars, year and base year."""
    _require(user, plan)
    if parent is not None:
        if parent.plan_id != plan.pk:
            raise PlanError(_("Chỉ tiêu được phân bổ không thuộc kế hoạch này."), "parent")
        parent = _lock(parent, None)  # allocations of one target are added one at a time
        metric, level, stars, year, base_year = (
            parent.metric,
            parent.level,
            parent.stars,
            parent.year,
            parent.base_year,
        )
        if unit is None:
            raise PlanError(_("Cần chọn đơn vị được phân bổ."), "unit")
        if unit.pk == parent.unit_id or not unit.path.startswith(parent.unit.path):
            raise PlanError(
                _("%(unit)s không trực thuộc %(parent)s; chỉ phân bổ cho đơn vị cấp dưới.")
                % {"unit": unit.name, "parent": parent.unit.name},
                "unit",
            )
    else:
        unit = unit or plan.unit
        if unit.pk != plan.unit_id:
            raise PlanError(
                _(
                    "Chỉ tiêu của kế hoạch là của %(unit)s; để giao cho đơn vị cấp dưới, hãy phân bổ từ một chỉ tiêu."
                )
                % {"unit": plan.unit.name},
                "unit",
            )
    year = _check_year_in_plan(plan, year)
    level, stars, base_year = _check_kind(metric, level, stars, base_year, year)
    value = _check_value(metric, value)
    if not _exists_between(unit, year, year):
        raise PlanError(
            _("%(unit)s không tồn tại trong năm %(y)s.") % {"unit": unit.name, "y": year}, "unit"
        )
    target = Target(
        plan=plan,
        metric=metric,
        level=level,
        stars=stars,
        year=year,
        value=value,
        base_year=base_year,
        note=(note or "").strip()[:500],
        unit=unit,
        parent=parent,
    )
    _check_unique(plan, target_key(target), None)
    if parent is not None:
        _check_allocation_sum(parent, value, None)
    _save(target, user)
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    user,
    value,
    note: str | None = None,
    base_year: int | None = None,
    version: int | None = None,
) -> Target:
    """Change a target's value (and note, base year); the rest identifies it. `version` is the
    one the user read (stale: refused). An allocation locks its parent first, so that the sum
    of the allocations is checked against the parent as it is."""
    _require(user, target.plan)
    if target.parent_id:
        Target.objects.select_for_update().filter(pk=target.parent_id).first()
    target = _lock(target, version)
    value = _check_value(target.metric, value)
    if METRICS[target.metric].base_year:
        base_year = base_year if base_year is not None else target.base_year
        _check_kind(target.metric, target.level, target.stars, base_year, target.year)
        target.base_year = base_year
    if target.parent_id:
        _check_allocation_sum(target.parent, value, target)
    if METRICS[target.metric].additive and target.pk:
        allocated = _allocated(target)
        if allocated > value:
            raise PlanError(
                _("Đã phân bổ %(sum)s cho các đơn vị cấp dưới; chỉ tiêu không được nhỏ hơn số đó.")
                % {"sum": _vi(allocated)},
                "value",
            )
    target.value = value
    if note is not None:
        target.note = note.strip()[:500]
    _save(target, user)
    return target


@transaction.atomic
def target_delete(*, target: Target, user) -> None:
    """Delete a target with its allocations."""
    _require(user, target.plan)
    for allocation in target.allocations.all():
        target_delete(target=allocation, user=user)
    _delete(target, user)


# -- roadmap ---------------------------------------------------------------------------------


@transaction.atomic
def roadmap_save(
    *, plan: Plan, user, unit: Unit, level: str, target_year: int, version: int | None = None
) -> tuple[RoadmapEntry, bool]:
    """Set the year a commune should reach a level (one entry per commune and level). `version`
    is the version of the stored entry the user read (None: set it whatever it was)."""
    _require(user, plan)
    if not (unit.level == Level.COMMUNE and unit.kind == Kind.COMMUNE):
        raise PlanError(
            _("%(unit)s không phải là xã; lộ trình chỉ lập cho xã.") % {"unit": unit.name}, "unit"
        )
    if not unit.path.startswith(plan.unit.path):
        raise PlanError(
            _("Xã %(unit)s không thuộc %(plan_unit)s.")
            % {"unit": unit.name, "plan_unit": plan.unit.name},
            "unit",
        )
    commune_levels = recognition_levels.commune_levels()
    if level not in commune_levels:
        raise PlanError(
            _("Mức phải là một trong: %(levels)s.")
            % {"levels": ", ".join(recognition_levels.label(v) for v in commune_levels)},
            "level",
        )
    target_year = _check_year_in_plan(plan, target_year, "target_year")
    if not _exists_between(unit, target_year, target_year):
        raise PlanError(
            _("Xã %(unit)s không tồn tại trong năm %(y)s.") % {"unit": unit.name, "y": target_year},
            "unit",
        )
    entry = (
        RoadmapEntry.objects.select_for_update().filter(plan=plan, unit=unit, level=level).first()
    )
    created = entry is None
    if created:
        entry = RoadmapEntry(plan=plan, unit=unit, level=level, target_year=target_year)
    else:
        versioning.check_version(entry, version, error=StaleVersionError)
        if entry.target_year == target_year:
            return entry, False
    entry.target_year = target_year
    _save(entry, user)
    return entry, created


@transaction.atomic
def roadmap_delete(*, entry: RoadmapEntry, user) -> None:
    _require(user, entry.plan)
    _delete(entry, user)


# -- tasks -----------------------------------------------------------------------------------


@transaction.atomic
def task_save(
    *,
    plan: Plan,
    user,
    task: Task | None = None,
    group: str = "",
    content: str,
    lead_agency: str,
    other_agencies: str = "",
    deadline: datetime.date | None = None,
    status: str = TaskStatus.NOT_STARTED,
    version: int | None = None,
) -> Task:
    """Create a task, or change one: `version` is the one the user read (stale: refused)."""
    _require(user, plan)
    if task is not None and task.plan_id != plan.pk:
        raise PlanError(_("Nhiệm vụ không thuộc kế hoạch này."), "task")
    if task is not None:
        task = _lock(task, version)
    content, lead_agency = (content or "").strip(), (lead_agency or "").strip()
    if not content:
        raise PlanError(_("Cần ghi nội dung nhiệm vụ."), "content")
    if not lead_agency:
        raise PlanError(_("Cần ghi cơ quan chủ trì."), "lead_agency")
    if status not in TaskStatus.values:
        raise PlanError(
            _("Trạng thái phải là một trong: %(s)s.")
            % {"s": ", ".join(str(label) for label in TaskStatus.labels)},
            "status",
        )
    if deadline is not None and not isinstance(deadline, datetime.date):
        raise PlanError(_("Thời hạn phải là ngày (dd/mm/yyyy)."), "deadline")
    task = task or Task(plan=plan)
    task.group, task.content, task.lead_agency = (
        (group or "").strip()[:300],
        content,
        lead_agency[:200],
    )
    task.other_agencies, task.deadline, task.status = (
        (other_agencies or "").strip()[:500],
        deadline,
        status,
    )
    _save(task, user)
    return task


@transaction.atomic
def task_progress(
    *,
    task: Task,
    user,
    text: str = "",
    status: str | None = None,
    noted_on: datetime.date | None = None,
    version: int | None = None,
) -> TaskNote | None:
    """Record progress: a note and/or a new status. A new status is a change of the task:
    `version` is the one the user read (stale: refused, nothing saved, not even the note). A
    note alone overwrites nothing and is always added."""
    _require(user, task.plan)
    task = _lock(task, version if status not in (None, task.status) else None)
    text = (text or "").strip()
    if not text and status in (None, task.status):
        raise PlanError(_("Cần ghi nội dung tiến độ hoặc đổi trạng thái."), "text")
    if status is not None and status != task.status:
        if status not in TaskStatus.values:
            raise PlanError(_("Trạng thái “%(s)s” không hợp lệ.") % {"s": status}, "status")
        task.status = status
        _save(task, user)
    if not text:
        return None
    note = TaskNote(
        task=task, text=text, noted_on=noted_on or datetime.date.today(), created_by=user
    )
    _save(note, user)
    return note


@transaction.atomic
def task_delete(*, task: Task, user) -> None:
    _require(user, task.plan)
    _delete(task, user)
