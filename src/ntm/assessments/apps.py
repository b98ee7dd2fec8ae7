from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "ntm.assessments"
    verbose_name = _("Đánh giá, công nhận")

    def ready(self):
        from ntm.assessments import (  # noqa: F401 - connect the receivers
            figures,
            receivers,
        )
