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


def set_in_force(year: int, level: str = NTM, province: Unit | None = None) -> CriteriaSet | None:
    """The commune set of a level whose period covers the year (a provincial one first)."""
    qs = CriteriaSet.objects.filter(
        applies_to="commune", level=level, period_start__lte=year, period_end__gte=year
    )
    if province is not None:
        provincial = qs.filter(province=province).order_by("-pk").first()
        if provincial:
            return provincial
    return qs.filter(province__isnull=True).order_by("period_start").first()
