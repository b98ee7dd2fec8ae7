"""The plan subcommands, shared by `ntm plan import|template` and, once the assessments
commands delegate to them, `ntm import plan` / `ntm template plan` (Django runs the `import`
and `template` commands of the first app that has them: ntm.assessments)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.excel import CellValueError, parse_vi_date
from ntm.imports import runner
from ntm.plans import services
from ntm.plans.excel import plans_template
from ntm.plans.models import Plan, PlanStatus
from ntm.units.resolver import resolve_code


def add_import_parser(sub) -> None:
    parser = sub.add_parser(
        "plan", help="Chỉ tiêu, lộ trình, nhiệm vụ của một kế hoạch (ChiTieu/LoTrinh/NhiemVu)"
    )
    add_import_arguments(parser)


def add_import_arguments(parser) -> None:
    parser.add_argument(
        "--plan-id",
        type=int,
        help="mã (ID) kế hoạch; bỏ trống để tạo (hoặc nhận ra) kế hoạch từ trang KeHoach",
    )
    parser.add_argument("file")
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")


def add_template_parser(sub) -> None:
    parser = sub.add_parser("plan", help="Mẫu Excel của một kế hoạch (có sẵn dữ liệu đã lưu)")
    add_template_arguments(parser)


def add_template_arguments(parser) -> None:
    parser.add_argument(
        "--plan-id", type=int, help="mã (ID) kế hoạch; bỏ trống: mẫu để lập kế hoạch mới"
    )
    parser.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")


def add_create_arguments(parser) -> None:
    parser.add_argument("--unit", required=True, help="mã tỉnh (2 chữ số) hoặc huyện (3 chữ số)")
    parser.add_argument("--name", required=True, help="trích yếu kế hoạch")
    parser.add_argument("--from", dest="year_from", type=int, required=True, help="từ năm")
    parser.add_argument("--to", dest="year_to", type=int, required=True, help="đến năm")
    parser.add_argument("--decision", required=True, help="số ký hiệu, ví dụ 125/KH-UBND")
    parser.add_argument("--date", required=True, help="ngày ban hành dd/mm/yyyy")
    parser.add_argument("--issuer", help="cơ quan ban hành (mặc định: UBND của đơn vị)")
    parser.add_argument(
        "--status",
        choices=PlanStatus.values,
        default=PlanStatus.ACTIVE,
        help="trạng thái (mặc định active)",
    )


def run_create(command, options) -> None:
    try:
        issued_on = parse_vi_date(options["date"])
    except CellValueError as exc:
        raise CommandError(str(exc)) from exc
    if issued_on is None:
        raise CommandError(_("Thiếu ngày ban hành."))
    code = options["unit"].strip()
    found = resolve_code(code, issued_on, level={2: 1, 3: 2}.get(len(code)))
    if found.unit is None:
        raise CommandError(found.describe())
    unit = found.unit
    issuer = options["issuer"] or _("Ủy ban nhân dân %(unit)s") % {
        "unit": unit.name[:1].lower() + unit.name[1:]
    }
    try:
        plan = services.plan_create(
            user=None,
            unit=unit,
            number=options["decision"],
            issued_on=issued_on,
            issuer=issuer,
            title=options["name"],
            year_from=options["year_from"],
            year_to=options["year_to"],
            status=options["status"],
        )
    except services.PlanError as exc:
        raise CommandError(str(exc)) from exc
    command.stdout.write(
        _("Đã tạo kế hoạch %(n)s của %(unit)s, mã (ID) %(pk)s.")
        % {"n": plan.number, "unit": unit.name, "pk": plan.pk}
    )


def _plan(plan_id: int) -> Plan:
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise CommandError(_("Không có kế hoạch mã %(id)s.") % {"id": plan_id})
    return plan


def run_import(command, options) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(_("Không có tệp %(path)s.") % {"path": options["file"]})
    if options.get("plan_id"):
        plan = _plan(options["plan_id"])
        report = runner.run_import(
            "plan",
            data=path.read_bytes(),
            scope=system_scope(),
            user=None,
            dry_run=options["dry_run"],
            plan_id=plan.pk,
        )
    else:
        report = runner.run_import(
            "plan-new",
            data=path.read_bytes(),
            scope=system_scope(),
            user=None,
            dry_run=options["dry_run"],
        )
        plan = report.plan
    if not report.ok:
        for error in report.errors:
            command.stderr.write(str(error))
        raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
    for note in report.notes:  # a reused code: the unit taken and the date used
        command.stdout.write(str(note))
    summary = _("tạo mới %(c)s, cập nhật %(u)s dòng của kế hoạch %(n)s") % {
        "c": report.created,
        "u": report.updated,
        "n": plan.number if plan is not None else _("mới"),
    }
    if getattr(report, "plan_created", False) and not report.dry_run:
        summary += " " + _("(kế hoạch mới, mã (ID) %(pk)s)") % {"pk": plan.pk}
    if report.dry_run:
        command.stdout.write(_("Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ %(s)s.") % {"s": summary})
    else:
        command.stdout.write(_("Đã %(s)s.") % {"s": summary})


def run_template(command, options) -> None:
    plan = _plan(options["plan_id"]) if options.get("plan_id") else None
    path = Path(options["output"])
    try:
        path.write_bytes(plans_template(plan))
    except OSError as exc:
        raise CommandError(
            _("Không ghi được %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from exc
    command.stdout.write(
        _("Đã ghi mẫu %(path)s (kế hoạch %(n)s).")
        % {"path": path, "n": plan.number if plan else _("mới")}
    )
