import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments.recognitions import RecognitionError
from ntm.criteria.selectors import criteria_sets_visible
from ntm.dossiers import selectors, services
from ntm.dossiers.exports import keeping_xlsx
from ntm.dossiers.forms import (
    DecideForm,
    DocumentForm,
    DossierCreateForm,
    SurveyForm,
    ThresholdForm,
)
from ntm.dossiers.models import DossierDocument
from ntm.excel import XLSX
from ntm.lib.params import object_param, year_param
from ntm.reports.keeping import keeping_counts, keeping_standard
from ntm.reports.merged import merged_communes, merged_counts
from ntm.units.models import Level, Unit
from ntm.units.paths import province_id_of


def _errors(form) -> str:
    return " ".join(e for errs in form.errors.values() for e in errs)


def _can_decide(user, scope) -> bool:
    return scope.can_write and (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR)


def _get(request, pk, *, write=False) -> tuple:
    scope = scope_for(request.user)
    qs = selectors.dossiers_visible(scope)
    dossier = get_object_or_404(qs, pk=pk)
    if write:
        scope.require(dossier.unit, write=True)
    return scope, dossier


@login_required
def dossier_list(request):
    scope = scope_for(request.user)
    year = year_param(request.GET.get("year"), default=datetime.date.today().year)
    sets = criteria_sets_visible(scope).filter(applies_to="commune")
    form = DossierCreateForm(request.POST or None, sets=sets, initial={"year": year})
    if request.method == "POST":
        scope.require_writer()
        if form.is_valid():
            data = form.cleaned_data
            unit = (
                Unit.objects.filter(code=data["unit_code"].strip(), level=Level.COMMUNE)
                .valid_on(datetime.date(data["year"], 12, 31))
                .first()
            )
            if unit is None or not scope.can_write_to(unit):
                messages.error(request, _("Không có xã mã này trong phạm vi của bạn năm đã chọn."))
            else:
                try:
                    dossier = services.dossier_create(
                        unit=unit,
                        criteria_set=data["criteria_set"],
                        year=data["year"],
                        deadline=data["deadline"],
                        user=request.user,
                    )
                except services.DossierError as exc:
                    messages.error(request, str(exc))
                else:
                    return redirect("dossiers:detail", pk=dossier.pk)
        else:
            messages.error(request, _errors(form))
    rows = [selectors.dossier_status(d) for d in selectors.dossiers_visible(scope, year)]
    context = {
        "year": year,
        "years": range(2016, datetime.date.today().year + 2),
        "rows": rows,
        "form": form if scope.can_write else None,
    }
    return render(request, "dossiers/list.html", context)


@login_required
@require_safe
def dossier_detail(request, pk):
    scope, dossier = _get(request, pk)
    status = selectors.dossier_status(dossier)
    writable = scope.can_write_to(dossier.unit) and dossier.recognition_id is None
    decide = writable and _can_decide(request.user, scope)
    context = {
        "dossier": dossier,
        "status": status,
        "document_form": DocumentForm(items=status.items) if writable else None,
        "survey_form": SurveyForm() if writable else None,
        "decide_form": DecideForm() if decide else None,
        "threshold_form": ThresholdForm() if decide and status.threshold is None else None,
    }
    return render(request, "dossiers/detail.html", context)


@login_required
@require_POST
def document_upload(request, pk):
    scope, dossier = _get(request, pk, write=True)
    status = selectors.dossier_status(dossier)
    form = DocumentForm(request.POST, request.FILES, items=status.items)
    if form.is_valid():
        try:
            services.document_add(dossier=dossier, user=request.user, **form.cleaned_data)
        except services.DossierError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã tải lên văn bản."))
    else:
        messages.error(request, _errors(form))
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_safe
def document_download(request, pk, document_pk):
    _scope, dossier = _get(request, pk)
    item = get_object_or_404(DossierDocument, pk=document_pk, dossier=dossier)
    return _file_response(item)


def _file_response(item: DossierDocument):
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def public_document(request, document_pk):
    """A published document of a dossier: open to everyone; unpublished ones do not exist here."""
    item = get_object_or_404(DossierDocument, pk=document_pk, published=True)
    return _file_response(item)


@login_required
@require_POST
def survey_add(request, pk):
    _scope, dossier = _get(request, pk, write=True)
    form = SurveyForm(request.POST)
    if form.is_valid():
        try:
            services.survey_record(dossier=dossier, user=request.user, **form.cleaned_data)
        except services.DossierError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã ghi kết quả lấy ý kiến."))
    else:
        messages.error(request, _errors(form))
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_POST
def threshold_save(request, pk):
    _scope, dossier = _get(request, pk, write=True)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        province = Unit.objects.get(pk=province_id_of(dossier.unit.path))
        try:
            services.threshold_set(
                criteria_set=dossier.criteria_set,
                province=province,
                user=request.user,
                **form.cleaned_data,
            )
        except services.DossierError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _errors(form))
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_POST
def dossier_decide(request, pk):
    scope, dossier = _get(request, pk, write=True)
    if not _can_decide(request.user, scope):
        raise PermissionDenied
    form = DecideForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("dossiers:detail", pk=pk)
    try:
        recognition = services.dossier_decide(
            dossier=dossier, user=request.user, **form.cleaned_data
        )
    except RecognitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã ghi quyết định %(n)s.") % {"n": recognition.decision_number}
        )
    return redirect("dossiers:detail", pk=pk)


# -- keeping the standard, merged communes ---------------------------------------------------


def _unit_for(request, scope, day: datetime.date):
    """The unit asked for (?unit=<id>, in scope), else the user's root unit valid on the day."""
    if request.GET.get("unit"):
        return scope.require(object_param(Unit, request.GET["unit"]))
    roots = [
        r
        for r in scope.roots
        if (r.valid_from is None or r.valid_from <= day)
        and (r.valid_to is None or r.valid_to >= day)
    ]
    if roots:
        return roots[0]
    if scope.everything:
        return None
    raise PermissionDenied


@login_required
@require_safe
def keeping(request):
    scope = scope_for(request.user)
    year = year_param(request.GET.get("year"))
    unit = _unit_for(request, scope, datetime.date(year, 12, 31))
    rows = keeping_standard(unit=unit, year=year) if unit is not None else []
    if request.path.endswith(".xlsx"):
        if unit is None:
            raise Http404
        data = keeping_xlsx(rows, title=f"{unit.name} {year}")
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="giu-chuan-{unit.code}-{year}.xlsx"'
        )
        return response
    context = {
        "unit": unit,
        "year": year,
        "years": range(2016, datetime.date.today().year + 1),
        "rows": rows,
        "counts": keeping_counts(rows),
    }
    return render(request, "dossiers/keeping.html", context)


@login_required
@require_safe
def merged(request):
    scope = scope_for(request.user)
    unit = _unit_for(request, scope, datetime.date.today())
    rows = merged_communes(unit=unit) if unit is not None else []
    context = {"unit": unit, "rows": rows, "counts": merged_counts(rows)}
    return render(request, "dossiers/merged.html", context)
