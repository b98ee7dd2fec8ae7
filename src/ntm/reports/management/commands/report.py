import json

from django.core.management.base import BaseCommand, CommandError

from ntm.criteria.models import CriteriaSet, RecognitionLevel
from ntm.reports.formatting import vi_number
from ntm.reports.selectors import progress_summary
from ntm.units.selectors import unit_by_code


class Command(BaseCommand):
    help = "Reports: `ntm report summary --unit 06 --year 2023 [--set CODE] --format json|text`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        summary = sub.add_parser("summary", help="Progress figures for a unit and year")
        summary.add_argument("--unit", required=True, help="unit code (e.g. 06)")
        summary.add_argument("--year", type=int, required=True)
        summary.add_argument("--set", dest="set_code")
        summary.add_argument("--format", choices=["json", "text"], default="text")
        summary.add_argument("--approved-only", action="store_true")

    def handle(self, *args, action, unit, year, set_code, format, approved_only, **options):
        found = unit_by_code(unit, year=year)
        if found is None:
            raise CommandError(f"Không có đơn vị mã {unit} trong năm {year}.")
        cset = None
        if set_code:
            cset = CriteriaSet.objects.filter(code=set_code).first()
            if cset is None:
                raise CommandError(f"Không có bộ tiêu chí {set_code}.")
        summary = progress_summary(
            unit=found, year=year, criteria_set=cset, approved_only=approved_only
        )
        if format == "json":
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(_as_text(summary))


def _as_text(s) -> str:
    levels = dict(RecognitionLevel.choices)
    lines = [
        f"{s.unit.name} — năm {s.year} — bộ tiêu chí {s.criteria_set.code if s.criteria_set else '—'}",
        f"Số xã: {vi_number(s.communes_total)}; đã đánh giá: {vi_number(s.communes_assessed)}",
        f"Bình quân {vi_number(s.criteria_met_average, 2)} tiêu chí/xã"
        + (f", {'tăng' if s.criteria_met_average_change >= 0 else 'giảm'} "
           f"{vi_number(abs(s.criteria_met_average_change), 2)} tiêu chí so với năm {s.year - 1}"
           if s.criteria_met_average_change is not None else ""),
        "Số xã theo số tiêu chí đạt: " + "; ".join(f"{label}: {vi_number(n)}" for label, n in s.bands.items()),
    ]  # fmt: skip
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
        lines.append("Tiêu chí đạt thấp nhất: " + "; ".join(
            f"{a['criterion']} {a['name']} ({vi_number(a['met'])} xã)" for a in s.criteria_holding_back
        ))  # fmt: skip
    for t in s.targets:
        lines.append(f"Chỉ tiêu {t['metric']}: {vi_number(t['actual'])}/{vi_number(t['target'])}")
    return "\n".join(lines)
