from decimal import ROUND_HALF_UP, Decimal

from django import template

from ntm.lib.formatting import vi_number
from ntm.resources.models import ModelKind

register = template.Library()


@register.filter
def percent(ratio) -> str:
    """0,8800 -> "88%"; None -> "—" (nothing planned or allocated)."""
    if ratio is None:
        return "—"
    return vi_number(int((Decimal(ratio) * 100).quantize(Decimal(1), ROUND_HALF_UP))) + "%"


@register.filter
def vnd(value) -> str:
    """Whole đồng with dots for thousands: 1500000 -> "1.500.000"."""
    try:
        value = Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        return "—"
    return vi_number(value.normalize() if value == value.to_integral_value() else value)


@register.filter
def model_label(kind) -> str:
    return str(ModelKind(kind).label) if kind in ModelKind.values else str(kind)
