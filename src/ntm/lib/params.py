"""Query-string values read safely: bad input gives a default or a 404, never a server error."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404

MIN_YEAR, MAX_YEAR = 2000, 2100


def default_year() -> int:
    return datetime.date.today().year - 1


def year_param(raw, default: int | None = None) -> int:
    """A year between 2000 and 2100; anything else falls back to the default (last year)."""
    fallback = default if default is not None else default_year()
    try:
        year = int(str(raw).strip()) if raw not in (None, "") else fallback
    except (TypeError, ValueError):
        return fallback
    return year if MIN_YEAR <= year <= MAX_YEAR else fallback


def int_param(raw) -> int | None:
    """A plain ASCII integer, or None ("²" passes str.isdigit but is not a number)."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def object_param(model, raw):
    """The object whose id is in the query string, or 404 (also for ids that are not numbers)."""
    pk = int_param(raw)
    if pk is None:
        raise Http404
    return get_object_or_404(model, pk=pk)
