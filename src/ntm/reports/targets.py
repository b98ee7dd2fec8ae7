"""Plan targets against actual figures, for the progress summary and a plan's page.

Each metric names the function computing its actual (`MetricInfo.actual` in
`ntm.plans.models.METRICS`, a function of `ntm.reports.actuals`); a metric without one
(criteria added, income) shows "chưa có số liệu".
"""

from decimal import Decimal
from functools import cache

from django.utils.module_loading import import_string

from ntm.plans.models import METRICS, Metric, Plan, PlanStatus, Target
from ntm.plans.selectors import METRIC_ORDER, progress_wording
from ntm.reports.actuals import Context
from ntm.units.models import Unit


@cache
def actual_function(metric: str):
    """The function computing the metric's actual, or None when no figure is computed."""
    path = METRICS[metric].actual
    return import_string(path) if path else None


def actual_of(target: Target, ctx: Context) -> Decimal | None:
    function = actual_function(target.metric)
    return function(target, ctx) if function is not None else None


def targets_progress(*, unit: Unit, year: int, summary, plan: Plan | None = None) -> list[dict]:
    """Each target for this unit and year of the active plans whose period covers the year
    (or of one given plan, whatever its status), against the summary's figures."""
    qs = Target.objects.filter(unit=unit, year=year).select_related("plan")
    if plan is None:
        qs = qs.filter(
            plan__status=PlanStatus.ACTIVE, plan__year_from__lte=year, plan__year_to__gte=year
        )
    else:
        qs = qs.filter(plan=plan)
    targets = sorted(
        qs,
        key=lambda t: (t.plan.issued_on, t.plan_id, METRIC_ORDER[t.metric], t.level, t.stars or 0),
    )
    ctx = Context(unit=unit, year=year, summary=summary)
    rows = []
    for t in targets:
        actual = actual_of(t, ctx)
        ratio, wording = progress_wording(t.metric, t.value, actual)
        rows.append(
            {
                "plan": t.plan.number,
                "plan_id": t.plan_id,
                "target_id": t.pk,
                "metric": t.metric,
                "metric_label": str(Metric(t.metric).label),
                "level": t.level or None,
                "stars": t.stars,
                "base_year": t.base_year,
                "unit": unit.code,
                "year": t.year,
                "is_allocation": t.parent_id is not None,
                "target": t.value,
                "actual": actual,
                "ratio": ratio,
                "wording": wording,
                "note": t.note,
            }
        )
    return rows
