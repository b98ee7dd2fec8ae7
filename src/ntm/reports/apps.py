from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The apps whose tables the cached parts of the figures read (a summary's resources and OCOP
# panels, the national table's xã counts and decisions; units place them all): any write to
# them, or to a recognition decision, gives a new data version (ntm.lib.freshness).
PANEL_SOURCES = ["resources", "ocop", "units"]


class ReportsConfig(AppConfig):
    name = "ntm.reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from ntm.assessments.models import Recognition
        from ntm.lib.freshness import data_changed, watch
        from ntm.units.signals import units_written

        watch(PANEL_SOURCES, models=[Recognition])
        units_written.connect(data_changed, dispatch_uid="freshness-units-written")
