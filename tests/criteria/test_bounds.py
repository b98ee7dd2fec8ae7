from decimal import Decimal
from types import SimpleNamespace

import pytest

from ntm.criteria.bounds import bound_for, bounds_problem, check_bounds


def _indicator(unit, code="2.1", name="Tỷ lệ đường được cứng hóa"):
    return SimpleNamespace(code=code, name=name, unit=unit)


@pytest.mark.parametrize(
    ("unit", "name", "low", "high"),
    [
        ("%", "percent", Decimal(0), Decimal(100)),
        ("% hộ", "percent", Decimal(0), Decimal(100)),
        ("triệu đồng/người/năm", "money", Decimal(0), None),
        ("Hộ", "count", Decimal(0), None),
        ("km", "count", Decimal(0), None),
    ],
)
def test_bounds_by_unit(unit, name, low, high):
    bound = bound_for(unit)
    assert (bound.name, bound.min, bound.max) == (name, low, high)


def test_an_unknown_unit_has_no_bound():
    assert bound_for("") is None and bound_for("điểm") is None
    assert bounds_problem(_indicator("điểm"), Decimal(-3)) is None


def test_a_percentage_of_150_is_refused_naming_the_indicator():
    message = bounds_problem(_indicator("%"), Decimal("150"))
    assert message == (
        "Chỉ tiêu 2.1 “Tỷ lệ đường được cứng hóa”: 150 % không hợp lệ; "
        "tỷ lệ phần trăm phải từ 0 đến 100."
    )
    assert bounds_problem(_indicator("%"), Decimal("100")) is None
    assert bounds_problem(_indicator("%"), Decimal("0")) is None
    assert "-0,5" in bounds_problem(_indicator("%"), Decimal("-0.5"))
    assert bounds_problem(_indicator("%"), None) is None


def test_money_and_counts_are_not_negative():
    income = _indicator("triệu đồng/người/năm", "10.1", "Thu nhập bình quân đầu người")
    assert bounds_problem(income, Decimal("1000")) is None
    assert bounds_problem(income, Decimal("-1")).endswith("số tiền phải từ 0 trở lên.")
    with pytest.raises(ValueError, match="số lượng phải từ 0 trở lên"):
        check_bounds(_indicator("hộ", "11.1", "Số hộ nghèo"), Decimal("-2"))
