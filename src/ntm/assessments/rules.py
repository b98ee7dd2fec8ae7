"""The rule for a criterion result typed by a person (the page, the API and the Excel import).

Provinces record the appraisal team's conclusion per criterion (Đạt / Chưa đạt); most indicator
values are not typed and many thresholds are set by the province. So:
- a typed result stands without a reason when the indicators do not decide (no value, or no
  threshold): it is the appraisal result ("kết quả thẩm định");
- a typed result equal to what the indicators give is not kept as typed: the result follows them;
- a typed result that contradicts the indicators needs a reason ("nhập tay có lý do").
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ntm.assessments.models import ResultKind


def met_label(met: bool | None) -> str:
    if met is None:
        return _("chưa xác định")
    return _("Đạt") if met else _("Chưa đạt")


def result_kind(*, manual: bool | None, derived: bool | None) -> str:
    """How a criterion's result was reached, from the typed and the derived result."""
    if manual is None:
        return ResultKind.DERIVED if derived is not None else ResultKind.UNDECIDED
    if derived is None or manual == derived:
        return ResultKind.APPRAISAL
    return ResultKind.OVERRIDE


@dataclass(frozen=True)
class TypedResult:
    manual: bool | None  # what to store as the typed result (None: follow the indicators)
    reason: str
    kind: str
    problem: str | None = None  # why it is refused; None when it stands

    @property
    def ok(self) -> bool:
        return self.problem is None


def typed_result(
    *, code: str, typed: bool | None, derived: bool | None, reason: str = "", where: str = ""
) -> TypedResult:
    """Judge a typed result against what the indicators decide (`derived`, None: undecided).

    `where` names the place to write a reason (e.g. the column "Lý do TC2") in the message.
    """
    reason = (reason or "").strip()
    if typed is None:
        return TypedResult(None, "", result_kind(manual=None, derived=derived))
    if derived is None:
        return TypedResult(typed, reason, ResultKind.APPRAISAL)
    if typed == derived:
        return TypedResult(None, "", ResultKind.DERIVED)
    if reason:
        return TypedResult(typed, reason, ResultKind.OVERRIDE)
    values = {"code": code, "typed": met_label(typed), "derived": met_label(derived)}
    if where:
        message = _(
            "%(code)s ghi %(typed)s nhưng các chỉ tiêu cho kết quả %(derived)s; sửa chỉ tiêu hoặc ghi lý do ở %(where)s."
        ) % {**values, "where": where}
    else:
        message = (
            _(
                "%(code)s ghi %(typed)s nhưng các chỉ tiêu cho kết quả %(derived)s; sửa chỉ tiêu hoặc ghi lý do."
            )
            % values
        )
    return TypedResult(typed, "", ResultKind.OVERRIDE, message)
