import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ntm.accounts.scope import system_scope
from ntm.assessments.excel import assessments_import
from ntm.assessments.management.commands._common import read_file
from ntm.assessments.recognitions import recognitions_import
from ntm.units.management.commands._history import run_import


class Command(BaseCommand):
    help = (
        "Excel imports, all or nothing: `ntm import assessments FILE [--dry-run] "
        "[--state approved]`, `ntm import recognitions FILE [--dry-run]`, `ntm import units FILE [--dry-run]`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        assessments = sub.add_parser("assessments", help="Kết quả đánh giá xã (mẫu KetQua/ChiTieu)")
        assessments.add_argument("file")
        assessments.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        assessments.add_argument(
            "--state",
            choices=["approved"],
            help="nhập thẳng ở trạng thái đã phê duyệt (kết quả các năm trước)",
        )
        recognitions = sub.add_parser("recognitions", help="Quyết định công nhận (trang CongNhan)")
        recognitions.add_argument("file")
        recognitions.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        units = sub.add_parser("units", help="Lịch sử thay đổi đơn vị hành chính trước 1/7/2025")
        units.add_argument("file")
        units.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")

    def handle(self, *args, what, **options):
        if what == "units":
            run_import(self, file=options["file"], shipped=None, dry_run=options["dry_run"])
            return
        data = read_file(options["file"])
        started = time.perf_counter()
        unit = _(" xã") if what == "assessments" else _(" dòng")
        bar = tqdm(desc=_("Ghi"), unit=unit, disable=options["verbosity"] < 1, leave=False)
        try:
            if what == "assessments":
                report = assessments_import(
                    data=data,
                    scope=system_scope(),
                    user=None,
                    dry_run=options["dry_run"],
                    state=options["state"],
                    progress=bar.update,
                )
                noun = _("kết quả đánh giá")
            else:
                report = recognitions_import(
                    data=data,
                    scope=system_scope(),
                    user=None,
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
                noun = _("quyết định")
        finally:
            bar.close()
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
        summary = _("tạo mới %(created)s, cập nhật %(updated)s %(noun)s") % {
            "created": report.created,
            "updated": report.updated,
            "noun": noun,
        }
        if report.dry_run:
            self.stdout.write(
                _("Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ %(summary)s.") % {"summary": summary}
            )
        else:
            self.stdout.write(
                _("Đã %(summary)s (%(seconds).1f s).")
                % {"summary": summary, "seconds": time.perf_counter() - started}
            )
