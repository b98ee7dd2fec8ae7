"""The plan subcommands, shared by `ntm plan import|template` and, once the assessments
commands delegate to them, `ntm import plan` / `ntm template plan` (Django runs the `import`
and `template` commands of the first app that has them: ntm.assessments)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.plans.excel import plans_import, plans_template
from ntm.plans.models import Plan


def add_import_parser(sub) -> None:
    parser = sub.add_parser(
        "plan", help="Chỉ tiêu, lộ trình, nhiệm vụ của một kế hoạch (ChiTieu/LoTrinh/NhiemVu)"
    )
    parser.add_argument("--plan-id", type=int, required=True, help="mã (ID) kế hoạch")
    parser.add_argument("file")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")


def add_template_parser(sub) -> None:
    parser = sub.add_parser("plan", help="Mẫu Excel của một kế hoạch (có sẵn dữ liệu đã lưu)")
    parser.add_argument("--plan-id", type=int, required=True, help="mã (ID) kế hoạch")
    parser.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")


def _plan(plan_id: int) -> Plan:
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise CommandError(_("Không có kế hoạch mã %(id)s.") % {"id": plan_id})
    return plan


def run_import(command, options) -> None:
    plan = _plan(options["plan_id"])
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(_("Không có tệp %(path)s.") % {"path": options["file"]})
    report = plans_import(
        plan=plan,
        data=path.read_bytes(),
        scope=system_scope(),
        user=None,
        dry_run=options["dry_run"],
    )
    if not report.ok:
        for error in report.errors:
            command.stderr.write(str(error))
        raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
    summary = _("tạo mới %(c)s, cập nhật %(u)s dòng của kế hoạch %(n)s") % {
        "c": report.created,
        "u": report.updated,
        "n": plan.number,
    }
    if report.dry_run:
        command.stdout.write(_("Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ %(s)s.") % {"s": summary})
    else:
        command.stdout.write(_("Đã %(s)s.") % {"s": summary})


def run_template(command, options) -> None:
    plan = _plan(options["plan_id"])
    path = Path(options["output"])
    try:
        path.write_bytes(plans_template(plan))
    except OSError as exc:
        raise CommandError(
            _("Không ghi được %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from exc
    command.stdout.write(
        _("Đã ghi mẫu %(path)s (kế hoạch %(n)s).") % {"path": path, "n": plan.number}
    )
