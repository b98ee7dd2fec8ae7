from django.core.management.base import BaseCommand

from ntm.plans.management.commands._plan_commands import (
    run_import,
    run_template,
)


class Command(BaseCommand):
    help = (
        "Kế hoạch và Excel: `ntm plan import --plan-id N FILE [--dry-run]`, "
        "`ntm plan template --plan-id N -o FILE`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="Nhập tệp Excel của một kế hoạch (tất cả hoặc không gì)"
        )
        imp.add_argument("--plan-id", type=int, required=True, help="mã (ID) kế hoạch")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        tpl = sub.add_parser("template", help="Ghi mẫu Excel của một kế hoạch")
        tpl.add_argument("--plan-id", type=int, required=True, help="mã (ID) kế hoạch")
        tpl.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")

    def handle(self, *args, action, **options):
        if action == "import":
            run_import(self, options)
        else:
            run_template(self, options)
