from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from ntm.accounts.views import account


def favicon(request):
    """Pages name their icon; the admin's do not, and browsers then ask for /favicon.ico.
    (The static URL is looked up per request: the manifest may not exist at import time.)"""
    return redirect(static("web/favicon.svg"))


urlpatterns = [
    path("", include("ntm.web.urls")),
    path("units/", include("ntm.units.urls")),
    path("criteria/", include("ntm.criteria.urls")),
    path("assessments/", include("ntm.assessments.urls")),
    path("plans/", include("ntm.plans.urls")),
    path("ocop/", include("ntm.ocop.urls")),
    path("resources/", include("ntm.resources.urls")),
    path("reports/", include("ntm.reports.urls")),
    path("dossiers/", include("ntm.dossiers.urls")),
    path("imports/", include("ntm.imports.urls")),
    path("jobs/", include("ntm.jobs.urls")),
    path("accounts/", account, name="account"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="web/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # pages name their icon; the admin's pages do not, and browsers then ask for this
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("ntm.api_urls")),
]
