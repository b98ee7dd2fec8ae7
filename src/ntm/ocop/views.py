"""OCOP pages. Thin: scope through `scope_for`, writes through `services`, figures from
`selectors`. The public catalogue (no login) shows only products holding a valid certificate and
no personal data of household subjects."""

import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.excel import XLSX, workbook_bytes, write_table
from ntm.imports.registry import get as importer_named
from ntm.imports.runner import run_import
from ntm.lib.params import int_param
from ntm.ocop import notice, paper, rules, selectors, services
from ntm.ocop.council_views import NOTICE_DAYS, council_context
from ntm.ocop.excel import ocop_template
from ntm.ocop.forms import CertificateForm, ImportForm, ProductForm, RoundForm, SubjectForm
from ntm.ocop.models import CycleStage, Outcome, Product, SubjectKind
from ntm.ocop.services import OcopError, StaleVersionError
from ntm.reports import pdf
from ntm.units.models import Level, Unit, within_q

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPIRING_MONTHS = 6


def _day_param(raw) -> datetime.date:
    try:
        return datetime.datetime.strptime(str(raw), "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return datetime.date.today()


def _form_error(form, exc: OcopError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def _form_page(request, *, title, form, back, multipart=False, status=200):
    return render(
        request,
        "ocop/form.html",
        {"title": title, "form": form, "back": back, "multipart": multipart},
        status=status,
    )


def _stale(form, exc: StaleVersionError) -> int:
    """A stale save: the form again with the message, nothing saved (HTTP 409)."""
    form.add_error(None, str(exc))
    return 409


def _sent_version(data: dict, record) -> int | None:
    """The version a page sent back for a record it edits (missing: 0, i.e. stale); None for a
    new record."""
    version = data.pop("version", None)
    return (version or 0) if record is not None else None


# -- public ----------------------------------------------------------------------------------


@require_safe
@cache_control(public=True, max_age=300)
def catalogue(request):
    today = datetime.date.today()
    stars = int_param(request.GET.get("stars"))
    group = request.GET.get("group", "")
    group = group if group in dict(rules.group_choices()) else ""
    place = None
    place_id = int_param(request.GET.get("place"))
    if place_id is not None:
        place = Unit.objects.filter(pk=place_id, level__lte=Level.DISTRICT).first()
    qs = selectors.public_products(day=today, stars=stars, group=group, unit=place)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    places = Unit.objects.filter(level=Level.PROVINCE).valid_on(today).order_by("name")
    context = {
        "page": page,
        "groups": rules.group_choices(),
        "stars_choices": (5, 4, 3),
        "stars": stars,
        "group": group,
        "place": place,
        "places": places,
        "today": today,
    }
    return render(request, "ocop/catalogue.html", context)


@require_safe
@cache_control(public=True, max_age=300)
def public_product(request, pk: int):
    certificate = selectors.public_products(day=datetime.date.today()).filter(product_id=pk).first()
    if certificate is None:
        raise Http404
    url = request.build_absolute_uri()
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    context = {
        "c": certificate,
        "p": certificate.product,
        "qr": qr,
        "url": url,
        "show_contact": certificate.product.subject.kind != SubjectKind.HOUSEHOLD,
    }
    return render(request, "ocop/public_product.html", context)


# -- management ------------------------------------------------------------------------------


@login_required
@require_safe
def manage(request):
    scope = scope_for(request.user)
    today = _day_param(request.GET.get("day"))
    context = {
        "day": today,
        "counts": selectors.standing_counts(day=today, scope=scope),
        "expiring": list(selectors.expiring(day=today, months=EXPIRING_MONTHS, scope=scope)[:50]),
        "months": EXPIRING_MONTHS,
        "groups": dict(rules.group_choices()),
        "can_create": services.can_create(request.user),
        "can_council": services.can_create(request.user, council=True),
    }
    return render(request, "ocop/manage.html", context)


@login_required
@require_safe
def subject_list(request):
    scope = scope_for(request.user)
    qs = selectors.subjects_visible(scope)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(name__icontains=text)
    page = Paginator(qs.order_by("name", "pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ocop/subjects.html",
        {"page": page, "can_create": services.can_create(request.user)},
    )


def _subject(request, pk, *, write=False):
    scope = scope_for(request.user)
    subject = get_object_or_404(selectors.subjects_visible(scope), pk=pk)
    if write and not services.can_write_products(request.user, subject.unit):
        raise PermissionDenied
    return subject


@login_required
@require_safe
def subject_detail(request, pk):
    subject = _subject(request, pk)
    products = selectors.products_visible(scope_for(request.user)).filter(subject=subject)
    return render(
        request,
        "ocop/subject_detail.html",
        {
            "s": subject,
            "products": products,
            "can_write": services.can_write_products(request.user, subject.unit),
        },
    )


def _subject_form(request, subject):
    scope = scope_for(request.user)
    initial = {}
    if subject is not None:
        initial = {
            f: getattr(subject, f)
            for f in (
                "kind",
                "name",
                "address",
                "tax_code",
                "representative",
                "phone",
                "email",
                "version",
            )
        }
        initial["unit_code"] = subject.unit.code
    form = SubjectForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = _sent_version(data, subject)
        unit = selectors.commune_by_code(
            data.pop("unit_code"), scope, keep=subject.unit if subject else None
        )
        if unit is None:
            form.add_error("unit_code", _("Không có xã mã này trong phạm vi của bạn."))
        else:
            try:
                saved = services.subject_save(
                    user=request.user, subject=subject, unit=unit, version=version, **data
                )
            except StaleVersionError as exc:
                status = _stale(form, exc)
            except OcopError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Đã lưu chủ thể %(n)s.") % {"n": saved.name})
                return redirect("ocop:subject_detail", pk=saved.pk)
    title = _("Sửa chủ thể") if subject else _("Chủ thể OCOP mới")
    return _form_page(request, title=title, form=form, back="ocop:subjects", status=status)


@login_required
def subject_create(request):
    if not services.can_create(request.user):
        raise PermissionDenied
    return _subject_form(request, None)


@login_required
def subject_edit(request, pk):
    return _subject_form(request, _subject(request, pk, write=True))


@login_required
@require_safe
def product_list(request):
    scope = scope_for(request.user)
    qs = selectors.products_search(
        scope,
        text=request.GET.get("q", ""),
        group=request.GET.get("group", ""),
        stage=request.GET.get("stage", ""),
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ocop/products.html",
        {
            "page": page,
            "groups": rules.group_choices(),
            "stages": CycleStage.choices,
            "can_create": services.can_create(request.user),
        },
    )


def _product(request, pk, *, write=False, council=False):
    scope = scope_for(request.user)
    product = get_object_or_404(selectors.products_visible(scope), pk=pk)
    check = services.can_write_council if council else services.can_write_products
    if write and not check(request.user, product.unit):
        raise PermissionDenied
    return product


@login_required
@require_safe
def product_detail(request, pk):
    product = _product(request, pk)
    evaluations = list(product.evaluations.select_related("round", "round__unit", "sheet"))
    for e in evaluations:
        e.outcome = services.evaluation_outcome(e)
        e.outcome_label = Outcome(e.outcome).label if e.outcome else ""
    return render(
        request,
        "ocop/product_detail.html",
        {
            "p": product,
            "evaluations": evaluations,
            "certificates": product.certificates.order_by("-issued_on", "-pk"),
            "today": datetime.date.today(),
            "can_write": services.can_write_products(request.user, product.unit),
            "can_council": services.can_write_council(request.user, product.unit),
            "sheet_number": (rules.classification_leaf(product.classification) or {}).get("sheet"),
        },
    )


def _product_form(request, product):
    scope = scope_for(request.user)
    subjects = list(selectors.subjects_visible(scope).order_by("name")[:1000])
    initial = {"stage": CycleStage.IDEA}
    if product is not None:
        initial = {
            f: getattr(product, f)
            for f in (
                "name",
                "group",
                "classification",
                "stage",
                "traceability_code",
                "description",
                "version",
            )
        }
        initial.update(subject=product.subject_id, unit_code=product.unit.code)
    form = ProductForm(
        request.POST or None, request.FILES or None, initial=initial, subjects=subjects
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["version"] = _sent_version(data, product)
        unit = selectors.commune_by_code(
            data.pop("unit_code"), scope, keep=product.unit if product else None
        )
        subject_id = data.pop("subject")
        subject = next((s for s in subjects if s.pk == subject_id), None)
        if unit is None:
            form.add_error("unit_code", _("Không có xã mã này trong phạm vi của bạn."))
        else:
            try:
                saved = services.product_save(
                    user=request.user, product=product, unit=unit, subject=subject, **data
                )
            except StaleVersionError as exc:
                status = _stale(form, exc)
            except OcopError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Đã lưu sản phẩm %(n)s.") % {"n": saved.name})
                return redirect("ocop:product_detail", pk=saved.pk)
    title = _("Sửa sản phẩm") if product else _("Sản phẩm OCOP mới")
    return _form_page(
        request, title=title, form=form, back="ocop:products", multipart=True, status=status
    )


@login_required
def product_create(request):
    if not services.can_create(request.user):
        raise PermissionDenied
    return _product_form(request, None)


@login_required
def product_edit(request, pk):
    return _product_form(request, _product(request, pk, write=True))


@login_required
def certificate_add(request, pk):
    product = _product(request, pk, write=True, council=True)
    evaluations = list(product.evaluations.select_related("round").filter(stars__gte=3))
    form = CertificateForm(request.POST or None, evaluations=evaluations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evaluation_id = data.pop("evaluation")
        evaluation = next((e for e in evaluations if e.pk == evaluation_id), None)
        try:
            cert = services.certificate_issue(
                user=request.user, product=product, evaluation=evaluation, **data
            )
        except OcopError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi quyết định %(n)s (%(o)s), hiệu lực đến hết ngày %(d)s.")
                % {
                    "n": cert.number,
                    "o": cert.get_outcome_display(),
                    "d": cert.valid_to.strftime("%d/%m/%Y"),
                },
            )
            return redirect("ocop:product_detail", pk=product.pk)
    title = _("Quyết định công nhận: %(n)s") % {"n": product.name}
    return _form_page(request, title=title, form=form, back="ocop:products")


@login_required
@require_safe
def round_list(request):
    scope = scope_for(request.user)
    page = Paginator(selectors.rounds_visible(scope), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ocop/rounds.html",
        {"page": page, "can_create": services.can_create(request.user, council=True)},
    )


@login_required
def round_create(request):
    if not services.can_create(request.user, council=True):
        raise PermissionDenied
    units = selectors.council_units(request.user)
    today = datetime.date.today()
    form = RoundForm(request.POST or None, units=units, initial={"year": today.year, "number": 1})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit_id = data.pop("unit")
        unit = next((u for u in units if u.pk == unit_id), None)
        try:
            rnd = services.round_save(user=request.user, unit=unit, **data)
        except OcopError as exc:
            _form_error(form, exc)
        else:
            return redirect("ocop:round_detail", pk=rnd.pk)
    return _form_page(request, title=_("Đợt đánh giá mới"), form=form, back="ocop:rounds")


@login_required
def round_detail(request, pk):
    """The council's page: one row per product of the round's area, one input per line."""
    scope = scope_for(request.user)
    rnd = get_object_or_404(selectors.rounds_visible(scope), pk=pk)
    can_write = services.can_write_council(request.user, rnd.unit)
    sheet = services.sheet_for(rnd.held_on)
    lines = list(sheet.lines.order_by("order", "code"))
    errors, status = {}, 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        product = get_object_or_404(
            selectors.products_visible(scope).filter(within_q(rnd.unit)),
            pk=int_param(request.POST.get("product")) or 0,
        )
        scores = {line.code: request.POST.get(f"line_{line.code}", "").strip() for line in lines}
        # The version of the row's evaluation when the page was made; 0 (also when missing):
        # there was none, so one entered since by someone else is not overwritten.
        version = int_param(request.POST.get("version")) or 0
        try:
            ev = services.evaluation_save(
                user=request.user,
                round=rnd,
                product=product,
                scores=scores,
                proposal=request.POST.get("proposal", ""),
                version=version,
            )
        except StaleVersionError as exc:
            errors[product.pk], status = str(exc), 409
            messages.error(request, f"{product.name}: {exc}")
        except OcopError as exc:
            errors[product.pk] = str(exc)
            messages.error(request, f"{product.name}: {exc}")
        else:
            messages.success(
                request,
                _("Đã lưu điểm %(n)s: %(t)s điểm, %(s)s sao.")
                % {"n": product.name, "t": ev.total, "s": ev.stars},
            )
            return redirect("ocop:round_detail", pk=rnd.pk)
    products = list(
        selectors.products_visible(scope).filter(within_q(rnd.unit)).order_by("name")[:500]
    )
    evaluations = {e.product_id: e for e in rnd.evaluations.prefetch_related("scores__line")}
    rows = []
    for product in products:
        ev = evaluations.get(product.pk)
        points = {s.line.code: s.points for s in ev.scores.all()} if ev else {}
        rows.append(
            {
                "product": product,
                "ev": ev,
                "error": errors.get(product.pk),
                "cells": [(line, points.get(line.code, "")) for line in lines],
                "council": rules.COUNCIL_LABELS.get(ev.council_level, "") if ev else "",
            }
        )
    return render(
        request,
        "ocop/round_detail.html",
        {
            "r": rnd,
            "sheet": sheet,
            "lines": lines,
            "rows": rows,
            "can_write": can_write,
            "pdf_available": pdf.libreoffice() is not None,
            **council_context(request, rnd),
        },
        status=status,
    )


def _standing_rows(request):
    scope = scope_for(request.user)
    day = _day_param(request.GET.get("day"))
    return day, list(selectors.standing(day=day, scope=scope).order_by("-stars", "product__name"))


@login_required
@require_safe
def standing_list(request):
    day, certificates = _standing_rows(request)
    scope = scope_for(request.user)
    return render(
        request,
        "ocop/standing.html",
        {
            "day": day,
            "certificates": certificates,
            "counts": selectors.standing_counts(day=day, scope=scope),
            "groups": dict(rules.group_choices()),
        },
    )


@login_required
@require_safe
def standing_export(request):
    from openpyxl import Workbook

    day, certificates = _standing_rows(request)
    wb = Workbook()
    ws = wb.active
    ws.title = "OCOP"
    headers = [
        _("Sản phẩm"),
        _("Nhóm"),
        _("Chủ thể"),
        _("Xã"),
        _("Huyện"),
        _("Hạng sao"),
        _("Số quyết định"),
        _("Ngày quyết định"),
        _("Hiệu lực đến"),
    ]
    rows = [
        [
            c.product.name,
            c.product.group_label,
            c.product.subject.name,
            c.product.unit.name,
            c.product.unit.parent.name if c.product.unit.parent else "",
            c.stars,
            c.number,
            c.issued_on.strftime("%d/%m/%Y"),
            c.valid_to.strftime("%d/%m/%Y"),
        ]
        for c in certificates
    ]
    write_table(ws, headers, rows, widths={1: 36, 2: 28, 3: 36, 4: 22, 5: 22})
    response = HttpResponse(workbook_bytes(wb), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ocop-{day:%Y-%m-%d}.xlsx"'
    return response


@login_required
@require_safe
def template_download(request):
    scope = scope_for(request.user)
    response = HttpResponse(ocop_template(scope=scope), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ocop.xlsx"'
    return response


@login_required
def import_upload(request):
    if not services.can_create(request.user):
        raise PermissionDenied
    scope = scope_for(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            "ocop",
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập: %(c)s dòng mới, %(u)s dòng cập nhật.")
                % {"c": report.created, "u": report.updated},
            )
    return render(request, "ocop/import.html", {"form": form, "report": report})


def product_public_url(product: Product) -> str:
    from django.urls import reverse

    return reverse("ocop:public_product", kwargs={"pk": product.pk})


@login_required
def sheet_import(request):
    """A council member uploads their Excel score sheet (the import frame's `ocop-sheet`: limits,
    all or nothing, the online sheet's checks)."""
    importer = importer_named("ocop-sheet")
    scope = scope_for(request.user)
    if not importer.may_use(request.user, scope):
        raise PermissionDenied(_("Bạn không phải thành viên hội đồng của đợt nào đang chấm."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = run_import(
            importer,
            data=form.cleaned_data["file"].read(),
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not report.dry_run:
            messages.success(request, _("Đã lưu phiếu chấm từ tệp Excel."))
    return render(request, "ocop/sheet_import.html", {"form": form, "report": report})


# -- paper: the printable score sheet, the expiry notice letter -------------------------------


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _printed_sheet(request, pk) -> tuple:
    """The printable sheet of an evaluation the user sees; `?member=` (a member of the round's
    council) prints that member's name on it."""
    ev = get_object_or_404(
        selectors.evaluations_visible(scope_for(request.user)).select_related(
            "product__subject", "product_sheet__scoring_set", "round__unit"
        ),
        pk=pk,
    )
    member = (
        ev.round.council.select_related("user")
        .filter(pk=int_param(request.GET.get("member")) or 0)
        .first()
    )
    return ev, paper.sheet_docx(ev, member=member)


@login_required
@require_safe
def evaluation_sheet_docx(request, pk):
    ev, data = _printed_sheet(request, pk)
    return _download(data, DOCX, f"phieu-cham-ocop-{ev.pk}.docx")


@login_required
@require_safe
def evaluation_sheet_pdf(request, pk):
    """The same sheet through the annual report's PDF path (LibreOffice, when installed)."""
    ev, data = _printed_sheet(request, pk)
    try:
        converted = pdf.docx_to_pdf(data)
    except pdf.PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _download(converted, "application/pdf", f"phieu-cham-ocop-{ev.pk}.pdf")


@login_required
@require_safe
def expiry_notice(request):
    """The notice letters for the certificates of the 30-day notice list (one per commune, or
    one per subject with `?by=subject`), sent in the name of the user's unit."""
    today = datetime.date.today()
    by = notice.BY_SUBJECT if request.GET.get("by") == notice.BY_SUBJECT else notice.BY_COMMUNE
    certificates = selectors.expiry_calendar(
        day=today, days=NOTICE_DAYS, scope=scope_for(request.user)
    ).select_related("product__subject", "product__unit")
    data = notice.notice_docx(
        list(certificates), day=today, days=NOTICE_DAYS, sender=request.user.unit, by=by
    )
    return _download(data, DOCX, f"thong-bao-het-han-ocop-{today:%Y-%m-%d}-{by}.docx")
