"""Reads about criteria sets."""

from django.db.models import Count, Q, QuerySet

from ntm.accounts.scope import Scope
from ntm.criteria.levels import NTM
from ntm.criteria.models import CriteriaSet, IndicatorStatus
from ntm.units.models import Unit
from ntm.units.paths import province_id_of


def criteria_sets_visible(scope: Scope) -> QuerySet:
    """National sets for every signed-in user; a provincial set for users of that province.

    Paths start with the province's id, so the provinces a scope touches are the first segments.
    """
    if scope.everything:
        return CriteriaSet.objects.order_by("period_start", "code")
    provinces = {province_id_of(prefix) for prefix in scope.prefixes}
    return CriteriaSet.objects.filter(
        Q(province__isnull=True) | Q(province_id__in=provinces)
    ).order_by("period_start", "code")


def criteria_sets_summary(queryset: QuerySet | None = None) -> list[CriteriaSet]:
    qs = queryset if queryset is not None else CriteriaSet.objects.all()
    return list(
        qs.annotate(
            criteria_count=Count("criteria", distinct=True),
            indicator_count=Count("criteria__indicators", distinct=True),
            set_by_province_count=Count(
                "criteria__indicators",
                filter=Q(criteria__indicators__status=IndicatorStatus.SET_BY_PROVINCE),
                distinct=True,
            ),
        ).order_by("period_start", "code")
    )


def criteria_set_detail(cset: CriteriaSet) -> CriteriaSet:
    """The set with criteria, indicators and thresholds fetched in three queries."""
    return CriteriaSet.objects.prefetch_related("criteria__indicators__thresholds").get(pk=cset.pk)


def _candidates(year: int, level: str) -> list[CriteriaSet]:
    return list(
        CriteriaSet.objects.filter(
            applies_to="commune", level=level, period_start__lte=year, period_end__gte=year
        ).order_by("pk")
    )


def _choose(candidates: list[CriteriaSet], province_id: int | None) -> CriteriaSet | None:
    """The provincial set of the province (the latest recorded), else the national set that
    starts first."""
    if province_id is not None:
        provincial = [c for c in candidates if c.province_id == province_id]
        if provincial:
            return provincial[-1]
    national = [c for c in candidates if c.province_id is None]
    return min(national, key=lambda c: (c.period_start, c.pk), default=None)


def set_in_force(year: int, level: str = NTM, province: Unit | None = None) -> CriteriaSet | None:
    """The commune set of a level whose period covers the year (a provincial one first)."""
    return _choose(_candidates(year, level), province.pk if province is not None else None)


def sets_in_force(year: int, provinces, level: str = "ntm") -> dict[int, CriteriaSet | None]:
    """`set_in_force` for many provinces at once (one query): province id -> set."""
    candidates = _candidates(year, level)
    return {p.pk: _choose(candidates, p.pk) for p in provinces}
