from django.urls import path

from ntm.web import public, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("public/", public.public_index, name="public-index"),
    path("public/<int:pk>/", public.public_unit, name="public-unit"),
]
