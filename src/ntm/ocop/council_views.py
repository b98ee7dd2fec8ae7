"""OCOP council pages: the round's council panel (on the round page), a member's score sheet for
one product, closing a round; certificate revocation and the expiry calendar. Thin: scope through
`scope_for`, writes through `council` / `services`, figures from `selectors`."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ntm.accounts.scope import scope_for
from ntm.excel import XLSX
from ntm.lib.params import int_param
from ntm.ocop import council, selectors, services, sheets
from ntm.ocop.forms import CorrectionForm, RevokeForm
from ntm.ocop.models import (
    CouncilRole,
    MemberChoice,
    MemberSheet,
    OptionCorrection,
    ProductSheet,
    RoundStatus,
    SheetItem,
    SheetOption,
)
from ntm.ocop.services import OcopError, StaleVersionError
from ntm.ocop.sheet_excel import member_sheet_template
from ntm.units.models import within_q

NOTICE_DAYS, CALENDAR_DAYS = 30, 90


def council_context(request, rnd) -> dict:
    """What the round page shows about its council: members, products on sheets with each
    member's sheet (total, complete, divergent), the means and stars, what the user may do."""
    members = list(rnd.council.select_related("user"))
    evaluations = list(
        rnd.evaluations.filter(product_sheet__isnull=False)
        .select_related("product", "product_sheet")
        .order_by("product__name")
    )
    sheets = defaultdict(dict)
    for s in MemberSheet.objects.filter(evaluation__round=rnd):
        sheets[s.evaluation_id][s.member_id] = s
    me = next((m for m in members if m.user_id == request.user.pk), None)
    rows = []
    for ev in evaluations:
        complete = [s for s in sheets[ev.pk].values() if s.complete]
        mean = sum((s.total for s in complete), Decimal(0)) / len(complete) if complete else None
        cells = []
        for m in members:
            s = sheets[ev.pk].get(m.pk)
            far = s is not None and mean is not None and s.complete and abs(s.total - mean) > 10
            cells.append({"sheet": s, "divergent": far, "needs_note": far and not s.note.strip()})
        rows.append({"ev": ev, "cells": cells, "mine": me is not None})
    in_round = {ev.product_id for ev in rnd.evaluations.all()}
    candidates = []
    can_write = services.can_write_council(request.user, rnd.unit)
    if can_write and rnd.status == RoundStatus.OPEN:
        candidates = [
            p
            for p in selectors.products_visible(scope_for(request.user))
            .filter(within_q(rnd.unit))
            .order_by("name")[:500]
            if p.pk not in in_round
        ]
    return {
        "members": members,
        "council_rows": rows,
        "me": me,
        "is_chair": me is not None and me.role == CouncilRole.CHAIR,
        "candidates": candidates,
        "council_users": _council_users(rnd) if can_write and rnd.status == "open" else [],
        "roles": CouncilRole.choices,
        "closed": rnd.status == RoundStatus.CLOSED,
        "proposals": list(selectors.round_proposals(rnd)) if rnd.status == "closed" else [],
    }


def _council_users(rnd) -> list:
    """Users who may sit on the round's council: active users of the round's unit, of units
    below it, or of the units above it (province departments sit on district councils)."""
    path = rnd.unit.path
    above = [path[:i] for i in range(1, len(path)) if path[i - 1] == "/"]
    q = within_q(rnd.unit) | Q(unit__path__in=above)
    return list(
        get_user_model()
        .objects.filter(q, is_active=True)
        .select_related("unit")
        .order_by("username")[:300]
    )


def _round(request, pk):
    return get_object_or_404(selectors.rounds_visible(scope_for(request.user)), pk=pk)


@login_required
@require_POST
def round_council(request, pk):
    rnd = _round(request, pk)
    users = {u.pk: u for u in _council_users(rnd)}
    members = []
    for role in CouncilRole.values:
        for raw in request.POST.getlist(role):
            user = users.get(int_param(raw) or 0)
            if user is not None:
                members.append((user, role))
    try:
        council.council_set(user=request.user, round=rnd, members=members)
    except OcopError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã lưu hội đồng của đợt."))
    return redirect("ocop:round_detail", pk=rnd.pk)


@login_required
@require_POST
def round_products(request, pk):
    rnd = _round(request, pk)
    ids = [i for i in (int_param(v) for v in request.POST.getlist("products")) if i]
    found = selectors.products_visible(scope_for(request.user)).in_bulk(ids)
    try:
        council.round_products_add(user=request.user, round=rnd, products=list(found.values()))
    except OcopError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thêm %(n)s sản phẩm vào đợt.") % {"n": len(found)})
    return redirect("ocop:round_detail", pk=rnd.pk)


@login_required
@require_POST
def round_close(request, pk):
    rnd = _round(request, pk)
    try:
        evaluations = council.round_close(user=request.user, round=rnd)
    except OcopError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã kết thúc đợt; danh sách đề nghị có %(n)s sản phẩm.") % {"n": len(evaluations)},
        )
    return redirect("ocop:round_detail", pk=rnd.pk)


@login_required
def evaluation_score(request, pk):
    """A member's own score sheet for one product: one choice per item, saved with a version.
    Five queries whatever the size of the sheet."""
    ev = get_object_or_404(
        selectors.evaluations_visible(scope_for(request.user)).select_related(
            "product_sheet", "round__unit"
        ),
        pk=pk,
    )
    try:
        member = council.member_of(request.user, ev.round)
    except OcopError as exc:
        raise PermissionDenied(str(exc)) from exc
    if ev.product_sheet_id is None:
        raise PermissionDenied(_("Sản phẩm chưa có phiếu chấm trong đợt."))
    status, error = 200, ""
    if request.method == "POST":
        choices = {
            key[len("item_") :]: value
            for key, value in request.POST.items()
            if key.startswith("item_") and value
        }
        try:
            council.member_sheet_save(
                user=request.user,
                evaluation=ev,
                choices=choices,
                note=request.POST.get("note", ""),
                version=int_param(request.POST.get("version")) or 0,
            )
        except StaleVersionError as exc:
            status, error = 409, str(exc)
        except OcopError as exc:
            status, error = 400, str(exc)
        else:
            messages.success(request, _("Đã lưu phiếu chấm %(p)s.") % {"p": ev.product.name})
            return redirect("ocop:evaluation_score", pk=ev.pk)
    mine = MemberSheet.objects.filter(evaluation=ev, member=member).first()
    chosen = (
        dict(MemberChoice.objects.filter(sheet=mine).values_list("item_id", "option_id"))
        if mine
        else {}
    )
    if request.method == "POST":  # show what was sent, not what is stored
        chosen = {}
        by_code = {k[len("item_") :]: v for k, v in request.POST.items() if k.startswith("item_")}
        for item in ev.product_sheet.items.filter(code__in=by_code).only("pk", "code"):
            chosen[item.pk] = int_param(by_code[item.code])
    items = list(
        SheetItem.objects.filter(sheet_id=ev.product_sheet_id)
        .prefetch_related(Prefetch("options"))
        .order_by("order")
    )
    for item in items:
        item.chosen = chosen.get(item.pk)
    return render(
        request,
        "ocop/score.html",
        {
            "ev": ev,
            "rnd": ev.round,
            "sheet": ev.product_sheet,
            "items": items,
            "mine": mine,
            "member": member,
            "error": error,
            "note": request.POST.get("note", mine.note if mine else "")
            if request.method == "POST"
            else (mine.note if mine else ""),
            "open": ev.round.status == RoundStatus.OPEN,
        },
        status=status,
    )


@login_required
@require_safe
def evaluation_sheet_xlsx(request, pk):
    """The member's own score sheet for the product as Excel (to fill offline and import)."""
    ev = get_object_or_404(
        selectors.evaluations_visible(scope_for(request.user)).select_related(
            "product__subject", "product_sheet", "round__unit"
        ),
        pk=pk,
    )
    try:
        member = council.member_of(request.user, ev.round)
        data = member_sheet_template(evaluation=ev, member=member)
    except OcopError as exc:
        raise PermissionDenied(str(exc)) from exc
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="phieu-cham-ocop-{ev.pk}-{request.user.username}.xlsx"'
    )
    return response


# -- flagged cells of the product sheets -----------------------------------------------------


@login_required
def sheet_corrections(request):
    """The cells of the loaded product sheets that the loader flags (likely typing errors of the
    transcript, empty points cells) with the findings, a form to correct one with a reason (a
    province administrator), and the corrections made so far."""
    if not sheets.can_correct(request.user):
        raise PermissionDenied(_("Chỉ quản trị viên cấp tỉnh được hiệu chỉnh phiếu chấm."))
    flagged = (
        SheetOption.objects.filter(Q(source_flag__gt="") | Q(item__source_flag__gt=""))
        .select_related("item__sheet__scoring_set")
        .order_by("item__sheet__scoring_set", "item__sheet__number", "item__order", "order")
    )
    form, status, target = CorrectionForm(), 200, None
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        target = flagged.filter(pk=int_param(request.POST.get("option")) or 0).first()
        if target is None:
            form.add_error(None, _("Chỉ hiệu chỉnh được các ô điểm được đánh dấu cần kiểm tra."))
        if form.is_valid():
            try:
                council.cell_correct(user=request.user, option=target, **form.cleaned_data)
            except sheets.SheetError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(
                    request,
                    _("Đã hiệu chỉnh ô điểm mục %(c)s phiếu %(n)s.")
                    % {"c": target.item.code, "n": target.item.sheet.number},
                )
                return redirect("ocop:sheet_corrections")
        status = 400
    findings = [
        f
        for sheet in ProductSheet.objects.select_related("scoring_set").order_by(
            "scoring_set", "number"
        )
        for f in sheets.sheet_findings(sheet)
        if f.kind != "derived"
    ]
    return render(
        request,
        "ocop/corrections.html",
        {
            "flagged": list(flagged),
            "findings": findings,
            "form": form,
            "target": target,
            "corrections": OptionCorrection.objects.select_related("option__item__sheet", "user")[
                :200
            ],
        },
        status=status,
    )


# -- certificates ----------------------------------------------------------------------------


@login_required
def certificate_revoke(request, pk):
    certificate = get_object_or_404(selectors.certificates_visible(scope_for(request.user)), pk=pk)
    if not services.can_write_council(request.user, certificate.product.unit):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                user=request.user, certificate=certificate, **form.cleaned_data
            )
        except OcopError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Đã ghi quyết định thu hồi."))
            return redirect("ocop:product_detail", pk=certificate.product_id)
    return render(
        request,
        "ocop/form.html",
        {
            "title": _("Thu hồi giấy chứng nhận %(c)s — %(p)s")
            % {"c": certificate, "p": certificate.product.name},
            "form": form,
            "back": "ocop:products",
        },
    )


@login_required
@require_safe
def expiry_calendar(request):
    """Certificates that expire in the next 90 days, by month, and the 30-day notice list."""
    today = datetime.date.today()
    rows = list(
        selectors.expiry_calendar(
            day=today, days=CALENDAR_DAYS, scope=scope_for(request.user)
        ).select_related("product__subject")
    )
    months: dict = defaultdict(list)
    for c in rows:
        months[(c.valid_to.year, c.valid_to.month)].append(c)
    notice_end = today + datetime.timedelta(days=NOTICE_DAYS)
    return render(
        request,
        "ocop/expiry.html",
        {
            "today": today,
            "months": [
                {"label": f"{m:02d}/{y}", "rows": r} for (y, m), r in sorted(months.items())
            ],
            "notice": [c for c in rows if c.valid_to <= notice_end],
            "notice_days": NOTICE_DAYS,
            "calendar_days": CALENDAR_DAYS,
        },
    )
