import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from ntm.criteria import services
from ntm.criteria.models import CriteriaSet, Indicator, IndicatorStatus, Threshold
from ntm.criteria.selectors import criteria_sets_summary, criteria_sets_visible

SHIPPED = [
    "NTM-XA-2010",
    "NTM-XA-2016",
    "NTM-XA-2021",
    "NTM-XA-NC-2021",
    "NTM-XA-KM-2021",
    "NTM-HUYEN-2021",
    "NTM-XA-2026",
]


@pytest.fixture
def loaded(db):
    services.criteria_load()
    return {c.code: c for c in CriteriaSet.objects.all()}


def test_every_required_set_ships_with_its_decision(loaded):
    assert set(SHIPPED) <= set(loaded)
    assert loaded["NTM-XA-2021"].decision_number == "318/QĐ-TTg"
    assert loaded["NTM-XA-2021"].decision_date.isoformat() == "2022-03-08"
    assert loaded["NTM-XA-2016"].decision_number == "1980/QĐ-TTg"
    assert loaded["NTM-XA-KM-2021"].decision_number == "319/QĐ-TTg"
    assert loaded["NTM-HUYEN-2021"].decision_number == "320/QĐ-TTg"
    assert loaded["NTM-XA-2026"].decision_number == "51/2025/QĐ-TTg"
    assert loaded["NTM-XA-2026"].threshold_basis == "commune_group"
    assert loaded["NTM-XA-2021"].threshold_basis == "region"


def test_shapes_of_the_sets(loaded):
    counts = {row.code: row.criteria_count for row in criteria_sets_summary()}
    assert counts["NTM-XA-2021"] == counts["NTM-XA-NC-2021"] == counts["NTM-XA-2016"] == 19
    assert counts["NTM-XA-2026"] == 10
    assert counts["NTM-HUYEN-2021"] == 9
    names = list(loaded["NTM-XA-2021"].criteria.values_list("name", flat=True))
    assert names[1] == "Giao thông" and names[18] == "Quốc phòng và An ninh"


def test_unsourced_indicators_say_set_by_province_and_have_no_threshold(loaded):
    unsourced = Indicator.objects.filter(status=IndicatorStatus.SET_BY_PROVINCE)
    assert unsourced.exists()
    assert not Threshold.objects.filter(indicator__in=unsourced).exists()
    assert all(i.source for i in Indicator.objects.all())


def test_the_2010_set_from_491_with_its_sourced_thresholds(loaded, units):
    cset = loaded["NTM-XA-2010"]
    assert (cset.decision_number, cset.period_start, cset.period_end) == ("491/QĐ-TTg", 2010, 2015)
    assert cset.criteria.count() == 19 and cset.level == "ntm"
    poor = Indicator.objects.get(criterion__criteria_set=cset, code="11.1")
    assert poor.operator == "<" and poor.status == IndicatorStatus.NATIONAL
    by_region = {t.basis: t.value for t in poor.thresholds.all()}
    assert by_region == {
        "TDMNPB": 10,
        "DBSH": 3,
        "BTB": 5,
        "DHNTB": 5,
        "TN": 7,
        "DNB": 3,
        "DBSCL": 7,
    }
    assert all("agro.gov.vn" in t.source for t in poor.thresholds.all())
    # a marked placement: the indicator's code is not known, so it says so
    road = Indicator.objects.get(criterion__criteria_set=cset, code="2.x")
    assert "MÃ CHƯA BIẾT" in road.note and road.thresholds.get(basis="TDMNPB").value == 50


def test_strictly_less_than_is_strict():
    from types import SimpleNamespace

    from ntm.criteria.engine import compare

    threshold = SimpleNamespace(value=Decimal("10"), value_max=None)
    assert compare("<", Decimal("9.99"), threshold) and not compare("<", Decimal("10"), threshold)
    assert compare(">", Decimal("10.01"), threshold) and not compare(">", Decimal("10"), threshold)


def test_sourced_thresholds_carry_their_source(loaded):
    income = Indicator.objects.get(criterion__criteria_set=loaded["NTM-XA-2016"], code="10.1")
    assert {t.basis for t in income.thresholds.all()} >= {"TDMNPB", "DBSH"}
    assert all(t.source.startswith("https://") for t in income.thresholds.all())
    health = Indicator.objects.filter(criterion__criteria_set=loaded["NTM-XA-2021"])
    assert list(
        health.filter(criterion__number=15).values_list("code", "status").order_by("position")
    ) == [
        ("15.1", "set_by_province"),
        ("15.2", "set_by_province"),
        ("15.3", "set_by_province"),
        ("15.4", "set_by_province"),
    ]


def test_bands_follow_the_reports(loaded):
    bands = loaded["NTM-XA-2021"].bands
    assert [b["label"] for b in bands] == ["19", "15-18", "10-14", "5-9", "<5"]
    cset = loaded["NTM-XA-2021"]
    assert [cset.band_for(n) for n in (19, 18, 15, 14, 10, 9, 5, 4, 0)] == [
        "19",
        "15-18",
        "15-18",
        "10-14",
        "10-14",
        "5-9",
        "5-9",
        "<5",
        "<5",
    ]


def test_loading_twice_changes_nothing(loaded):
    history = CriteriaSet.history.count() + Indicator.history.count()
    result = services.criteria_load()
    assert result.created == [] and result.updated == []
    assert CriteriaSet.history.count() + Indicator.history.count() == history


def test_validation_names_the_fault():
    data = json.loads(services.shipped_files()["NTM-XA-2021"])
    data["criteria"][1]["indicators"][0]["kind"] = "text"
    with pytest.raises(services.CriteriaDataError, match="kind 'text'"):
        services.validate_set_data(data)
    data = json.loads(services.shipped_files()["NTM-XA-2021"])
    data["bands"] = data["bands"][:-1]
    with pytest.raises(services.CriteriaDataError, match="bands must cover"):
        services.validate_set_data(data)


def test_unknown_code_is_refused(db):
    with pytest.raises(services.CriteriaDataError, match="NOPE"):
        services.criteria_load(codes=["NOPE"])
    assert not CriteriaSet.objects.exists()


def test_list_command_prints_every_set(loaded, capsys):
    call_command("criteria", "list")
    out = capsys.readouterr().out
    for code in SHIPPED:
        assert code in out


def test_province_clones_and_edits_a_set(loaded, units, users):
    clone = services.criteria_set_clone(
        source=loaded["NTM-XA-2021"],
        province=units.bac_kan,
        code="bk-ntm-2021",
        name="Bộ tiêu chí xã NTM tỉnh Bắc Kạn",
        user=users.coordinator,
    )
    assert clone.code == "BK-NTM-2021" and clone.based_on == loaded["NTM-XA-2021"]
    assert clone.criteria.count() == 19
    assert (
        Indicator.objects.filter(criterion__criteria_set=clone).count()
        == Indicator.objects.filter(criterion__criteria_set=loaded["NTM-XA-2021"]).count()
    )
    criterion = clone.criteria.get(number=10)
    indicator = services.indicator_save(
        criterion=criterion,
        code="10.1",
        name="Thu nhập bình quân đầu người",
        kind="number",
        operator=">=",
        unit="triệu đồng/người/năm",
        source="QĐ của UBND tỉnh",
    )
    services.threshold_save(
        indicator=indicator, basis="TDMNPB", value=Decimal("39"), from_year=2023, to_year=2023
    )
    assert indicator.thresholds.get().value == Decimal("39")
    # The national set is untouched.
    assert (
        loaded["NTM-XA-2021"]
        .criteria.get(number=10)
        .indicators.filter(thresholds__value=39)
        .count()
        == 0
    )


def test_shipped_sets_cannot_be_edited(loaded):
    criterion = loaded["NTM-XA-2021"].criteria.get(number=10)
    with pytest.raises(services.CriteriaEditError, match="sao chép"):
        services.indicator_save(criterion=criterion, code="10.9", name="x", kind="boolean")


def test_threshold_checks(loaded, units):
    clone = services.criteria_set_clone(
        source=loaded["NTM-XA-2026"], province=units.bac_kan, code="BK-2026", name=""
    )
    indicator = services.indicator_save(
        criterion=clone.criteria.get(number=2),
        code="2.9",
        name="Tỷ lệ đường",
        kind="number",
        operator="between",
    )
    with pytest.raises(services.CriteriaEditError, match="1, 2, 3"):
        services.threshold_save(
            indicator=indicator, basis="TDMNPB", value=Decimal(1), value_max=Decimal(2)
        )
    with pytest.raises(services.CriteriaEditError, match="ngưỡng trên"):
        services.threshold_save(
            indicator=indicator, basis="1", value=Decimal(5), value_max=Decimal(2)
        )
    with pytest.raises(services.CriteriaEditError, match="cấp tỉnh"):
        services.criteria_set_clone(
            source=loaded["NTM-XA-2026"], province=units.bach_thong, code="X", name=""
        )


def test_provincial_sets_are_scoped(loaded, units, users):
    from ntm.accounts.scope import scope_for

    services.criteria_set_clone(
        source=loaded["NTM-XA-2021"], province=units.bac_kan, code="BK-1", name=""
    )
    assert criteria_sets_visible(scope_for(users.coordinator)).filter(code="BK-1").exists()
    assert not criteria_sets_visible(scope_for(users.outsider)).filter(code="BK-1").exists()
    assert criteria_sets_visible(scope_for(users.outsider)).filter(code="NTM-XA-2021").exists()
