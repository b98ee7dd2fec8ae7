from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "ntm.units"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        from ntm.units.lookups import PathStartsWith
        from ntm.units.models import Unit

        # Subtree filters (`path__startswith`, also through `unit__path__startswith`) use the
        # path index on SQLite too: see ntm/units/lookups.py.
        Unit._meta.get_field("path").register_lookup(PathStartsWith)
