"""One upload page and one template per import that has no page of its own, from the registry."""

from django.urls import path

from ntm.imports import views
from ntm.imports.registry import importers

app_name = "imports"
urlpatterns = [path("", views.index, name="index")]
for _importer in importers():
    if _importer.page:
        continue
    urlpatterns += [
        path(f"{_importer.name}/", views.upload, {"name": _importer.name}, name=_importer.name),
    ]
    if not _importer.template_options:
        urlpatterns.append(
            path(
                f"{_importer.name}/template.xlsx",
                views.template_download,
                {"name": _importer.name},
                name=f"{_importer.name}_template",
            )
        )
