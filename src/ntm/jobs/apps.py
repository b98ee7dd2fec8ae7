from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "ntm.jobs"
    verbose_name = _("Việc chạy nền")

    def ready(self) -> None:
        from ntm.jobs import import_jobs, report_jobs  # noqa: F401  (register their kinds)
