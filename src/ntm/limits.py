"""Text longer than its column: refused with a message, before PostgreSQL refuses it with a
server error (SQLite would store it whole). Forms and serializers check `max_length` on their
own; services that Excel imports call directly check here."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _


def too_long(model, values: dict) -> tuple[str, str] | None:
    """(field name, message) of the first text value longer than its model field allows."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            return name, _("%(field)s dài %(n)s ký tự, tối đa %(max)s ký tự.") % {
                "field": capfirst(field.verbose_name),
                "n": len(value),
                "max": limit,
            }
    return None


def instance_too_long(obj) -> tuple[str, str] | None:
    """`too_long` for every text field of a model instance about to be saved."""
    values = {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if getattr(f, "max_length", None) and not f.is_relation
    }
    return too_long(type(obj), values)
