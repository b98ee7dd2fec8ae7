from django.core.management.base import BaseCommand, CommandError

from ntm.criteria.selectors import criteria_sets_summary
from ntm.criteria.services import CriteriaDataError, criteria_load


class Command(BaseCommand):
    help = "Criteria sets: `ntm criteria list`, `ntm criteria load [CODE ...]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List the criteria sets")
        load = sub.add_parser("load", help="Load the shipped criteria sets")
        load.add_argument("codes", nargs="*")

    def handle(self, *args, action, **options):
        if action == "load":
            try:
                result = criteria_load(codes=options["codes"] or None)
            except CriteriaDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Tạo mới: {', '.join(result.created) or '—'}; cập nhật: "
                f"{', '.join(result.updated) or '—'}; không đổi: {', '.join(result.unchanged) or '—'}"
            )
            return
        rows = criteria_sets_summary()
        if not rows:
            self.stdout.write("Chưa có bộ tiêu chí nào: chạy `ntm criteria load`.")
        for row in rows:
            self.stdout.write(
                f"{row.code:<16} {row.decision_number:<14} {row.period_start}-{row.period_end}  "
                f"{row.criteria_count:>2} tiêu chí, {row.indicator_count:>3} chỉ tiêu "
                f"({row.set_by_province_count} do tỉnh quy định)  {row.name}"
            )
