"""Pages of resources. Thin: scope through `scope_for`, writes through `services`, figures from
`selectors` (the same functions `progress_summary` uses)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.models import Role
from ntm.accounts.permissions import write_roles_required
from ntm.accounts.scope import scope_for
from ntm.criteria.models import Criterion
from ntm.criteria.selectors import set_in_force
from ntm.excel import XLSX
from ntm.imports.runner import run_import
from ntm.lib.params import int_param, year_param
from ntm.resources import selectors, services
from ntm.resources.excel import resources_export, resources_template
from ntm.resources.forms import (
    ActivityForm,
    ContributionForm,
    ImportForm,
    ModelSiteForm,
    ProjectForm,
    RateForm,
)
from ntm.resources.models import (
    Activity,
    ActivityKind,
    Contribution,
    ConversionRate,
    Funding,
    ModelKind,
    ModelSite,
    Project,
)
from ntm.resources.services import MODEL_LEVELS, ResourceError
from ntm.units.models import Level, Unit
from ntm.units.paths import province_id_of

LISTS = {
    "fundings": (selectors.fundings_visible, "year", gettext_lazy("Vốn theo nguồn")),
    "contributions": (
        selectors.contributions_visible,
        "year",
        gettext_lazy("Đóng góp của cộng đồng"),
    ),
    "projects": (selectors.projects_visible, "year", gettext_lazy("Công trình")),
    "models": (selectors.models_visible, "year_recognised", gettext_lazy("Mô hình")),
    "activities": (selectors.activities_visible, "date", gettext_lazy("Hoạt động")),
}
OBJECTS = {
    "fundings": (Funding, services.funding_delete, "funding"),
    "contributions": (Contribution, services.contribution_delete, "contribution"),
    "projects": (Project, services.project_delete, "project"),
    "models": (ModelSite, services.model_site_delete, "site"),
    "activities": (Activity, services.activity_delete, "activity"),
}


def _unit_year(request, scope):
    """The unit (?unit=<id>, default the user's own or first root) and year, in scope."""
    pk = int_param(request.GET.get("unit") or request.POST.get("unit_id"))
    if pk is not None:
        unit = get_object_or_404(Unit, pk=pk)
        scope.require(unit)
    elif request.user.unit_id and scope.contains(request.user.unit):
        unit = request.user.unit
    else:
        unit = scope.roots[0] if scope.roots else None
    return unit, year_param(request.GET.get("year") or request.POST.get("year"))


@login_required
@require_safe
def index(request):
    """Figures of a unit and year, and the way to the entry page and lists."""
    scope = scope_for(request.user)
    unit, year = _unit_year(request, scope)
    figures = selectors.resource_figures(unit, year) if unit is not None else None
    children = (
        scope.filter(Unit.objects.filter(parent=unit, level__lt=Level.VILLAGE), field="")
        .filter(Q(valid_to__isnull=True) | Q(valid_to__year__gte=year))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__year__lte=year))
        .order_by("code")
        if unit is not None
        else []
    )
    context = {
        "unit": unit,
        "year": year,
        "figures": figures,
        "children": children,
        "can_write": unit is not None and scope.can_write_to(unit),
        "lists": [(k, v[2]) for k, v in LISTS.items()],
    }
    return render(request, "resources/index.html", context)


def _model_units(unit: Unit, year: int) -> list[Unit]:
    own = [unit] if unit.level in MODEL_LEVELS else []
    children = Unit.objects.filter(parent=unit, level__in=MODEL_LEVELS).filter(
        Q(valid_to__isnull=True) | Q(valid_to__year__gte=year)
    )
    return own + list(children.order_by("code"))


@login_required
def entry(request):
    """Entry of a unit × year: the funding table, contribution, projects, models, activities."""
    scope = scope_for(request.user)
    unit, year = _unit_year(request, scope)
    if unit is None:
        raise Http404
    can_write = scope.can_write_to(unit)
    province = Unit.objects.filter(pk=province_id_of(unit.path)).first()
    cset = set_in_force(year, province=province)
    criteria = list(Criterion.objects.filter(criteria_set=cset).order_by("number")) if cset else []
    forms = {
        "contribution": ContributionForm(prefix="c"),
        "project": ProjectForm(prefix="p", criteria=criteria),
        "model": ModelSiteForm(
            prefix="m", units=_model_units(unit, year), initial={"year_recognised": year}
        ),
        "activity": ActivityForm(prefix="a"),
        "rate": RateForm(prefix="r"),
    }
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        section = request.POST.get("section", "")
        try:
            done = _save_section(request, scope, unit, year, section, forms, criteria)
        except ResourceError as exc:
            messages.error(request, str(exc))
            done = False
        if done:
            messages.success(request, _("Đã lưu."))
            return redirect(f"{reverse('resources:entry')}?unit={unit.pk}&year={year}")
    rows = selectors.entry_rows(unit, year)
    c = rows["contribution"]
    if c is not None and not forms["contribution"].is_bound:
        forms["contribution"] = ContributionForm(
            prefix="c",
            initial={
                "land_m2": c.land_m2,
                "workdays": c.workdays,
                "cash": c.cash,
                "materials_value": c.materials_value,
                "materials": c.materials,
            },
        )
    rate = ConversionRate.objects.filter(province=province, year=year).first()
    if rate is not None and not forms["rate"].is_bound:
        forms["rate"] = RateForm(
            prefix="r",
            initial={
                "land_per_m2": rate.land_per_m2,
                "workday": rate.workday,
                "decision": rate.decision,
            },
        )
    can_rate = (
        can_write
        and unit.level == Level.PROVINCE
        and (request.user.is_superuser or request.user.role == Role.PROVINCE_COORDINATOR)
    )
    context = {
        "unit": unit,
        "year": year,
        "rows": rows,
        "forms": forms,
        "can_write": can_write,
        "can_rate": can_rate,
        "rate": rate,
        "years": range(year + 2, 2015, -1),
    }
    return render(request, "resources/entry.html", context)


def _save_section(request, scope, unit, year, section, forms, criteria) -> bool:
    post, user = request.POST, request.user
    if section == "funding":
        rows = {}
        for source in selectors.sources_active():
            try:
                rows[source] = (
                    int(post.get(f"alloc_{source.pk}") or 0),
                    int(post.get(f"disb_{source.pk}") or 0),
                )
            except ValueError:
                messages.error(request, _("%(s)s: cần số đồng nguyên.") % {"s": source.name})
                return False
        services.funding_table_save(scope=scope, user=user, unit=unit, year=year, rows=rows)
        return True
    form_key = {
        "contribution": "contribution",
        "project": "project",
        "model": "model",
        "activity": "activity",
        "rate": "rate",
    }.get(section)
    if form_key is None:
        return False
    form = forms[form_key].__class__(
        post,
        prefix=forms[form_key].prefix,
        **({"criteria": criteria} if form_key == "project" else {}),
        **({"units": _model_units(unit, year)} if form_key == "model" else {}),
    )
    forms[form_key] = form
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if section == "contribution":
        services.contribution_save(scope=scope, user=user, unit=unit, year=year, **data)
    elif section == "project":
        criterion = next((c for c in criteria if c.pk == data.pop("criterion")), None)
        services.project_save(scope=scope, unit=unit, year=year, criterion=criterion, **data)
    elif section == "model":
        site_unit = Unit.objects.get(pk=data.pop("unit"))
        services.model_site_save(scope=scope, unit=site_unit, **data)
    elif section == "activity":
        services.activity_save(scope=scope, unit=unit, **data)
    elif section == "rate":
        services.rate_save(scope=scope, province=unit, year=year, **data)
    return True


def _list_qs(request, what):
    if what not in LISTS:
        raise Http404
    scope = scope_for(request.user)
    visible, year_field, _title = LISTS[what]
    unit = None
    pk = int_param(request.GET.get("unit"))
    if pk is not None:
        unit = get_object_or_404(Unit, pk=pk)
        scope.require(unit)
    year = int_param(request.GET.get("year"))
    kind = request.GET.get("kind", "")
    kinds = (
        ModelKind.values
        if what == "models"
        else ActivityKind.values
        if what == "activities"
        else []
    )
    qs = selectors.filter_list(
        visible(scope),
        unit=unit,
        year=year if year and 2000 <= year <= 2100 else None,
        kind=kind if kind in kinds else "",
        year_field=year_field,
    )
    return qs, unit


@login_required
@require_safe
def item_list(request):
    what = request.GET.get("what", "fundings")
    qs, unit = _list_qs(request, what)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    kinds = (
        ModelKind.choices
        if what == "models"
        else ActivityKind.choices
        if what == "activities"
        else []
    )
    context = {
        "what": what,
        "title": LISTS[what][2],
        "page": page,
        "unit": unit,
        "kinds": kinds,
        "lists": [(k, v[2]) for k, v in LISTS.items()],
        "query": request.GET.urlencode(),
    }
    return render(request, "resources/list.html", context)


@login_required
@require_safe
def export(request):
    what = request.GET.get("what", "fundings")
    qs, _unit = _list_qs(request, what)
    response = HttpResponse(resources_export(what, qs), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="nguon-luc-{what}.xlsx"'
    return response


@login_required
@require_POST
def item_delete(request, what, pk):
    if what not in OBJECTS:
        raise Http404
    model, delete, arg = OBJECTS[what]
    scope = scope_for(request.user)
    obj = get_object_or_404(scope.filter(model.objects.select_related("unit"), field="unit"), pk=pk)
    scope.require(obj.unit, write=True)
    delete(scope=scope, **{arg: obj})
    messages.success(request, _("Đã xóa."))
    year = getattr(obj, "year", None) or getattr(obj, "year_recognised", "")
    return redirect(f"{reverse('resources:entry')}?unit={obj.unit_id}&year={year}")


@login_required
@require_safe
def template_download(request):
    scope = scope_for(request.user)
    unit, year = _unit_year(request, scope)
    if unit is None:
        raise Http404
    response = HttpResponse(resources_template(unit=unit, year=year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="nguon-luc-{unit.code}-{year}.xlsx"'
    return response


@login_required
@write_roles_required()
def import_upload(request):
    scope = scope_for(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "resources",
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập: tạo mới %(c)s, cập nhật %(u)s dòng.")
                % {"c": report.created, "u": report.updated},
            )
    return render(request, "resources/import.html", {"form": form, "report": report})
