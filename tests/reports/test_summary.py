"""The figures against an independent computation on a generated dataset (not the same code path)."""

import json
from decimal import ROUND_HALF_UP, Decimal

from django.core.management import call_command
from rest_framework.test import APIClient

from ntm.reports.selectors import average_by_year, progress_summary
from ntm.units.models import Kind, Unit


def _avg(values):
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _band(n):
    return (
        "19"
        if n == 19
        else "15-18"
        if n >= 15
        else "10-14"
        if n >= 10
        else "5-9"
        if n >= 5
        else "<5"
    )


def test_summary_equals_an_independent_count(units, dataset):
    s = progress_summary(unit=units.bac_kan, year=2023)
    truth = dataset["truth"]
    t2023 = [len(v) for (y, _), v in truth.items() if y == 2023]
    t2022 = [len(v) for (y, _), v in truth.items() if y == 2022]
    assert s.criteria_set == dataset["cset"]
    assert s.communes_total == 95
    assert s.communes_assessed == len(t2023)
    assert s.criteria_met_average == _avg(t2023)
    assert s.criteria_met_average_change == _avg(t2023) - _avg(t2022)
    expected_bands = {label: 0 for label in ["19", "15-18", "10-14", "5-9", "<5"]}
    for n in t2023:
        expected_bands[_band(n)] += 1
    assert s.bands == expected_bands
    for number in (1, 10, 19):
        expected = sum(1 for (y, _), met in truth.items() if y == 2023 and number in met)
        assert (
            next(a for a in s.criteria_attainment if a["criterion"] == f"TC{number}")["met"]
            == expected
        )
    assert s.recognised_new.get("ntm", 0) == len(dataset["r2023"])
    assert s.revoked.get("ntm", 0) == len(dataset["revoked"])
    assert s.recognised_total.get("ntm", 0) == len(dataset["r2022"]) + len(dataset["r2023"]) - len(
        dataset["revoked"]
    )
    # Communes holding the standard whose 2023 result no longer meets it.
    held = {c.pk for c in dataset["r2022"] + dataset["r2023"]} - {c.pk for c in dataset["revoked"]}
    fell = sorted(
        c.code
        for c in dataset["communes"]
        if c.pk in held and (2023, c.pk) in truth and len(truth[(2023, c.pk)]) < 19
    )
    assert [u["code"] for u in s.fell_below] == fell
    # Districts with no recognised commune.
    held_districts = {c.parent_id for c in dataset["communes"] if c.pk in held}
    without = sorted(
        d.code
        for d in units.bac_kan.children.all()
        if d.pk not in held_districts and d.children.filter(kind="xa").exists()
    )
    assert sorted(u["code"] for u in s.subunits_without_recognition) == without


def test_district_scope_and_the_year_before_the_reorganisation(units, dataset):
    s = progress_summary(unit=units.bach_thong, year=2023)
    xa = set(units.bach_thong.children.filter(kind="xa").values_list("pk", flat=True))
    t = [len(v) for (y, pk), v in dataset["truth"].items() if y == 2023 and pk in xa]
    assert s.communes_total == len(xa) and s.communes_assessed == len(t)
    assert s.criteria_met_average == _avg(t)


def test_after_the_district_level_ended_old_communes_are_not_counted(units, dataset):
    """In 2026 Bắc Kạn no longer exists: its old communes are not in the new hierarchy."""
    s = progress_summary(unit=units.thai_nguyen, year=2026, criteria_set=dataset["cset"])
    assert s.communes_assessed == 0
    assert (
        s.communes_total == Unit.objects.filter(parent=units.thai_nguyen, kind=Kind.COMMUNE).count()
    )


def test_no_data_year_gives_empty_figures_not_errors(units, dataset):
    s = progress_summary(unit=units.bac_kan, year=2021)
    assert (
        s.communes_assessed == 0
        and s.criteria_met_average is None
        and s.criteria_met_average_change is None
    )


def test_command_json_and_text(units, dataset, capsys):
    call_command("report", "summary", "--unit", "06", "--year", "2023", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    for key in (
        "communes_assessed",
        "criteria_met_average",
        "criteria_met_average_change",
        "bands",
        "recognised_new",
        "recognised_total",
        "targets",
        "subunits_without_recognition",
        "criteria_attainment",
    ):
        assert key in data
    assert (
        data["communes_assessed"]
        == progress_summary(unit=units.bac_kan, year=2023).communes_assessed
    )
    call_command("report", "summary", "--unit", "06", "--year", "2023", "--format", "text")
    text = capsys.readouterr().out
    average = progress_summary(unit=units.bac_kan, year=2023).criteria_met_average
    assert f"Bình quân {str(average).replace('.', ',')} tiêu chí/xã" in text


def test_api_matches_and_is_scoped(units, users, dataset):
    api = APIClient()
    api.force_authenticate(users.coordinator)
    data = api.get("/api/v1/reports/summary/", {"unit": "06", "year": 2023}).json()
    assert (
        data["communes_assessed"]
        == progress_summary(unit=units.bac_kan, year=2023).communes_assessed
    )
    api.force_authenticate(users.outsider)
    assert api.get("/api/v1/reports/summary/", {"unit": "06", "year": 2023}).status_code == 404
    assert api.get("/api/v1/reports/summary/", {"unit": "06", "year": "x"}).status_code == 400


def test_summary_query_count_is_bounded(units, dataset, django_assert_max_num_queries):
    """A fixed number of queries (criteria, OCOP, resources figures), whatever the communes."""
    with django_assert_max_num_queries(26):
        progress_summary(unit=units.bac_kan, year=2023)
    with django_assert_max_num_queries(26):
        progress_summary(unit=units.bach_thong, year=2023)


def test_average_by_year_equals_each_years_summary_in_one_query(
    units, dataset, django_assert_num_queries
):
    cset = dataset["cset"]
    with django_assert_num_queries(1):
        rows = average_by_year(unit=units.bac_kan, criteria_set=cset, last_year=2023)
    assert [year for year, _ in rows] == [2021, 2022, 2023]
    for year, average in rows:
        expected = progress_summary(unit=units.bac_kan, year=year, criteria_set=cset)
        assert average == expected.criteria_met_average
    assert rows[0][1] is None and rows[2][1] is not None
