from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "ntm.imports"
    label = "imports"
    verbose_name = "Nhập dữ liệu"

    def ready(self) -> None:
        from ntm.imports import catalogue  # noqa: F401  (registers the importers)
