from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.ocop.excel import ocop_import, ocop_template
from ntm.ocop.services import sheets_load


class Command(BaseCommand):
    help = (
        "OCOP: `ntm ocop template -o FILE`, `ntm ocop import FILE [--dry-run]` (chủ thể, sản "
        "phẩm, điểm, quyết định), `ntm ocop load-sheets` (phiếu chấm đi kèm)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Nhập tệp Excel OCOP (tất cả hoặc không gì)")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        tpl = sub.add_parser("template", help="Ghi mẫu Excel OCOP (có sẵn chủ thể, sản phẩm)")
        tpl.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")
        sub.add_parser("load-sheets", help="Nạp các phiếu chấm OCOP đi kèm (1048/2019, 148/2023)")

    def handle(self, *args, action, **options):
        if action == "load-sheets":
            sheets = sheets_load()
            self.stdout.write(_("Đã nạp %(n)s phiếu chấm.") % {"n": len(sheets)})
        elif action == "template":
            path = Path(options["output"])
            try:
                path.write_bytes(ocop_template(scope=system_scope()))
            except OSError as exc:
                raise CommandError(
                    _("Không ghi được %(p)s: %(r)s") % {"p": path, "r": exc.strerror}
                ) from exc
            self.stdout.write(_("Đã ghi mẫu %(p)s.") % {"p": path})
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(_("Không có tệp %(p)s.") % {"p": options["file"]})
            sheets_load()
            report = ocop_import(
                data=path.read_bytes(), scope=system_scope(), user=None, dry_run=options["dry_run"]
            )
            if not report.ok:
                for error in report.errors:
                    self.stderr.write(str(error))
                raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
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
