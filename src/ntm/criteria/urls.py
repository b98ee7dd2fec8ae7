from django.urls import path

from ntm.criteria import views

app_name = "criteria"
urlpatterns = [
    path("", views.set_list, name="list"),
    path("<int:pk>/", views.set_detail, name="detail"),
    path("<int:pk>/clone/", views.set_clone, name="clone"),
    path("<int:pk>/period/", views.set_period, name="period"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/thresholds/",
        views.threshold_add,
        name="threshold_add",
    ),
]
