from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "ntm.resources"
    verbose_name = _("Nguồn lực, đóng góp, mô hình, hoạt động")
