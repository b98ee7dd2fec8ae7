"""What the assessments workbook is: sheet names, labels, the criteria set as the workbook
sees it, and what is stored (shared by the template writer, the reader and the validator)."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue
from ntm.criteria.models import AppliesTo, CriteriaSet
from ntm.excel import (
    CellValueError,
    cell_text,
)
from ntm.units.models import Unit
from ntm.units.text import fold

SHEET_RESULTS = "KetQua"
SHEET_VALUES = "ChiTieu"
SHEET_GUIDE = "HuongDan"
FIXED_COLUMNS = 3  # Mã xã, Tên xã, Huyện
FIRST_DATA_ROW = 3  # row 1: codes, row 2: names
SYSTEM_USERNAME = "ntm-system"
_CRITERION_HEADER = re.compile(r"^TC0*(\d+)$", re.IGNORECASE)


class AssessmentExcelError(ValueError):
    """The template or export cannot be made for these arguments."""


class SystemUserError(RuntimeError):
    """The account "ntm-system" exists but could be used to sign in: it is not made a superuser."""


# -- labels (Vietnamese is the file format; a translated label is accepted too) -----------


@lru_cache(maxsize=64)
def _folded(texts: tuple[str, ...], language: str | None) -> frozenset[str]:
    return frozenset({fold(t) for t in texts} | {fold(_(t)) for t in texts})


def _labels(*texts: str) -> frozenset[str]:
    """Folded forms of Vietnamese labels and of their translation in the active language."""
    return _folded(texts, get_language())


def _met_label(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Đạt") if value else _("Chưa đạt")


def _yes_no_label(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Có") if value else _("Không")


def _parse_choice(raw, *, yes: set[str], no: set[str], expected: str) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = fold(cell_text(raw))
    if not text:
        return None
    if text in yes:
        return True
    if text in no:
        return False
    raise CellValueError(
        _("“%(raw)s” không hợp lệ; chọn %(expected)s (để trống nếu giữ nguyên).")
        % {"raw": cell_text(raw), "expected": expected}
    )


def _parse_result(raw) -> bool | None:
    return _parse_choice(
        raw,
        yes=_labels("Đạt"),
        no=_labels("Chưa đạt", "Không đạt"),
        expected=_("“Đạt” hoặc “Chưa đạt”"),
    )


def _parse_yes_no(raw) -> bool | None:
    return _parse_choice(
        raw,
        yes=_labels("Có", "Đạt"),
        no=_labels("Không", "Chưa đạt", "Không đạt"),
        expected=_("“Có” hoặc “Không”"),
    )


def _info_headers() -> set[str]:
    return _labels("Tên xã", "Huyện", "Số tiêu chí đạt", "Đạt chuẩn", "Trạng thái")


def _version_header() -> str:
    return _("Phiên bản")


def _reason_header(criterion) -> str:
    return _("Lý do %(code)s") % {"code": criterion.code}


@lru_cache(maxsize=16)
def _reason_prefixes(language: str | None) -> tuple[str, ...]:
    texts = {"Lý do ", _("Lý do %(code)s") % {"code": ""}}
    return tuple(sorted({fold(t) for t in texts if fold(t)}, key=len, reverse=True))


def _reason_number(text: str) -> int | None:
    """The criterion number of a header "Lý do TC2" (or its translation), else None."""
    folded = fold(text)
    for prefix in _reason_prefixes(get_language()):
        if folded.startswith(prefix):
            match = _CRITERION_HEADER.match(folded[len(prefix) :].replace(" ", ""))
            if match:
                return int(match.group(1))
    return None


# -- the criteria set as the workbook sees it ------------------------------------------------


@dataclass
class _SetInfo:
    cset: CriteriaSet
    criteria: list
    indicators: list
    indicator_header: dict[int, str]  # indicator id -> header text
    by_header: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, cset: CriteriaSet) -> "_SetInfo":
        criteria = list(cset.criteria.prefetch_related("indicators__thresholds").order_by("number"))
        indicators = [i for c in criteria for i in c.indicators.all()]
        counts = defaultdict(int)
        for indicator in indicators:
            counts[indicator.code] += 1
        headers = {}
        for criterion in criteria:
            for indicator in criterion.indicators.all():
                headers[indicator.pk] = (
                    indicator.code
                    if counts[indicator.code] == 1
                    else f"{criterion.code}/{indicator.code}"
                )
        info = cls(cset, criteria, indicators, headers)
        info.by_header = {headers[i.pk]: i for i in indicators}
        return info

    @property
    def criterion_range(self) -> str:
        if not self.criteria:
            return "—"
        return f"{self.criteria[0].code}–{self.criteria[-1].code}"


def _require_commune_set(cset: CriteriaSet) -> None:
    if cset.applies_to != AppliesTo.COMMUNE:
        raise AssessmentExcelError(
            _("Bộ %(code)s không phải bộ tiêu chí xã; tệp Excel này chỉ dành cho xã.")
            % {"code": cset.code}
        )


@dataclass
class _Stored:
    """What is stored for one assessment: the row, its results and values by id."""

    assessment: Assessment
    results: dict[int, CriterionResult]
    values: dict[int, IndicatorValue]


def _stored(unit_ids, year: int, cset: CriteriaSet, *, lock: bool = False) -> dict[int, _Stored]:
    qs = Assessment.objects.filter(unit_id__in=list(unit_ids), year=year, criteria_set=cset)
    qs = qs.order_by("pk")  # no join on units: FOR UPDATE must lock the assessments only
    if lock:
        qs = qs.select_for_update()
    by_pk = {a.pk: _Stored(a, {}, {}) for a in qs}
    if by_pk:
        for result in CriterionResult.objects.filter(assessment_id__in=list(by_pk)):
            by_pk[result.assessment_id].results[result.criterion_id] = result
        for value in IndicatorValue.objects.filter(assessment_id__in=list(by_pk)):
            by_pk[value.assessment_id].values[value.indicator_id] = value
    return {s.assessment.unit_id: s for s in by_pk.values()}


def _final(result: CriterionResult | None) -> bool | None:
    if result is None:
        return None
    return result.manual if result.manual is not None else result.derived


# -- codes by date ------------------------------------------------------------------------------


def unit_in_scope(resolved, scope, start: datetime.date, end: datetime.date) -> Unit | None:
    """The unit a resolved code names for a record of [start, end] in the user's scope: the
    one taken on the record's day, else one of the code's units valid during the period (a
    commune that ended within it)."""
    if resolved.unit is not None and scope.contains(resolved.unit):
        return resolved.unit
    during = [
        u
        for u in resolved.others
        if scope.contains(u)
        and (u.valid_from is None or u.valid_from <= end)
        and (u.valid_to is None or u.valid_to >= start)
    ]
    return max(during, key=lambda u: u.valid_to or end) if during else None


def not_found_message(resolved, label: str) -> str:
    """The code names no unit of the user's scope: say so, naming what the code is on the
    record's date and the other units of the code (Resolved.describe)."""
    text = _("%(label)s “%(code)s” không có hoặc ngoài phạm vi của bạn.") % {
        "label": label,
        "code": resolved.code,
    }
    if resolved.unit is not None or resolved.others:
        text += " " + resolved.describe() + "."
    return text
