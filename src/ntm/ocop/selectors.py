"""Reads and figures of OCOP. `ocop_figures` fills the `ocop` key of the progress summary
(`ntm.reports.selectors.progress_summary`), so pages, the API and the CLI agree.

Standing on a day: for each product, the latest certificate issued on or before the day decides
(a re-certification, upgrade or downgrade replaces the earlier one); the product stands when that
certificate is still valid on the day (issued_on ≤ day ≤ valid_to). An expired one is not counted.
"""

import datetime
from collections import Counter

from django.db.models import Exists, OuterRef, Q, QuerySet

from ntm.accounts.scope import Scope
from ntm.ocop import rules
from ntm.ocop.models import (
    Certificate,
    CouncilMember,
    Evaluation,
    EvaluationRound,
    Outcome,
    Product,
    RoundStatus,
    Subject,
)
from ntm.units.models import Unit, within_q
from ntm.units.paths import path_depth, prefix_at_depth

STARS = rules.certifiable_stars()  # (3, 4, 5), from the scoring sets in ocop/data


# -- visible records -------------------------------------------------------------------------


def subjects_visible(scope: Scope) -> QuerySet:
    return scope.filter(Subject.objects.select_related("unit"), field="unit")


def products_visible(scope: Scope) -> QuerySet:
    return scope.filter(
        Product.objects.select_related("subject", "unit", "unit__parent"), field="unit"
    )


def rounds_visible(scope: Scope) -> QuerySet:
    return scope.filter(EvaluationRound.objects.select_related("unit"), field="unit")


def evaluations_visible(scope: Scope) -> QuerySet:
    return scope.filter(
        Evaluation.objects.select_related("round", "product", "product__unit", "sheet"),
        field="product__unit",
    )


def certificates_visible(scope: Scope) -> QuerySet:
    return scope.filter(
        Certificate.objects.select_related("product", "product__unit", "product__subject"),
        field="product__unit",
    )


def products_search(
    scope: Scope, *, text: str = "", group: str = "", stage: str = "", subject: int | None = None
) -> QuerySet:
    qs = products_visible(scope)
    if text.strip():
        words = text.strip()
        qs = qs.filter(Q(name__icontains=words) | Q(subject__name__icontains=words))
    if group:
        qs = qs.filter(group=group)
    if stage:
        qs = qs.filter(stage=stage)
    if subject is not None:
        qs = qs.filter(subject_id=subject)
    return qs.order_by("name", "pk")


# -- standing --------------------------------------------------------------------------------


def not_revoked(day: datetime.date) -> Q:
    """Certificates not revoked on the day (a revocation takes effect on its date)."""
    return Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)


def standing_certificates(day: datetime.date, qs: QuerySet | None = None) -> QuerySet:
    """The certificates that stand on the day (one per product at most): the latest decision
    issued on or before the day, still valid and not revoked."""
    qs = Certificate.objects.all() if qs is None else qs
    later = Certificate.objects.filter(product=OuterRef("product"), issued_on__lte=day).filter(
        Q(issued_on__gt=OuterRef("issued_on"))
        | Q(issued_on=OuterRef("issued_on"), pk__gt=OuterRef("pk"))
    )
    return (
        qs.filter(issued_on__lte=day, valid_to__gte=day)
        .filter(not_revoked(day))
        .exclude(Exists(later))
    )


def _under(unit: Unit | None, field: str = "product__unit") -> Q:
    return within_q(unit, field) if unit is not None else Q()


def standing(
    *, day: datetime.date, unit: Unit | None = None, scope: Scope | None = None
) -> QuerySet:
    """Standing certificates on the day under a unit (and within a scope), with their product."""
    qs = Certificate.objects.filter(_under(unit))
    if scope is not None:
        qs = scope.filter(qs, field="product__unit")
    return standing_certificates(day, qs).select_related(
        "product", "product__subject", "product__unit", "product__unit__parent"
    )


def standing_counts(*, day: datetime.date, unit: Unit | None = None, scope=None) -> dict:
    """{"by_stars": {"3": n, "4": n, "5": n}, "by_group": {code: n}, "total": n}."""
    rows = list(standing(day=day, unit=unit, scope=scope).values_list("stars", "product__group"))
    by_stars = Counter(str(s) for s, _g in rows)
    return {
        "by_stars": {str(s): by_stars.get(str(s), 0) for s in STARS},
        "by_group": dict(Counter(g for _s, g in rows)),
        "total": len(rows),
    }


def standing_by_subunit(*, day: datetime.date, unit: Unit) -> list[dict]:
    """Standing counts per unit directly below `unit` (district of a province, commune of a
    district) by the product's commune path."""
    children = {c.path: c for c in Unit.objects.filter(parent=unit)}
    depth = path_depth(unit.path)
    counts: dict[str, Counter] = {}
    for stars, path in standing(day=day, unit=unit).values_list("stars", "product__unit__path"):
        key = prefix_at_depth(path, depth + 1)
        counts.setdefault(key, Counter())[stars] += 1
    rows = []
    for path, counter in counts.items():
        child = children.get(path)
        rows.append(
            {
                "code": child.code if child else "",
                "name": child.name if child else path,
                "by_stars": {str(s): counter.get(s, 0) for s in STARS},
                "total": sum(counter.values()),
            }
        )
    rows.sort(key=lambda r: r["code"])
    return rows


def expiring(*, day: datetime.date, months: int, unit: Unit | None = None, scope=None) -> QuerySet:
    """Standing certificates whose validity ends within `months` months after the day (not
    replaced by a later decision): the reminder list."""
    end = rules.add_months(day, months)
    return standing(day=day, unit=unit, scope=scope).filter(valid_to__lte=end).order_by("valid_to")


# -- the summary figures ---------------------------------------------------------------------


def ocop_figures(*, unit: Unit | None, year: int, expiring_months: int = 6) -> dict:
    """The OCOP figures of a unit for a year.

    Decisions are counted in the year of their round (a round of year N decided in February N+1
    counts in N); a decision without an evaluation counts in the year it was issued:
    `certified_new` by stars, `recertified`, `upgraded`, `downgraded`. `round` is what provinces
    publish per round year: products evaluated, "cấp lại" (the product held a certificate
    before the council met, lapsed or not) and new by stars, below 3★, and how many of them are
    still in an open round (provisional). `standing` is on 31/12 (revoked ones dropped), with the
    certificates that expire within 6 months after it.

    Three queries: the year's evaluations, every certificate under the unit up to the end of the
    next year, the prior certificates are then decided here."""
    end = datetime.date(year, 12, 31)
    rows = list(
        Certificate.objects.filter(_under(unit), issued_on__lte=datetime.date(year + 1, 12, 31))
        .order_by()
        .values_list(
            "product_id",
            "issued_on",
            "pk",
            "stars",
            "valid_to",
            "outcome",
            "revoked_on",
            "evaluation_id",
            "evaluation__round__year",
        )
    )
    issued: Counter = Counter()
    latest: dict[int, tuple] = {}
    by_product: dict[int, list] = {}
    for row in rows:
        product_id, issued_on, pk, stars, _valid_to, outcome, _rev, _ev, round_year = row
        by_product.setdefault(product_id, []).append(row)
        if (round_year or issued_on.year) == year:
            issued[(outcome, stars)] += 1
        if issued_on <= end and (
            product_id not in latest or (issued_on, pk) > latest[product_id][1:3]
        ):
            latest[product_id] = row
    standing_rows = [r for r in latest.values() if r[4] >= end and (r[6] is None or r[6] > end)]
    by_stars = Counter(r[3] for r in standing_rows)
    horizon = rules.add_months(end, expiring_months)
    rounds = _round_figures(unit, year, by_product)
    return {
        "evaluated": rounds["evaluated"],
        "certified_new": {str(s): issued.get((Outcome.NEW, s), 0) for s in STARS},
        "recertified": sum(n for (o, _s), n in issued.items() if o == Outcome.RECERTIFIED),
        "upgraded": sum(n for (o, _s), n in issued.items() if o == Outcome.UPGRADED),
        "downgraded": sum(n for (o, _s), n in issued.items() if o == Outcome.DOWNGRADED),
        "standing": {str(s): by_stars.get(s, 0) for s in STARS},
        "standing_total": len(standing_rows),
        f"expiring_{expiring_months}_months": sum(1 for r in standing_rows if r[4] <= horizon),
        "round": rounds,
    }


def _round_figures(unit: Unit | None, year: int, certificates: dict[int, list]) -> dict:
    """Per round year, as provinces count it, from the evaluations of the year's rounds (the
    product's latest round of the year; the decided stars when a decision names the
    evaluation)."""
    has_council = Exists(CouncilMember.objects.filter(round=OuterRef("round")))
    rows = (
        Evaluation.objects.filter(_under(unit), round__year=year)
        .annotate(council=has_council)
        .order_by("round__held_on", "round__number", "pk")
        .values_list("pk", "product_id", "stars", "round__held_on", "round__status", "council")
    )
    latest = {row[1]: row for row in rows}
    recertified: Counter = Counter()
    new: Counter = Counter()
    below = provisional = 0
    for ev_id, product_id, stars, held_on, status, council in latest.values():
        certs = certificates.get(product_id, [])
        decided = [c[3] for c in certs if c[7] == ev_id]
        stars = decided[0] if decided else stars
        if council and status == RoundStatus.OPEN:
            provisional += 1
        if stars < STARS[0]:
            below += 1
        elif any(c[1] < held_on and c[7] != ev_id for c in certs):
            recertified[stars] += 1
        else:
            new[stars] += 1
    return {
        "evaluated": len(latest),
        "recertified": {str(s): recertified.get(s, 0) for s in STARS},
        "recertified_total": sum(recertified.values()),
        "new": {str(s): new.get(s, 0) for s in STARS},
        "new_total": sum(new.values()),
        "below_3": below,
        "provisional": provisional,
    }


def expiry_calendar(*, day: datetime.date, days: int = 90, unit=None, scope=None) -> QuerySet:
    """Standing certificates whose validity ends within `days` days after the day (the expiry
    calendar; the notice list is the same with 30 days)."""
    end = day + datetime.timedelta(days=days)
    return (
        standing(day=day, unit=unit, scope=scope)
        .filter(valid_to__lte=end)
        .order_by("valid_to", "product__name")
    )


def round_proposals(rnd: EvaluationRound) -> QuerySet:
    """The proposal list of a round: its products scored on their sheets, highest stars first."""
    return (
        Evaluation.objects.filter(round=rnd, product_sheet__isnull=False)
        .select_related("product", "product__subject", "product__unit", "product_sheet")
        .order_by("-stars", "-total", "product__name", "pk")
    )


# -- public ----------------------------------------------------------------------------------


def public_products(
    *, day: datetime.date, stars: int | None = None, group: str = "", unit: Unit | None = None
) -> QuerySet:
    """Certificates standing on the day (the public catalogue), filtered."""
    qs = standing(day=day, unit=unit)
    if stars in STARS:
        qs = qs.filter(stars=stars)
    if group:
        qs = qs.filter(product__group=group)
    return qs.order_by("-stars", "product__name", "pk")


def commune_by_code(
    code: str,
    scope: Scope | None = None,
    *,
    on: datetime.date | None = None,
    keep: Unit | None = None,
) -> Unit | None:
    """The commune the code named on the record's day (`on`, today for a new record), in scope.

    `keep` is the unit the record already has: it stays when the code is unchanged, so editing a
    product of a xã that ended on 30/6/2025 never moves it to the xã that reuses the code. A code
    that names no unit that day falls back to its latest unit (a subject of a xã that has ended
    is still recorded by its old province)."""
    from django.utils import timezone

    from ntm.units.models import Level
    from ntm.units.resolver import clean_code, resolve_code

    if keep is not None and clean_code(code) == keep.code:
        unit = keep
    else:
        found = resolve_code(code, on or timezone.localdate(), level=Level.COMMUNE)
        latest = max(found.others, key=lambda u: u.valid_to or datetime.date.max, default=None)
        unit = found.unit or latest
    if unit is None or scope is None or scope.everything:
        return unit
    return unit if scope.filter(Unit.objects.filter(pk=unit.pk), field="").exists() else None


def council_units(user) -> list[Unit]:
    """Provinces, districts and communes where this user may organise a round (their own unit and
    the levels above communes below it)."""
    from ntm.accounts.scope import scope_for
    from ntm.ocop.services import can_write_council
    from ntm.units.models import Level

    if user.is_superuser:
        qs = Unit.objects.filter(level__in=(Level.PROVINCE, Level.DISTRICT))
    else:
        qs = scope_for(user).units().filter(level__in=(Level.PROVINCE, Level.DISTRICT))
    return [
        u for u in qs.order_by("level", "-valid_from", "code")[:300] if can_write_council(user, u)
    ]
