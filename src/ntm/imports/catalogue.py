"""Every importer of the project, registered once. The adapters below only translate the
frame's arguments (`data, scope, user, dry_run, progress, **options`) into each app's service
signature; parsing, validation and writing stay in the app."""

from django.utils.translation import gettext_lazy as _

from ntm.accounts.models import Role
from ntm.imports.limit_values import Limits
from ntm.imports.registry import Importer, Option, register

UNIT_YEAR = (
    Option(("--unit",), {"required": True, "help": "mã đơn vị (tỉnh, huyện hoặc xã), ví dụ 06"}),
    Option(("--year",), {"required": True, "type": int, "help": "năm, ví dụ 2023"}),
)
PLAN_ID = Option(
    ("--plan-id",),
    {"type": int, "help": "mã (ID) kế hoạch; bỏ trống: kế hoạch tạo từ trang KeHoach của tệp"},
)


def _writer(user, scope) -> bool:
    return scope.can_write


def _coordinator(user, scope) -> bool:
    return scope.can_write and (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR)


def _template_error(message: str):
    from ntm.imports.arguments import TemplateArgumentError

    return TemplateArgumentError(message)


# -- assessments --------------------------------------------------------------------------


def _assessments_run(*, data, scope, user, dry_run, progress=None, state=None):
    from ntm.assessments.excel import assessments_import

    return assessments_import(
        data=data, scope=scope, user=user, dry_run=dry_run, state=state, progress=progress
    )


def _assessments_template(*, scope, unit, year, set_code):
    from ntm.assessments.excel import assessments_template
    from ntm.imports.arguments import criteria_set_of, unit_of

    return assessments_template(
        scope=scope,
        unit=unit_of(scope, unit, year),
        year=year,
        criteria_set=criteria_set_of(scope, set_code),
    )


# -- recognitions -------------------------------------------------------------------------


def _recognitions_run(*, data, scope, user, dry_run, progress=None, **history):
    from ntm.assessments.recognition_import import recognitions_import

    return recognitions_import(
        data=data, scope=scope, user=user, dry_run=dry_run, progress=progress, **history
    )


def _recognitions_parse(options: dict) -> dict:
    """`--history-before dd/mm/yyyy` (or yyyy-mm-dd) as a date; ValueError for the user."""
    from django.utils.translation import gettext

    from ntm.excel import CellValueError, parse_vi_date

    parsed = dict(options)
    if options.get("history_before"):
        try:
            parsed["history_before"] = parse_vi_date(options["history_before"])
        except CellValueError as exc:
            raise ValueError(gettext("Ngày mốc nhập lịch sử: %(e)s") % {"e": exc}) from exc
        if not (options.get("history_reason") or "").strip():
            raise ValueError(gettext('Nhập lịch sử cần một lý do chung (--history-reason "...").'))
    return parsed


def _recognitions_template(*, scope):
    from ntm.assessments.recognition_import import recognitions_template

    return recognitions_template()


# -- villages, plans, resources, OCOP -----------------------------------------------------


def _villages_run(*, data, scope, user, dry_run, progress=None):
    from ntm.units.services import villages_import

    return villages_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _villages_template(*, scope):
    from ntm.units.services import villages_template

    return villages_template(scope=scope)


def _plan_of(scope, plan_id: int, *, write: bool):
    from ntm.plans.models import Plan

    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None or not scope.contains(plan.unit):
        return None
    return plan


def _plans_run(*, data, scope, user, dry_run, progress=None, plan_id=None):
    from django.utils.translation import gettext

    from ntm.excel import ImportReport
    from ntm.plans.excel import plans_import
    from ntm.plans.excel_create import plan_workbook_import

    if plan_id is None:  # the workbook's KeHoach sheet creates (or finds) the plan
        return plan_workbook_import(data=data, scope=scope, user=user, dry_run=dry_run)
    plan = _plan_of(scope, plan_id, write=True)
    if plan is None:
        report = ImportReport(dry_run=dry_run)
        report.add("-", 0, "-", gettext("Không có kế hoạch mã %(id)s.") % {"id": plan_id})
        return report
    return plans_import(plan=plan, data=data, scope=scope, user=user, dry_run=dry_run)


def _plans_template(*, scope, plan_id=None):
    from django.utils.translation import gettext

    from ntm.plans.excel import plans_template

    if plan_id is None:
        return plans_template(None)
    plan = _plan_of(scope, plan_id, write=False)
    if plan is None:
        raise _template_error(gettext("Không có kế hoạch mã %(id)s.") % {"id": plan_id})
    return plans_template(plan)


def _resources_run(*, data, scope, user, dry_run, progress=None):
    from ntm.resources.excel import resources_import

    return resources_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _resources_template(*, scope, unit, year):
    from ntm.imports.arguments import unit_of
    from ntm.resources.excel import resources_template

    return resources_template(unit=unit_of(scope, unit, year), year=year)


def _ocop_run(*, data, scope, user, dry_run, progress=None):
    from ntm.ocop.excel import ocop_import

    return ocop_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _ocop_template(*, scope):
    from ntm.ocop.excel import ocop_template

    return ocop_template(scope=scope)


def _ocop_may_use(user, scope) -> bool:
    from ntm.ocop.services import can_create

    return scope.can_write and can_create(user)


register(
    Importer(
        name="assessments",
        title=_("Kết quả đánh giá xã"),
        sheets=("KetQua", "ChiTieu", "HuongDan"),
        run=_assessments_run,
        template=_assessments_template,
        may_use=_writer,
        limits=Limits(rows=15_000, cells=2_000_000),
        page="assessments:import",
        template_page="assessments:matrix",
        import_options=(
            Option(
                ("--state",),
                {
                    "choices": ["approved"],
                    "help": "nhập thẳng ở trạng thái đã phê duyệt (kết quả các năm trước)",
                },
            ),
        ),
        template_options=(
            *UNIT_YEAR,
            Option(("--set",), {"required": True, "dest": "set_code", "help": "mã bộ tiêu chí"}),
        ),
        noun=_("kết quả đánh giá"),
        help=_("Mẫu KetQua/ChiTieu: Đạt/Chưa đạt từng tiêu chí, giá trị chỉ tiêu."),
    )
)
register(
    Importer(
        name="recognitions",
        title=_("Quyết định công nhận"),
        sheets=("CongNhan",),
        run=_recognitions_run,
        template=_recognitions_template,
        may_use=_coordinator,
        limits=Limits(rows=20_000, cells=400_000),
        import_options=(
            Option(
                ("--history-before",),
                {
                    "metavar": "dd/mm/yyyy",
                    "help": "nhập lịch sử: quyết định trước ngày này được ghi như đã ban hành",
                },
            ),
            Option(
                ("--history-reason",),
                {"help": "lý do chung của lần nhập lịch sử (ghi vào nhật ký)"},
            ),
        ),
        parse=_recognitions_parse,
        noun=_("quyết định"),
        help=_("Trang CongNhan: mỗi dòng một quyết định công nhận hoặc thu hồi."),
    )
)
register(
    Importer(
        name="villages",
        title=_("Thôn, bản"),
        sheets=("Thon",),
        run=_villages_run,
        template=_villages_template,
        may_use=_writer,
        limits=Limits(rows=60_000, cells=600_000),
        page="units:villages_import",
        noun=_("thôn"),
        help=_("Danh sách thôn của các xã."),
    )
)
register(
    Importer(
        name="plan",
        title=_("Kế hoạch: chỉ tiêu, lộ trình, nhiệm vụ"),
        sheets=("HuongDan", "KeHoach", "ChiTieu", "LoTrinh", "NhiemVu"),
        run=_plans_run,
        template=_plans_template,
        may_use=_writer,
        limits=Limits(rows=10_000, cells=300_000),
        page="plans:list",
        import_options=(PLAN_ID,),
        template_options=(PLAN_ID,),
        noun=_("dòng của kế hoạch"),
        help=_("Chỉ tiêu, lộ trình, nhiệm vụ của một kế hoạch (trang của kế hoạch)."),
    )
)
register(
    Importer(
        name="resources",
        title=_("Nguồn lực"),
        sheets=("ThongTin", "NguonVon", "DongGop", "MoHinh", "HoatDong"),
        run=_resources_run,
        template=_resources_template,
        may_use=_writer,
        limits=Limits(rows=20_000, cells=600_000),
        page="resources:import",
        template_page="resources:entry",
        template_options=UNIT_YEAR,
        noun=_("dòng"),
        help=_("Vốn, đóng góp của cộng đồng, mô hình, hoạt động."),
    )
)
register(
    Importer(
        name="ocop",
        title=_("OCOP: chủ thể, sản phẩm, chứng nhận"),
        sheets=("ChuThe", "SanPham", "DiemSo", "QuyetDinh"),
        run=_ocop_run,
        template=_ocop_template,
        may_use=_ocop_may_use,
        limits=Limits(rows=20_000, cells=600_000),
        page="ocop:import",
        noun=_("dòng"),
        help=_("Chủ thể, sản phẩm OCOP và kết quả đánh giá, phân hạng."),
    )
)


# -- units history ------------------------------------------------------------------------


def _units_history_run(*, data, scope, user, dry_run, progress=None):
    from ntm.units.history import units_history_import

    return units_history_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _units_history_template(*, scope):
    from ntm.units.history import units_history_template

    return units_history_template()


register(
    Importer(
        name="units",
        title=_("Lịch sử thay đổi đơn vị hành chính"),
        sheets=("HuongDan", "ThayDoi", "KetThuc", "BatDau", "LienKet"),
        run=_units_history_run,
        template=_units_history_template,
        may_use=_coordinator,
        limits=Limits(rows=20_000, cells=400_000),
        page="units:history",
        noun=_("thay đổi"),
        help=_(
            "Mỗi thay đổi: căn cứ pháp lý, ngày hiệu lực, đơn vị kết thúc, đơn vị mới, liên kết."
        ),
    )
)


# -- a new plan from its workbook ---------------------------------------------------------


def _plan_new_run(*, data, scope, user, dry_run, progress=None):
    from ntm.plans.excel_create import plan_workbook_import

    return plan_workbook_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _plan_new_template(*, scope):
    from ntm.plans.excel import plans_template

    return plans_template(None)


def _plan_creator(user, scope) -> bool:
    from ntm.plans.services import can_create_plans

    return scope.can_write and can_create_plans(user)


register(
    Importer(
        name="plan-new",
        title=_("Kế hoạch mới từ tệp (kế hoạch, chỉ tiêu, lộ trình, nhiệm vụ)"),
        sheets=("KeHoach", "ChiTieu", "LoTrinh", "NhiemVu"),
        run=_plan_new_run,
        template=_plan_new_template,
        may_use=_plan_creator,
        limits=Limits(rows=10_000, cells=300_000),
        page="plans:new_import",
        template_page="plans:new_template",
        noun=_("dòng của kế hoạch"),
        help=_("Tạo một kế hoạch cùng chỉ tiêu, lộ trình và nhiệm vụ từ một tệp."),
    )
)


# -- OCOP: a council member's score sheet (Excel) -------------------------------------------


def _ocop_sheet_run(*, data, scope, user, dry_run, progress=None):
    from ntm.ocop.sheet_excel import member_sheet_import

    return member_sheet_import(data=data, scope=scope, user=user, dry_run=dry_run)


def _ocop_sheet_template(*, scope, evaluation, member):
    from django.utils.translation import gettext

    from ntm.ocop.selectors import evaluations_visible
    from ntm.ocop.services import OcopError
    from ntm.ocop.sheet_excel import member_sheet_template

    ev = evaluations_visible(scope).filter(pk=evaluation).first()
    found = ev.round.council.filter(pk=member).first() if ev is not None else None
    if found is None:
        raise _template_error(
            gettext("Không có sản phẩm mã %(e)s với thành viên hội đồng mã %(m)s.")
            % {"e": evaluation, "m": member}
        )
    try:
        return member_sheet_template(evaluation=ev, member=found)
    except OcopError as exc:
        raise _template_error(str(exc)) from exc


def _ocop_council_member(user, scope) -> bool:
    from ntm.ocop.models import CouncilMember, RoundStatus

    return user.is_superuser or (
        user.is_authenticated
        and CouncilMember.objects.filter(user=user, round__status=RoundStatus.OPEN).exists()
    )


register(
    Importer(
        name="ocop-sheet",
        title=_("OCOP: phiếu chấm của thành viên hội đồng"),
        sheets=("PhieuCham", "ThongTin"),
        run=_ocop_sheet_run,
        template=_ocop_sheet_template,
        may_use=_ocop_council_member,
        limits=Limits(rows=2_000, cells=40_000),
        page="ocop:sheet_import",
        template_options=(
            Option(
                ("--evaluation",), {"required": True, "type": int, "help": "mã sản phẩm trong đợt"}
            ),
            Option(
                ("--member",), {"required": True, "type": int, "help": "mã thành viên hội đồng"}
            ),
        ),
        noun=_("phiếu chấm"),
        help=_(
            "Phiếu chấm Excel của một thành viên cho một sản phẩm (tải ở trang đợt đánh giá); "
            "cùng các kiểm tra như phiếu chấm trực tuyến."
        ),
    )
)
