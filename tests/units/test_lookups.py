"""`path__startswith` (ntm/units/lookups.py): the same rows as a prefix test, through the path
index on SQLite (a range), as LIKE on PostgreSQL."""

from django.db import connection

from ntm.accounts.models import User
from ntm.units.models import Level, Unit


def _expected(prefix: str) -> set[int]:
    return {pk for pk, path in Unit.objects.values_list("pk", "path") if path.startswith(prefix)}


def test_subtree_filter_returns_exactly_the_units_under_the_prefix(units):
    paths = [units.bac_kan.path, units.bach_thong.path, units.quan_ha.path, units.lang_son.path]
    paths += list(Unit.objects.filter(level=Level.DISTRICT).values_list("path", flat=True)[:20])
    # prefixes that are not a whole path too: "/1" is followed by "/1/", "/10/", "/123/"...
    paths += [units.bac_kan.path[:-1], "/1", "/"]
    for prefix in paths:
        found = set(Unit.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
        assert found == _expected(prefix), prefix
        assert found, prefix
        rest = set(Unit.objects.exclude(path__startswith=prefix).values_list("pk", flat=True))
        assert rest == set(Unit.objects.values_list("pk", flat=True)) - found, prefix
    assert units.quan_ha.pk in _expected(units.bach_thong.path)
    assert not Unit.objects.filter(path__startswith=units.bac_kan.path + "0").exists()


def test_subtree_filter_through_a_relation(make_user, units):
    inside = make_user(unit=units.quan_ha)
    outside = make_user(unit=units.lang_son_commune)
    found = set(User.objects.filter(unit__path__startswith=units.bac_kan.path))
    assert inside in found
    assert outside not in found


def test_sqlite_uses_a_range_postgresql_like(units):
    sql = str(Unit.objects.filter(path__startswith=units.bac_kan.path).query)
    if connection.vendor == "sqlite":
        assert '"units_unit"."path" >= ' in sql and '"units_unit"."path" < ' in sql
        assert "LIKE" not in sql
    else:
        assert "LIKE" in sql
