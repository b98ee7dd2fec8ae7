"""Reads about plans and the plan figures of the progress summary.

`behind_roadmap` is called by `ntm.reports.selectors.progress_summary`, so pages, the API and
the CLI show the same numbers; targets against actuals are computed in `ntm.reports.targets`.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ntm.accounts.scope import Scope
from ntm.assessments.recognitions import levels_held
from ntm.lib.dates import year_end
from ntm.lib.formatting import vi_number
from ntm.plans.models import METRICS, Metric, Plan, PlanStatus, RoadmapEntry, Target, Task
from ntm.units.models import Unit, within_q
from ntm.units.text import fold

TWO_PLACES = Decimal("0.01")
NO_FIGURE = gettext_lazy("chưa có số liệu")
NOUNS = {
    "xã": gettext_lazy("xã"),
    "thôn": gettext_lazy("thôn"),
    "tiêu chí/xã": gettext_lazy("tiêu chí/xã"),
    "tiêu chí": gettext_lazy("tiêu chí"),
    "sản phẩm": gettext_lazy("sản phẩm"),
    "người": gettext_lazy("người"),
    "lần": gettext_lazy("lần"),
    "đồng": gettext_lazy("đồng"),
}
METRIC_ORDER = {m: i for i, m in enumerate(Metric.values)}


# -- plans as a user sees them ---------------------------------------------------------------


def plans_visible(scope: Scope) -> QuerySet:
    return scope.filter(Plan.objects.select_related("unit"), field="unit")


def plans_search(
    scope: Scope, *, text: str = "", year: int | None = None, status: str = ""
) -> QuerySet:
    qs = plans_visible(scope)
    folded = fold(text or "")
    if folded:
        words = (text or "").strip()
        qs = qs.filter(
            Q(number__icontains=words) | Q(title__icontains=words) | Q(issuer__icontains=words)
        )
    if year is not None:
        qs = qs.filter(year_from__lte=year, year_to__gte=year)
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-year_to", "-issued_on", "number")


def plan_targets(plan: Plan) -> list[Target]:
    """The plan's own targets (of its unit), each with `.allocation_list` and `.allocated`."""
    allocations = Prefetch(
        "allocations", queryset=Target.objects.select_related("unit").order_by("unit__code")
    )
    targets = list(
        plan.targets.filter(parent__isnull=True)
        .select_related("unit")
        .prefetch_related(allocations)
    )
    for target in targets:
        target.allocation_list = list(target.allocations.all())
        target.allocated = sum((a.value for a in target.allocation_list), Decimal(0))
    targets.sort(key=lambda t: (t.year, METRIC_ORDER[t.metric], t.level, t.stars or 0))
    return targets


def plan_roadmap(plan: Plan) -> list[RoadmapEntry]:
    return list(
        plan.roadmap.select_related("unit", "unit__parent").order_by(
            "target_year", "unit__code", "level"
        )
    )


def plan_tasks(plan: Plan) -> list[Task]:
    return list(plan.tasks.prefetch_related("notes").order_by("group", "deadline", "pk"))


# -- progress against targets ----------------------------------------------------------------


def _fmt(value: Decimal, places: int) -> str:
    if places:  # 12,81 and 14 (not 14,00): no trailing zeros
        return vi_number(value.quantize(Decimal(1).scaleb(-places)).normalize(), None)
    return vi_number(int(value.to_integral_value(ROUND_HALF_UP)))


def progress_wording(
    metric: str, target: Decimal, actual: Decimal | None
) -> tuple[Decimal | None, str]:
    """(ratio, wording) of an actual figure against a target: "đạt 5/17 xã (29%), chưa đạt kế
    hoạch, còn thiếu 12 xã". No figure: (None, "chưa có số liệu"); a target of 0: ratio None."""
    if actual is None:
        return None, str(NO_FIGURE)
    info = METRICS[metric]
    noun = str(NOUNS.get(info.noun, info.noun))
    places = info.places
    if target == 0:
        ratio = None
        head = _("thực hiện %(actual)s %(noun)s (kế hoạch 0 %(noun)s)") % {
            "actual": _fmt(actual, places),
            "noun": noun,
        }
    else:
        ratio = (Decimal(actual) / Decimal(target)).quantize(TWO_PLACES, ROUND_HALF_UP)
        percent = (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal(1), ROUND_HALF_UP)
        head = _("đạt %(actual)s/%(target)s %(noun)s (%(percent)s%%)") % {
            "actual": _fmt(actual, places),
            "target": _fmt(target, places),
            "noun": noun,
            "percent": vi_number(int(percent)),
        }
    difference = Decimal(actual) - Decimal(target)
    if difference > 0:
        tail = _("vượt kế hoạch %(n)s %(noun)s") % {"n": _fmt(difference, places), "noun": noun}
    elif difference == 0:
        tail = _("đạt kế hoạch")
    else:
        tail = _("chưa đạt kế hoạch, còn thiếu %(n)s %(noun)s") % {
            "n": _fmt(-difference, places),
            "noun": noun,
        }
    return ratio, f"{head}, {tail}"


def behind_roadmap(*, unit: Unit, year: int) -> list[dict]:
    """Communes under the unit whose roadmap (active plans) says they should reach a level by
    this year but that do not hold it on 31/12 of the year; the earliest year per level."""
    start, end = datetime.date(year, 1, 1), year_end(year)
    entries = (
        RoadmapEntry.objects.filter(
            within_q(unit), plan__status=PlanStatus.ACTIVE, target_year__lte=year
        )
        .filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=end))
        .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=start))
        .values_list("unit_id", "unit__code", "unit__name", "level", "target_year", "plan__number")
    )
    earliest: dict[tuple[int, str], tuple] = {}
    for unit_id, code, name, level, target_year, number in entries:
        key = (unit_id, level)
        if key not in earliest or target_year < earliest[key][2]:
            earliest[key] = (code, name, target_year, number)
    if not earliest:
        return []
    held = levels_held({k[0] for k in earliest}, end)
    rows = [
        {
            "id": unit_id,
            "code": code,
            "name": name,
            "level": level,
            "target_year": target_year,
            "plan": number,
        }
        for (unit_id, level), (code, name, target_year, number) in earliest.items()
        if level not in held.get(unit_id, set())
    ]
    rows.sort(key=lambda r: (r["target_year"], r["code"], r["level"]))
    return rows


# -- choices for the forms -------------------------------------------------------------------


def plan_units_writable(user) -> list[Unit]:
    """Provinces and districts this user may write plans for (from their scope)."""
    from ntm.plans.services import PLAN_UNIT_LEVELS, can_write_plan_for

    if user.is_superuser:
        qs = Unit.objects.filter(level__in=PLAN_UNIT_LEVELS)
    else:
        from ntm.accounts.scope import scope_for

        qs = scope_for(user).units().filter(level__in=PLAN_UNIT_LEVELS)
    units = qs.order_by("level", "-valid_from", "code")
    return [u for u in units if can_write_plan_for(user, u)]


def allocation_units(target: Target) -> list[Unit]:
    """The units directly below a target's unit that exist in its year."""
    start, end = datetime.date(target.year, 1, 1), year_end(target.year)
    return list(
        Unit.objects.filter(parent=target.unit)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("code")
    )


def roadmap_status(plan: Plan, year: int) -> list[RoadmapEntry]:
    """The plan's roadmap, each entry with `.due` (target year ≤ year) and `.held` (holds the
    level on 31/12 of the year)."""
    entries = plan_roadmap(plan)
    held = levels_held({e.unit_id for e in entries}, year_end(year)) if entries else {}
    for entry in entries:
        entry.due = entry.target_year <= year
        entry.held = entry.level in held.get(entry.unit_id, set())
    return entries
