from django.urls import path

from ntm.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("matrix/", views.matrix, name="matrix"),
    path("open/", views.assessment_open, name="open"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/transition/", views.assessment_transition, name="transition"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("template.xlsx", views.template_download, name="template"),
    path("export.xlsx", views.export_download, name="export"),
    path("import/", views.import_upload, name="import"),
    path("recognitions/", views.recognition_list, name="recognitions"),
    path("go-live/", views.go_live_guide, name="go_live"),
]
