"""The signed-in user's own account page ("Tài khoản"): who they are, a link to change the
password, and their API token — created (shown once), its expiry, revoked."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts import tokens


def _context(request, *, new_key: str = "", message: str = "") -> dict:
    token = tokens.token_of(request.user)
    return {
        "token": token,
        "token_prefix": token.key[: tokens.PREFIX_LENGTH] if token else "",
        "token_expires": tokens.expires_at(token) if token else None,
        "token_expired": tokens.is_expired(token) if token else False,
        "token_days": tokens.token_days(),
        "new_key": new_key,
        "message": message,
    }


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """GET: the page. POST action=create: a new token, shown on this answer only (not
    redirected, so the key is never in a URL or a later page); action=revoke: the user's own
    token named by its prefix (404 for any other)."""
    if request.method == "GET":
        return render(request, "accounts/account.html", _context(request))
    action = request.POST.get("action")
    if action == "create":
        token = tokens.token_create(user=request.user)
        context = _context(
            request,
            new_key=token.key,
            message=_("Đã tạo mã truy cập API mới. Hãy lưu lại ngay: mã chỉ hiện một lần."),
        )
        response = render(request, "accounts/account.html", context)
        response["Cache-Control"] = "no-store"
        return response
    if action == "revoke":
        tokens.token_revoke(user=request.user, prefix=request.POST.get("token", ""))
        return redirect("account")
    return render(
        request,
        "accounts/account.html",
        _context(request, message=_("Thao tác không hợp lệ.")),
        status=400,
    )
