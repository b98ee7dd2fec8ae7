"""Recognition decisions (công nhận, thu hồi): the rules for recording one, and reads. The
import of a decisions workbook is in `recognition_import`.

A unit holds a level on a day when the latest decision for that level up to that day (by
decision date, then by the order they were recorded) recognised it. Recognising needs an
approved assessment of the unit for that year, under the set or a set of the same level, that
meets the standard — or a written reason; revoking needs the unit to hold the level.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments.models import Assessment, Recognition, RecognitionAction, State
from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import AppliesTo, CriteriaSet
from ntm.units.models import Kind, Level, Unit

SHEET = "CongNhan"


class RecognitionError(ValueError):
    """A decision that the rules refuse; `field` names the argument at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# Conditions other apps add to recognising, without this module importing them (the dossiers
# app registers "the recognition dossier is complete, or a reason is given"). Each is called as
# check(unit=, level=, year=, override_reason=) and raises RecognitionError.
RECOGNITION_CHECKS: list[Callable[..., None]] = []


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _level_label(level: str) -> str:
    return recognition_levels.label(level)


# -- reads ---------------------------------------------------------------------------------


def levels_held(unit_ids, day: datetime.date) -> dict[int, set[str]]:
    """unit id -> levels held on the day: the latest decision per (unit, level) up to the day
    decides, recognised or revoked. One query for any number of units."""
    rows = (
        Recognition.objects.filter(unit_id__in=unit_ids, decision_date__lte=day)
        .order_by(*DECISION_ORDER)
        .values_list("unit_id", "level", "action")
    )
    return held_from(rows)


DECISION_ORDER = ("decision_date", "pk")  # the later of two decisions on a level decides


def held_from(rows) -> dict[int, set[str]]:
    """`levels_held` of decisions already read: (unit id, level, action) in DECISION_ORDER,
    every one up to the day."""
    latest: dict[tuple[int, str], str] = {}
    for unit_id, level, action in rows:
        latest[(unit_id, level)] = action
    held: dict[int, set[str]] = defaultdict(set)
    for (unit_id, level), action in latest.items():
        if action == RecognitionAction.RECOGNISED:
            held[unit_id].add(level)
    return held


def recognition_level_on(*, unit: Unit, day: datetime.date) -> list[str]:
    """The levels (codes of the levels data, in their order) the unit holds on `day`."""
    held = levels_held([unit.pk], day).get(unit.pk, set())
    return [level for level in recognition_levels.codes() if level in held]


def recognitions_of_year(*, scope, year: int) -> QuerySet:
    """Decisions recorded for assessment year `year`, within the caller's scope."""
    return (
        scope.filter(Recognition.objects.filter(year=year), field="unit")
        .select_related("unit", "unit__parent", "criteria_set")
        .order_by("decision_date", "unit__code", "pk")
    )


# -- the rules -----------------------------------------------------------------------------

_UNIT_LEVEL = {
    AppliesTo.COMMUNE: Level.COMMUNE,
    AppliesTo.DISTRICT: Level.DISTRICT,
    AppliesTo.VILLAGE: Level.VILLAGE,
}


def _check_unit_fits(unit: Unit, cset: CriteriaSet) -> None:
    wanted = _UNIT_LEVEL.get(cset.applies_to)
    if unit.level != wanted or (cset.applies_to == AppliesTo.COMMUNE and unit.kind != Kind.COMMUNE):
        raise RecognitionError(
            _("%(unit)s không thuộc loại đơn vị mà bộ %(code)s áp dụng (%(applies)s).")
            % {"unit": unit.name, "code": cset.code, "applies": cset.get_applies_to_display()},
            "unit",
        )


def _check_rights(user, unit: Unit) -> None:
    if user is None or user.is_superuser:
        return
    if user.role != Role.PROVINCE_COORDINATOR or not scope_for(user).contains(unit):
        raise PermissionDenied(
            _(
                "Chỉ Văn phòng Điều phối NTM tỉnh ghi quyết định công nhận của đơn vị thuộc tỉnh mình."
            )
        )


def _holding_decision(unit: Unit, level: str, day: datetime.date) -> Recognition | None:
    """The recognition that gives the unit `level` on `day`, if it holds it."""
    latest = (
        Recognition.objects.filter(unit=unit, level=level, decision_date__lte=day)
        .order_by("-decision_date", "-pk")
        .first()
    )
    return latest if latest and latest.action == RecognitionAction.RECOGNISED else None


def recognition_record(
    *,
    unit: Unit,
    level: str,
    criteria_set: CriteriaSet,
    year: int,
    action: str,
    decision_number: str,
    decision_date: datetime.date,
    signer: str = "",
    file=None,
    override_reason: str = "",
    history_reason: str = "",
    user=None,
) -> Recognition:
    """Record a decision recognising a unit at a level, or revoking it. Raises
    RecognitionError (Vietnamese message, `field` at fault) or PermissionDenied.

    `history_reason` (a history import at go-live) records a past decision as it stands: it
    needs no approved assessment nor its own override reason; the text goes to the audit log."""
    _check_rights(user, unit)
    decision_number = " ".join((decision_number or "").split())
    override_reason = (override_reason or "").strip()
    _check_decision(unit, level, criteria_set, year, action, decision_number, decision_date)
    if Recognition.objects.filter(
        unit=unit, level=level, action=action, decision_number=decision_number
    ).exists():
        raise RecognitionError(
            _("Quyết định %(number)s đã được ghi cho %(unit)s.")
            % {"number": decision_number, "unit": unit.name},
            "decision_number",
        )
    holding = _holding_decision(unit, level, decision_date)
    if action == RecognitionAction.RECOGNISED:
        _check_recognising(
            unit, level, criteria_set, year, holding, override_reason, history_reason
        )
        _check_required_level(unit, level, decision_date, override_reason or history_reason)
    elif holding is None:
        raise RecognitionError(
            _("%(unit)s không ở mức “%(level)s” vào ngày %(date)s nên không thể thu hồi.")
            % {"unit": unit.name, "level": _level_label(level), "date": _date(decision_date)},
            "decision_date",
        )
    recognition = Recognition(
        unit=unit,
        level=level,
        criteria_set=criteria_set,
        year=year,
        action=action,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=(signer or "").strip(),
        override_reason=override_reason,
        created_by=user if getattr(user, "pk", None) else None,
    )
    if file is not None:
        recognition.file = file
    try:
        recognition.full_clean(
            exclude=["unit", "criteria_set", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise RecognitionError(" ".join(messages), field) from exc
    if user is not None:
        recognition._history_user = user
    if history_reason:
        recognition._change_reason = history_reason
    recognition.save()
    return recognition


def _check_decision(unit, level, criteria_set, year, action, decision_number, decision_date):
    """The decision itself: its kind, a level of the data that the set recognises, a unit the
    set applies to, a number, a date not in the future nor before the year assessed."""
    if action not in RecognitionAction.values:
        raise RecognitionError(_("Loại quyết định phải là công nhận hoặc thu hồi."), "action")
    if not recognition_levels.is_level(level):
        raise RecognitionError(_("Mức công nhận không hợp lệ."), "level")
    if level != criteria_set.level:
        raise RecognitionError(
            _("Bộ %(code)s dùng để công nhận mức “%(set_level)s”, không phải “%(level)s”.")
            % {
                "code": criteria_set.code,
                "set_level": _level_label(criteria_set.level),
                "level": _level_label(level),
            },
            "criteria_set",
        )
    _check_unit_fits(unit, criteria_set)
    if not decision_number:
        raise RecognitionError(_("Thiếu số quyết định."), "decision_number")
    if not isinstance(decision_date, datetime.date):
        raise RecognitionError(_("Thiếu ngày quyết định."), "decision_date")
    if decision_date > timezone.localdate():
        raise RecognitionError(
            _("Ngày quyết định %(date)s sau ngày hôm nay.") % {"date": _date(decision_date)},
            "decision_date",
        )
    if decision_date.year < year:
        raise RecognitionError(
            _("Ngày quyết định %(date)s trước năm đánh giá %(year)s.")
            % {"date": _date(decision_date), "year": year},
            "decision_date",
        )


def _check_required_level(unit, level: str, day: datetime.date, reason: str) -> None:
    """A level that builds on another (nâng cao on NTM, kiểu mẫu on nâng cao, in the levels
    data) needs the unit to hold that one on the decision's day, or a reason (an older decision
    not entered yet, a history import)."""
    required = getattr(recognition_levels.get(level), "requires", None)
    if required is None or reason or _holding_decision(unit, required, day) is not None:
        return
    raise RecognitionError(
        _(
            "%(unit)s chưa đạt mức “%(required)s” vào ngày %(date)s, mà mức “%(level)s” chỉ "
            "xét cho đơn vị đã đạt mức đó. Hãy ghi quyết định công nhận “%(required)s” trước, "
            "hoặc ghi lý do nếu vẫn công nhận."
        )
        % {
            "unit": unit.name,
            "required": _level_label(required),
            "level": _level_label(level),
            "date": _date(day),
        },
        "override_reason",
    )


def _check_recognising(
    unit, level, criteria_set, year, holding, override_reason: str, history_reason: str
) -> None:
    """Recognising: a set of the year, a unit not holding the level already, and an approved
    assessment that meets the standard or a reason (an override or a history import)."""
    if not criteria_set.period_start <= year <= criteria_set.period_end:
        raise RecognitionError(
            _(
                "Bộ %(code)s áp dụng cho giai đoạn %(start)s-%(end)s, không áp dụng cho năm %(year)s."
            )
            % {
                "code": criteria_set.code,
                "start": criteria_set.period_start,
                "end": criteria_set.period_end,
                "year": year,
            },
            "criteria_set",
        )
    if holding is not None:
        raise RecognitionError(
            _(
                "%(unit)s đã đạt mức “%(level)s” theo quyết định %(number)s ngày %(date)s; "
                "cần thu hồi trước khi công nhận lại."
            )
            % {
                "unit": unit.name,
                "level": _level_label(level),
                "number": holding.decision_number,
                "date": _date(holding.decision_date),
            },
            "unit",
        )
    approved = Assessment.objects.filter(
        Q(criteria_set=criteria_set)
        | Q(criteria_set__level=level, criteria_set__applies_to=criteria_set.applies_to),
        unit=unit,
        year=year,
        state=State.APPROVED,
        meets_standard=True,
    ).exists()
    if not approved and not override_reason and not history_reason:
        raise RecognitionError(
            _(
                "%(unit)s chưa có kết quả đánh giá năm %(year)s đã phê duyệt và đạt chuẩn "
                "(bộ %(code)s hoặc bộ cùng mức); nếu vẫn công nhận, hãy ghi lý do."
            )
            % {"unit": unit.name, "year": year, "code": criteria_set.code},
            "override_reason",
        )
    for check in RECOGNITION_CHECKS:
        check(unit=unit, level=level, year=year, override_reason=override_reason)
