"""The page where a province uploads its commune boundaries (GeoJSON) once."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.web.boundaries import MAX_BYTES, BoundaryError, boundaries_load
from ntm.web.models import CommuneBoundary


def _day(post) -> datetime.date:
    """The day the file's codes are read on (the list of units in force then); today by default."""
    try:
        return datetime.date.fromisoformat(post.get("date", ""))
    except ValueError:
        return datetime.date.today()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def boundaries_upload(request):
    if not (request.user.is_superuser or request.user.role == Role.PROVINCE_COORDINATOR):
        raise PermissionDenied
    scope = scope_for(request.user)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("Chọn tệp GeoJSON.")]
        elif upload.size > MAX_BYTES:
            errors = [_("Tệp quá lớn (tối đa 30 MB).")]
        else:
            try:
                n = boundaries_load(data=upload.read(), on=_day(request.POST), scope=scope)
            except BoundaryError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Đã lưu ranh giới của %(n)s xã.") % {"n": n})
                return redirect("boundaries")
    stored = scope.filter(CommuneBoundary.objects.all(), field="unit").count()
    return render(request, "web/boundaries.html", {"errors": errors[:200], "stored": stored})
