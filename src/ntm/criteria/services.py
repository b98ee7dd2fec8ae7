"""Writes to criteria sets: loading the shipped data, cloning a set for a province, editing it."""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import (
    AppliesTo,
    CriteriaSet,
    Criterion,
    Indicator,
    IndicatorKind,
    IndicatorStatus,
    Operator,
    Threshold,
    ThresholdBasis,
)
from ntm.criteria.signals import rules_changed
from ntm.units.models import ATTRIBUTE_VALUES, AttributeKind, Level, Unit

BASIS_VALUES = {
    ThresholdBasis.REGION: {"*", *ATTRIBUTE_VALUES[AttributeKind.REGION]},
    ThresholdBasis.COMMUNE_GROUP: {"*", *ATTRIBUTE_VALUES[AttributeKind.COMMUNE_GROUP]},
    ThresholdBasis.NONE: {"*"},
}


class CriteriaDataError(ValueError):
    pass


class CriteriaEditError(ValueError):
    pass


NOT_SETS = {
    "bounds.json",
    "recognition_levels.json",
}  # data files beside the sets (bounds.py, levels.py)


def shipped_files() -> dict[str, str]:
    folder = resources.files("ntm.criteria").joinpath("data")
    return {
        item.name.removesuffix(".json"): item.read_text("utf-8")
        for item in folder.iterdir()
        if item.name.endswith(".json") and item.name not in NOT_SETS
    }


def _decimal(raw, where: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise CriteriaDataError(f"{where}: {raw!r} is not a number") from exc


def validate_set_data(data: dict) -> None:
    """Check a set's data before anything is written; raise with the path of the first fault."""
    code = data.get("code", "?")
    for key in (
        "code",
        "name",
        "decision",
        "period_start",
        "period_end",
        "applies_to",
        "level",
        "threshold_basis",
        "bands",
        "criteria",
    ):
        if key not in data:
            raise CriteriaDataError(f"{code}: missing {key!r}")
    if data["applies_to"] not in AppliesTo.values:
        raise CriteriaDataError(f"{code}: applies_to {data['applies_to']!r}")
    if not recognition_levels.is_level(data["level"]):
        raise CriteriaDataError(f"{code}: level {data['level']!r}")
    if data["threshold_basis"] not in ThresholdBasis.values:
        raise CriteriaDataError(f"{code}: threshold_basis {data['threshold_basis']!r}")
    numbers = [c["number"] for c in data["criteria"]]
    if len(set(numbers)) != len(numbers):
        raise CriteriaDataError(f"{code}: duplicate criterion numbers")
    covered = sorted(n for b in data["bands"] for n in range(b["min"], b["max"] + 1))
    if covered != list(range(0, len(numbers) + 1)):
        raise CriteriaDataError(f"{code}: bands must cover 0..{len(numbers)} exactly once")
    allowed_basis = BASIS_VALUES[data["threshold_basis"]]
    for criterion in data["criteria"]:
        codes = [i["code"] for i in criterion["indicators"]]
        if not codes or len(set(codes)) != len(codes):
            raise CriteriaDataError(f"{code} TC{criterion['number']}: indicators empty or repeated")
        for ind in criterion["indicators"]:
            where = f"{code} {ind['code']}"
            if ind["kind"] not in IndicatorKind.values:
                raise CriteriaDataError(f"{where}: kind {ind['kind']!r}")
            if ind["status"] not in IndicatorStatus.values:
                raise CriteriaDataError(f"{where}: status {ind['status']!r}")
            if ind["kind"] == IndicatorKind.NUMBER and ind.get("operator") not in Operator.values:
                raise CriteriaDataError(f"{where}: a number needs an operator")
            if ind["status"] == IndicatorStatus.SET_BY_PROVINCE and ind["thresholds"]:
                raise CriteriaDataError(f"{where}: set_by_province but thresholds given")
            for t in ind["thresholds"]:
                if t["basis"] not in allowed_basis:
                    raise CriteriaDataError(f"{where}: basis {t['basis']!r}")
                _decimal(t["value"], where)
                _decimal(t.get("value_max"), where)


@dataclass
class CriteriaLoadResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def _set_fields(data: dict) -> dict:
    decision = data["decision"]
    return {
        "name": data["name"],
        "name_en": data.get("name_en", ""),
        "decision_number": decision["number"],
        "decision_date": datetime.date.fromisoformat(decision["date"])
        if decision.get("date")
        else None,
        "issuer": decision.get("issuer", ""),
        "decision_title": decision.get("title", "")[:500],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "applies_to": data["applies_to"],
        "level": data["level"],
        "threshold_basis": data["threshold_basis"],
        "bands": data["bands"],
        "extra_requirements": data.get("extra_requirements", []),
    }


def _sync(obj, fields: dict) -> bool:
    changed = [k for k, v in fields.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, fields[k])
    if changed:
        obj.save()
    return bool(changed)


def _threshold_tuple(t) -> tuple:
    get = t.get if isinstance(t, dict) else lambda k: getattr(t, k)
    value_max = get("value_max")
    return (
        get("basis"),
        _decimal(get("value"), "threshold"),
        _decimal(value_max, "threshold") if value_max is not None else None,
        get("from_year"),
        get("to_year"),
        (get("source") or "")[:500],
    )


def _load_one(data: dict) -> str:
    """Create or update one shipped set from its data; returns created/updated/unchanged."""
    fields = _set_fields(data)
    cset = CriteriaSet.objects.filter(code=data["code"]).first()
    created = cset is None
    if created:
        cset = CriteriaSet.objects.create(code=data["code"], shipped=True, **fields)
    changed = _sync(cset, fields) if not created else True
    for criterion_data in data["criteria"]:
        criterion, made = Criterion.objects.get_or_create(
            criteria_set=cset,
            number=criterion_data["number"],
            defaults={"name": criterion_data["name"]},
        )
        changed |= made | _sync(
            criterion,
            {
                "name": criterion_data["name"],
                "group": criterion_data.get("group") or "",
                "department": criterion_data.get("department") or "",
            },
        )
        for position, ind in enumerate(criterion_data["indicators"]):
            indicator, made = Indicator.objects.get_or_create(
                criterion=criterion,
                code=ind["code"],
                defaults={"name": ind["name"], "kind": ind["kind"], "status": ind["status"]},
            )
            changed |= made | _sync(
                indicator,
                {
                    "name": ind["name"],
                    "kind": ind["kind"],
                    "unit": ind.get("unit") or "",
                    "operator": ind.get("operator") or "",
                    "status": ind["status"],
                    "source": (ind.get("source") or "")[:500],
                    "note": ind.get("note") or "",
                    "position": position,
                },
            )
            wanted = sorted((_threshold_tuple(t) for t in ind["thresholds"]), key=str)
            have = sorted((_threshold_tuple(t) for t in indicator.thresholds.all()), key=str)
            if wanted != have:
                indicator.thresholds.all().delete()
                for basis, value, value_max, from_year, to_year, source in wanted:
                    Threshold.objects.create(
                        indicator=indicator,
                        basis=basis,
                        value=value,
                        value_max=value_max,
                        from_year=from_year,
                        to_year=to_year,
                        source=source,
                    )
                changed = True
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def criteria_load(*, codes: list[str] | None = None) -> CriteriaLoadResult:
    """Load the shipped sets (all, or the given codes). Validates every file before writing."""
    files = shipped_files()
    wanted = codes or sorted(files)
    unknown = [c for c in wanted if c not in files]
    if unknown:
        raise CriteriaDataError(
            _("Không có bộ tiêu chí %(codes)s. Có: %(known)s")
            % {"codes": ", ".join(unknown), "known": ", ".join(sorted(files))}
        )
    parsed = []
    for code in wanted:
        data = json.loads(files[code])
        if data.get("code") != code:
            raise CriteriaDataError(
                f"{code}.json: code {data.get('code')!r} differs from file name"
            )
        validate_set_data(data)
        parsed.append(data)
    result = CriteriaLoadResult([], [], [])
    with transaction.atomic():
        for data in parsed:
            outcome = _load_one(data)
            getattr(result, outcome).append(data["code"])
            if outcome == "updated":
                _recompute(CriteriaSet.objects.get(code=data["code"]))
    return result


@transaction.atomic
def criteria_set_clone(
    *, source: CriteriaSet, province: Unit, code: str, name: str, user=None
) -> CriteriaSet:
    """A provincial copy of a set that the province may then edit."""
    code = code.strip().upper()
    if province.level != Level.PROVINCE:
        raise CriteriaEditError(_("Bộ tiêu chí của tỉnh phải gắn với một đơn vị cấp tỉnh."))
    if not code or CriteriaSet.objects.filter(code=code).exists():
        raise CriteriaEditError(_("Mã bộ tiêu chí “%(code)s” trống hoặc đã có.") % {"code": code})
    clone = CriteriaSet.objects.get(pk=source.pk)
    clone.pk = None
    clone.code, clone.name, clone.province, clone.based_on, clone.shipped = (
        code,
        name or source.name,
        province,
        source,
        False,
    )
    if user is not None:
        clone._history_user = user
    clone.save()
    for criterion in source.criteria.prefetch_related("indicators__thresholds"):
        indicators = list(criterion.indicators.all())
        criterion.pk, criterion.criteria_set = None, clone
        criterion.save()
        for indicator in indicators:
            thresholds = list(indicator.thresholds.all())
            indicator.pk, indicator.criterion = None, criterion
            indicator.save()
            for t in thresholds:
                t.pk, t.indicator = None, indicator
                t.save()
    return clone


def criteria_set_period_set(
    *, criteria_set: CriteriaSet, period_start: int, period_end: int, user=None
) -> CriteriaSet:
    """The years a province's own set applies to (a copy keeps its source's period until the
    province sets its own: a 2021-2025 set copied for the province's 2018-2020 nâng cao rules).
    Refused when an approved result or a recognition under the set would fall outside."""
    if criteria_set.shipped:
        raise CriteriaEditError(
            _("Bộ tiêu chí quốc gia không sửa trực tiếp; hãy sao chép thành bộ của tỉnh rồi sửa.")
        )
    if not 2000 <= period_start <= period_end <= 2100:
        raise CriteriaEditError(
            _("Giai đoạn %(start)s-%(end)s không hợp lệ (năm đầu ≤ năm cuối, 2000-2100).")
            % {"start": period_start, "end": period_end}
        )
    outside = {
        _("kết quả đã phê duyệt"): criteria_set.assessments.filter(state="approved"),
        _("quyết định công nhận"): criteria_set.recognitions.all(),
    }
    for label, qs in outside.items():
        years = sorted(
            set(
                qs.exclude(year__range=(period_start, period_end))
                .order_by()
                .values_list("year", flat=True)
            )
        )
        if years:
            raise CriteriaEditError(
                _(
                    "Bộ %(code)s đã có %(what)s năm %(years)s, ngoài giai đoạn %(start)s-%(end)s; "
                    "không đổi được giai đoạn."
                )
                % {
                    "code": criteria_set.code,
                    "what": label,
                    "years": ", ".join(map(str, years)),
                    "start": period_start,
                    "end": period_end,
                }
            )
    criteria_set.period_start, criteria_set.period_end = period_start, period_end
    if user is not None:
        criteria_set._history_user = user
    criteria_set.save(update_fields=["period_start", "period_end"])
    return criteria_set


def _editable(cset: CriteriaSet) -> None:
    if cset.shipped:
        raise CriteriaEditError(
            _("Bộ tiêu chí quốc gia không sửa trực tiếp; hãy sao chép thành bộ của tỉnh rồi sửa.")
        )
    if cset.assessments.filter(state="approved").exists():
        raise CriteriaEditError(
            _(
                "Bộ tiêu chí đã được dùng cho kết quả đã phê duyệt; hãy sao chép thành phiên bản mới "
                "rồi sửa, để kết quả cũ giữ nguyên căn cứ."
            )
        )


def _recompute(cset: CriteriaSet) -> None:
    rules_changed.send(sender=CriteriaSet, criteria_set=cset)


def indicator_save(
    *,
    criterion: Criterion,
    code: str,
    name: str,
    kind: str,
    operator: str = "",
    unit: str = "",
    source: str = "",
    user=None,
) -> Indicator:
    _editable(criterion.criteria_set)
    if (
        Indicator.objects.filter(criterion__criteria_set=criterion.criteria_set, code=code)
        .exclude(criterion=criterion)
        .exists()
    ):
        raise CriteriaEditError(
            _("Mã chỉ tiêu %(code)s đã dùng ở tiêu chí khác của bộ này.") % {"code": code}
        )
    if kind == IndicatorKind.NUMBER and operator not in Operator.values:
        raise CriteriaEditError(_("Chỉ tiêu dạng số cần phép so sánh (≥, ≤, =, trong khoảng)."))
    indicator = Indicator.objects.filter(criterion=criterion, code=code).first() or Indicator(
        criterion=criterion, code=code
    )
    indicator.name, indicator.kind, indicator.operator = (
        name,
        kind,
        operator if kind == IndicatorKind.NUMBER else "",
    )
    indicator.unit, indicator.source = unit, source
    if indicator.status == "" or indicator.pk is None:
        indicator.status = IndicatorStatus.SET_BY_PROVINCE
    if user is not None:
        indicator._history_user = user
    indicator.save()
    _recompute(criterion.criteria_set)
    return indicator


def threshold_save(
    *,
    indicator: Indicator,
    basis: str,
    value,
    value_max=None,
    from_year: int | None = None,
    to_year: int | None = None,
    user=None,
) -> Threshold:
    cset = indicator.criterion.criteria_set
    _editable(cset)
    if basis not in BASIS_VALUES[cset.threshold_basis]:
        raise CriteriaEditError(
            _("Vùng/nhóm phải là một trong: %(values)s")
            % {"values": ", ".join(sorted(BASIS_VALUES[cset.threshold_basis]))}
        )
    if indicator.kind != IndicatorKind.NUMBER:
        raise CriteriaEditError(_("Chỉ tiêu có/không không có ngưỡng."))
    if from_year and to_year and to_year < from_year:
        raise CriteriaEditError(_("Năm kết thúc phải sau năm bắt đầu."))
    if indicator.operator == Operator.BETWEEN and (value_max is None or value_max < value):
        raise CriteriaEditError(_("Khoảng cần ngưỡng trên lớn hơn hoặc bằng ngưỡng dưới."))
    threshold = Threshold.objects.filter(
        indicator=indicator, basis=basis, from_year=from_year
    ).first() or Threshold(indicator=indicator, basis=basis, from_year=from_year)
    threshold.value, threshold.value_max, threshold.to_year = value, value_max, to_year
    if user is not None:
        threshold._history_user = user
    threshold.save()
    _recompute(cset)
    return threshold
