from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.assessments.excel import AssessmentExcelError, assessments_template
from ntm.assessments.management.commands._common import (
    add_unit_year_set,
    unit_year_set,
    write_file,
)
from ntm.units.management.commands._history import write_template


class Command(BaseCommand):
    help = (
        "Excel templates: `ntm template assessments --unit 06 --year 2023 "
        "--set NTM-XA-2021 -o mau.xlsx`, `ntm template units -o lich-su-don-vi.xlsx`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        add_unit_year_set(sub.add_parser("assessments", help="Mẫu nhập kết quả đánh giá xã"))
        units = sub.add_parser("units", help="Mẫu lịch sử thay đổi đơn vị hành chính")
        units.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")

    def handle(self, *args, what, **options):
        if what == "units":
            write_template(self.stdout, options["output"])
            return
        unit, year, cset = unit_year_set(options)
        try:
            data = assessments_template(
                scope=system_scope(), unit=unit, year=year, criteria_set=cset
            )
        except AssessmentExcelError as exc:
            raise CommandError(str(exc)) from exc
        path = write_file(options["output"], data)
        self.stdout.write(
            _("Đã ghi mẫu %(path)s (%(unit)s, năm %(year)s, bộ %(set)s).")
            % {"path": path, "unit": unit.name, "year": year, "set": cset.code}
        )
