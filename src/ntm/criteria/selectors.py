"""Reads about criteria sets."""

from django.db.models import Count, Q, QuerySet

from ntm.accounts.scope import Scope
from ntm.criteria.models import CriteriaSet, IndicatorStatus


def criteria_sets_visible(scope: Scope) -> QuerySet:
    """National sets for everyone signed in; a provincial set only within its province's scope."""
    provincial = scope.filter(CriteriaSet.objects.filter(province__isnull=False), field="province")
    return CriteriaSet.objects.filter(
        Q(province__isnull=True) | Q(pk__in=provincial.values("pk"))
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
