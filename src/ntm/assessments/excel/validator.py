"""What the import will do to each commune's assessment, and what is refused."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.assessments import workflow
from ntm.assessments.excel.common import (
    SHEET_RESULTS,
    _parse_result,
    _parse_yes_no,
    _reason_header,
    _SetInfo,
    _Stored,
)
from ntm.assessments.excel.reader import (
    _Line,
    _Reason,
    _reason_text,
)
from ntm.assessments.models import Assessment, State
from ntm.assessments.rules import typed_result
from ntm.assessments.services import (
    can_edit,
)
from ntm.criteria.bounds import bounds_problem
from ntm.criteria.engine import criterion_met, indicator_met, threshold_for
from ntm.criteria.models import IndicatorKind, ThresholdBasis
from ntm.excel import (
    CellValueError,
    ImportReport,
    parse_vi_number,
)
from ntm.units.models import AttributeKind, Unit
from ntm.units.selectors import attribute_values


@dataclass
class _Plan:
    """What the import will do to one commune's assessment."""

    unit: Unit
    stored: _Stored | None
    values: dict[int, tuple[bool | None, Decimal | None]] = field(default_factory=dict)
    manual: dict[int, bool | None] = field(default_factory=dict)  # criterion id -> new manual
    reasons: dict[int, str] = field(default_factory=dict)  # criterion id -> its new reason
    derived: dict[int, bool | None] = field(default_factory=dict)
    indicator_met: dict[int, bool | None] = field(default_factory=dict)
    first: tuple[str, int, str] | None = None  # where the first change is, for messages
    row: tuple[str, int] | None = None  # the first row naming the commune
    lines: list[_Line] = field(default_factory=list)  # the rows naming the commune
    changing: list[_Line] = field(default_factory=list)  # those that change something
    changed: bool = False
    approve: bool = False

    @cached_property
    def probe(self) -> Assessment:
        """The assessment as can_edit sees it (a new one starts as a draft)."""
        return self.stored.assessment if self.stored else Assessment(state=State.DRAFT)

    @property
    def state(self) -> str:
        return self.stored.assessment.state if self.stored else State.DRAFT

    def final(self, criterion_id: int) -> bool | None:
        manual = self.manual_of(criterion_id)
        return manual if manual is not None else self.derived.get(criterion_id)

    def manual_of(self, criterion_id: int) -> bool | None:
        if criterion_id in self.manual:
            return self.manual[criterion_id]
        result = self.stored.results.get(criterion_id) if self.stored else None
        return result.manual if result else None

    def change_at(self, line: _Line, letter: str) -> None:
        self.changed = True
        self.first = self.first or (line.sheet, line.row, letter)
        if not any(other is line for other in self.changing):
            self.changing.append(line)


def _bases(info: _SetInfo, units: list[Unit], year: int) -> dict[int, str | None]:
    kind = {
        ThresholdBasis.REGION: AttributeKind.REGION,
        ThresholdBasis.COMMUNE_GROUP: AttributeKind.COMMUNE_GROUP,
    }.get(info.cset.threshold_basis)
    if kind is None:
        return {u.pk: None for u in units}
    return attribute_values(units, kind, year)


def _derive(plan: _Plan, info: _SetInfo, basis: str | None, year: int) -> None:
    """Indicator and criterion outcomes from stored values overlaid with the new ones, by the
    same rules as services.assessment_recompute."""
    merged = {}
    if plan.stored:
        merged = {k: (v.value_bool, v.value_number) for k, v in plan.stored.values.items()}
    merged.update(plan.values)
    for criterion in info.criteria:
        outcomes = []
        for indicator in criterion.indicators.all():
            value_bool, value_number = merged.get(indicator.pk, (None, None))
            met = indicator_met(
                kind=indicator.kind,
                operator=indicator.operator,
                value_bool=value_bool,
                value_number=value_number,
                threshold=threshold_for(indicator.thresholds.all(), basis=basis, year=year),
            )
            plan.indicator_met[indicator.pk] = met
            outcomes.append(met)
        plan.derived[criterion.pk] = criterion_met(outcomes) if merged else None


def _approval_path(state: str, year: int, unit=None) -> list[str]:
    path = []
    order = [State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED]
    while state != State.APPROVED:
        state = next(
            s
            for s in order
            if workflow.transition_allowed(state, s, year=year, unit=unit) and s != state
        )
        path.append(state)
    return path


def _edit_refusal(checker, plan: _Plan, criterion) -> str | None:
    """Why `checker` may not change this criterion's data, or None when it may."""
    probe = plan.probe
    if can_edit(checker, probe, criterion):
        return None
    if probe.state == State.APPROVED:
        return "locked"
    if checker.role == Role.DEPARTMENT_OFFICER and checker.role in workflow.EDITORS[probe.state]:
        return _("%(code)s do %(department)s phụ trách; bạn không được sửa.") % {
            "code": criterion.code,
            "department": criterion.department or _("cơ quan khác"),
        }
    return _("Kết quả đang ở trạng thái “%(state)s”; vai trò của bạn không được sửa.") % {
        "state": State(probe.state).label
    }


def _typed_result(
    plan: _Plan, criterion, wanted: bool | None, reason: str
) -> tuple[bool | None, str, str | None]:
    """What a "KetQua" row asks for one criterion: (typed result, its reason, error or None).

    `wanted` is the typed result (None: blank), `reason` the text of "Lý do TCn" ("" blank).
    The rule is `assessments.rules.typed_result`, as on the page and in the API: a result
    stands without a reason where the indicators do not decide (the appraisal result); a
    reason is needed only against them, and it must be typed for this result (not the
    stored reason of another one, as an export carries).
    """
    stored = plan.stored.results.get(criterion.pk) if plan.stored else None
    current = stored.manual if stored else None
    current_reason = stored.manual_reason if stored and current is not None else ""
    # A reason counts when it is typed for this result: not blank and not the stored one.
    fresh = reason if reason and reason != current_reason.strip() else ""
    derived = plan.derived[criterion.pk]
    column = _("cột %(column)s") % {"column": _reason_header(criterion)}
    if wanted is None or wanted == current:
        # Blank result, or the typed result as stored: it must still hold against the values.
        if current is None:
            return None, "", None
        kept = fresh or current_reason
        judged = typed_result(
            code=criterion.code, typed=current, derived=derived, reason=kept, where=column
        )
        return current, kept, judged.problem
    if (
        derived is not None
        and current is None
        and not fresh
        and stored is not None
        and wanted == stored.derived
    ):
        # The file repeats what the stored values gave (e.g. an export whose indicators were
        # then corrected): the result follows the indicators.
        return None, "", None
    judged = typed_result(
        code=criterion.code, typed=wanted, derived=derived, reason=fresh, where=column
    )
    if judged.ok:
        return judged.manual, judged.reason, None
    message = judged.problem
    if reason:
        message += " " + _("(Lý do đang ghi là lý do của kết quả nhập tay cũ; hãy ghi lý do mới.)")
    return wanted, "", message


def _check_version(plan: _Plan, report: ImportReport) -> None:
    """Refuse to change an assessment saved since the file was made (its "Phiên bản")."""
    current = plan.stored.assessment.version if plan.stored else None
    for line in plan.changing or plan.lines:
        if line.version == current:
            continue
        values = {
            "name": plan.unit.name,
            "code": plan.unit.code,
            "current": current,
            "file": line.version,
        }
        if current is None:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) ghi trong tệp (phiên bản %(file)s) không còn trong hệ thống; tải lại mẫu/xuất lại rồi nhập."
            )
        elif line.version is None:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) đã được tạo sau khi tải tệp (phiên bản %(current)s, tệp không ghi phiên bản); tải lại mẫu/xuất lại rồi nhập."
            )
        else:
            message = _(
                "Kết quả của %(name)s (mã %(code)s) đã được sửa sau khi tải tệp (phiên bản %(current)s, tệp ghi %(file)s); tải lại mẫu/xuất lại rồi nhập."
            )
        report.add(line.sheet, line.row, line.version_letter or "A", message % values)
        return


def _plan_changes(
    plans: dict[int, _Plan],
    lines: list[_Line],
    info: _SetInfo,
    year: int,
    checker,
    approve: bool,
    report: ImportReport,
) -> None:
    criteria = {c.pk: c for c in info.criteria}
    criterion_of_indicator = {i.pk: criteria[i.criterion_id] for i in info.indicators}
    # 1. Parse every cell; remember where each value came from. Results are judged in step 2,
    # against what the indicators give once the file's values are merged in.
    typed: dict[int, list] = defaultdict(list)  # unit -> [(line, {criterion: (letter, bool)},
    #                                                     {criterion: (letter, reason)})]
    for line in lines:
        plan = plans[line.unit.pk]
        plan.row = plan.row or (line.sheet, line.row)
        plan.lines.append(line)
        if line.sheet == SHEET_RESULTS:
            results, reasons = _parse_results_line(line, report)
            typed[line.unit.pk].append((line, results, reasons))
            continue
        _plan_values_line(plan, line, checker, criterion_of_indicator, report)
    # 2. Derive from the merged values, then decide the manual results from "KetQua".
    bases = _bases(info, [p.unit for p in plans.values()], year)
    for plan in plans.values():
        _derive(plan, info, bases[plan.unit.pk], year)
        _apply_typed_results(plan, info, typed.get(plan.unit.pk, []), checker, report)
        if plan.changed and plan.state == State.APPROVED:
            sheet, row, letter = plan.first
            report.add(
                sheet,
                row,
                letter,
                _(
                    "Kết quả năm %(year)s của %(name)s đã được phê duyệt (khóa); cần mở lại (có lý do) trước khi sửa."
                )
                % {"year": year, "name": plan.unit.name},
            )
        plan.approve = approve and plan.state != State.APPROVED
        if plan.approve:
            missing = [c.code for c in info.criteria if plan.final(c.pk) is None]
            if missing:
                sheet, row = plan.row
                report.add(
                    sheet,
                    row,
                    "A",
                    _(
                        "Nhập ở trạng thái đã phê duyệt cần đủ kết quả mọi tiêu chí; %(name)s còn thiếu %(codes)s."
                    )
                    % {"name": plan.unit.name, "codes": ", ".join(missing)},
                )
        if plan.changed or plan.approve:
            _check_version(plan, report)


def _parse_results_line(line: _Line, report: ImportReport) -> tuple[dict, dict]:
    """A line of the results sheet: {criterion: (letter, bool)}, {criterion: (letter, reason)};
    a cell that cannot be read is reported and its reason dropped."""
    results, reasons, invalid = {}, {}, set()
    for letter, target, raw in line.cells:
        if isinstance(target, _Reason):
            reasons[target.criterion.pk] = (letter, _reason_text(raw))
            continue
        try:
            results[target.pk] = (letter, _parse_result(raw))
        except CellValueError as exc:
            report.add(line.sheet, line.row, letter, str(exc))
            invalid.add(target.pk)
    for pk in invalid:
        reasons.pop(pk, None)
    return results, reasons


def _plan_values_line(plan: _Plan, line: _Line, checker, criterion_of_indicator, report) -> None:
    """The indicator values of a line, parsed, bounded and planned where they change."""
    for letter, target, raw in line.cells:
        try:
            if target.kind == IndicatorKind.BOOLEAN:
                new = (_parse_yes_no(raw), None)
            else:
                new = (None, parse_vi_number(raw))
        except CellValueError as exc:
            report.add(line.sheet, line.row, letter, str(exc))
            continue
        out_of_bounds = bounds_problem(target, new[1])
        if out_of_bounds:
            report.add(line.sheet, line.row, letter, out_of_bounds)
            continue
        old = plan.stored.values.get(target.pk) if plan.stored else None
        if old is None or (old.value_bool, old.value_number) != new:
            plan.values[target.pk] = new
            plan.change_at(line, letter)
            refusal = _edit_refusal(checker, plan, criterion_of_indicator[target.pk])
            if refusal and refusal != "locked":
                report.add(line.sheet, line.row, letter, refusal)


def _apply_typed_results(plan: _Plan, info: _SetInfo, typed_lines, checker, report) -> None:
    """The results typed in "KetQua" for a plan, decided against what the indicators give."""
    for line, results, reasons in typed_lines:
        for criterion in info.criteria:
            pk = criterion.pk
            if pk not in results and pk not in reasons:
                continue
            letter, wanted = results.get(pk) or (reasons[pk][0], None)
            reason = reasons[pk][1] if pk in reasons else ""
            manual, manual_reason, problem = _typed_result(plan, criterion, wanted, reason)
            current = plan.manual_of(pk)
            stored = plan.stored.results.get(pk) if plan.stored else None
            current_reason = stored.manual_reason if stored and current is not None else ""
            if (manual, manual_reason) == (current, current_reason) and problem is None:
                continue
            plan.manual[pk], plan.reasons[pk] = manual, manual_reason
            plan.change_at(line, letter)
            refusal = _edit_refusal(checker, plan, criterion)
            if refusal and refusal != "locked":
                report.add(line.sheet, line.row, letter, refusal)
            elif problem:
                report.add(line.sheet, line.row, letter, problem)
