import datetime

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.units import selectors
from ntm.units.models import REORGANISATION_DATE
from ntm.web.maps import HEIGHT, WIDTH, project

LEGACY_DAY = REORGANISATION_DATE - datetime.timedelta(days=1)


@login_required
@require_safe
def home(request):
    scope = scope_for(request.user)
    period = "2025" if request.GET.get("period") == "2025" else "legacy"
    on = REORGANISATION_DATE if period == "2025" else LEGACY_DAY
    roots = [
        (root, selectors.subtree_counts(root))
        for root in scope.roots
        if (root.valid_to is None) == (period == "2025")
    ]
    dots = project(selectors.commune_points(scope, on=on))
    context = {
        "period": period,
        "roots": roots[:100],
        "roots_total": len(roots),
        "dots": dots,
        "map_width": WIDTH,
        "map_height": HEIGHT,
    }
    return render(request, "web/home.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
