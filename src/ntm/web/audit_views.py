"""The audit page ("Nhật ký thay đổi"): for province coordinators, national viewers and admins."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.lib.params import int_param
from ntm.web.audit import AuditFilters, audit_kinds, audit_log

AUDIT_ROLES = (Role.PROVINCE_COORDINATOR, Role.NATIONAL_VIEWER)


def can_see_audit(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in AUDIT_ROLES)


def _date_param(raw) -> datetime.date | None:
    """A date typed as yyyy-mm-dd (the date picker) or dd/mm/yyyy; anything else is ignored."""
    text = (raw or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@login_required
@require_safe
def audit(request):
    scope = scope_for(request.user)
    scope.require_role(*AUDIT_ROLES)
    kinds = audit_kinds()
    kind = request.GET.get("kind", "")
    filters = AuditFilters(
        user=request.GET.get("user", "").strip()[:150],
        kind=kind if kind in dict(kinds) else "",
        date_from=_date_param(request.GET.get("from")),
        date_to=_date_param(request.GET.get("to")),
    )
    page = audit_log(scope=scope, filters=filters, page=int_param(request.GET.get("page")) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "kinds": kinds,
        "query": query.urlencode(),
    }
    return render(request, "web/audit.html", context)
