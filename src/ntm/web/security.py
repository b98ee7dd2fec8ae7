"""Security plumbing that settings.py points at: the Content-Security-Policy header, API
throttles whose rates follow the settings, the login-lockout answer of django-axes, the client
address behind proxies and a throttled API token endpoint (upload checks: `ntm.lib.uploads`).

Content-Security-Policy: no page of ours has an inline <script>, an on*= handler or a style=
attribute (tests/test_security.py greps every template), so the site-wide policy allows scripts
and styles from our own origin only. The two API documentation pages of drf-spectacular are the
exception: Swagger UI and Redoc inject <style> elements at run time and Redoc runs its search in a
blob: worker, so those two routes (and only those) also allow inline styles and blob: workers.
Their scripts are still 'self' only: Swagger UI is served by the "split" view, whose start-up
script is a separate file rather than an inline block.
"""

from django.conf import settings
from django.contrib.auth import password_validation
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from ntm.accounts.tokens import expires_at, token_for_login
from ntm.web.throttles import AnonThrottle, UserThrottle

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# The API documentation pages (see the module docstring).
API_DOCS_ROUTES = {"api-docs", "api-redoc"}
API_DOCS_POLICY = {
    **POLICY,
    "style-src": "'self' 'unsafe-inline'",
    "worker-src": "'self' blob:",
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _header(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds Content-Security-Policy (and Permissions-Policy) to every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.strict = _header(POLICY)
        self.api_docs = _header(API_DOCS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        name = "Content-Security-Policy"
        if getattr(settings, "NTM_CSP_REPORT_ONLY", False):
            name = "Content-Security-Policy-Report-Only"
        if "Content-Security-Policy" not in response.headers and name not in response.headers:
            match = getattr(request, "resolver_match", None)
            docs = match is not None and match.view_name in API_DOCS_ROUTES
            response.headers[name] = self.api_docs if docs else self.strict
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _(
        "Tài khoản này tạm bị khóa vì đăng nhập sai %(n)d lần liên tiếp. "
        "Vui lòng thử lại sau %(m)d phút."
    ) % {"n": settings.AXES_FAILURE_LIMIT, "m": _cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out login with: JSON for the API, a page otherwise."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        context = {"message": lockout_message(), "minutes": _cooloff_minutes()}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


def client_ip(request) -> str:
    """The client's address for login throttling. Behind NTM_PROXY_COUNT proxies that each append
    to X-Forwarded-For, the address the outermost trusted proxy saw; else the connection's."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "NTM_PROXY_COUNT", 0)
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return remote


class TokenView(ObtainAuthToken):
    """DRF's token endpoint (a new token once the stored one expired, `accounts.tokens`), throttled like the rest of the API and answering 429 (in
    Vietnamese) while django-axes holds the username and address locked out. DRF hands its own
    request object to authenticate(), so axes marks that object, not the Django request its
    middleware looks at: the lockout is turned into a response here."""

    throttle_classes = [AnonThrottle, UserThrottle]
    parser_classes = APIView.parser_classes  # the project's: JSON nested too deep is a 400

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise
        token = token_for_login(user=serializer.validated_data["user"])
        return Response({"token": token.key, "expires": expires_at(token).isoformat()})


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Vietnamese message (Django's Vietnamese catalogue lacks it)."""

    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(n)d ký tự.") % {"n": self.min_length}

    def get_help_text(self):
        return _("Mật khẩu cần ít nhất %(n)d ký tự.") % {"n": self.min_length}
