"""Starting the annual report in the background: the national report and PDF conversions take
longer than a request should hold a worker."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ntm.accounts.scope import scope_for
from ntm.criteria.selectors import criteria_sets_visible
from ntm.jobs.report_jobs import FORMATS
from ntm.jobs.services import job_start
from ntm.lib.params import object_param, year_param
from ntm.units.models import Unit

FORMAT_LABELS = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel"}


@login_required
@require_POST
def report_job(request):
    """POST format (docx|pdf|xlsx) and query (the report's query string, as the links carry)."""
    fmt = request.POST.get("format", "")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Định dạng báo cáo không hợp lệ."))
    query = QueryDict(request.POST.get("query", "")[:500])
    scope = scope_for(request.user)
    year = year_param(query.get("year"))
    unit = None
    if query.get("unit"):
        unit = scope.require(object_param(Unit, query["unit"]))
    elif not scope.everything:
        raise PermissionDenied
    set_code = ""
    if unit is not None and query.get("set"):
        chosen = criteria_sets_visible(scope).filter(code=query["set"]).first()
        set_code = chosen.code if chosen else ""
    place = unit.name if unit is not None else _("cả nước")
    title = _("Báo cáo năm %(year)s — %(place)s (%(format)s)") % {
        "year": year,
        "place": place,
        "format": FORMAT_LABELS[fmt],
    }
    job = job_start(
        kind=f"report_{fmt}",
        title=title,
        user=request.user,
        unit=unit,
        params={"year": year, "set": set_code},
    )
    return redirect("jobs:detail", pk=job.pk)
