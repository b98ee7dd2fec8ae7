import datetime

from ntm.accounts.scope import scope_for
from ntm.units import selectors
from ntm.units.models import AttributeKind, Level, Unit
from ntm.units.services import attribute_set


def test_history_sentence_of_a_legacy_commune(units):
    sentence = selectors.unit_history_sentence(units.quan_ha)
    assert sentence.startswith("Xã Quân Hà thuộc huyện Bạch Thông đến 30/06/2025, nay thuộc ")
    assert units.quan_ha_successor.name[:1].lower() + units.quan_ha_successor.name[1:] in sentence
    assert sentence.endswith("tỉnh Thái Nguyên")


def test_history_sentence_of_a_new_commune_lists_what_formed_it(units):
    sentence = selectors.unit_history_sentence(units.quan_ha_successor)
    assert "được thành lập từ 01/07/2025" in sentence
    assert "xã Quân Hà, huyện Bạch Thông" in sentence


def test_search_ignores_diacritics_and_case(users):
    scope = scope_for(users.coordinator)
    names = list(selectors.units_search(scope, text="quan ha").values_list("name", flat=True))
    assert names == ["Xã Quân Hà"]
    assert selectors.units_search(scope, text="QUÂN HÀ").count() == 1
    assert selectors.units_search(scope, text="02005").count() == 1


def test_search_is_limited_to_scope(users):
    assert selectors.units_search(scope_for(users.outsider), text="quan ha").count() == 0


def test_valid_on_filters_by_date(users):
    scope = scope_for(users.national)
    before = selectors.units_search(
        scope, level=Level.PROVINCE, valid_on=datetime.date(2024, 12, 31)
    )
    after = selectors.units_search(scope, level=Level.PROVINCE, valid_on=datetime.date(2025, 7, 1))
    assert set(before.values_list("code", flat=True)) == {"06", "20"}
    assert set(after.values_list("code", flat=True)) == {"19", "20"}
    assert all(u.valid_to is None for u in after)


def test_attribute_is_inherited_from_ancestors_and_bounded_by_years(units):
    attribute_set(unit=units.bac_kan, kind=AttributeKind.BORDER, value="yes", valid_from_year=2021)
    attribute_set(
        unit=units.quan_ha,
        kind=AttributeKind.ETHNIC_ZONE,
        value="III",
        valid_from_year=2021,
        valid_to_year=2022,
    )
    attribute_set(
        unit=units.quan_ha, kind=AttributeKind.ETHNIC_ZONE, value="II", valid_from_year=2023
    )
    assert selectors.attribute_value(units.quan_ha, AttributeKind.BORDER, 2023) == "yes"
    assert selectors.attribute_value(units.quan_ha, AttributeKind.BORDER, 2020) is None
    assert selectors.attribute_value(units.quan_ha, AttributeKind.ETHNIC_ZONE, 2022) == "III"
    assert selectors.attribute_value(units.quan_ha, AttributeKind.ETHNIC_ZONE, 2024) == "II"
    assert selectors.attribute_value(units.ba_be_commune, AttributeKind.ETHNIC_ZONE, 2024) is None


def test_children_are_counted_in_one_query(units, users, django_assert_num_queries):
    scope = scope_for(users.coordinator)
    with django_assert_num_queries(1):
        rows = [
            (c.name, c.children_count, c.xa_count)
            for c in selectors.unit_children(scope, units.bac_kan)
        ]
    assert len(rows) == 8
    assert sum(r[1] for r in rows) == 108
    assert sum(r[2] for r in rows) == 95


def test_commune_points_cover_the_scope(users):
    points = selectors.commune_points(scope_for(users.district), on=datetime.date(2024, 1, 1))
    assert points and all(Unit.objects.get(pk=p.pk).parent.code == "063" for p in points)


def test_counts_for_many_roots_in_one_query(users, django_assert_num_queries):
    scope = scope_for(users.national)
    roots = scope.roots
    with django_assert_num_queries(1):
        many = selectors.subtree_counts_many(roots)
    for root in roots:
        assert many[root.pk] == selectors.subtree_counts(root), root
