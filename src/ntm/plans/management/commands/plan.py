from django.core.management.base import BaseCommand

from ntm.plans.management.commands._plan_commands import (
    add_create_arguments,
    add_import_arguments,
    add_template_arguments,
    run_create,
    run_import,
    run_template,
)


class Command(BaseCommand):
    help = (
        "Kế hoạch và Excel: `ntm plan create --unit 06 --name ... --from 2023 --to 2023 "
        "--decision 125/KH-UBND --date 28/02/2023`, `ntm plan import [--plan-id N] FILE "
        "[--dry-run]` (without --plan-id the KeHoach sheet creates the plan), "
        "`ntm plan template [--plan-id N] -o FILE`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add_create_arguments(sub.add_parser("create", help="Tạo kế hoạch (không cần biểu mẫu)"))
        add_import_arguments(
            sub.add_parser("import", help="Nhập tệp Excel của kế hoạch (tất cả hoặc không gì)")
        )
        add_template_arguments(sub.add_parser("template", help="Ghi mẫu Excel của kế hoạch"))

    def handle(self, *args, action, **options):
        {"create": run_create, "import": run_import, "template": run_template}[action](
            self, options
        )
