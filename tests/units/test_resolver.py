"""A code means a unit at a date (units.resolver)."""

import datetime

from ntm.units.models import Level, Unit
from ntm.units.resolver import resolve_code, resolve_code_in_year, resolve_codes

BEFORE = datetime.date(2021, 3, 15)
AFTER = datetime.date(2026, 3, 15)


def _reused_code():
    """A commune code that names a Bắc Kạn xã until 30/6/2025 and another unit after."""
    legacy = Unit.objects.filter(
        level=Level.COMMUNE, valid_to__isnull=False, path__startswith=_bac_kan().path
    )
    for unit in legacy.order_by("code"):
        later = Unit.objects.filter(level=Level.COMMUNE, code=unit.code, valid_to__isnull=True)
        if later.exists() and later.get().name != unit.name:
            return unit, later.get()
    raise AssertionError("the shipped units have reused codes (01849 and 36 others)")


def _bac_kan():
    return Unit.objects.get(level=Level.PROVINCE, code="06", valid_to__isnull=False)


def test_reused_code_resolves_by_date(units):
    old, new = _reused_code()
    before = resolve_code(old.code, BEFORE, level=Level.COMMUNE)
    after = resolve_code(old.code, AFTER, level=Level.COMMUNE)
    assert before.unit == old
    assert after.unit == new
    assert before.ambiguous and new in before.others
    text = before.describe()
    assert old.name in text and new.name in text and "15/03/2021" in text


def test_code_01849_is_duong_quang_then_phong_quang(units):
    before = resolve_code("01849", BEFORE, level=Level.COMMUNE)
    after = resolve_code("01849", AFTER, level=Level.COMMUNE)
    assert before.unit.name == "Xã Dương Quang"
    assert after.unit.name == "Xã Phong Quang"


def test_unknown_code_and_numbers_from_excel(units):
    missing = resolve_code("99999", BEFORE)
    assert missing.unit is None and "99999" in missing.describe()
    as_number = resolve_code(2005.0, BEFORE, level=Level.COMMUNE)
    assert as_number.unit is None  # "2005" is not "02005": codes are text, the caller pads


def test_in_year_takes_the_units_last_day_when_it_ended_during_the_year(units):
    found = resolve_code_in_year("02005", 2025, level=Level.COMMUNE)
    assert found.unit == units.quan_ha
    assert found.on == datetime.date(2025, 6, 30)


def test_many_pairs_in_one_query(units, django_assert_max_num_queries):
    old, new = _reused_code()
    with django_assert_max_num_queries(1):
        found = resolve_codes([(old.code, BEFORE), (old.code, AFTER), ("02005", BEFORE)])
    assert found[(old.code, BEFORE)].unit == old
    assert found[(old.code, AFTER)].unit == new
    assert found[("02005", BEFORE)].unit == units.quan_ha
