import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.units.models import Kind, Level, Unit, UnitLink
from ntm.units.selectors import subtree_counts
from ntm.units.services import UnitLoadError, units_load


def test_bac_kan_has_its_real_districts_and_communes(units):
    counts = subtree_counts(units.bac_kan)
    assert (counts.districts, counts.communes, counts.xa) == (8, 108, 95)
    assert units.quan_ha.name == "Xã Quân Hà"
    assert units.quan_ha.parent == units.bach_thong
    assert units.bach_thong.name == "Huyện Bạch Thông"
    assert units.quan_ha.latitude and units.quan_ha.longitude


def test_legacy_units_end_on_30_june_2025_and_new_ones_start_next_day(units):
    assert str(units.bac_kan.valid_to) == "2025-06-30"
    assert units.thai_nguyen.valid_from.isoformat() == "2025-07-01"
    assert units.thai_nguyen.valid_to is None
    # Districts do not exist in the new list: new communes hang directly under the province.
    assert units.quan_ha_successor.parent == units.thai_nguyen
    assert not Unit.objects.filter(level=Level.DISTRICT, valid_to__isnull=True).exists()


def test_old_province_links_to_the_province_that_absorbed_it(units):
    assert UnitLink.objects.filter(old=units.bac_kan, new=units.thai_nguyen).exists()
    assert UnitLink.objects.filter(old=units.lang_son, new=units.lang_son_new).exists()


def test_every_loaded_legacy_commune_links_to_one_default_successor(units):
    legacy = Unit.objects.filter(
        level=Level.COMMUNE, valid_to__isnull=False, path__startswith=units.bac_kan.path
    )
    for commune in legacy:
        defaults = commune.successor_links.filter(is_default=True)
        assert defaults.count() == 1, commune
    split = UnitLink.objects.filter(split=True, old__path__startswith=units.bac_kan.path)
    for old_id in split.values_list("old_id", flat=True).distinct():
        assert UnitLink.objects.filter(old_id=old_id, is_default=True).count() == 1


def test_loading_twice_changes_nothing(units):
    before = (Unit.objects.count(), UnitLink.objects.count(), Unit.history.count())
    result = units_load(province_codes=["06"])
    assert not result.changed
    assert result.unchanged > 0
    assert (Unit.objects.count(), UnitLink.objects.count(), Unit.history.count()) == before


def test_a_changed_name_in_the_catalogue_is_restored_with_history(units):
    Unit.objects.filter(pk=units.quan_ha.pk).update(name="Xã Sai Tên")
    result = units_load(province_codes=["06"])
    assert result.updated == 1
    units.quan_ha.refresh_from_db()
    assert units.quan_ha.name == "Xã Quân Hà"
    assert units.quan_ha.history.first().history_type == "~"


def test_unknown_province_code_writes_nothing(db):
    before = Unit.objects.count()
    with pytest.raises(UnitLoadError, match="99"):
        units_load(province_codes=["06", "99"])
    assert Unit.objects.count() == before


def test_command_exits_non_zero_with_a_clear_message_on_unknown_code(db):
    with pytest.raises(CommandError, match="Không có tỉnh mã 99"):
        call_command("units", "load", "--province", "99", verbosity=0)


def test_command_loads_another_province(db):
    assert not Unit.objects.filter(level=Level.PROVINCE, code="04").exists()
    call_command("units", "load", "--province", "4", verbosity=0)
    cao_bang = Unit.objects.get(level=Level.PROVINCE, code="04", valid_to__isnull=False)
    assert cao_bang.name == "Tỉnh Cao Bằng"
    assert Unit.objects.filter(path__startswith=cao_bang.path, kind=Kind.COMMUNE).count() > 100


def test_paths_nest_children_under_parents(units):
    assert units.quan_ha.path.startswith(units.bach_thong.path)
    assert units.bach_thong.path.startswith(units.bac_kan.path)
    assert units.quan_ha.ancestor_ids() == [units.bac_kan.pk, units.bach_thong.pk]


@pytest.mark.slow
def test_whole_country_loads(db):
    result = units_load(province_codes=None)
    assert Unit.objects.filter(level=Level.PROVINCE, valid_to__isnull=False).count() == 63
    assert Unit.objects.filter(level=Level.PROVINCE, valid_to__isnull=True).count() == 34
    assert Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True).count() == 3321
    assert Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=False).count() == 10035
    assert result.links_created > 10000


def test_provinces_get_their_region_once(units):
    from ntm.units.models import AttributeKind
    from ntm.units.selectors import attribute_value

    assert attribute_value(units.quan_ha, AttributeKind.REGION, 2023) == "TDMNPB"
    assert attribute_value(units.lang_son_commune, AttributeKind.REGION, 2023) == "TDMNPB"
    assert units.bac_kan.attributes.get(kind=AttributeKind.REGION).source.startswith("7 vùng")
    # A region set by hand is not overwritten by a later load.
    units.bac_kan.attributes.filter(kind=AttributeKind.REGION).update(value="DBSH")
    assert units_load(province_codes=["06"]).attributes_created == 0
    assert attribute_value(units.quan_ha, AttributeKind.REGION, 2023) == "DBSH"
