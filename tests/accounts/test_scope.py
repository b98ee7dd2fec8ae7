from ntm.accounts.scope import scope_for
from ntm.units.models import Level, Unit


def test_commune_officer_sees_only_their_commune_subtree(units, users):
    scope = scope_for(users.commune)
    visible = set(scope.units().values_list("pk", flat=True))
    assert visible == {units.quan_ha.pk}
    assert scope.contains(units.quan_ha)
    assert not scope.contains(units.bach_thong)
    assert scope.can_write


def test_district_officer_sees_the_district(units, users):
    scope = scope_for(users.district)
    assert scope.contains(units.quan_ha) and scope.contains(units.bach_thong)
    assert not scope.contains(units.ba_be_commune)
    assert not scope.contains(units.bac_kan)


def test_province_coordinator_does_not_see_another_province(units, users):
    scope = scope_for(users.coordinator)
    assert scope.contains(units.quan_ha) and scope.contains(units.ba_be_commune)
    assert not scope.contains(units.lang_son_commune)
    assert not scope.contains(units.thai_nguyen)


def test_new_province_sees_the_history_of_the_provinces_it_absorbed(units, users):
    scope = scope_for(users.new_province)
    assert scope.contains(units.thai_nguyen)
    assert scope.contains(units.quan_ha)  # legacy Bắc Kạn commune, now part of Thái Nguyên
    assert scope.contains(units.bac_kan)
    assert not scope.contains(units.lang_son_commune)


def test_new_commune_sees_the_old_communes_that_formed_it(units, users):
    scope = scope_for(users.new_commune)
    assert scope.contains(units.quan_ha)
    assert not scope.contains(units.bach_thong)
    assert not scope.contains(units.ba_be_commune)


def test_national_viewer_sees_everything_but_writes_nothing(units, users):
    scope = scope_for(users.national)
    assert scope.everything and not scope.can_write
    assert scope.units().count() == Unit.objects.count()


def test_user_without_unit_sees_nothing(users):
    scope = scope_for(users.no_unit)
    assert scope.is_empty
    assert scope.units().count() == 0


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).units().count() == 0


def test_scope_filters_related_records_through_a_field(units, users):
    from ntm.units.models import UnitLink

    scope = scope_for(users.commune)
    links = scope.filter(UnitLink.objects.all(), field="old")
    assert set(links.values_list("old_id", flat=True)) == {units.quan_ha.pk}
    assert scope.filter(Unit.objects.filter(level=Level.COMMUNE), field="").count() == 1


def test_may_write_is_the_unit_in_write_scope_and_a_role_held(units, users):
    from ntm.accounts.models import Role
    from ntm.accounts.scope import system_scope

    coordinators = {Role.PROVINCE_COORDINATOR}
    district = scope_for(users.district)
    assert district.may_write(units.quan_ha) and district.may_write()
    assert not district.may_write(units.quan_ha, coordinators)  # in scope, wrong role
    assert not district.may_write(units.ba_be_commune)  # outside the district
    assert scope_for(users.coordinator).may_write(units.quan_ha, coordinators)
    assert not scope_for(users.national).may_write(None, None)  # reads everything, writes nothing
    assert system_scope().may_write(units.lang_son_commune, coordinators)  # the command line


def test_require_write_hides_units_outside_scope_and_refuses_the_rest(units, users):
    import pytest
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from ntm.accounts.models import Role

    scope = scope_for(users.district)
    with pytest.raises(Http404):
        scope.require_write(units.ba_be_commune)
    with pytest.raises(PermissionDenied):
        scope.require_write(units.quan_ha, {Role.PROVINCE_COORDINATOR})
    scope.require_write(units.quan_ha, {Role.DISTRICT_OFFICER})


def test_within_is_the_subtree(units):
    from ntm.units.models import within_q

    below = set(Unit.objects.within(units.bach_thong).values_list("pk", flat=True))
    assert units.bach_thong.pk in below and units.quan_ha.pk in below
    assert units.ba_be_commune.pk not in below
    assert Unit.objects.filter(within_q(units.bach_thong, "")).count() == len(below)
