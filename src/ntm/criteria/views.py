from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.models import Role
from ntm.accounts.scope import Scope, scope_for
from ntm.criteria import selectors, services
from ntm.criteria.forms import CloneForm, IndicatorForm, PeriodForm, ThresholdForm
from ntm.criteria.models import CriteriaSet, Indicator
from ntm.units.models import Level


def _visible_set(scope: Scope, pk: int) -> CriteriaSet:
    return get_object_or_404(selectors.criteria_sets_visible(scope), pk=pk)


def _coordinator_province(request, scope: Scope):
    """The province a coordinator may create sets for (their own unit), or 403."""
    scope.require_write(None, {Role.PROVINCE_COORDINATOR})
    unit = request.user.unit
    if unit is None or unit.level != Level.PROVINCE:
        raise PermissionDenied
    return unit


def _can_edit_set(request, scope: Scope, cset: CriteriaSet) -> bool:
    return (
        not cset.shipped
        and cset.province_id is not None
        and scope.may_write(cset.province, {Role.PROVINCE_COORDINATOR})
    )


@login_required
@require_safe
def set_list(request):
    scope = scope_for(request.user)
    rows = selectors.criteria_sets_summary(selectors.criteria_sets_visible(scope))
    return render(request, "criteria/list.html", {"rows": rows})


@login_required
@require_safe
def set_detail(request, pk):
    scope = scope_for(request.user)
    cset = selectors.criteria_set_detail(_visible_set(scope, pk))
    can_edit = _can_edit_set(request, scope, cset)
    can_clone = (
        scope.can_write
        and request.user.role == Role.PROVINCE_COORDINATOR
        and request.user.unit is not None
        and request.user.unit.level == Level.PROVINCE
    )
    context = {
        "cset": cset,
        "can_edit": can_edit,
        "clone_form": CloneForm() if can_clone else None,
        "indicator_form": IndicatorForm() if can_edit else None,
        "period_form": PeriodForm(
            initial={"period_start": cset.period_start, "period_end": cset.period_end}
        )
        if can_edit
        else None,
        "threshold_form": ThresholdForm() if can_edit else None,
    }
    return render(request, "criteria/detail.html", context)


@login_required
@require_POST
def set_clone(request, pk):
    scope = scope_for(request.user)
    source = _visible_set(scope, pk)
    province = _coordinator_province(request, scope)
    form = CloneForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("criteria:detail", pk=pk)
    try:
        clone = services.criteria_set_clone(
            source=source, province=province, user=request.user, **form.cleaned_data
        )
    except services.CriteriaEditError as exc:
        messages.error(request, str(exc))
        return redirect("criteria:detail", pk=pk)
    messages.success(request, _("Đã tạo bộ tiêu chí %(code)s của tỉnh.") % {"code": clone.code})
    return redirect("criteria:detail", pk=clone.pk)


@login_required
@require_POST
def indicator_add(request, pk):
    scope = scope_for(request.user)
    cset = _visible_set(scope, pk)
    if not _can_edit_set(request, scope, cset):
        raise PermissionDenied
    form = IndicatorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        criterion = get_object_or_404(cset.criteria, pk=data.pop("criterion"))
        try:
            services.indicator_save(criterion=criterion, user=request.user, **data)
        except services.CriteriaEditError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu chỉ tiêu %(code)s.") % {"code": data["code"]})
    else:
        messages.error(request, form.errors.as_text())
    return redirect("criteria:detail", pk=pk)


@login_required
@require_POST
def threshold_add(request, pk, indicator_pk):
    scope = scope_for(request.user)
    cset = _visible_set(scope, pk)
    if not _can_edit_set(request, scope, cset):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, pk=indicator_pk, criterion__criteria_set=cset)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.threshold_save(indicator=indicator, user=request.user, **form.cleaned_data)
        except services.CriteriaEditError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu ngưỡng cho %(code)s.") % {"code": indicator.code})
    else:
        messages.error(request, form.errors.as_text())
    return redirect("criteria:detail", pk=pk)


@login_required
@require_POST
def set_period(request, pk):
    scope = scope_for(request.user)
    cset = _visible_set(scope, pk)
    if not _can_edit_set(request, scope, cset):
        raise PermissionDenied
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            services.criteria_set_period_set(
                criteria_set=cset, user=request.user, **form.cleaned_data
            )
        except services.CriteriaEditError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã đổi giai đoạn áp dụng."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("criteria:detail", pk=pk)
