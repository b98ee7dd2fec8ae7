import datetime

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.criteria.selectors import criteria_sets_visible
from ntm.lib.params import object_param, year_param
from ntm.reports.selectors import basis_param, national_summary, progress_summary
from ntm.reports.views import pdf_available, report_query
from ntm.units import selectors
from ntm.units.models import Unit
from ntm.units.selectors import reference_day
from ntm.web.dashboard import dashboard_panels, national_panels
from ntm.web.landing import landing_for
from ntm.web.maps import HEIGHT, WIDTH


@login_required
@require_safe
def home(request):
    """The dashboard: the progress figures of the user's scope (or a unit below it) for a year."""
    scope = scope_for(request.user)
    landing = None
    if request.GET.get("unit"):
        unit = scope.require(object_param(Unit, request.GET["unit"]))
        year = year_param(request.GET.get("year"))
    else:
        explicit = year_param(request.GET["year"]) if request.GET.get("year") else None
        landing = landing_for(request.user, scope, year=explicit)
        unit, year = landing.unit, landing.year
    national = unit is None and scope.everything
    if unit is None and not national:
        counts = selectors.subtree_counts_many(scope.roots[:100])
        roots = [(root, counts[root.pk]) for root in scope.roots[:100]]
    else:
        roots = []
    sets = list(criteria_sets_visible(scope).filter(applies_to="commune"))
    chosen = next((s for s in sets if s.code == request.GET.get("set")), None)
    basis = basis_param(request.GET.get("basis"))
    summary = (
        progress_summary(unit=unit, year=year, criteria_set=chosen, basis=basis)
        if unit is not None
        else None
    )
    context = {
        "other_roots": [r for r in scope.roots[:20] if r != unit] if not scope.everything else [],
        "year": year,
        "years": list(range(datetime.date.today().year, 2015, -1)),
        "unit": unit,
        "ancestors": [(a, scope.contains(a)) for a in selectors.unit_ancestors(unit)]
        if unit
        else [],
        "roots": roots,
        "national": national,
        "sets": sets if unit is not None else [],
        "set_code": chosen.code if chosen else "",
        "summary": summary,
        "basis": basis,
        "landing": landing,
        "map_width": WIDTH,
        "map_height": HEIGHT,
        "report_query": report_query(unit=unit, year=year, set_code=chosen.code if chosen else ""),
        "pdf_available": pdf_available(),
    }
    if national:  # a national user with no unit chosen: every province side by side
        context.update(
            national_panels(national_summary(year=year, basis=basis), sort=request.GET.get("sort"))
        )
    if summary is not None:
        context.update(dashboard_panels(summary, scope=scope, day=reference_day(unit, year)))
    template = "web/home_body.html" if request.GET.get("partial") else "web/home.html"
    return render(request, template, context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
