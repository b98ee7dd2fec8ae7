from django.apps import AppConfig


class LibConfig(AppConfig):
    """The ground floor as an app only for its one table: the data version (`freshness`)."""

    name = "ntm.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"
