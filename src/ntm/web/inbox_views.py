"""The “Việc cần làm” page and the count the navigation shows (fetched after the page loads)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.web.inbox import inbox_counts, inbox_sections


@login_required
@require_safe
def inbox(request):
    sections = inbox_sections(request.user, scope_for(request.user))
    return render(
        request,
        "web/inbox.html",
        {"sections": sections, "total": sum(s.count for s in sections)},
    )


@login_required
@require_safe
def inbox_count(request):
    counts = inbox_counts(request.user, scope_for(request.user))
    return JsonResponse({"total": sum(counts.values()), "by_kind": counts})
