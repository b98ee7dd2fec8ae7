from django.urls import path

from ntm.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/villages/add/", views.village_add, name="village_add"),
    path("<int:pk>/attributes/add/", views.attribute_add, name="attribute_add"),
    path("villages/import/", views.villages_import, name="villages_import"),
    path("villages/template.xlsx", views.villages_template, name="villages_template"),
    path("history/", views.units_history, name="history"),
    path("history/template.xlsx", views.units_history_template, name="history_template"),
]
