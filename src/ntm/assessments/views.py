import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments import excel, recognitions, selectors, services, workflow
from ntm.assessments.forms import EvidenceForm, ImportForm, RecognitionForm, TransitionForm
from ntm.assessments.models import Assessment, Evidence, State
from ntm.criteria.selectors import criteria_sets_visible
from ntm.excel import XLSX
from ntm.imports.registry import get as get_importer
from ntm.imports.runner import run_import
from ntm.jobs.import_jobs import import_job_start, runs_in_background
from ntm.lib.params import MAX_YEAR, MIN_YEAR, int_param, object_param, year_param
from ntm.units.models import Unit
from ntm.units.text import fold


def _choices(request, scope):
    """Year, set and unit chosen in the query string, with sensible defaults for this user."""
    if request.GET.get("year") or request.GET.get("unit"):
        year = year_param(request.GET.get("year"))
    else:  # the latest year with results in the user's scope
        own = request.user.unit if request.user.unit_id else None
        found, _unit = selectors.latest_with_data(
            scope, own if own and scope.contains(own) else None
        )
        year = found or year_param(None)
    sets = list(criteria_sets_visible(scope).filter(applies_to="commune"))
    in_force = [s for s in sets if s.period_start <= year <= s.period_end and s.level == "ntm"]
    chosen = request.GET.get("set")
    cset = next((s for s in sets if s.code == chosen), None) or (in_force[0] if in_force else None)
    unit = None
    if request.GET.get("unit"):
        unit = scope.require(object_param(Unit, request.GET["unit"]))
    else:
        first, day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        roots = [
            r
            for r in scope.roots
            if (r.valid_from is None or r.valid_from <= day)
            and (r.valid_to is None or r.valid_to >= first)
        ]
        unit = roots[0] if roots else (scope.roots[0] if scope.roots else None)
    return year, sets, cset, unit


@login_required
@require_safe
def matrix(request):
    scope = scope_for(request.user)
    year, sets, cset, unit = _choices(request, scope)
    district = None
    if request.GET.get("district"):
        district = scope.require(object_param(Unit, request.GET["district"]))
    table = None
    if cset and unit:
        table = selectors.assessment_matrix(
            scope, under=unit, year=year, criteria_set=cset, district=district
        )
    context = {
        "year": year,
        "years": range(2016, datetime.date.today().year + 1),
        "sets": sets,
        "cset": cset,
        "unit": unit,
        "district": district,
        "matrix": table,
        "can_write": scope.can_write,
    }
    return render(request, "assessments/matrix.html", context)


@login_required
@require_safe
def assessment_list(request):
    scope = scope_for(request.user)
    qs = selectors.assessments_visible(scope)
    if request.GET.get("year"):
        year = int_param(request.GET["year"])
        qs = qs.filter(year=year) if year and MIN_YEAR <= year <= MAX_YEAR else qs.none()
    if request.GET.get("state") in State.values:
        qs = qs.filter(state=request.GET["state"])
    if request.GET.get("q"):
        qs = qs.filter(unit__search_name__contains=fold(request.GET["q"]))
    page = Paginator(qs.order_by("-year", "unit__code"), 50).get_page(request.GET.get("page"))
    return render(request, "assessments/list.html", {"page": page, "states": State.choices})


@login_required
@require_POST
def assessment_open(request):
    scope = scope_for(request.user)
    unit = scope.require(object_param(Unit, request.POST.get("unit")), write=True)
    cset = get_object_or_404(criteria_sets_visible(scope), code=request.POST.get("set"))
    try:
        year = int(request.POST.get("year", ""))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError
        assessment = services.assessment_get_or_create(
            unit=unit, year=year, criteria_set=cset, user=request.user
        )
    except (ValueError, services.AssessmentError) as exc:
        messages.error(
            request,
            str(exc) if isinstance(exc, services.AssessmentError) else _("Năm không hợp lệ."),
        )
        return redirect("assessments:matrix")
    return redirect("assessments:detail", pk=assessment.pk)


def _get_assessment(request, pk, *, write=False):
    scope = scope_for(request.user)
    assessment = get_object_or_404(
        Assessment.objects.select_related("unit", "unit__parent", "criteria_set"), pk=pk
    )
    scope.require(assessment.unit, write=write)
    return scope, assessment


def _parse_form(request):
    values, manual = {}, {}
    for key, raw in request.POST.items():
        if key.startswith("v_") and key[2:].isascii() and key[2:].isdigit():
            values[int(key[2:])] = raw.strip()
        elif key.startswith("m_") and key[2:].isascii() and key[2:].isdigit():
            met = {"1": True, "0": False}.get(raw)
            manual[int(key[2:])] = services.ManualResult(met, request.POST.get(f"r_{key[2:]}", ""))
    for key in request.POST:
        if (
            key.startswith("b_") and key[2:].isascii() and key[2:].isdigit()
        ):  # yes/no select: "", "1", "0"
            values[int(key[2:])] = {"1": True, "0": False}.get(request.POST[key])
    return values, manual


@login_required
def assessment_detail(request, pk):
    scope, assessment = _get_assessment(request, pk)
    user = request.user
    if request.method == "POST":
        scope.require(assessment.unit, write=True)
        values, manual = _parse_form(request)
        try:
            services.assessment_save(
                assessment=assessment,
                user=user,
                version=int_param(request.POST.get("version")) or 0,
                values=values,
                manual=manual,
                notes=request.POST.get("notes") if "notes" in request.POST else None,
            )
        except services.StaleVersionError as exc:
            messages.error(request, str(exc))
        except (services.AssessmentError, PermissionDenied) as exc:
            messages.error(request, str(exc) or _("Bạn không có quyền sửa nội dung này."))
        else:
            messages.success(request, _("Đã lưu."))
        return redirect("assessments:detail", pk=assessment.pk)
    assessment.refresh_from_db()
    editable = scope.can_write_to(assessment.unit) and services.can_edit(user, assessment)
    blocks = selectors.assessment_page(
        assessment,
        can_edit=lambda c: (
            scope.can_write_to(assessment.unit) and services.can_edit(user, assessment, c)
        ),
    )
    transitions = [
        (to, State(to).label)
        for to in workflow.next_states(assessment.state, year=assessment.year, unit=assessment.unit)
        if scope.can_write_to(assessment.unit)
        and (user.is_superuser or user.role in workflow.roles_for(assessment.state, to))
    ]
    context = {
        "a": assessment,
        "blocks": blocks,
        "editable": editable,
        "transitions": transitions,
        "state_changes": selectors.assessment_state_changes(assessment),
        "changes": selectors.assessment_changes(assessment),
        "evidence": assessment.evidence.select_related("criterion", "uploaded_by"),
        "evidence_form": EvidenceForm(criteria=assessment.criteria_set.criteria.all())
        if scope.can_write and not assessment.is_locked
        else None,
        "basis": services.threshold_basis_value(assessment),
    }
    return render(request, "assessments/detail.html", context)


@login_required
@require_POST
def assessment_transition(request, pk):
    scope, assessment = _get_assessment(request, pk, write=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ."))
        return redirect("assessments:detail", pk=pk)
    try:
        assessment = services.assessment_transition(
            assessment=assessment,
            user=request.user,
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except (services.AssessmentError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện bước này."))
    else:
        messages.success(
            request, _("Đã chuyển sang: %(state)s.") % {"state": assessment.get_state_display()}
        )
    return redirect("assessments:detail", pk=pk)


@login_required
@require_POST
def evidence_upload(request, pk):
    scope, assessment = _get_assessment(request, pk, write=True)
    if assessment.is_locked:
        raise PermissionDenied
    form = EvidenceForm(
        request.POST, request.FILES, criteria=assessment.criteria_set.criteria.all()
    )
    if form.is_valid():
        criterion = (
            assessment.criteria_set.criteria.filter(pk=form.cleaned_data["criterion"]).first()
            if form.cleaned_data["criterion"]
            else None
        )
        if not services.can_edit(request.user, assessment, criterion):
            raise PermissionDenied
        Evidence.objects.create(
            assessment=assessment,
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            criterion_id=form.cleaned_data["criterion"],
            uploaded_by=request.user,
        )
        messages.success(request, _("Đã tải lên minh chứng."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("assessments:detail", pk=pk)


@login_required
@require_safe
def evidence_download(request, pk, evidence_pk):
    scope, assessment = _get_assessment(request, pk)
    item = get_object_or_404(Evidence, pk=evidence_pk, assessment=assessment)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _excel_args(request):
    scope = scope_for(request.user)
    year, sets, cset, unit = _choices(request, scope)
    if cset is None or unit is None:
        raise Http404
    return scope, year, cset, unit


@login_required
@require_safe
def template_download(request):
    scope, year, cset, unit = _excel_args(request)
    scope.require_writer()
    data = excel.assessments_template(scope=scope, unit=unit, year=year, criteria_set=cset)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-danh-gia-{cset.code}-{year}.xlsx"'
    return response


@login_required
@require_safe
def export_download(request):
    scope, year, cset, unit = _excel_args(request)
    data = excel.assessments_export(scope=scope, unit=unit, year=year, criteria_set=cset)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ket-qua-{cset.code}-{year}.xlsx"'
    return response


@login_required
def import_upload(request):
    scope = scope_for(request.user)
    scope.require_writer()
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        state = State.APPROVED if form.cleaned_data["approved"] else None
        data = form.cleaned_data["file"].read()
        if runs_in_background(len(data)):
            job = import_job_start(
                importer=get_importer("assessments"),
                data=data,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options={"state": str(state) if state else None},
            )
            return redirect("jobs:detail", pk=job.pk)
        report = run_import(
            "assessments",
            data=data,
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            state=state,
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập: %(c)s kết quả mới, %(u)s kết quả cập nhật.")
                % {"c": report.created, "u": report.updated},
            )
    return render(request, "assessments/import.html", {"form": form, "report": report})


@login_required
def recognition_list(request):
    scope = scope_for(request.user)
    year = year_param(request.GET.get("year"))
    decisions = recognitions.recognitions_of_year(scope=scope, year=year).select_related(
        "unit", "unit__parent", "criteria_set"
    )
    can_record = scope.can_write and (
        request.user.is_superuser or request.user.role == Role.PROVINCE_COORDINATOR
    )
    form = RecognitionForm(
        request.POST or None,
        request.FILES or None,
        sets=criteria_sets_visible(scope),
        initial={"year": year},
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            # The commune as it was on the decision's date (codes were reused after 1/7/2025).
            unit = (
                Unit.objects.filter(code=data.pop("unit_code"), level=3)
                .valid_on(min(data["decision_date"], datetime.date(data["year"], 12, 31)))
                .first()
            )
            if unit is None or not scope.contains(unit):
                messages.error(
                    request, _("Không có xã mã này trong phạm vi của bạn trong năm đã chọn.")
                )
            else:
                try:
                    decision = recognitions.recognition_record(unit=unit, user=request.user, **data)
                except recognitions.RecognitionError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request, _("Đã ghi quyết định %(n)s.") % {"n": decision.decision_number}
                    )
                    return redirect(f"{request.path}?year={data['year']}")
    context = {
        "year": year,
        "years": range(2016, datetime.date.today().year + 1),
        "decisions": decisions,
        "form": form if can_record else None,
    }
    return render(request, "assessments/recognitions.html", context)


@login_required
@require_safe
def go_live_guide(request):
    """Hướng dẫn triển khai: the order of imports for a province going live (no user data)."""
    return render(request, "assessments/go_live.html")
