from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The apps whose tables the cached summary panels read (resources, OCOP, and the units they are
# placed by): any write to them gives a new data version (ntm.lib.freshness).
PANEL_SOURCES = ["resources", "ocop", "units"]


class ReportsConfig(AppConfig):
    name = "ntm.reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from ntm.lib.freshness import data_changed, watch
        from ntm.units.signals import units_written

        watch(PANEL_SOURCES)
        units_written.connect(data_changed, dispatch_uid="freshness-units-written")
