"""The dashboard of a national user: every province side by side, sortable on the server."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from ntm.assessments.figures import figures_rebuild
from ntm.assessments.models import Assessment, Recognition, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.lib.formatting import vi_number
from ntm.reports.selectors import national_summary
from ntm.units.models import Kind, Level, Unit
from ntm.web.dashboard import national_panels


@pytest.fixture
def results(units):
    """Every xã of Bắc Kạn meets 12 criteria in 2023, every xã of Lạng Sơn 15 (two recognised)."""
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    rows = []
    for province, met in ((units.bac_kan, 12), (units.lang_son, 15)):
        for commune in Unit.objects.filter(
            level=Level.COMMUNE, kind=Kind.COMMUNE, parent__parent=province
        ):
            rows.append(
                Assessment(
                    unit=commune,
                    year=2023,
                    criteria_set=cset,
                    state=State.APPROVED,
                    criteria_met=met,
                )
            )
    Assessment.objects.bulk_create(rows)
    for n, commune in enumerate(
        Unit.objects.filter(kind=Kind.COMMUNE, parent__parent=units.lang_son).order_by("code")[:2]
    ):
        Recognition.objects.create(
            unit=commune,
            level="ntm",
            criteria_set=cset,
            year=2023,
            decision_number=f"{n}/QĐ-UBND",
            decision_date="2023-12-20",
        )
    figures_rebuild()  # the assessments were bulk-written: no refresh saw them
    return cset


def _row(body: str, code: str) -> str:
    return re.search(rf'<tr data-code="{code}">(.*?)</tr>', body, re.S).group(1)


def test_national_viewer_sees_provinces_side_by_side(units, users, client_for, results):
    body = client_for(users.national).get("/?year=2023").content.decode()
    figures = {r["code"]: r for r in national_summary(year=2023)}
    assert 'id="provinces"' in body
    bac_kan, lang_son = _row(body, "06"), _row(body, "20")
    assert f'href="?unit={units.bac_kan.pk}&year=2023"' in bac_kan and "Tỉnh Bắc Kạn" in bac_kan
    assert f'href="?unit={units.lang_son.pk}&year=2023"' in lang_son
    assert ">12<" in bac_kan and ">15<" in lang_son  # vi-VN, no trailing zeros
    assert f'<td class="num">{figures["06"]["assessed"]}</td>' in bac_kan
    assert f'<td class="num">{figures["20"]["assessed"]}</td>' in lang_son
    assert figures["20"]["recognised_total"] == {"ntm": 2}
    assert '<svg class="chart"' in body and "<title>Tỉnh Lạng Sơn: 15</title>" in body
    # Other users keep their own dashboard.
    coordinator = client_for(users.coordinator).get("/?year=2023").content.decode()
    assert 'id="provinces"' not in coordinator and 'id="kpi-average"' in coordinator


def test_sorted_by_the_server(users, client_for, results):
    client = client_for(users.national)
    by_average = client.get("/?year=2023&sort=-average").content.decode()
    assert by_average.index('data-code="20"') < by_average.index('data-code="06"')
    assert 'sort=average"' in by_average  # the header link now sorts the other way
    by_code = client.get("/?year=2023&sort=code").content.decode()
    assert by_code.index('data-code="06"') < by_code.index('data-code="20"')
    assert client.get("/?year=2023&sort=%3Cscript%3E").status_code == 200


def test_drill_down_from_the_national_table(units, users, client_for, results):
    body = client_for(users.national).get(f"/?unit={units.lang_son.pk}&year=2023").content.decode()
    assert 'id="kpi-average">15<' in body


def test_national_page_queries_are_bounded(
    users, client_for, results, django_assert_max_num_queries
):
    client = client_for(users.national)
    with django_assert_max_num_queries(12):
        client.get("/?year=2023")


def test_the_country_row_averages_every_xa_counted(units, users, client_for, results):
    """The total row's average weighs each province by its xã assessed (not a mean of means),
    from the exact sums; with provinces on different sets it stays empty."""
    rows = national_summary(year=2023)
    bac_kan = next(r for r in rows if r["code"] == "06")
    lang_son = next(r for r in rows if r["code"] == "20")
    assert (bac_kan["criteria_met_total"], lang_son["criteria_met_total"]) == (
        12 * bac_kan["assessed"],
        15 * lang_son["assessed"],
    )
    expected = Decimal(12 * bac_kan["assessed"] + 15 * lang_son["assessed"]) / Decimal(
        bac_kan["assessed"] + lang_son["assessed"]
    )
    totals = national_panels(rows, sort=None)["national_totals"]
    assert totals["criteria_met_average"] == expected.quantize(Decimal("0.01"), ROUND_HALF_UP)
    body = client_for(users.national).get("/?year=2023").content.decode()
    footer = re.search(r"<tfoot>(.*?)</tfoot>", body, re.S).group(1)
    assert vi_number(totals["criteria_met_average"]) in footer
    lang_son["criteria_set"] = "NTM-XA-OTHER"
    assert national_panels(rows, sort=None)["national_totals"]["criteria_met_average"] is None
