from decimal import Decimal

import pytest

from ntm.criteria.engine import criterion_met, indicator_met, threshold_for
from ntm.criteria.models import IndicatorKind, Operator, Threshold


def T(basis="*", value="0", value_max=None, from_year=None, to_year=None):
    return Threshold(
        basis=basis,
        value=Decimal(value),
        value_max=Decimal(value_max) if value_max is not None else None,
        from_year=from_year,
        to_year=to_year,
    )


@pytest.mark.parametrize(
    ("operator", "threshold", "value", "expected"),
    [
        (Operator.GTE, T(value="80"), "80", True),
        (Operator.GTE, T(value="80"), "79.99", False),
        (Operator.LTE, T(value="5"), "5", True),
        (Operator.LTE, T(value="5"), "5.01", False),
        (Operator.EQ, T(value="100"), "100", True),
        (Operator.EQ, T(value="100"), "99", False),
        (Operator.BETWEEN, T(value="10", value_max="20"), "10", True),
        (Operator.BETWEEN, T(value="10", value_max="20"), "20", True),
        (Operator.BETWEEN, T(value="10", value_max="20"), "20.5", False),
        (Operator.BETWEEN, T(value="10", value_max="20"), "9.9", False),
    ],
)
def test_number_indicator_against_threshold(operator, threshold, value, expected):
    assert (
        indicator_met(
            kind=IndicatorKind.NUMBER,
            operator=operator,
            value_bool=None,
            value_number=Decimal(value),
            threshold=threshold,
        )
        is expected
    )


def test_boolean_indicator_is_its_value():
    for value in (True, False, None):
        assert (
            indicator_met(
                kind=IndicatorKind.BOOLEAN,
                operator="",
                value_bool=value,
                value_number=None,
                threshold=None,
            )
            is value
        )


def test_number_without_value_or_threshold_is_undecided():
    kw = {"kind": IndicatorKind.NUMBER, "operator": Operator.GTE, "value_bool": None}
    assert indicator_met(**kw, value_number=None, threshold=T(value="1")) is None
    assert indicator_met(**kw, value_number=Decimal("5"), threshold=None) is None


def test_threshold_by_region_and_year():
    thresholds = [
        T("*", "40", from_year=2022, to_year=2022),
        T("TDMNPB", "36", from_year=2022, to_year=2022),
        T("TDMNPB", "39", from_year=2023, to_year=2023),
        T("DBSH", "55", from_year=2023),
    ]
    assert threshold_for(thresholds, basis="TDMNPB", year=2022).value == Decimal("36")
    assert threshold_for(thresholds, basis="TDMNPB", year=2023).value == Decimal("39")
    assert threshold_for(thresholds, basis="BTB", year=2022).value == Decimal("40")  # general one
    assert threshold_for(thresholds, basis="BTB", year=2023) is None
    assert threshold_for(thresholds, basis="DBSH", year=2030).value == Decimal("55")
    assert threshold_for(thresholds, basis=None, year=2022).value == Decimal("40")


def test_threshold_by_commune_group():
    thresholds = [T("1", "90"), T("2", "80"), T("3", "70")]
    assert threshold_for(thresholds, basis="3", year=2026).value == Decimal("70")
    assert threshold_for(thresholds, basis=None, year=2026) is None


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([True, True], True),
        ([True, False], False),
        ([None, False], False),
        ([True, None], None),
        ([], None),
    ],
)
def test_criterion_is_met_when_all_indicators_are(results, expected):
    assert criterion_met(results) is expected
