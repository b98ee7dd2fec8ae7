"""Writes to assessments: create, enter values, derive results, move through the workflow."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ntm import versioning
from ntm.accounts.models import Role
from ntm.assessments import workflow
from ntm.assessments.figures import figures_refresh
from ntm.assessments.models import (
    Assessment,
    CriterionResult,
    IndicatorValue,
    State,
    StateChange,
)
from ntm.assessments.rules import result_kind, typed_result
from ntm.criteria.bounds import check_bounds
from ntm.criteria.engine import criterion_met, indicator_met, threshold_for
from ntm.criteria.models import (
    AppliesTo,
    CriteriaSet,
    Criterion,
    Indicator,
    IndicatorKind,
    ThresholdBasis,
)
from ntm.lib.numbers import CellValueError, parse_vi_number
from ntm.units.models import AttributeKind, Kind, Level, Unit, within_q
from ntm.units.selectors import attribute_value


class AssessmentError(ValueError):
    pass


class StaleVersionError(AssessmentError, versioning.StaleVersionError):
    """Someone else saved the assessment since this user loaded it."""


def _check_unit_fits(unit: Unit, cset: CriteriaSet, year: int) -> None:
    if cset.applies_to == AppliesTo.COMMUNE and not (
        unit.level == Level.COMMUNE and unit.kind == Kind.COMMUNE
    ):
        raise AssessmentError(
            _("%(unit)s không phải là xã; chỉ xã được đánh giá theo bộ tiêu chí xã.")
            % {"unit": unit.name}
        )
    if cset.applies_to == AppliesTo.DISTRICT and unit.level != Level.DISTRICT:
        raise AssessmentError(_("Bộ tiêu chí huyện chỉ áp dụng cho đơn vị cấp huyện."))
    if cset.applies_to == AppliesTo.VILLAGE and unit.level != Level.VILLAGE:
        raise AssessmentError(_("Bộ tiêu chí thôn chỉ áp dụng cho thôn."))
    if not cset.period_start <= year <= cset.period_end:
        raise AssessmentError(
            _(
                "Bộ %(code)s áp dụng cho giai đoạn %(start)s-%(end)s, không áp dụng cho năm %(year)s."
            )
            % {"code": cset.code, "start": cset.period_start, "end": cset.period_end, "year": year}
        )
    day_in_year = (year, 12, 31)
    if (
        unit.valid_from
        and (unit.valid_from.year, unit.valid_from.month, unit.valid_from.day) > day_in_year
    ):
        raise AssessmentError(
            _("%(unit)s chưa tồn tại trong năm %(year)s.") % {"unit": unit.name, "year": year}
        )
    if unit.valid_to and unit.valid_to.year < year:
        raise AssessmentError(
            _("%(unit)s đã hết hiệu lực từ %(date)s; năm %(year)s hãy đánh giá đơn vị kế thừa.")
            % {"unit": unit.name, "date": unit.valid_to.strftime("%d/%m/%Y"), "year": year}
        )


@transaction.atomic
def assessment_get_or_create(
    *, unit: Unit, year: int, criteria_set: CriteriaSet, user=None
) -> Assessment:
    existing = Assessment.objects.filter(unit=unit, year=year, criteria_set=criteria_set).first()
    if existing:
        return existing
    _check_unit_fits(unit, criteria_set, year)
    assessment = Assessment(unit=unit, year=year, criteria_set=criteria_set)
    if user is not None:
        assessment._history_user = user
    assessment.save()
    CriterionResult.objects.bulk_create(
        CriterionResult(assessment=assessment, criterion=c) for c in criteria_set.criteria.all()
    )
    return assessment


def threshold_basis_value(assessment: Assessment) -> str | None:
    basis = assessment.criteria_set.threshold_basis
    if basis == ThresholdBasis.REGION:
        return attribute_value(assessment.unit, AttributeKind.REGION, assessment.year)
    if basis == ThresholdBasis.COMMUNE_GROUP:
        return attribute_value(assessment.unit, AttributeKind.COMMUNE_GROUP, assessment.year)
    return None


def criteria_with_thresholds(criteria_set: CriteriaSet) -> list[Criterion]:
    """A set's criteria with their indicators and thresholds: what `assessment_recompute`
    reads, loaded once by callers that recompute many assessments of one set."""
    return list(
        Criterion.objects.filter(criteria_set=criteria_set).prefetch_related(
            "indicators__thresholds"
        )
    )


def assessment_recompute(
    assessment: Assessment, *, criteria: list[Criterion] | None = None
) -> Assessment:
    """Derive indicator and criterion results and the counts from the values entered.
    `criteria`: `criteria_with_thresholds` of the assessment's set, when the caller has it."""
    basis = threshold_basis_value(assessment)
    values = {v.indicator_id: v for v in assessment.values.all()}
    if criteria is None:
        criteria = criteria_with_thresholds(assessment.criteria_set)
    results = {r.criterion_id: r for r in assessment.results.all()}
    changed_values, changed_results, kind_only = [], [], []
    for criterion in criteria:
        outcomes = []
        for indicator in criterion.indicators.all():
            value = values.get(indicator.pk)
            met = indicator_met(
                kind=indicator.kind,
                operator=indicator.operator,
                value_bool=value.value_bool if value else None,
                value_number=value.value_number if value else None,
                threshold=threshold_for(
                    indicator.thresholds.all(), basis=basis, year=assessment.year
                ),
            )
            outcomes.append(met)
            if value is not None and value.met != met:
                value.met = met
                changed_values.append(value)
        result = results.get(criterion.pk) or CriterionResult.objects.create(
            assessment=assessment, criterion=criterion
        )
        derived = criterion_met(outcomes) if values else None
        final = result.manual if result.manual is not None else derived is True
        kind = result_kind(manual=result.manual, derived=derived)
        if (result.derived, result.met) != (derived, final):
            result.derived, result.met, result.kind = derived, final, kind
            changed_results.append(result)
        elif result.kind != kind:  # only how it was reached: kept in step, no history row
            result.kind = kind
            kind_only.append(result)
        results[criterion.pk] = result
    IndicatorValue.objects.bulk_update(changed_values, ["met"])
    CriterionResult.objects.bulk_update(kind_only, ["kind"])
    for result in changed_results:  # saved one by one so that history records each change
        result.save(update_fields=["derived", "met", "kind"])
    met_count = sum(1 for r in results.values() if r.met)
    undecided = sum(1 for r in results.values() if r.manual is None and r.derived is None)
    total = len(results)
    Assessment.objects.filter(pk=assessment.pk).update(
        criteria_met=met_count,
        criteria_undecided=undecided,
        meets_standard=total > 0 and met_count == total,
    )
    assessment.criteria_met, assessment.criteria_undecided = met_count, undecided
    assessment.meets_standard = total > 0 and met_count == total
    figures_refresh([assessment.unit_id])  # the counts above were an UPDATE: no signal
    return assessment


def assessments_recompute_where(
    *,
    criteria_set: CriteriaSet | None = None,
    under: Unit | None = None,
    years: range | None = None,
) -> int:
    """Recompute the open (not approved) assessments that a rule or attribute change touches.

    Approved assessments keep the result they were approved with; reopening recomputes them.
    """
    qs = Assessment.objects.exclude(state=State.APPROVED).select_related("unit", "criteria_set")
    if criteria_set is not None:
        qs = qs.filter(criteria_set=criteria_set)
    if under is not None:
        qs = qs.filter(within_q(under))
    if years is not None:
        qs = qs.filter(year__gte=years.start, year__lt=years.stop)
    count = 0
    for assessment in qs:
        assessment_recompute(assessment)
        count += 1
    return count


def can_edit(user, assessment: Assessment, criterion: Criterion | None = None) -> bool:
    if user.is_superuser:
        return assessment.state != State.APPROVED
    if user.role not in workflow.EDITORS[assessment.state]:
        return False
    if user.role == Role.DEPARTMENT_OFFICER and criterion is not None:
        return bool(user.department) and criterion.department == user.department
    return True


@dataclass
class ManualResult:
    met: bool | None
    reason: str = ""


def _parse_bool(raw) -> bool | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "on", "yes", "có", "co", "đạt", "dat"):
        return True
    if text in ("0", "false", "off", "no", "không", "khong", "chưa đạt", "chua dat"):
        return False
    raise AssessmentError(_("“%(raw)s” không phải là Có/Không.") % {"raw": raw})


def _parse_number(raw) -> Decimal | None:
    """A number typed by a person or sent by the API (vi-VN "72,5" too); finite and bounded."""
    try:
        return parse_vi_number(raw)
    except CellValueError as exc:
        raise AssessmentError(str(exc)) from exc


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    user,
    version: int,
    values: dict[int, object] | None = None,
    manual: dict[int, ManualResult] | None = None,
    notes: str | None = None,
) -> Assessment:
    """Save indicator values and typed criterion results; refuse a stale version.

    `values` maps indicator id -> bool (yes/no indicators) or number; `manual` maps criterion
    id -> ManualResult (met=None clears a typed result). A typed result is judged by
    `rules.typed_result` against what the indicators give once the new values are in.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    versioning.check_version(locked, version, error=StaleVersionError, what=_("Kết quả này"))
    if locked.is_locked:
        raise AssessmentError(_("Kết quả đã được phê duyệt và khóa; cần mở lại (có lý do) để sửa."))
    _save_values(locked, user, values or {})
    if manual:
        assessment_recompute(locked)  # what the indicators give with the new values
        _save_typed_results(locked, user, manual)
    if notes is not None and notes != locked.notes:
        if not can_edit(user, locked):
            raise PermissionDenied(_("Bạn không được sửa ghi chú ở bước này."))
        locked.notes = notes
    locked.version += 1
    locked._history_user = user
    locked.save()
    locked.refresh_from_db()
    assessment_recompute(locked)
    _refuse_contradictions(locked)
    return locked


def _save_values(locked: Assessment, user, values: dict[int, object]) -> None:
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(
            criterion__criteria_set=locked.criteria_set
        ).select_related("criterion")
    }
    for indicator_id, raw in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise AssessmentError(_("Chỉ tiêu không thuộc bộ tiêu chí này."))
        value = IndicatorValue.objects.filter(assessment=locked, indicator=indicator).first()
        value = value or IndicatorValue(assessment=locked, indicator=indicator)
        if indicator.kind == IndicatorKind.BOOLEAN:
            new_bool, new_number = _parse_bool(raw), None
        else:
            new_bool, new_number = None, _parse_number(raw)
            check_bounds(indicator, new_number, error=AssessmentError)
        if (value.value_bool, value.value_number) == (new_bool, new_number):
            continue  # unchanged (or still empty): no write, no history, no permission needed
        if not can_edit(user, locked, indicator.criterion):
            raise PermissionDenied(
                _("Bạn không được sửa chỉ tiêu %(code)s.") % {"code": indicator.code}
            )
        value.value_bool, value.value_number = new_bool, new_number
        value._history_user = user
        value.save()


def _save_typed_results(locked: Assessment, user, manual: dict[int, ManualResult]) -> None:
    criteria = {c.pk: c for c in locked.criteria_set.criteria.all()}
    rows = {r.criterion_id: r for r in locked.results.all()}
    for criterion_id, typed in manual.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise AssessmentError(_("Tiêu chí không thuộc bộ tiêu chí này."))
        row = rows[criterion_id]
        judged = typed_result(
            code=criterion.code, typed=typed.met, derived=row.derived, reason=typed.reason
        )
        if (row.manual, row.manual_reason) == (judged.manual, judged.reason):
            continue
        if not can_edit(user, locked, criterion):
            raise PermissionDenied(_("Bạn không được sửa %(code)s.") % {"code": criterion.code})
        if not judged.ok:
            raise AssessmentError(judged.problem)
        row.manual, row.manual_reason = judged.manual, judged.reason
        row._history_user = user
        row.save()


def _refuse_contradictions(assessment: Assessment) -> None:
    """A typed result kept from before must still agree with the indicators, or have a reason."""
    for row in assessment.results.select_related("criterion"):
        judged = typed_result(
            code=row.criterion.code, typed=row.manual, derived=row.derived, reason=row.manual_reason
        )
        if not judged.ok:
            raise AssessmentError(judged.problem)


@transaction.atomic
def assessment_transition(
    *, assessment: Assessment, user, to_state: str, reason: str = "", version: int | None = None
) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    versioning.check_version(locked, version, error=StaleVersionError, what=_("Kết quả này"))
    frm = locked.state
    if not workflow.transition_allowed(frm, to_state, year=locked.year, unit=locked.unit):
        raise AssessmentError(
            _("Không thể chuyển từ “%(frm)s” sang “%(to)s”.")
            % {
                "frm": State(frm).label,
                "to": State(to_state).label if to_state in State.values else to_state,
            }
        )
    if not (user.is_superuser or user.role in workflow.roles_for(frm, to_state)):
        raise PermissionDenied(_("Vai trò của bạn không thực hiện được bước này."))
    if (frm, to_state) in workflow.NEEDS_REASON and not reason.strip():
        raise AssessmentError(_("Trả lại hoặc mở lại kết quả cần ghi rõ lý do."))
    assessment_recompute(locked)  # thresholds or the commune's region/group may have changed
    if to_state in (State.SUBMITTED, State.APPRAISED, State.APPROVED) and locked.criteria_undecided:
        raise AssessmentError(
            _(
                "Còn %(n)s tiêu chí chưa xác định được kết quả; hãy nhập đủ chỉ tiêu hoặc kết quả tiêu chí."
            )
            % {"n": locked.criteria_undecided}
        )
    locked.state = to_state
    locked.version += 1
    locked._history_user = user
    locked._change_reason = reason.strip()[:100] or None
    locked.save()
    StateChange.objects.create(
        assessment=locked, from_state=frm, to_state=to_state, user=user, reason=reason.strip()
    )
    locked.refresh_from_db()
    return locked
