from django.urls import path

from ntm.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.index, name="index"),
    path("entry/", views.entry, name="entry"),
    path("list/", views.item_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("<str:what>/<int:pk>/delete/", views.item_delete, name="delete"),
    path("template.xlsx", views.template_download, name="template"),
    path("import/", views.import_upload, name="import"),
]
