"""A code means a unit at a date: the one resolver every import, form, API filter and command uses.

Since 1/7/2025 many commune codes name a different unit than before (01849 was Xã Dương Quang,
Bắc Kạn, until 30/6/2025 and is Xã Phong Quang, Thái Nguyên, after). A lookup therefore always
takes the date of the record it serves: the assessment year's reference day, the council or
decision date, the certificate date, the funding year's last day.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ntm.units.models import Unit


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def validity_text(unit: Unit) -> str:
    """ "đến 30/06/2025", "từ 01/07/2025", "01/01/2020 – 30/06/2025" or "" (always valid)."""
    if unit.valid_from and unit.valid_to:
        return f"{_day(unit.valid_from)} – {_day(unit.valid_to)}"
    if unit.valid_to:
        return _("đến %(date)s") % {"date": _day(unit.valid_to)}
    if unit.valid_from:
        return _("từ %(date)s") % {"date": _day(unit.valid_from)}
    return ""


def _label(unit: Unit) -> str:
    parent = f", {unit.parent.name}" if unit.parent_id and unit.parent else ""
    span = validity_text(unit)
    return f"{unit.name}{parent} ({span})" if span else f"{unit.name}{parent}"


def _valid_on(unit: Unit, day: datetime.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to >= day
    )


@dataclass(frozen=True)
class Resolved:
    """What a code meant on a day: the unit taken (or None) and the other units of that code."""

    code: str
    on: datetime.date
    unit: Unit | None
    others: tuple[Unit, ...] = field(default_factory=tuple)

    @property
    def ambiguous(self) -> bool:
        """The code names different units at different dates (a message should say which)."""
        return bool(self.others)

    def taking(self, unit: Unit | None) -> "Resolved":
        """The same lookup with `unit` taken (a caller that chose another unit of the code,
        valid at some time of the record's year), so that messages name what was taken."""
        if unit is None or unit == self.unit:
            return self
        units = [u for u in (self.unit, *self.others) if u is not None and u != unit]
        return Resolved(code=self.code, on=self.on, unit=unit, others=tuple(units))

    def describe(self) -> str:
        """A sentence for messages: the unit taken, the date used and the other unit(s)."""
        if self.unit is None:
            text = _("Mã %(code)s không ứng với đơn vị nào vào ngày %(date)s") % {
                "code": self.code,
                "date": _day(self.on),
            }
        else:
            text = _("Mã %(code)s vào ngày %(date)s là %(unit)s") % {
                "code": self.code,
                "date": _day(self.on),
                "unit": _label(self.unit),
            }
        if self.others:
            text += "; " + _("cùng mã ở thời điểm khác: %(units)s") % {
                "units": "; ".join(_label(u) for u in self.others)
            }
        return text


def _candidates(codes: Iterable[str], *, level: int | None, kind: str | None):
    qs = Unit.objects.filter(code__in=set(codes)).select_related("parent")
    if level is not None:
        qs = qs.filter(level=level)
    if kind is not None:
        qs = qs.filter(kind=kind)
    by_code: dict[str, list[Unit]] = defaultdict(list)
    for unit in qs.order_by("level", "valid_from", "pk"):
        by_code[unit.code].append(unit)
    return by_code


def _pick(code: str, day: datetime.date, units: list[Unit]) -> Resolved:
    valid = [u for u in units if _valid_on(u, day)]
    taken = valid[0] if valid else None
    others = tuple(u for u in units if u is not taken)
    return Resolved(code=code, on=day, unit=taken, others=others)


def clean_code(code) -> str:
    """Codes arrive as text, numbers (Excel drops leading zeros) or with spaces."""
    if code is None:
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code).strip()


def resolve_code(
    code, on: datetime.date, *, level: int | None = None, kind: str | None = None
) -> Resolved:
    """The unit a code named on a day (`level`, `kind` narrow the search)."""
    code = clean_code(code)
    units = _candidates([code], level=level, kind=kind).get(code, []) if code else []
    return _pick(code, on, units)


def resolve_codes(
    pairs: Iterable[tuple[str, datetime.date]],
    *,
    level: int | None = None,
    kind: str | None = None,
) -> dict[tuple[str, datetime.date], Resolved]:
    """`resolve_code` for many (code, day) pairs in one query (importers)."""
    pairs = [(clean_code(c), d) for c, d in pairs]
    by_code = _candidates([c for c, _ in pairs if c], level=level, kind=kind)
    return {(c, d): _pick(c, d, by_code.get(c, [])) for c, d in pairs}


def year_day(year: int) -> datetime.date:
    """The reference day of a year's records when no better date is known: 31/12 of the year.
    (A unit that ended during the year is looked up on its last day by the callers that know
    the unit; a bare code cannot know that, so 31/12 first, then any day of the year.)"""
    return datetime.date(year, 12, 31)


def resolve_code_in_year(
    code, year: int, *, level: int | None = None, kind: str | None = None
) -> Resolved:
    """The unit of a code in a year: the one valid on 31/12, else the one valid latest in the
    year (Bắc Kạn's communes in 2025 ended on 30/6 and are still the 2025 records' units)."""
    code = clean_code(code)
    end = year_day(year)
    found = resolve_code(code, end, level=level, kind=kind)
    if found.unit is not None or not code:
        return found
    start = datetime.date(year, 1, 1)
    units = list(found.others)
    in_year = [
        u
        for u in units
        if (u.valid_from is None or u.valid_from <= end)
        and (u.valid_to is None or u.valid_to >= start)
    ]
    if not in_year:
        return found
    taken = max(in_year, key=lambda u: u.valid_to or end)
    return Resolved(
        code=code,
        on=min(end, taken.valid_to or end),
        unit=taken,
        others=tuple(u for u in units if u is not taken),
    )
