from django.urls import path

from ntm.web import audit_views, inbox_views, media, public, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit, name="audit"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/count.json", inbox_views.inbox_count, name="inbox-count"),
    path("media/ocop/<path:name>", media.ocop_photo, name="media-ocop-photo"),
    path("public/", public.public_index, name="public-index"),
    path("public/<int:pk>/", public.public_unit, name="public-unit"),
]
