"""vi-VN number style for text output: 12,81; 177.165; +0,36."""

from decimal import Decimal


def vi_number(value, places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-places))
    text = f"{value:,}" if not isinstance(value, Decimal) else f"{value:,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vi_signed(value, places: int = 2) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return sign + vi_number(value, places)
