"""Council scoring (26/2026/QĐ-TTg): a round's council (chair, secretary, members) scores each
product of the round on the product's sheet, one choice per item, each member in their own score
sheet (versioned). Writes are here (keyword-only, `OcopError` in Vietnamese, nothing written on a
refusal); the arithmetic is `compute`, one pure function used on every save and on closing.

- The product's score is the mean of the members' totals (complete sheets only).
- The star comes from the bands of the set, then is capped: a ★ marker on an option is the
  minimum a product needs on that item for that many stars (and more). The system reads "needs"
  on the council's mean points for the item, as the score itself is the mean (SOURCES.md).
- A product that meets a disqualifying condition of its sheet, as the chair records it, is not
  ranked (0 stars).
- A member whose total differs from the mean by more than `DIVERGENCE` points writes a note
  (giải trình) before the chair may close the round.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm import versioning
from ntm.lib.freshness import data_changed
from ntm.ocop import services
from ntm.ocop.models import (
    CouncilMember,
    CouncilRole,
    Evaluation,
    EvaluationRound,
    MemberChoice,
    MemberSheet,
    Product,
    ProductSheet,
    RoundStatus,
    SheetItem,
    SheetOption,
)
from ntm.ocop.services import OcopError, StaleVersionError, _require, can_write_council

DIVERGENCE = Decimal(10)
CENT = Decimal("0.01")


def _vi(value) -> str:
    return services._vi(Decimal(value))


# -- the arithmetic --------------------------------------------------------------------------


def compute(*, scoring_set, totals: list[Decimal], item_points: dict, markers: list, disqualified):
    """(mean, band stars, final stars, caps) of one product.

    `totals`: the members' totals (complete sheets); `item_points`: {item_id: [points of each
    member]}; `markers`: [(item_id, item_code, min_star, points, label)]."""
    if not totals:
        return Decimal(0), 0, 0, []
    n = len(totals)
    mean = sum(totals, Decimal(0)) / n
    band = scoring_set.stars_for(mean)
    stars, caps = band, []
    for item_id, code, min_star, points, label in sorted(markers, key=lambda m: (m[2], m[1])):
        got = sum(item_points.get(item_id, []), Decimal(0)) / n
        if got < points and stars >= min_star:
            stars = min_star - 1
        if got < points and band >= min_star:
            caps.append(
                {
                    "item": code,
                    "min_star": min_star,
                    "needed": float(points),
                    "mean": float(got.quantize(CENT, ROUND_HALF_UP)),
                    "text": _(
                        "Mục %(c)s: bình quân %(g)s điểm, chưa đạt mức tối thiểu cho %(s)s sao "
                        "(“%(l)s”, %(p)s điểm)."
                    )
                    % {
                        "c": code,
                        "g": _vi(got.quantize(CENT)),
                        "s": min_star,
                        "l": label[:80],
                        "p": _vi(points),
                    },
                }
            )
    if disqualified:
        stars = 0
        caps.append(
            {
                "item": "",
                "min_star": 0,
                "text": _("Không đủ điều kiện đánh giá (điều kiện loại của phiếu chấm)."),
            }
        )
    return mean.quantize(CENT, ROUND_HALF_UP), band, stars, caps


def _markers(sheet_ids) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    rows = SheetOption.objects.filter(
        item__sheet_id__in=sheet_ids, min_star__isnull=False
    ).values_list("item__sheet_id", "item_id", "item__code", "min_star", "points", "label")
    for sheet_id, item_id, code, min_star, points, label in rows:
        out[sheet_id].append((item_id, code, min_star, points, label))
    return out


def _recompute(evaluations: list[Evaluation]) -> None:
    """Recompute the mean, band, stars and caps of evaluations from their members' complete
    sheets (four queries whatever the number of products)."""
    ids = [e.pk for e in evaluations]
    sheets = defaultdict(list)
    for ms in MemberSheet.objects.filter(evaluation_id__in=ids, complete=True).order_by():
        sheets[ms.evaluation_id].append(ms)
    points = defaultdict(lambda: defaultdict(list))
    for ev_id, item_id, pts in MemberChoice.objects.filter(
        sheet__evaluation_id__in=ids, sheet__complete=True
    ).values_list("sheet__evaluation_id", "item_id", "option__points"):
        points[ev_id][item_id].append(pts)
    markers = _markers({e.product_sheet_id for e in evaluations})
    for ev in evaluations:
        mean, band, stars, caps = compute(
            scoring_set=ev.sheet,
            totals=[s.total for s in sheets[ev.pk]],
            item_points=points[ev.pk],
            markers=markers.get(ev.product_sheet_id, []),
            disqualified=ev.disqualified,
        )
        ev.total, ev.band_stars, ev.stars, ev.caps = mean, band, stars, caps
        ev.version += 1
    Evaluation.objects.bulk_update(evaluations, ["total", "band_stars", "stars", "caps", "version"])
    data_changed()  # a bulk update sends no signal


# -- council and products --------------------------------------------------------------------


def _open(rnd: EvaluationRound) -> None:
    if rnd.status != RoundStatus.OPEN:
        raise OcopError(_("Đợt đánh giá đã kết thúc; không sửa được nữa."), "round")


@transaction.atomic
def council_set(*, user, round: EvaluationRound, members: list[tuple]) -> list[CouncilMember]:
    """Set the council of a round: [(user, role)], exactly one chair. A member who already saved
    a score sheet cannot be removed."""
    _require(can_write_council(user, round.unit))
    rnd = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    _open(rnd)
    roles = [role for _u, role in members]
    if any(role not in CouncilRole.values for role in roles):
        raise OcopError(_("Vai trò trong hội đồng không hợp lệ."), "members")
    if roles.count(CouncilRole.CHAIR) != 1:
        raise OcopError(_("Hội đồng cần đúng một chủ tịch."), "members")
    users = [u for u, _r in members]
    if len({u.pk for u in users}) != len(users):
        raise OcopError(_("Một người chỉ giữ một vai trò trong hội đồng."), "members")
    current = {m.user_id: m for m in rnd.council.all()}
    keep = {u.pk for u in users}
    scored = set(
        MemberSheet.objects.filter(member__round=rnd).values_list("member__user_id", flat=True)
    )
    for user_id, member in current.items():
        if user_id not in keep:
            if user_id in scored:
                raise OcopError(
                    _("%(m)s đã chấm điểm trong đợt; không bỏ khỏi hội đồng được.")
                    % {"m": member.user},
                    "members",
                )
            member.delete()
    out = []
    for member_user, role in members:
        member = current.get(member_user.pk) or CouncilMember(round=rnd, user=member_user)
        if member.pk is None or member.role != role:
            member.role = role
            member.save()
        out.append(member)
    return out


def product_sheet_for(product: Product, scoring_set) -> ProductSheet:
    """The product's scoring sheet in a set, from its classification (Phụ lục I)."""
    from ntm.ocop.sheets import product_sheets_load

    if not product.classification:
        raise OcopError(
            _(
                "Sản phẩm “%(p)s” chưa được phân loại theo Phụ lục I nên chưa có phiếu chấm: "
                "sửa sản phẩm, chọn loại sản phẩm."
            )
            % {"p": product.name},
            "product",
        )
    product_sheets_load(scoring_set)
    sheet = ProductSheet.objects.filter(
        scoring_set=scoring_set, classification=product.classification
    ).first()
    if sheet is None:
        raise OcopError(
            _("Bộ tiêu chí %(s)s không có phiếu chấm chi tiết; nhập điểm theo phần A, B, C.")
            % {"s": scoring_set.decision_number},
            "product",
        )
    return sheet


@transaction.atomic
def round_products_add(
    *, user, round: EvaluationRound, products: list[Product]
) -> list[Evaluation]:
    """Put products on a round, each with its sheet (all or none)."""
    _require(can_write_council(user, round.unit))
    _open(round)
    scoring_set = services.sheet_for(round.held_on)
    out = []
    for product in products:
        if not product.unit.path.startswith(round.unit.path):
            raise OcopError(
                _("Sản phẩm “%(p)s” không thuộc địa bàn của đợt.") % {"p": product.name}, "products"
            )
        sheet = product_sheet_for(product, scoring_set)
        ev, created = Evaluation.objects.get_or_create(
            round=round, product=product, defaults={"sheet": scoring_set, "product_sheet": sheet}
        )
        if not created and ev.product_sheet_id is None:
            if ev.scores.exists():
                raise OcopError(
                    _("Sản phẩm “%(p)s” đã có điểm nhập theo phần trong đợt.")
                    % {"p": product.name},
                    "products",
                )
            ev.sheet, ev.product_sheet = scoring_set, sheet
            ev.save(update_fields=["sheet", "product_sheet"])
        out.append(ev)
    return out


@transaction.atomic
def evaluation_disqualify(*, user, evaluation: Evaluation, disqualified: bool, reason: str = ""):
    """The chair (or secretary) records that a product meets its sheet's disqualifying condition."""
    rnd = evaluation.round
    _lead(user, rnd, (CouncilRole.CHAIR, CouncilRole.SECRETARY))
    _open(rnd)
    reason = " ".join((reason or "").split())
    if disqualified and not reason:
        raise OcopError(_("Cần ghi lý do (điều kiện loại của phiếu chấm)."), "reason")
    ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    ev.disqualified, ev.disqualified_reason = disqualified, reason if disqualified else ""
    ev.save(update_fields=["disqualified", "disqualified_reason"])
    _recompute([ev])
    return ev


def _lead(user, rnd, roles) -> None:
    if user is None or user.is_superuser:
        return
    if not rnd.council.filter(user=user, role__in=roles).exists():
        raise PermissionDenied(_("Chỉ chủ tịch (hoặc thư ký) hội đồng của đợt làm được việc này."))


# -- a member's score sheet ------------------------------------------------------------------


def member_of(user, rnd: EvaluationRound) -> CouncilMember:
    member = rnd.council.filter(user=user).first() if user is not None else None
    if member is None:
        raise OcopError(_("Bạn không phải thành viên hội đồng của đợt này."), "member")
    return member


def _parse_choices(evaluation: Evaluation, choices: dict) -> dict[SheetItem, SheetOption]:
    """{item code: option id} → {item: option}, every refusal naming the item."""
    if not isinstance(choices, dict):
        raise OcopError(_("Lựa chọn phải là bảng {mã mục: mã phương án}."), "choices")
    items = {
        i.code: i
        for i in SheetItem.objects.filter(sheet_id=evaluation.product_sheet_id, scored=True)
    }
    options = {o.pk: o for o in SheetOption.objects.filter(item__in=items.values())}
    out = {}
    for code, raw in choices.items():
        item = items.get(str(code))
        if item is None:
            raise OcopError(
                _("Mục “%(c)s” không có trong phiếu chấm số %(n)s.")
                % {"c": code, "n": evaluation.product_sheet.number},
                "choices",
            )
        if raw in (None, ""):
            continue
        try:
            option = options.get(int(raw))
        except (TypeError, ValueError):
            option = None
        if option is None or option.item_id != item.pk:
            raise OcopError(
                _("Mục %(c)s: “%(r)s” không phải là phương án của mục này.")
                % {"c": code, "r": raw},
                "choices",
            )
        if option.blocked:
            raise OcopError(
                _(
                    "Mục %(c)s: ô điểm “%(l)s” đang chờ quản trị viên tỉnh đối chiếu với văn bản "
                    "gốc, chưa chọn được."
                )
                % {"c": code, "l": option.label[:60]},
                "choices",
            )
        out[item] = option
    return out, len(items)


@transaction.atomic
def member_sheet_save(
    *,
    user,
    evaluation: Evaluation,
    choices: dict,
    note: str | None = None,
    version: int | None = None,
    member: CouncilMember | None = None,
) -> MemberSheet:
    """Save a member's choices for one product (all the choices made so far: an item left out is
    not chosen yet). `version` is the one the member read (0: none yet); stale → refused."""
    rnd = evaluation.round
    member = member if user is None and member is not None else member_of(user, rnd)
    if member.round_id != rnd.pk:
        raise OcopError(_("Bạn không phải thành viên hội đồng của đợt này."), "member")
    _open(rnd)
    if evaluation.product_sheet_id is None:
        raise OcopError(
            _("Sản phẩm “%(p)s” chưa có phiếu chấm trong đợt.") % {"p": evaluation.product.name},
            "product",
        )
    chosen, n_items = _parse_choices(evaluation, choices)
    sheet = (
        MemberSheet.objects.select_for_update().filter(evaluation=evaluation, member=member).first()
    )
    if sheet is not None:
        versioning.check_version(sheet, version, error=StaleVersionError)
    elif version not in (None, 0):
        raise StaleVersionError(_("Phiếu chấm đã bị xóa hoặc chưa có; hãy tải lại trang."))
    else:
        sheet = MemberSheet(evaluation=evaluation, member=member)
    sheet.total = sum((o.points for o in chosen.values()), Decimal(0))
    sheet.complete = len(chosen) == n_items
    if note is not None:
        sheet.note = note.strip()[:4000]
    if user is not None:
        sheet._history_user = user
    versioning.bump_on_save(sheet)
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError as exc:  # the same member saving twice at once
        raise StaleVersionError(
            _("Phiếu chấm vừa được lưu ở nơi khác; hãy tải lại trang.")
        ) from exc
    sheet.choices.all().delete()
    MemberChoice.objects.bulk_create(
        MemberChoice(sheet=sheet, item=item, option=option) for item, option in chosen.items()
    )
    _recompute([Evaluation.objects.select_related("sheet").get(pk=evaluation.pk)])
    return sheet


# -- closing ---------------------------------------------------------------------------------


def divergent(evaluation_means: dict, sheets) -> list[MemberSheet]:
    """Complete sheets whose total differs from their product's mean by more than 10 points."""
    return [
        s
        for s in sheets
        if s.complete and abs(s.total - evaluation_means[s.evaluation_id]) > DIVERGENCE
    ]


@transaction.atomic
def round_close(*, user, round: EvaluationRound) -> list[Evaluation]:
    """The chair closes the round: every member has a complete sheet for every product and every
    divergent member has written a note; the final stars and the proposal list are fixed."""
    rnd = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    _lead(user, rnd, (CouncilRole.CHAIR,))
    _open(rnd)
    members = list(rnd.council.select_related("user"))
    evaluations = list(
        rnd.evaluations.filter(product_sheet__isnull=False).select_related("product", "sheet")
    )
    if not members:
        raise OcopError(_("Đợt chưa có hội đồng."), "round")
    if not evaluations:
        raise OcopError(_("Đợt chưa có sản phẩm nào được chấm theo phiếu."), "round")
    sheets = list(MemberSheet.objects.filter(evaluation__round=rnd).select_related("member__user"))
    done = {(s.evaluation_id, s.member_id) for s in sheets if s.complete}
    problems = []
    for ev in evaluations:
        missing = [str(m.user) for m in members if (ev.pk, m.pk) not in done]
        if missing:
            problems.append(
                _("“%(p)s”: thiếu phiếu chấm đủ của %(m)s")
                % {"p": ev.product.name, "m": ", ".join(missing)}
            )
    if not problems:
        _recompute(evaluations)
        means = {ev.pk: ev.total for ev in evaluations}
        exact = {
            ev.pk: sum((s.total for s in sheets if s.evaluation_id == ev.pk), Decimal(0))
            / len(members)
            for ev in evaluations
        }
        names = {ev.pk: ev.product.name for ev in evaluations}
        for s in divergent(exact, sheets):
            if not s.note.strip():
                problems.append(
                    _(
                        "“%(p)s”: %(m)s chấm %(t)s điểm, lệch bình quân (%(a)s) quá 10 điểm, cần giải trình"
                    )
                    % {
                        "p": names[s.evaluation_id],
                        "m": s.member.user,
                        "t": _vi(s.total),
                        "a": _vi(means[s.evaluation_id]),
                    }
                )
    if problems:
        raise OcopError(_("Chưa kết thúc đợt được: %(p)s.") % {"p": "; ".join(problems)}, "round")
    for ev in evaluations:
        ev.proposal = proposal_text(ev)
    Evaluation.objects.bulk_update(evaluations, ["proposal"])
    data_changed()
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, timezone.now()
    rnd.closed_by = user if user is not None and user.is_authenticated else None
    if user is not None:
        rnd._history_user = user
    rnd.save()
    return evaluations


def proposal_text(ev: Evaluation) -> str:
    allowed = range(ev.sheet.certified_min_stars, ev.sheet.max_stars + 1)
    if ev.stars in allowed:
        return _("Đề nghị công nhận %(s)s sao") % {"s": ev.stars}
    if ev.disqualified:
        return _("Không đủ điều kiện đánh giá")
    return _("Chưa đạt %(s)s sao") % {"s": ev.sheet.certified_min_stars}


# -- a corrected cell ------------------------------------------------------------------------


@transaction.atomic
def cell_correct(*, user, option: SheetOption, points, reason: str):
    """A province administrator corrects one cell of a product sheet (`sheets.option_correct`:
    reason required, old value kept) and the correction applies to scoring at once: every
    member sheet of an open round that chose the option gets its total again, and its product
    its mean, band, stars and caps. A closed round keeps the results its council fixed."""
    from ntm.ocop.sheets import option_correct

    correction = option_correct(user=user, option=option, points=points, reason=reason)
    option_rescore(option, user=user)
    return correction


def option_rescore(option: SheetOption, *, user=None) -> list[Evaluation]:
    """Recompute the open-round member sheets that chose the option, then their products."""
    affected = list(
        MemberSheet.objects.filter(
            choices__option=option, evaluation__round__status=RoundStatus.OPEN
        ).distinct()
    )
    totals = defaultdict(Decimal)
    for sheet_id, points in MemberChoice.objects.filter(sheet__in=affected).values_list(
        "sheet_id", "option__points"
    ):
        totals[sheet_id] += points
    for sheet in affected:
        sheet.total = totals[sheet.pk]
        if user is not None:
            sheet._history_user = user
        sheet.save(update_fields=["total", "updated_at"])  # the member's version is unchanged
    evaluations = list(
        Evaluation.objects.select_related("sheet").filter(
            pk__in={s.evaluation_id for s in affected}
        )
    )
    if evaluations:
        _recompute(evaluations)
    return evaluations
