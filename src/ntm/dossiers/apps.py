from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "ntm.dossiers"
    verbose_name = _("Hồ sơ công nhận, sự hài lòng, giữ chuẩn")

    def ready(self) -> None:
        from ntm.dossiers import signals  # noqa: F401  (the recognition check and link)
