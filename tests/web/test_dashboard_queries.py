"""The province dashboard reads the figures kept on write: a fixed number of queries whatever the
number of xã, and the panels add none for the per-xã figures (they come with the summary)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ntm.accounts.scope import scope_for
from ntm.reports.selectors import average_by_year, progress_summary
from ntm.units.selectors import reference_day
from ntm.web.dashboard import dashboard_panels
from tests.reports.conftest import dataset  # noqa: F401 - the Bắc Kạn results of 2022-2023

PAGE_QUERIES = 34  # session, user, scope, sets, figures, resources, OCOP, plans, map, trend


def test_panels_take_three_queries_and_colour_every_xa(
    units,
    users,
    dataset,  # noqa: F811
    django_assert_num_queries,
):
    summary = progress_summary(unit=units.bac_kan, year=2023)
    truth = {pk: len(met) for (year, pk), met in dataset["truth"].items() if year == 2023}
    assert summary.met_by_unit == truth
    scope = scope_for(users.coordinator)
    # map shapes (none loaded, so the dots' coordinates), the trend, OCOP certificates expiring
    with django_assert_num_queries(4):
        panels = dashboard_panels(summary, scope=scope, day=reference_day(units.bac_kan, 2023))
    assert panels["criteria_total"] == 19
    assert len(panels["dots"]) == sum(1 for c in dataset["communes"] if c.latitude is not None)


def test_average_by_year_equals_the_yearly_summaries(units, dataset):  # noqa: F811
    expected = []
    for year in (2021, 2022, 2023):
        met = [len(m) for (y, _pk), m in dataset["truth"].items() if y == year]
        expected.append(
            (
                year,
                (Decimal(sum(met)) / len(met)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if met
                else None,
            )
        )
    trend = average_by_year(unit=units.bac_kan, criteria_set=dataset["cset"], last_year=2023)
    assert trend == expected and expected[1][1] is not None
    assert trend[2][1] == progress_summary(unit=units.bac_kan, year=2023).criteria_met_average


def test_the_page_takes_a_fixed_number_of_queries(units, users, client_for, dataset):  # noqa: F811
    client = client_for(users.coordinator)
    counts = []
    for year in (2022, 2023):
        url = f"/?unit={units.bac_kan.pk}&year={year}"
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert max(counts) <= PAGE_QUERIES, counts  # 2023 also lists the xã that fell below
