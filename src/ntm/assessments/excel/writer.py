"""Writing the planned changes in bulk with their history; the system user of commands."""

from collections import defaultdict
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ntm.assessments.excel.common import (
    SYSTEM_USERNAME,
    SystemUserError,
    _SetInfo,
    _Stored,
)
from ntm.assessments.excel.validator import (
    _approval_path,
    _Plan,
)
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, State
from ntm.assessments.rules import result_kind
from ntm.assessments.services import (
    assessment_recompute,
    assessment_transition,
    criteria_with_thresholds,
)
from ntm.faults import maybe_die

# -- import --------------------------------------------------------------------------------


def system_user():
    """The user that command-line imports are recorded under: a superuser that cannot sign in
    (inactive, unusable password), created so on first use. An existing "ntm-system" account
    that is active or has a usable password is someone's login: it is refused
    (SystemUserError), never promoted to superuser."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_superuser": True,
            "is_active": False,
            "first_name": _("Hệ thống (dòng lệnh)"),
            "password": make_password(None),
        },
    )
    if created:
        return user
    if user.is_active or user.has_usable_password():
        raise SystemUserError(
            _(
                "Tài khoản “%(name)s” đã có và đang hoạt động hoặc có mật khẩu đăng nhập; hệ thống không dùng tài khoản này để ghi các lần nhập từ dòng lệnh. Hãy khóa tài khoản và bỏ mật khẩu của nó (hoặc đổi tên tài khoản) rồi chạy lại."
            )
            % {"name": SYSTEM_USERNAME}
        )
    if not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user


# Stands in for the system user while checking, so that a dry run creates no user.
_SYSTEM_CHECKER = SimpleNamespace(is_superuser=True, role="", department="")


def _counts(plan: _Plan, info: _SetInfo) -> tuple[int, int, bool]:
    finals = [plan.final(c.pk) for c in info.criteria]
    met = sum(1 for f in finals if f is True)
    undecided = sum(
        1 for c in info.criteria if plan.manual_of(c.pk) is None and plan.derived[c.pk] is None
    )
    return met, undecided, bool(finals) and met == len(finals)


def _update_with_history(objs: list, model, fields: list[str], history: dict) -> None:
    """Like simple_history's bulk_update_with_history, but one plain UPDATE per distinct set
    of new values instead of Django's CASE-per-row bulk_update, which is slow on thousands of
    rows. Imports repeat a few values (Đạt, Có, the same counts) many times."""
    if not objs:
        return
    groups: dict[tuple, list[int]] = defaultdict(list)
    for obj in objs:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    manager = model._default_manager
    for key, pks in groups.items():
        for start in range(0, len(pks), 500):
            manager.filter(pk__in=pks[start : start + 500]).update(
                **dict(zip(fields, key, strict=True))
            )
    model.history.bulk_history_create(objs, batch_size=1000, update=True, **history)


def _write(plans: list[_Plan], info: _SetInfo, year: int, actor, progress) -> tuple[int, int]:
    """Write the planned changes in bulk (with history), recompute, then approve if asked."""
    today = timezone.localdate().strftime("%d/%m/%Y")
    change_reason = _("Nhập từ tệp Excel %(date)s") % {"date": today}  # of the history rows
    history = {"default_user": actor, "default_change_reason": change_reason[:100]}
    now = timezone.now()
    changed = [p for p in plans if p.changed]
    new_plans = [p for p in changed if p.stored is None]
    old_plans = [p for p in changed if p.stored is not None]

    _create_assessments(new_plans, info, year, history)

    results_new, results_changed, values_new, values_changed = [], [], [], []
    for plan in changed:
        assessment = plan.stored.assessment
        _result_rows(plan, info, assessment, results_new, results_changed)
        _value_rows(plan, assessment, values_new, values_changed)
    bulk_create_with_history(results_new, CriterionResult, batch_size=1000, **history)
    _update_with_history(
        results_changed,
        CriterionResult,
        ["manual", "manual_reason", "derived", "met", "kind"],
        history,
    )
    bulk_create_with_history(values_new, IndicatorValue, batch_size=1000, **history)
    _update_with_history(
        values_changed, IndicatorValue, ["value_bool", "value_number", "met"], history
    )
    old_rows = []
    for plan in old_plans:
        a = plan.stored.assessment
        a.criteria_met, a.criteria_undecided, a.meets_standard = _counts(plan, info)
        a.version += 1
        a.updated_at = now
        old_rows.append(a)
    _update_with_history(
        old_rows,
        Assessment,
        ["version", "updated_at", "criteria_met", "criteria_undecided", "meets_standard"],
        history,
    )

    # The service recomputes as the pages do (a no-op when the figures above agree with it),
    # from the rows as now stored, fetched for all the assessments in two queries.
    prefetch_related_objects([p.stored.assessment for p in changed], "values", "results")
    criteria = criteria_with_thresholds(info.cset)  # once for the workbook
    for plan in changed:
        a = plan.stored.assessment
        a.unit, a.criteria_set = plan.unit, info.cset
        assessment_recompute(a, criteria=criteria)
        maybe_die("import")  # crash tests only (NTM_FAULT_AFTER_ROWS)
        if not plan.approve:
            progress(1)
    approve_reason = _("Nhập kết quả đã phê duyệt từ Excel")
    for plan in plans:
        if not plan.approve:
            continue
        a = plan.stored.assessment
        for to_state in _approval_path(a.state, year, a.unit):
            a = assessment_transition(
                assessment=a, user=actor, to_state=to_state, reason=approve_reason
            )
        maybe_die("import")
        progress(1)
    touched = {p.unit.pk for p in changed} | {p.unit.pk for p in plans if p.approve}
    return len(new_plans), len(touched) - len(new_plans)


def _create_assessments(new_plans: list[_Plan], info: _SetInfo, year: int, history: dict) -> None:
    """The draft assessments of units without one, in bulk; each plan then holds its own."""
    created = []
    for plan in new_plans:
        met, undecided, standard = _counts(plan, info)
        created.append(
            Assessment(
                unit=plan.unit,
                year=year,
                criteria_set=info.cset,
                state=State.DRAFT,
                criteria_met=met,
                criteria_undecided=undecided,
                meets_standard=standard,
            )
        )
    created = bulk_create_with_history(created, Assessment, batch_size=500, **history)
    for plan, assessment in zip(new_plans, created, strict=True):
        plan.stored = _Stored(assessment, {}, {})


def _result_rows(plan: _Plan, info: _SetInfo, assessment, results_new, results_changed) -> None:
    """The criterion results of one plan: new rows, and stored rows that change."""
    for criterion in info.criteria:
        manual = plan.manual_of(criterion.pk)
        derived = plan.derived[criterion.pk]
        met = manual if manual is not None else derived is True
        manual_reason = plan.reasons.get(criterion.pk, "") if manual is not None else ""
        kind = result_kind(manual=manual, derived=derived)
        result = plan.stored.results.get(criterion.pk)
        if result is None:
            results_new.append(
                CriterionResult(
                    assessment=assessment,
                    criterion=criterion,
                    manual=manual,
                    met=met,
                    derived=derived,
                    manual_reason=manual_reason,
                    kind=kind,
                )
            )
            continue
        fields = ("manual", "manual_reason", "derived", "met", "kind")
        before = tuple(getattr(result, f) for f in fields)
        result.manual, result.derived, result.met, result.kind = manual, derived, met, kind
        if criterion.pk in plan.manual:
            result.manual_reason = manual_reason
        if before != tuple(getattr(result, f) for f in fields):
            results_changed.append(result)


def _value_rows(plan: _Plan, assessment, values_new, values_changed) -> None:
    """The indicator values of one plan: new rows, and stored rows (always rewritten)."""
    for indicator_id, (value_bool, value_number) in plan.values.items():
        value = plan.stored.values.get(indicator_id)
        if value is None:
            values_new.append(
                IndicatorValue(
                    assessment=assessment,
                    indicator_id=indicator_id,
                    value_bool=value_bool,
                    value_number=value_number,
                    met=plan.indicator_met[indicator_id],
                )
            )
        else:
            value.value_bool, value.value_number = value_bool, value_number
            value.met = plan.indicator_met[indicator_id]
            values_changed.append(value)
