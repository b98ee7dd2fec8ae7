"""The annual report (Word, PDF, Excel tables) written in the background."""

from django.utils.translation import gettext as _

from ntm.criteria.models import CriteriaSet
from ntm.excel import XLSX
from ntm.jobs.kinds import Outcome
from ntm.reports.annual import DOCX, annual_report, report_filename
from ntm.reports.pdf import docx_to_pdf
from ntm.reports.word import report_docx
from ntm.reports.workbook import report_workbook

FORMATS = ("docx", "pdf", "xlsx")


def _report(job, progress):
    progress(0, 3, _("Đang tính số liệu…"))
    code = job.params.get("set") or ""
    chosen = CriteriaSet.objects.filter(code=code).first() if code else None
    report = annual_report(unit=job.unit, year=int(job.params["year"]), criteria_set=chosen)
    progress(1, 3, _("Đang viết tệp…"))
    return report


def report_docx_job(job, progress) -> Outcome:
    report = _report(job, progress)
    data = report_docx(report)
    progress(3, 3)
    return Outcome(data, report_filename(report, ".docx"), DOCX)


def report_pdf_job(job, progress) -> Outcome:
    report = _report(job, progress)
    data = report_docx(report)
    progress(2, 3, _("Đang chuyển sang PDF…"))
    pdf = docx_to_pdf(data)
    progress(3, 3)
    return Outcome(pdf, report_filename(report, ".pdf"), "application/pdf")


def report_xlsx_job(job, progress) -> Outcome:
    report = _report(job, progress)
    data = report_workbook(report)
    progress(3, 3)
    return Outcome(data, report_filename(report, "-bieu.xlsx"), XLSX)
