from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.imports import runner
from ntm.resources.excel import resources_template
from ntm.resources.services import funding_sources_load
from ntm.units.selectors import unit_by_code


class Command(BaseCommand):
    help = (
        "Nguồn lực và Excel: `ntm resources template --unit 06 --year 2023 -o FILE`, "
        "`ntm resources import FILE [--dry-run]`, `ntm resources sources`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        tpl = sub.add_parser("template", help="Ghi mẫu Excel nguồn lực của một đơn vị và năm")
        tpl.add_argument("--unit", required=True, help="mã đơn vị (ví dụ 06)")
        tpl.add_argument("--year", type=int, required=True)
        tpl.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")
        imp = sub.add_parser("import", help="Nhập tệp Excel nguồn lực (tất cả hoặc không gì)")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        sub.add_parser("sources", help="Nạp lại danh mục nguồn vốn từ dữ liệu")

    def handle(self, *args, action, **options):
        if action == "template":
            unit = unit_by_code(options["unit"], year=options["year"])
            if unit is None:
                raise CommandError(
                    _("Không có đơn vị mã %(c)s trong năm %(y)s.")
                    % {"c": options["unit"], "y": options["year"]}
                )
            path = Path(options["output"])
            try:
                path.write_bytes(resources_template(unit=unit, year=options["year"]))
            except OSError as exc:
                raise CommandError(
                    _("Không ghi được %(path)s: %(reason)s")
                    % {"path": path, "reason": exc.strerror}
                ) from exc
            self.stdout.write(
                _("Đã ghi mẫu %(path)s (%(u)s, năm %(y)s).")
                % {"path": path, "u": unit.name, "y": options["year"]}
            )
        elif action == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(_("Không có tệp %(path)s.") % {"path": options["file"]})
            report = runner.run_import(
                "resources",
                data=path.read_bytes(),
                scope=system_scope(),
                user=None,
                dry_run=options["dry_run"],
            )
            if not report.ok:
                for error in report.errors:
                    self.stderr.write(str(error))
                raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
            for note in report.notes:  # a reused code: the unit taken and the date used
                self.stdout.write(str(note))
            summary = _("tạo mới %(c)s, cập nhật %(u)s dòng") % {
                "c": report.created,
                "u": report.updated,
            }
            if report.dry_run:
                self.stdout.write(
                    _("Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ %(s)s.") % {"s": summary}
                )
            else:
                self.stdout.write(_("Đã %(s)s.") % {"s": summary})
        else:
            n = funding_sources_load()
            self.stdout.write(_("Đã nạp %(n)s nguồn vốn.") % {"n": n})
