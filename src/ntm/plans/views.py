"""Pages of plans. Thin: scope through `scope_for`, writes through `services`, figures from
`selectors` (and `ntm.reports.selectors.progress_summary`)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.scope import scope_for
from ntm.excel import XLSX
from ntm.imports.runner import run_import
from ntm.lib.params import default_year, int_param, year_param
from ntm.plans import selectors, services
from ntm.plans.excel import plans_template
from ntm.plans.forms import (
    AllocationForm,
    ImportForm,
    PlanForm,
    RoadmapForm,
    TargetEditForm,
    TargetForm,
    TaskForm,
    TaskProgressForm,
)
from ntm.plans.models import Plan, PlanStatus, RoadmapEntry, Target, Task, TaskStatus
from ntm.plans.services import PlanError, StaleVersionError
from ntm.reports.selectors import progress_summary
from ntm.reports.targets import targets_progress
from ntm.units.models import Kind, Level, Unit


def _plan(request, pk, *, write: bool = False):
    """The plan if its unit is in the user's scope (404 otherwise); 403 for a write without
    the right to write plans of that unit."""
    scope = scope_for(request.user)
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    scope.require(plan.unit)
    if write and not services.can_write_plan_for(request.user, plan.unit):
        raise PermissionDenied
    return scope, plan


def _form_error(form, exc: PlanError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _form_page(
    request, *, title: str, form, plan: Plan | None = None, note: str = "", status: int = 200
):
    return render(
        request,
        "plans/form.html",
        {"title": title, "form": form, "plan": plan, "note": note},
        status=status,
    )


def _stale(form, exc: StaleVersionError) -> int:
    """A stale save: the form again with the message, nothing saved (HTTP 409)."""
    form.add_error(None, str(exc))
    return 409


def _sent_version(data: dict) -> int:
    """The version the page was made from (missing: 0, which no stored record has: stale)."""
    return data.pop("version", None) or 0


@login_required
@require_safe
def plan_list(request):
    scope = scope_for(request.user)
    year = int_param(request.GET.get("year"))
    qs = selectors.plans_search(
        scope, text=request.GET.get("q", ""), year=year, status=request.GET.get("status", "")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": PlanStatus.choices,
        "years": range(datetime.date.today().year + 5, 2015, -1),
        "can_create": services.can_create_plans(request.user),
    }
    return render(request, "plans/list.html", context)


def _plan_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    unit = Unit.objects.get(pk=data.pop("unit"))
    return {"unit": unit, **data}


@login_required
def plan_create(request):
    if not services.can_create_plans(request.user):
        raise PermissionDenied
    units = selectors.plan_units_writable(request.user)
    year = datetime.date.today().year
    form = PlanForm(
        request.POST or None,
        units=units,
        initial={"year_from": year, "year_to": year, "status": PlanStatus.DRAFT},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **_plan_fields(form))
        except PlanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã tạo kế hoạch %(n)s.") % {"n": plan.number})
            return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, title=_("Kế hoạch mới"), form=form)


@login_required
def plan_edit(request, pk):
    scope, plan = _plan(request, pk, write=True)
    units = selectors.plan_units_writable(request.user)
    initial = {
        f: getattr(plan, f)
        for f in (
            "number",
            "issued_on",
            "issuer",
            "title",
            "year_from",
            "year_to",
            "status",
            "version",
        )
    }
    form = PlanForm(request.POST or None, units=units, initial={**initial, "unit": plan.unit_id})
    status = 200
    if request.method == "POST" and form.is_valid():
        version = _sent_version(dict(form.cleaned_data))
        try:
            services.plan_update(
                plan=plan, user=request.user, version=version, **_plan_fields(form)
            )
        except StaleVersionError as exc:
            status = _stale(form, exc)
        except PlanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("plans:detail", pk=plan.pk)
    return _form_page(
        request,
        title=_("Sửa kế hoạch %(n)s") % {"n": plan.number},
        form=form,
        plan=plan,
        status=status,
    )


@login_required
@require_POST
def plan_delete(request, pk):
    scope, plan = _plan(request, pk, write=True)
    try:
        services.plan_delete(plan=plan, user=request.user)
    except PlanError as exc:
        messages.error(request, str(exc))
        return redirect("plans:detail", pk=pk)
    messages.success(request, _("Đã xóa kế hoạch."))
    return redirect("plans:list")


@login_required
@require_safe
def plan_detail(request, pk):
    scope, plan = _plan(request, pk)
    fallback = min(max(default_year(), plan.year_from), plan.year_to)
    year = year_param(request.GET.get("year"), default=fallback)
    if not plan.year_from <= year <= plan.year_to:
        year = fallback
    summary = progress_summary(unit=plan.unit, year=year)
    progress = {
        row["target_id"]: row
        for row in targets_progress(unit=plan.unit, year=year, summary=summary, plan=plan)
    }
    targets = [t for t in selectors.plan_targets(plan) if t.year == year]
    for target in targets:
        target.progress = progress.get(target.pk)
    today = datetime.date.today()
    tasks = selectors.plan_tasks(plan)
    for task in tasks:
        task.state = task.status_on(today)
    can_write = services.can_write_plan_for(request.user, plan.unit)
    context = {
        "plan": plan,
        "year": year,
        "years": plan.years,
        "targets": targets,
        "roadmap": selectors.roadmap_status(plan, year),
        "tasks": tasks,
        "summary": summary,
        "can_write": can_write,
        "progress_form": TaskProgressForm() if can_write else None,
        "task_statuses": TaskStatus.choices,
    }
    return render(request, "plans/detail.html", context)


@login_required
def target_add(request, pk):
    scope, plan = _plan(request, pk, write=True)
    parent_id = int_param(request.POST.get("parent") or request.GET.get("parent"))
    if parent_id is not None:
        parent = get_object_or_404(Target.objects.select_related("unit"), pk=parent_id, plan=plan)
        form = AllocationForm(request.POST or None, units=selectors.allocation_units(parent))
        title = _("Phân bổ chỉ tiêu “%(m)s” năm %(y)s của %(unit)s") % {
            "m": parent.get_metric_display(),
            "y": parent.year,
            "unit": parent.unit.name,
        }
    else:
        parent = None
        form = TargetForm(request.POST or None, initial={"year": plan.year_from})
        title = _("Thêm chỉ tiêu cho %(unit)s") % {"unit": plan.unit.name}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if parent is not None:
            data["unit"] = Unit.objects.get(pk=data["unit"])
        try:
            services.target_create(plan=plan, user=request.user, parent=parent, **data)
        except PlanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã thêm chỉ tiêu."))
            return redirect(f"{plan_url(plan)}?year={parent.year if parent else data['year']}")
    return _form_page(request, title=title, form=form, plan=plan)


def plan_url(plan: Plan) -> str:
    from django.urls import reverse

    return reverse("plans:detail", kwargs={"pk": plan.pk})


@login_required
def target_edit(request, pk, target_pk):
    scope, plan = _plan(request, pk, write=True)
    target = get_object_or_404(
        Target.objects.select_related("unit", "parent"), pk=target_pk, plan=plan
    )
    form = TargetEditForm(
        request.POST or None,
        initial={
            "value": target.value,
            "note": target.note,
            "base_year": target.base_year,
            "version": target.version,
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["version"] = _sent_version(data)
        try:
            services.target_update(target=target, user=request.user, **data)
        except StaleVersionError as exc:
            status = _stale(form, exc)
        except PlanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect(f"{plan_url(plan)}?year={target.year}")
    title = _("Sửa chỉ tiêu “%(m)s” năm %(y)s của %(unit)s") % {
        "m": target.get_metric_display(),
        "y": target.year,
        "unit": target.unit.name,
    }
    return _form_page(request, title=title, form=form, plan=plan, status=status)


@login_required
@require_POST
def target_delete(request, pk, target_pk):
    scope, plan = _plan(request, pk, write=True)
    target = get_object_or_404(Target, pk=target_pk, plan=plan)
    services.target_delete(target=target, user=request.user)
    messages.success(request, _("Đã xóa chỉ tiêu."))
    return redirect(f"{plan_url(plan)}?year={target.year}")


@login_required
def roadmap_add(request, pk):
    scope, plan = _plan(request, pk, write=True)
    form = RoadmapForm(request.POST or None, initial={"target_year": plan.year_to})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = datetime.date(data["target_year"], 12, 31)
        unit = (
            Unit.objects.within(plan.unit)
            .filter(code=data["unit_code"].strip(), level=Level.COMMUNE, kind=Kind.COMMUNE)
            .valid_on(day)
            .first()
        )
        if unit is None:
            form.add_error(
                "unit_code",
                _("Không có xã mã này thuộc %(unit)s trong năm đã chọn.")
                % {"unit": plan.unit.name},
            )
        else:
            try:
                services.roadmap_save(
                    plan=plan,
                    user=request.user,
                    unit=unit,
                    level=data["level"],
                    target_year=data["target_year"],
                )
            except PlanError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("Đã lưu lộ trình của xã %(unit)s.") % {"unit": unit.name}
                )
                return redirect("plans:detail", pk=plan.pk)
    return _form_page(request, title=_("Lộ trình: xã phấn đấu đạt chuẩn"), form=form, plan=plan)


@login_required
@require_POST
def roadmap_delete(request, pk, entry_pk):
    scope, plan = _plan(request, pk, write=True)
    entry = get_object_or_404(RoadmapEntry, pk=entry_pk, plan=plan)
    services.roadmap_delete(entry=entry, user=request.user)
    messages.success(request, _("Đã xóa khỏi lộ trình."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
def task_add(request, pk):
    return _task_form(request, pk, None)


@login_required
def task_edit(request, pk, task_pk):
    return _task_form(request, pk, task_pk)


def _task_form(request, pk, task_pk):
    scope, plan = _plan(request, pk, write=True)
    task = get_object_or_404(Task, pk=task_pk, plan=plan) if task_pk is not None else None
    initial = (
        {
            f: getattr(task, f)
            for f in (
                "group",
                "content",
                "lead_agency",
                "other_agencies",
                "deadline",
                "status",
                "version",
            )
        }
        if task
        else {"status": TaskStatus.NOT_STARTED}
    )
    form = TaskForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = _sent_version(data)
        try:
            services.task_save(
                plan=plan,
                user=request.user,
                task=task,
                version=version if task is not None else None,
                **data,
            )
        except StaleVersionError as exc:
            status = _stale(form, exc)
        except PlanError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã lưu nhiệm vụ."))
            return redirect("plans:detail", pk=plan.pk)
    return _form_page(
        request,
        title=_("Sửa nhiệm vụ") if task else _("Thêm nhiệm vụ"),
        form=form,
        plan=plan,
        status=status,
    )


@login_required
@require_POST
def task_progress(request, pk, task_pk):
    scope, plan = _plan(request, pk, write=True)
    task = get_object_or_404(Task, pk=task_pk, plan=plan)
    form = TaskProgressForm(request.POST)
    if form.is_valid():
        try:
            services.task_progress(
                task=task,
                user=request.user,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"] or None,
                version=form.cleaned_data["version"] or 0,
            )
        except PlanError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã ghi tiến độ."))
    else:
        messages.error(request, _("Yêu cầu không hợp lệ."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_safe
def template_download(request, pk):
    scope, plan = _plan(request, pk)
    response = HttpResponse(plans_template(plan), content_type=XLSX)
    safe_number = "".join(c if c.isalnum() else "-" for c in plan.number)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{safe_number}.xlsx"'
    return response


@login_required
def import_upload(request, pk):
    scope, plan = _plan(request, pk, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "plan",
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            plan_id=plan.pk,
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập: %(c)s dòng mới, %(u)s dòng cập nhật.")
                % {"c": report.created, "u": report.updated},
            )
    return render(request, "plans/import.html", {"plan": plan, "form": form, "report": report})


@login_required
@require_safe
def new_template_download(request):
    """The blank workbook that creates a plan (KeHoach sheet) with its targets."""
    if not services.can_create_plans(request.user):
        raise PermissionDenied
    response = HttpResponse(plans_template(None), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ke-hoach-moi.xlsx"'
    return response


@login_required
def new_import_upload(request):
    """A plan created from its workbook: the plan, its targets, roadmap and tasks at once."""
    if not services.can_create_plans(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "plan-new",
            data=form.cleaned_data["file"].read(),
            scope=scope_for(request.user),
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập kế hoạch %(n)s: %(c)s dòng mới, %(u)s dòng cập nhật.")
                % {"n": report.plan.number, "c": report.created, "u": report.updated},
            )
            return redirect("plans:detail", pk=report.plan.pk)
    return render(request, "plans/import_new.html", {"form": form, "report": report})
