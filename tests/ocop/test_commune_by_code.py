"""The OCOP subject and product forms read a commune code at the record's date.

01849 is Xã Dương Quang (Bắc Kạn) until 30/6/2025 and Xã Phong Quang (Thái Nguyên) after."""

import datetime

import pytest

from ntm.accounts.scope import scope_for
from ntm.ocop.selectors import commune_by_code
from ntm.units.models import Level, Unit

CODE = "01849"


@pytest.fixture
def reused(units):
    units = Unit.objects.filter(code=CODE, level=Level.COMMUNE)
    return units.get(valid_to__isnull=False), units.get(valid_to__isnull=True)


def test_a_new_record_takes_the_commune_the_code_names_today(reused):
    old, new = reused
    assert commune_by_code(CODE) == new
    assert commune_by_code(CODE, on=datetime.date(2020, 5, 1)) == old


def test_an_edited_record_keeps_its_ended_commune_when_the_code_is_unchanged(reused):
    old, new = reused
    assert commune_by_code(f" {CODE} ", keep=old) == old
    assert commune_by_code("01849", keep=new) == new


def test_the_commune_must_be_in_the_users_scope(reused, users):
    old, new = reused
    # Bắc Kạn's coordinator (until 30/6/2025): today the code is a Thái Nguyên xã, not theirs
    assert commune_by_code(CODE, scope_for(users.coordinator)) is None
    assert commune_by_code(CODE, scope_for(users.coordinator), keep=old) == old
    assert commune_by_code(CODE, scope_for(users.new_province)) == new
    assert commune_by_code(CODE, scope_for(users.outsider), keep=old) is None
    assert commune_by_code("99999") is None


def test_a_code_that_names_no_unit_today_falls_back_to_its_latest_unit(units):
    ended = units.quan_ha  # ended on 30/6/2025, its code not reused
    assert commune_by_code(ended.code) == ended
