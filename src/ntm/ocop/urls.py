from django.urls import path

from ntm.ocop import views

app_name = "ocop"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("p/<int:pk>/", views.public_product, name="public_product"),
    path("manage/", views.manage, name="manage"),
    path("manage/subjects/", views.subject_list, name="subjects"),
    path("manage/subjects/new/", views.subject_create, name="subject_create"),
    path("manage/subjects/<int:pk>/", views.subject_detail, name="subject_detail"),
    path("manage/subjects/<int:pk>/edit/", views.subject_edit, name="subject_edit"),
    path("manage/products/", views.product_list, name="products"),
    path("manage/products/new/", views.product_create, name="product_create"),
    path("manage/products/<int:pk>/", views.product_detail, name="product_detail"),
    path("manage/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path(
        "manage/products/<int:pk>/certificates/add/", views.certificate_add, name="certificate_add"
    ),
    path("manage/rounds/", views.round_list, name="rounds"),
    path("manage/rounds/new/", views.round_create, name="round_create"),
    path("manage/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("manage/standing/", views.standing_list, name="standing"),
    path("manage/standing.xlsx", views.standing_export, name="standing_export"),
    path("manage/template.xlsx", views.template_download, name="template"),
    path("manage/import/", views.import_upload, name="import"),
]
