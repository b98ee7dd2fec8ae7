"""The plausible range of an indicator's value, by its unit of measure (data: data/bounds.json).

One check for every path that takes a value (the page, the API, the Excel import): a percentage
of 150 or a negative count is refused with a message naming the indicator.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Bound:
    name: str
    label: str
    min: Decimal | None
    max: Decimal | None


def vi_number(value: Decimal) -> str:
    """150, 72,5: the number as typed in Vietnamese (criteria sits below reports' formatting)."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def _number(raw) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


@cache
def _rules() -> tuple[tuple[frozenset, tuple, Bound], ...]:
    text = resources.files("ntm.criteria").joinpath("data", "bounds.json").read_text("utf-8")
    return tuple(
        (
            frozenset(u.casefold() for u in rule["units"]),
            tuple(c.casefold() for c in rule["contains"]),
            Bound(rule["name"], rule["label"], _number(rule["min"]), _number(rule["max"])),
        )
        for rule in json.loads(text)["rules"]
    )


def bound_for(unit: str) -> Bound | None:
    """The bound of a unit of measure ("%", "triệu đồng/người/năm", "km" …), or None."""
    key = (unit or "").strip().casefold()
    if not key:
        return None
    for exact, parts, bound in _rules():
        if key in exact or any(p in key for p in parts):
            return bound
    return None


def bounds_problem(indicator, value: Decimal | None) -> str | None:
    """Why `value` cannot be the indicator's value (a message naming it), or None."""
    if value is None:
        return None
    bound = bound_for(indicator.unit)
    if bound is None:
        return None
    low_ok = bound.min is None or value >= bound.min
    high_ok = bound.max is None or value <= bound.max
    if low_ok and high_ok:
        return None
    values = {
        "code": indicator.code,
        "name": indicator.name,
        "value": vi_number(value),
        "unit": indicator.unit,
        "kind": bound.label,
        "min": vi_number(bound.min) if bound.min is not None else "",
        "max": vi_number(bound.max) if bound.max is not None else "",
    }
    if bound.max is None:
        return (
            _(
                "Chỉ tiêu %(code)s “%(name)s”: %(value)s %(unit)s không hợp lệ; %(kind)s phải từ %(min)s trở lên."
            )
            % values
        )
    return (
        _(
            "Chỉ tiêu %(code)s “%(name)s”: %(value)s %(unit)s không hợp lệ; %(kind)s phải từ %(min)s đến %(max)s."
        )
        % values
    )


def check_bounds(indicator, value: Decimal | None, *, error: type[Exception] = ValueError) -> None:
    """Raise `error` with the message of `bounds_problem` when the value is out of bounds."""
    problem = bounds_problem(indicator, value)
    if problem:
        raise error(problem)
