"""Numbers as people type them in Vietnam ("72,5", "1.234,5") or as Excel stores them.

Kept apart from ntm.excel so that forms and services read numbers without loading openpyxl."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class CellValueError(ValueError):
    """A cell's value cannot be read as the expected type; the message is for the user."""


_MAX_NUMBER = Decimal(10) ** 12


def parse_vi_number(raw, *, places: int = 4) -> Decimal | None:
    """A number from a cell: an Excel number, or text written the vi-VN way ("72,5",
    "1.234,5") or with a decimal point ("72.5"). Blank -> None. Rounded to `places`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool | datetime.date):
        raise CellValueError(_("“%(raw)s” không phải là số.") % {"raw": raw})
    if isinstance(raw, int | float | Decimal):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if "," in text:  # vi-VN: the dot groups thousands, the comma is the decimal sign
            text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CellValueError(_("“%(raw)s” không phải là số.") % {"raw": raw}) from exc
    if not value.is_finite() or abs(value) >= _MAX_NUMBER:
        raise CellValueError(_("“%(raw)s” không phải là số hợp lệ.") % {"raw": raw})
    value = value.quantize(Decimal(1).scaleb(-places))
    if abs(value) >= _MAX_NUMBER:
        raise CellValueError(_("“%(raw)s” không phải là số hợp lệ.") % {"raw": raw})
    return value
