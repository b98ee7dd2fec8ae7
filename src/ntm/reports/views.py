"""The annual report in the browser (print view) and as Word, Excel or PDF downloads."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.criteria.selectors import criteria_sets_visible
from ntm.excel import XLSX
from ntm.lib.params import object_param, year_param
from ntm.reports.annual import DOCX, annual_report, report_filename
from ntm.reports.charts import bar_chart
from ntm.reports.document import Chart, Heading, Paragraph, Table, cell_text
from ntm.reports.pdf import PdfUnavailable, docx_to_pdf, libreoffice
from ntm.reports.word import report_docx
from ntm.reports.workbook import report_workbook
from ntm.units.models import Unit


def report_query(*, unit: Unit | None, year: int, set_code: str = "") -> str:
    """The query string of the report links (the dashboard builds its buttons with it)."""
    params = {"year": year}
    if unit is not None:
        params["unit"] = unit.pk
    if set_code:
        params["set"] = set_code
    return urlencode(params)


def pdf_available() -> bool:
    return libreoffice() is not None


def _report(request):
    """The report the query asks for, within the user's scope: a unit they may read, or the
    whole country for national users (no unit given)."""
    scope = scope_for(request.user)
    year = year_param(request.GET.get("year"))
    if request.GET.get("unit"):
        unit = scope.require(object_param(Unit, request.GET["unit"]))
    elif scope.everything:
        unit = None
    else:
        raise PermissionDenied
    chosen = None
    if unit is not None and request.GET.get("set"):
        chosen = criteria_sets_visible(scope).filter(code=request.GET["set"]).first()
    return annual_report(unit=unit, year=year, criteria_set=chosen), unit


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def annual_print(request):
    report, unit = _report(request)
    blocks = [_html_block(b) for b in report.blocks]
    annexes = [(a.title, [_html_block(b) for b in a.blocks]) for a in report.annexes]
    query = report_query(unit=unit, year=report.year, set_code=request.GET.get("set", ""))
    return render(
        request,
        "reports/annual_print.html",
        {
            "report": report,
            "blocks": blocks,
            "annexes": annexes,
            "query": query,
            "pdf_available": pdf_available(),
            "today": datetime.date.today(),
        },
    )


def _html_block(block) -> dict:
    if isinstance(block, Heading):
        return {"kind": "heading", "level": block.level, "text": block.text}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "placeholder": block.placeholder}
    if isinstance(block, Chart):
        svg = bar_chart(block.bars, max_value=block.max_value, unit=block.unit, label_width=60)
        return {"kind": "chart", "title": block.title, "svg": svg}
    assert isinstance(block, Table)
    rows = [[(cell_text(v), _is_number(v)) for v in row] for row in block.rows]
    total = [(cell_text(v) if v is not None else "", _is_number(v)) for v in block.total or []]
    return {
        "kind": "table",
        "key": block.key,
        "title": block.title,
        "columns": block.columns,
        "rows": rows,
        "total": total,
        "unit_note": block.unit_note,
        "landscape": block.landscape,
    }


def _is_number(value) -> bool:
    return not isinstance(value, bool) and type(value).__name__ in ("int", "float", "Decimal")


@login_required
@require_safe
def annual_docx(request):
    report, _unit = _report(request)
    return _download(report_docx(report), DOCX, report_filename(report, ".docx"))


@login_required
@require_safe
def annual_pdf(request):
    report, _unit = _report(request)
    try:
        data = docx_to_pdf(report_docx(report))
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _download(data, "application/pdf", report_filename(report, ".pdf"))


@login_required
@require_safe
def tables_xlsx(request):
    report, _unit = _report(request)
    return _download(report_workbook(report), XLSX, report_filename(report, "-bieu.xlsx"))
