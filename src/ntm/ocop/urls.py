from django.urls import path

from ntm.ocop import council_views, views

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
    path("manage/rounds/<int:pk>/council/", council_views.round_council, name="round_council"),
    path("manage/rounds/<int:pk>/products/", council_views.round_products, name="round_products"),
    path("manage/rounds/<int:pk>/close/", council_views.round_close, name="round_close"),
    path(
        "manage/evaluations/<int:pk>/score/",
        council_views.evaluation_score,
        name="evaluation_score",
    ),
    path(
        "manage/evaluations/<int:pk>/sheet.docx",
        views.evaluation_sheet_docx,
        name="evaluation_sheet_docx",
    ),
    path(
        "manage/evaluations/<int:pk>/sheet.pdf",
        views.evaluation_sheet_pdf,
        name="evaluation_sheet_pdf",
    ),
    path(
        "manage/evaluations/<int:pk>/my-sheet.xlsx",
        council_views.evaluation_sheet_xlsx,
        name="evaluation_sheet_xlsx",
    ),
    path("manage/sheets/import/", views.sheet_import, name="sheet_import"),
    path("manage/sheets/corrections/", council_views.sheet_corrections, name="sheet_corrections"),
    path(
        "manage/certificates/<int:pk>/revoke/",
        council_views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("manage/expiry/", council_views.expiry_calendar, name="expiry"),
    path("manage/expiry/notice.docx", views.expiry_notice, name="expiry_notice"),
    path("manage/standing/", views.standing_list, name="standing"),
    path("manage/standing.xlsx", views.standing_export, name="standing_export"),
    path("manage/template.xlsx", views.template_download, name="template"),
    path("manage/import/", views.import_upload, name="import"),
]
