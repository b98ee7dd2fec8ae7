import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments.recognitions import recognition_level_on
from ntm.criteria import levels as recognition_levels
from ntm.excel import XLSX
from ntm.imports.runner import run_import
from ntm.units import history, selectors, services
from ntm.units.forms import (
    AttributeForm,
    HistoryImportForm,
    UnitSearchForm,
    VillageForm,
    VillageImportForm,
)
from ntm.units.models import Level, Unit


@login_required
@require_safe
def unit_list(request):
    scope = scope_for(request.user)
    form = UnitSearchForm(request.GET or None)
    results = None
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["level"]):
        qs = selectors.units_search(
            scope, text=form.cleaned_data["q"], level=form.cleaned_data["level"]
        )
        if form.cleaned_data["current"]:
            qs = qs.current()
        results = Paginator(qs.order_by("level", "name", "code"), 50).get_page(
            request.GET.get("page")
        )
    counts = selectors.subtree_counts_many(scope.roots)
    roots = [(root, counts[root.pk]) for root in scope.roots]
    return render(
        request, "units/unit_list.html", {"form": form, "results": results, "roots": roots}
    )


@login_required
@require_safe
def unit_detail(request, pk: int):
    scope = scope_for(request.user)
    unit = scope.require(get_object_or_404(Unit, pk=pk))
    children = Paginator(selectors.unit_children(scope, unit), 100).get_page(
        request.GET.get("page")
    )
    ancestors = [(a, scope.contains(a)) for a in selectors.unit_ancestors(unit)]
    can_add_village = (
        scope.can_write_to(unit) and unit.level == Level.COMMUNE and unit.valid_to is None
    )
    can_edit_attributes = scope.can_write and (
        request.user.is_superuser or request.user.role == Role.PROVINCE_COORDINATOR
    )
    day = min(datetime.date.today(), unit.valid_to or datetime.date.today())
    context = {
        "unit": unit,
        "levels": [recognition_levels.label(v) for v in recognition_level_on(unit=unit, day=day)],
        "levels_day": day,
        "ancestors": ancestors,
        "children": children,
        "counts": selectors.subtree_counts(unit),
        "history_sentence": selectors.unit_history_sentence(unit),
        "successors": [
            (link, scope.contains(link.new)) for link in selectors.unit_successors(unit)
        ],
        "predecessors": [
            (link, scope.contains(link.old)) for link in selectors.unit_predecessors(unit)
        ],
        "attributes": selectors.unit_attributes(unit),
        "changes": unit.history.select_related("history_user").order_by("-history_date")[:20],
        "village_form": VillageForm() if can_add_village else None,
        "attribute_form": AttributeForm() if can_edit_attributes else None,
    }
    return render(request, "units/unit_detail.html", context)


@login_required
@require_POST
def village_add(request, pk: int):
    scope = scope_for(request.user)
    commune = scope.require(get_object_or_404(Unit, pk=pk), write=True)
    form = VillageForm(request.POST)
    if form.is_valid():
        try:
            village = services.village_create(
                commune=commune, user=request.user, **form.cleaned_data
            )
        except services.VillageError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": village.name})
    else:
        messages.error(
            request, _("Thông tin thôn chưa hợp lệ: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("units:detail", pk=commune.pk)


@login_required
@require_POST
def attribute_add(request, pk: int):
    scope = scope_for(request.user)
    unit = get_object_or_404(Unit, pk=pk)
    scope.require_write(unit, {Role.PROVINCE_COORDINATOR})
    form = AttributeForm(request.POST)
    if form.is_valid():
        try:
            services.attribute_set(unit=unit, user=request.user, **form.cleaned_data)
        except services.UnitAttributeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu thuộc tính."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("units:detail", pk=unit.pk)


@login_required
def villages_import(request):
    scope = scope_for(request.user)
    scope.require_writer()
    report = None
    form = VillageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "villages",
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(request, _("Đã nhập %(n)s thôn.") % {"n": report.created})
    return render(request, "units/villages_import.html", {"form": form, "report": report})


@login_required
@require_safe
def villages_template(request):
    scope = scope_for(request.user)
    scope.require_writer()
    response = HttpResponse(services.villages_template(scope=scope), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-thon.xlsx"'
    return response


@login_required
def units_history(request):
    """The history of the map before 1/7/2025: the recorded changes and the workbook upload."""
    scope = scope_for(request.user)
    scope.require_writer()
    scope.require_role(Role.PROVINCE_COORDINATOR)
    report = None
    form = HistoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "units",
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã ghi %(n)s thay đổi đơn vị hành chính.")
                % {"n": report.result.changes_created},
            )
    changes = selectors.unit_changes(scope)[:200]
    return render(
        request,
        "units/history.html",
        {"form": form, "report": report, "changes": changes},
    )


@login_required
@require_safe
def units_history_template(request):
    scope = scope_for(request.user)
    scope.require_writer()
    scope.require_role(Role.PROVINCE_COORDINATOR)
    response = HttpResponse(history.units_history_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-lich-su-don-vi.xlsx"'
    return response
