"""Reads about assessments: lists, the province matrix, one assessment with everything on its page."""

from dataclasses import dataclass

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from ntm.accounts.scope import Scope
from ntm.assessments.models import (
    Assessment,
    CriterionResult,
    IndicatorValue,
    ResultKind,
    StateChange,
)
from ntm.criteria.models import CriteriaSet, Criterion
from ntm.units.models import Level, Unit, within_q
from ntm.units.selectors import communes_of


def assessments_visible(scope: Scope) -> QuerySet:
    return scope.filter(Assessment.objects.all(), field="unit").select_related(
        "unit", "unit__parent", "criteria_set"
    )


def latest_with_data(scope: Scope, unit: Unit | None = None) -> tuple[int | None, Unit | None]:
    """The latest year with results in scope and the unit to show them on: `unit` itself when
    results lie below it (the year within its life), else the scope root holding the latest
    results (a unit the user's unit replaced, say); (None, unit) when the scope has none."""
    qs = scope.filter(Assessment.objects.order_by(), field="unit")
    if unit is not None:
        own = qs.filter(within_q(unit)).aggregate(latest=Max("year"))["latest"]
        if own is not None:
            return (min(own, unit.valid_to.year) if unit.valid_to else own), unit
    latest = qs.order_by("-year", "unit__path").values_list("year", "unit__path").first()
    if latest is None:
        return None, unit
    year, path = latest
    if scope.everything and unit is None:
        return year, None
    root = next((r for r in scope.roots if path.startswith(r.path)), unit)
    return year, root


def communes_for_year(scope: Scope, *, under: Unit, year: int) -> QuerySet:
    """The xã in scope below `under` that existed in the year (the hierarchy of that year)."""
    return (
        scope.filter(communes_of(under, year), field="")
        .select_related("parent")
        .order_by("parent__code", "code")
    )


@dataclass
class MatrixRow:
    unit: Unit
    assessment: Assessment | None
    cells: list[CriterionResult | None]


@dataclass
class Matrix:
    criteria: list[Criterion]
    rows: list[MatrixRow]
    districts: list[Unit]

    @property
    def assessed(self) -> int:
        return sum(1 for r in self.rows if r.assessment is not None)


def assessment_matrix(
    scope: Scope, *, under: Unit, year: int, criteria_set: CriteriaSet, district: Unit | None = None
) -> Matrix:
    """Communes × criteria for a year, in a fixed number of queries."""
    criteria = list(criteria_set.criteria.all())
    communes = list(communes_for_year(scope, under=district or under, year=year))
    assessments = {
        a.unit_id: a
        for a in Assessment.objects.filter(
            criteria_set=criteria_set, year=year, unit__in=[c.pk for c in communes]
        ).prefetch_related(Prefetch("results", queryset=CriterionResult.objects.all()))
    }
    rows = []
    for commune in communes:
        assessment = assessments.get(commune.pk)
        by_criterion = {r.criterion_id: r for r in assessment.results.all()} if assessment else {}
        rows.append(MatrixRow(commune, assessment, [by_criterion.get(c.pk) for c in criteria]))
    districts = list(
        scope.filter(Unit.objects.filter(parent=under, level=Level.DISTRICT), field="").order_by(
            "code"
        )
    )
    return Matrix(criteria=criteria, rows=rows, districts=districts)


@dataclass
class IndicatorLine:
    indicator: object
    value: IndicatorValue | None


@dataclass
class CriterionBlock:
    criterion: Criterion
    result: CriterionResult | None
    lines: list[IndicatorLine]
    editable: bool


def assessment_page(assessment: Assessment, *, can_edit) -> list[CriterionBlock]:
    """Criteria with their indicators, values and results, for the form."""
    values = {v.indicator_id: v for v in assessment.values.all()}
    results = {r.criterion_id: r for r in assessment.results.all()}
    blocks = []
    for criterion in assessment.criteria_set.criteria.prefetch_related("indicators__thresholds"):
        lines = [IndicatorLine(i, values.get(i.pk)) for i in criterion.indicators.all()]
        blocks.append(
            CriterionBlock(criterion, results.get(criterion.pk), lines, can_edit(criterion))
        )
    return blocks


def assessment_state_changes(assessment: Assessment) -> QuerySet:
    return StateChange.objects.filter(assessment=assessment).select_related("user")


def assessment_changes(assessment: Assessment, limit: int = 100) -> list[dict]:
    """Field-level history of the assessment, its values and its results: who, when, before, after.

    Three queries, whatever the number of criteria.
    """
    from collections import defaultdict

    indicator_codes = dict(
        IndicatorValue.objects.filter(assessment=assessment).values_list("pk", "indicator__code")
    )
    criterion_codes = dict(
        CriterionResult.objects.filter(assessment=assessment).values_list("pk", "criterion__number")
    )
    streams = [
        (assessment.history.all(), lambda r: "Kết quả"),
        (
            IndicatorValue.history.filter(assessment_id=assessment.pk),
            lambda r: f"Chỉ tiêu {indicator_codes.get(r.id, '?')}",
        ),
        (
            CriterionResult.history.filter(assessment_id=assessment.pk),
            lambda r: f"TC{criterion_codes.get(r.id, '?')}",
        ),
    ]
    entries = []
    for queryset, label in streams:
        by_object = defaultdict(list)
        for record in queryset.select_related("history_user").order_by(
            "history_date", "history_id"
        ):
            by_object[record.id].append(record)
        for records in by_object.values():
            for older, newer in zip([None, *records], records, strict=False):
                base = {"at": newer.history_date, "user": newer.history_user, "what": label(newer)}
                if older is None:
                    entries.append({**base, "field": "", "before": "", "after": _describe(newer)})
                    continue
                for field, before, after in _changes(older, newer):
                    entries.append(
                        {
                            **base,
                            "field": _field_label(newer, field),
                            "before": _shown(field, before),
                            "after": _shown(field, after),
                        }
                    )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


# The result's derived fields too: whether it is met and how it was reached are its history.
RESULT_FIELDS = ["manual", "manual_reason", "met", "kind"]


def _changes(older, newer) -> list[tuple[str, object, object]]:
    if isinstance(newer, CriterionResult.history.model):  # non-editable fields: diff by hand
        return [
            (f, getattr(older, f), getattr(newer, f))
            for f in RESULT_FIELDS
            if getattr(older, f) != getattr(newer, f)
        ]
    return [
        (c.field, c.old, c.new)
        for c in newer.diff_against(older).changes
        if c.field not in ("version", "updated_at")
    ]


def _field_label(record, field: str) -> str:
    try:
        return str(record.instance_type._meta.get_field(field).verbose_name)
    except Exception:  # a field no longer on the model
        return field


def _shown(field: str, value):
    """How a changed value reads in the history: the kind of a result by its name."""
    if field == "kind":
        return ResultKind(value).label if value in ResultKind.values else value
    return value


def _describe(record) -> str:
    if getattr(record, "kind", None):  # a criterion result: how it was reached
        met = _("Đạt") if record.met else _("Chưa đạt")
        return f"{met} ({ResultKind(record.kind).label})"
    for field in ("value_number", "value_bool", "manual", "state"):
        value = getattr(record, field, None)
        if value is not None:
            return str(value)
    return ""
