"""Done-when of issue 13: a province's criterion-level appraisal (Đạt / Chưa đạt per criterion,
no indicator values, no reasons) for 95 communes goes in and the summary equals a hand count."""

import io
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import load_workbook

from ntm.accounts.scope import system_scope
from ntm.assessments.excel import assessments_import, assessments_template
from ntm.assessments.excel.common import SHEET_RESULTS
from ntm.assessments.models import Assessment, CriterionResult, ResultKind, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.reports.selectors import progress_summary

YEAR = 2023


def _appraisal_workbook(cset, units) -> bytes:
    template = assessments_template(
        scope=system_scope(), unit=units.bac_kan, year=YEAR, criteria_set=cset
    )
    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET_RESULTS]
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    columns = [headers.index(f"TC{k}") + 1 for k in range(1, 20)]
    for n, r in enumerate(range(3, ws.max_row + 1)):
        if not ws.cell(r, 1).value:
            continue
        for k, column in enumerate(columns, start=1):
            unmet = n % 4 != 0 and (n * 7 + k * 3) % (2 + n % 5) == 0
            ws.cell(r, column).value = "Chưa đạt" if unmet else "Đạt"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _hand_count(data: bytes) -> dict[str, int]:
    """Criteria met per commune, read back from the workbook as a person would count them."""
    ws = load_workbook(io.BytesIO(data))[SHEET_RESULTS]
    headers = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    columns = [headers.index(f"TC{k}") + 1 for k in range(1, 20)]
    return {
        ws.cell(r, 1).value: sum(1 for c in columns if ws.cell(r, c).value == "Đạt")
        for r in range(3, ws.max_row + 1)
        if ws.cell(r, 1).value
    }


def test_95_communes_of_appraisal_results_without_reasons_go_in_and_add_up(units):
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    data = _appraisal_workbook(cset, units)
    counts = _hand_count(data)
    assert len(counts) == 95

    report = assessments_import(data=data, scope=system_scope(), user=None, state=State.APPROVED)

    assert report.errors == [], [str(e) for e in report.errors[:3]]
    assert (report.created, report.updated) == (95, 0)
    assert Assessment.objects.filter(state=State.APPROVED, year=YEAR).count() == 95
    results = CriterionResult.objects.filter(assessment__year=YEAR)
    assert results.count() == 95 * 19
    assert set(results.values_list("kind", flat=True)) == {ResultKind.APPRAISAL}
    assert not results.exclude(manual_reason="").exists()

    summary = progress_summary(unit=units.bac_kan, year=YEAR, criteria_set=cset)
    assert summary.communes_total == summary.communes_assessed == 95
    average = (Decimal(sum(counts.values())) / 95).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert summary.criteria_met_average.quantize(Decimal("0.01"), ROUND_HALF_UP) == average
    bands = {"19": 0, "15-18": 0, "10-14": 0, "5-9": 0, "<5": 0}
    for met in counts.values():
        bands[cset.band_for(met)] += 1
    assert {k: v for k, v in summary.bands.items() if k in bands} == bands
    assert summary.meets_standard == sum(1 for met in counts.values() if met == 19)
    assert 0 < summary.meets_standard < 95 and len(set(counts.values())) > 3
