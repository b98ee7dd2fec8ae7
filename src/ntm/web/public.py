"""Public pages, no login: "dân biết, dân kiểm tra". Approved figures only, no personal data."""

import datetime

from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ntm.assessments.models import Assessment, State
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.lib.params import object_param, year_param
from ntm.reports.selectors import APPROVED, progress_summary
from ntm.units.models import Kind, Level, Unit
from ntm.units.selectors import reference_day, subtree_counts_many, unit_ancestors

PUBLIC_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


@require_safe
@cache_control(public=True, max_age=300)
def public_index(request):
    year = year_param(request.GET.get("year"))
    day = datetime.date(year, 12, 31)
    provinces = list(Unit.objects.filter(level=Level.PROVINCE).valid_on(day).order_by("name"))
    counts = subtree_counts_many(provinces)
    context = {
        "year": year,
        "years": list(range(datetime.date.today().year, 2015, -1)),
        "provinces": [(p, counts[p.pk]) for p in provinces],
    }
    return render(request, "web/public_index.html", context)


@require_safe
@cache_control(public=True, max_age=300)
def public_unit(request, pk: int):
    unit = object_param(Unit.objects.filter(level__in=PUBLIC_LEVELS), pk)
    year = year_param(request.GET.get("year"))
    summary = progress_summary(unit=unit, year=year, basis=APPROVED)
    context = {
        "unit": unit,
        "year": year,
        "years": list(range(datetime.date.today().year, 2015, -1)),
        "ancestors": unit_ancestors(unit),
        "summary": summary,
        "levels": recognition_levels.labels(),
    }
    if unit.level == Level.COMMUNE and unit.kind == Kind.COMMUNE:
        context.update(_commune_detail(unit, year, summary))
    else:
        children = Unit.objects.filter(parent=unit).valid_on(reference_day(unit, year))
        context["children"] = [c for c in children.order_by("name") if c.level in PUBLIC_LEVELS]
    return render(request, "web/public_unit.html", context)


def _commune_detail(unit: Unit, year: int, summary) -> dict:
    assessment = (
        Assessment.objects.filter(
            unit=unit, year=year, state=State.APPROVED, criteria_set=summary.criteria_set
        )
        .prefetch_related("results__criterion")
        .first()
    )
    held = levels_held([unit.pk], datetime.date(year, 12, 31)).get(unit.pk, set())
    results = (
        sorted(assessment.results.all(), key=lambda r: r.criterion.number) if assessment else []
    )
    held_labels = [recognition_levels.label(h) for h in sorted(held)]
    return {"assessment": assessment, "results": results, "held": held_labels}
