from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.imports import runner
from ntm.ocop.excel import ocop_template
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
        sub.add_parser(
            "load-sheets", help="Nạp các bộ tiêu chí OCOP đi kèm (1048/2019, 148/2023, 26/2026)"
        )
        lst = sub.add_parser(
            "sheets", help="Liệt kê bộ tiêu chí, phiếu chấm, số mục; kiểm tra tổng"
        )
        lst.add_argument("--set", dest="set_code", default="", help="mã bộ, ví dụ OCOP-26-2026")

    def _sheets(self, code: str) -> None:
        from ntm.ocop.models import ScoringSheet
        from ntm.ocop.sheets import sets_listing, sheet_findings, shipped_findings

        listing = [e for e in sets_listing() if not code or e["code"] == code]
        if not listing:
            raise CommandError(_("Không có bộ tiêu chí %(c)s.") % {"c": code})
        for entry in listing:
            count = (
                _("%(n)s phiếu chấm") % {"n": len(entry["sheets"])}
                if entry["sheets"]
                else _("không có phiếu chấm chi tiết (chỉ tổng điểm từng phần)")
            )
            self.stdout.write(
                _("%(c)s — %(d)s, áp dụng từ %(f)s: %(n)s")
                % {"c": entry["code"], "d": entry["decision"], "f": entry["valid_from"], "n": count}
            )
            for sheet in entry["sheets"]:
                self.stdout.write(
                    f"  {sheet['number']:>2}. {sheet['name']}: "
                    + _("%(i)s mục chấm, %(o)s phương án")
                    % {"i": sheet["items"], "o": sheet["options"]}
                )
            if not entry["sheets"]:
                continue
            try:  # the stored sheets, with the province's corrections, when loaded
                stored = ScoringSheet.objects.filter(code=entry["code"]).first()
                sheets = list(stored.product_sheets.all()) if stored else []
            except DatabaseError:
                sheets = []
            if sheets:
                findings = [f for s in sheets for f in sheet_findings(s)]
            else:
                parts = {p["code"]: Decimal(str(p["max"])) for p in entry["parts"]}
                findings = shipped_findings(entry["file"], parts)
            for finding in findings:
                if finding.kind != "derived":
                    self.stdout.write("  ! " + str(finding))
            derived = sum(1 for f in findings if f.kind == "derived")
            if derived:
                self.stdout.write(
                    "  ! "
                    + _("%(n)s mục có điểm nhưng không có phương án: chấm Có/Không.")
                    % {"n": derived}
                )

    def handle(self, *args, action, **options):
        if action == "load-sheets":
            sheets = sheets_load(detail=True)
            self.stdout.write(_("Đã nạp %(n)s bộ tiêu chí.") % {"n": len(sheets)})
        elif action == "sheets":
            self._sheets(options["set_code"])
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
            report = runner.run_import(
                "ocop",
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
