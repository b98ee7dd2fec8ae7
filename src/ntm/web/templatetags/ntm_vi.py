"""vi-VN numbers in templates without trailing zeros: 48,5 (not 48,5000); 12,81; 177.165."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def vi_plain(value, places: int | None = 2) -> str:
    """A number in vi-VN style, rounded to `places` and without trailing zeros; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@register.filter
def vi_num(value, places=2):
    """`{{ x|vi_num }}` (two places at most) or `{{ x|vi_num:0 }}`."""
    try:
        places = None if places in (None, "") else int(places)
    except (TypeError, ValueError):
        places = 2
    return vi_plain(value, places)
