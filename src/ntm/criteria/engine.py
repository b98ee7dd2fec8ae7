"""The evaluation rules: indicator value + threshold -> met; indicators -> criterion; criteria -> standard.

Pure functions over plain values, so that every caller (forms, imports, API, reports) agrees.
`None` means "cannot be decided yet" (no value entered, or no threshold for this commune).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ntm.criteria.models import IndicatorKind, Operator, Threshold


def threshold_for(thresholds: Iterable[Threshold], *, basis: str | None, year: int):
    """The threshold for a commune's region/group in a year; a specific one beats "*"."""
    specific = general = None
    for t in thresholds:
        if not t.holds_in(year):
            continue
        if basis is not None and t.basis == basis:
            specific = t
        elif t.basis == "*":
            general = t
    return specific or general


def compare(operator: str, value: Decimal, threshold: Threshold) -> bool:
    if operator == Operator.GTE:
        return value >= threshold.value
    if operator == Operator.LTE:
        return value <= threshold.value
    if operator == Operator.GT:
        return value > threshold.value
    if operator == Operator.LT:
        return value < threshold.value
    if operator == Operator.EQ:
        return value == threshold.value
    if operator == Operator.BETWEEN:
        upper = threshold.value_max if threshold.value_max is not None else threshold.value
        return threshold.value <= value <= upper
    raise ValueError(f"unknown operator {operator!r}")


def indicator_met(
    *, kind: str, operator: str, value_bool: bool | None, value_number, threshold
) -> bool | None:
    if kind == IndicatorKind.BOOLEAN:
        return value_bool
    if value_number is None or threshold is None or not operator:
        return None
    return compare(operator, Decimal(value_number), threshold)


def criterion_met(indicator_results: Sequence[bool | None]) -> bool | None:
    """Met when every indicator is met; not met as soon as one is not; otherwise undecided."""
    if not indicator_results:
        return None
    if any(r is False for r in indicator_results):
        return False
    if all(r is True for r in indicator_results):
        return True
    return None
