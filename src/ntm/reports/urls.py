from django.urls import path

from ntm.reports import views

app_name = "reports"
urlpatterns = [
    path("annual/", views.annual_print, name="annual"),
    path("annual.docx", views.annual_docx, name="annual_docx"),
    path("annual.pdf", views.annual_pdf, name="annual_pdf"),
    path("tables.xlsx", views.tables_xlsx, name="tables_xlsx"),
]
