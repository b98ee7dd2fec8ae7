from django.urls import path

from ntm.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"
    ),
    path("<int:pk>/surveys/", views.survey_add, name="survey_add"),
    path("<int:pk>/threshold/", views.threshold_save, name="threshold"),
    path("<int:pk>/decide/", views.dossier_decide, name="decide"),
    path("keeping/", views.keeping, name="keeping"),
    path("keeping.xlsx", views.keeping, name="keeping_xlsx"),
    path("merged/", views.merged, name="merged"),
    path("public/documents/<int:document_pk>/", views.public_document, name="public_document"),
]
