from django.urls import path

from ntm.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("new/template.xlsx", views.new_template_download, name="new_template"),
    path("new/import/", views.new_import_upload, name="new_import"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/targets/add/", views.target_add, name="target_add"),
    path("<int:pk>/targets/<int:target_pk>/edit/", views.target_edit, name="target_edit"),
    path("<int:pk>/targets/<int:target_pk>/delete/", views.target_delete, name="target_delete"),
    path("<int:pk>/roadmap/add/", views.roadmap_add, name="roadmap_add"),
    path("<int:pk>/roadmap/<int:entry_pk>/delete/", views.roadmap_delete, name="roadmap_delete"),
    path("<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_edit, name="task_edit"),
    path("<int:pk>/tasks/<int:task_pk>/progress/", views.task_progress, name="task_progress"),
    path("<int:pk>/template.xlsx", views.template_download, name="template"),
    path("<int:pk>/import/", views.import_upload, name="import"),
]
