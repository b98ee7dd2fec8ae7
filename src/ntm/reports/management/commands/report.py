import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet
from ntm.lib.formatting import vi_number
from ntm.reports.selectors import APPROVED, PROVISIONAL, progress_summary
from ntm.units.selectors import unit_by_code


class Command(BaseCommand):
    help = (
        "Reports: `ntm report summary --unit 06 --year 2023 [--set CODE] --format json|text`; "
        "`ntm report annual --unit 06 --year 2023 -o bao-cao.docx [--pdf]` (no --unit: the "
        "national report); `ntm report tables --unit 06 --year 2023 -o bieu.xlsx`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        summary = sub.add_parser("summary", help="Progress figures for a unit and year")
        summary.add_argument("--unit", required=True, help="unit code (e.g. 06)")
        summary.add_argument("--year", type=int, required=True)
        summary.add_argument("--set", dest="set_code")
        summary.add_argument("--format", choices=["json", "text"], default="text")
        summary.add_argument(
            "--provisional",
            action="store_true",
            help="working figures: every result entered, approved or not (default: approved only)",
        )
        for name, help_text in (
            ("annual", "The annual report as Word (and PDF with --pdf)"),
            ("tables", "The report's tables (biểu) as Excel"),
        ):
            doc = sub.add_parser(name, help=help_text)
            doc.add_argument("--unit", help="unit code (e.g. 06); omitted: the whole country")
            doc.add_argument("--year", type=int, required=True)
            doc.add_argument("--set", dest="set_code")
            doc.add_argument("-o", "--output", required=True)
            doc.add_argument("--date", help="date of the report, dd/mm/yyyy (default: today)")
            if name == "annual":
                doc.add_argument("--pdf", action="store_true", help="also write a PDF beside it")

    def handle(self, *args, action, **options):
        if action in ("annual", "tables"):
            return self._document(action, **options)
        return self._summary(**options)

    def _document(self, action, *, unit, year, set_code, output, date, **options):
        from ntm.reports.annual import annual_report
        from ntm.reports.pdf import PdfUnavailable, docx_to_pdf
        from ntm.reports.word import report_docx
        from ntm.reports.workbook import report_workbook

        found = None
        if unit:
            found = unit_by_code(unit, year=year)
            if found is None:
                raise CommandError(f"Không có đơn vị mã {unit} trong năm {year}.")
        issued_on = None
        if date:
            try:
                issued_on = datetime.datetime.strptime(date, "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError(f"Ngày {date!r} không đúng dạng dd/mm/yyyy.") from exc
        cset = _criteria_set(set_code)
        self.stderr.write(f"Tổng hợp số liệu {found.name if found else 'cả nước'} năm {year}...")
        report = annual_report(
            unit=found,
            year=year,
            criteria_set=cset,
            issued_on=issued_on,
        )
        target = Path(output)
        if action == "tables":
            target.write_bytes(report_workbook(report))
        else:
            self.stderr.write("Viết tệp Word...")
            data = report_docx(report)
            target.write_bytes(data)
            if options.get("pdf"):
                self.stderr.write("Chuyển sang PDF bằng LibreOffice...")
                try:
                    target.with_suffix(".pdf").write_bytes(docx_to_pdf(data))
                except PdfUnavailable as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(f"Đã ghi {target.with_suffix('.pdf')}")
        if not report.has_data:
            self.stderr.write(f"Lưu ý: năm {year} chưa có số liệu; báo cáo ghi rõ điều này.")
        self.stdout.write(f"Đã ghi {target}")

    def _summary(self, *, unit, year, set_code, format, provisional, **options):
        found = unit_by_code(unit, year=year)
        if found is None:
            raise CommandError(f"Không có đơn vị mã {unit} trong năm {year}.")
        cset = _criteria_set(set_code)
        summary = progress_summary(
            unit=found, year=year, criteria_set=cset, basis=PROVISIONAL if provisional else APPROVED
        )
        if format == "json":
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(_as_text(summary))


def _criteria_set(code: str | None) -> CriteriaSet | None:
    if not code:
        return None
    cset = CriteriaSet.objects.filter(code=code).first()
    if cset is None:
        raise CommandError(f"Không có bộ tiêu chí {code}.")
    return cset


def _as_text(s) -> str:
    levels = recognition_levels.labels()
    lines = [
        f"{s.unit.name} — năm {s.year} — bộ tiêu chí {s.criteria_set.code if s.criteria_set else '—'}",
        f"Số xã: {vi_number(s.communes_total)}; đã đánh giá: {vi_number(s.communes_assessed)}",
        s.basis_text(),
        f"Bình quân {vi_number(s.criteria_met_average, 2)} tiêu chí/xã"
        + (
            f", {'tăng' if s.criteria_met_average_change >= 0 else 'giảm'} "
            f"{vi_number(abs(s.criteria_met_average_change), 2)} tiêu chí so với năm {s.year - 1}"
            f" ({s.change_basis_text()})"
            if s.criteria_met_average_change is not None
            else ""
        ),
        "Số xã theo số tiêu chí đạt: "
        + "; ".join(f"{label}: {vi_number(n)}" for label, n in s.bands.items()),
    ]
    for level, n in sorted(s.recognised_total.items()):
        new = s.recognised_new.get(level, 0)
        lines.append(
            f"{levels.get(level, level)}: lũy kế {vi_number(n)} xã, mới trong năm {vi_number(new)} xã"
        )
    if s.subunits_without_recognition:
        lines.append(
            "Chưa có xã đạt chuẩn: " + ", ".join(u["name"] for u in s.subunits_without_recognition)
        )
    if s.criteria_holding_back:
        lines.append(
            "Tiêu chí đạt thấp nhất: "
            + "; ".join(
                f"{a['criterion']} {a['name']} ({vi_number(a['met'])} xã)"
                for a in s.criteria_holding_back
            )
        )
    from ntm.reports.annual_text import target_label

    for t in s.targets:
        lines.append(f"{target_label(t)}: {t['wording']}")
    return "\n".join(lines)
