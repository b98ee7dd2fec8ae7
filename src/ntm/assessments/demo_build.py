"""Writing sample results that hold together: the criteria a commune meets, the indicator values
behind them where the set has a threshold, and the counts, all as `assessment_recompute` would
derive them (one bulk write per table, so that `ntm demo` stays fast).

A commune meets its criteria in a fixed order of its own (easier criteria first, with some
spread), so a commune that gains criteria from one year to the next keeps those it had.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from ntm.assessments.figures import figures_refresh
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, State
from ntm.assessments.rules import result_kind
from ntm.criteria.engine import criterion_met, indicator_met, threshold_for
from ntm.criteria.models import CriteriaSet, IndicatorKind, Operator, ThresholdBasis
from ntm.units.models import AttributeKind, Unit
from ntm.units.selectors import attribute_values

SAMPLE_NOTE = (
    "Dữ liệu mẫu dựng từ số liệu tổng hợp tỉnh đã công bố; không phải kết quả thật của xã."
)
SAMPLE_NOTE_UNPUBLISHED = "Dữ liệu mẫu (không có số liệu công bố); không phải kết quả thật của xã."

# Criteria of the 19-criteria sets, easiest first: infrastructure and organisation are met early,
# income, poverty, production and environment last (the order the provinces' reports describe).
EASE_19 = [19, 18, 16, 1, 8, 14, 9, 4, 12, 3, 7, 2, 6, 15, 5, 11, 13, 17, 10]


def spread(bands, total: int, rng: random.Random) -> list[int]:
    """Counts, n of them within each (low, high, n) band, adding up to `total` (not shuffled)."""
    values = [low for low, _high, n in bands for _ in range(n)]
    highs = [high for _low, high, n in bands for _ in range(n)]
    if not sum(values) <= total <= sum(highs):
        raise ValueError(f"{total} cannot be spread over {bands}")
    remaining = total - sum(values)
    while remaining > 0:
        i = rng.randrange(len(values))
        if values[i] < highs[i]:
            values[i] += 1
            remaining -= 1
    return values


def earlier(counts: list[int], total: int, *, keep=(), drop=(), rng: random.Random) -> list[int]:
    """Last year's counts from this year's: positions in `keep` unchanged, each one in `drop`
    at least one lower, the others lowered at random until they add up to `total`."""
    result = list(counts)
    for i in drop:
        result[i] -= 1
    movable = [i for i in range(len(result)) if i not in set(keep)]
    excess = sum(result) - total
    if excess < 0:
        raise ValueError("last year's total is above this year's")
    while excess > 0:
        i = rng.choice(movable)
        if result[i] > 1 and counts[i] - result[i] < 3:
            result[i] -= 1
            excess -= 1
    return result


@dataclass
class Row:
    """One commune's result: the criteria met; `undecided` ones are not typed yet (a draft)."""

    unit: Unit
    year: int
    met: set[int]
    state: str = State.APPROVED
    undecided: set[int] = field(default_factory=set)
    notes: str = SAMPLE_NOTE


def order_for(numbers: list[int], rng: random.Random) -> list[int]:
    """A commune's own order of criteria, easiest first."""
    ease = EASE_19 if len(numbers) == len(EASE_19) else numbers
    rank = {n: i for i, n in enumerate(ease)}
    return sorted(numbers, key=lambda n: rank.get(n, n) + rng.gauss(0, 3))


def _value(indicator, threshold, passes: bool, rng: random.Random) -> Decimal | None:
    """A value on the right (or the wrong) side of the threshold."""
    t = float(threshold.value)
    if indicator.operator in (Operator.GTE, Operator.GT):
        value = t * (1 + rng.uniform(0.02, 0.15)) if passes else t * (1 - rng.uniform(0.05, 0.25))
        if indicator.unit == "%":
            value = min(value, 100.0) if t < 100 else (100.0 if passes else value)
        if passes and indicator.operator == Operator.GT and value <= t:
            return None
    elif indicator.operator in (Operator.LTE, Operator.LT):
        value = t * (1 - rng.uniform(0.05, 0.4)) if passes else t * (1 + rng.uniform(0.05, 0.3))
    else:
        return None
    return Decimal(str(round(value, 1)))


class SetWriter:
    """The rules of one set, read once, and the writing of rows against it."""

    def __init__(self, cset: CriteriaSet):
        self.cset = cset
        self.criteria = list(
            cset.criteria.order_by("number").prefetch_related("indicators__thresholds")
        )
        self.numbers = [c.number for c in self.criteria]
        self._cache: dict[tuple, list] = {}

    def _basis(self, units, year: int) -> dict[int, str | None]:
        kind = {
            ThresholdBasis.REGION: AttributeKind.REGION,
            ThresholdBasis.COMMUNE_GROUP: AttributeKind.COMMUNE_GROUP,
        }.get(self.cset.threshold_basis)
        return attribute_values(units, kind, year) if kind else {}

    def _numeric(self, criterion, basis, year) -> list:
        """The number indicators of a criterion with a threshold for the basis and year."""
        key = (criterion.pk, basis, year)
        if key not in self._cache:
            self._cache[key] = [
                (ind, t)
                for ind in criterion.indicators.all()
                if ind.kind == IndicatorKind.NUMBER
                and ind.operator
                and (t := threshold_for(ind.thresholds.all(), basis=basis, year=year)) is not None
            ]
        return self._cache[key]

    def _criterion(self, assessment, criterion, met, basis, year, rng):
        """The result of one criterion and the values behind it."""
        if met is None:  # not typed yet, no value either
            return CriterionResult(assessment=assessment, criterion=criterion), []
        numeric = self._numeric(criterion, basis, year)
        failing = rng.choice(numeric)[0].pk if numeric and met is False else None
        values, outcomes = [], []
        for ind, t in numeric:
            value = _value(ind, t, ind.pk != failing, rng)
            if value is None:
                continue
            ok = indicator_met(
                kind=ind.kind,
                operator=ind.operator,
                value_bool=None,
                value_number=value,
                threshold=t,
            )
            values.append(
                IndicatorValue(assessment=assessment, indicator=ind, value_number=value, met=ok)
            )
            outcomes.append(ok)
        outcomes += [None] * (len(criterion.indicators.all()) - len(outcomes))
        derived = criterion_met(outcomes) if values else None
        manual, final = (None if derived == met else met), met
        result = CriterionResult(
            assessment=assessment,
            criterion=criterion,
            derived=derived,
            manual=manual,
            met=final,
            kind=result_kind(manual=manual, derived=derived),
        )
        return result, values

    def write(self, rows: list[Row], rng: random.Random) -> list[Assessment]:
        if not rows:
            return []
        by_year: dict[int, dict] = {}
        for year in {r.year for r in rows}:
            by_year[year] = self._basis([r.unit for r in rows if r.year == year], year)
        assessments = []
        for r in rows:
            undecided = len(r.undecided & set(self.numbers))
            assessments.append(
                Assessment(
                    unit=r.unit,
                    year=r.year,
                    criteria_set=self.cset,
                    state=r.state,
                    notes=r.notes,
                    criteria_met=len(r.met),
                    criteria_undecided=undecided,
                    meets_standard=len(r.met) == len(self.numbers),
                )
            )
        assessments = bulk_create_with_history(assessments, Assessment)
        if any(a.pk is None for a in assessments):  # a backend that returns no keys
            keys = {(a.unit_id, a.year) for a in assessments}
            found = Assessment.objects.filter(criteria_set=self.cset, year__in={k[1] for k in keys})
            pks = {(a.unit_id, a.year): a for a in found}
            assessments = [pks[(a.unit_id, a.year)] for a in assessments]
        results, values = [], []
        for r, a in zip(rows, assessments, strict=True):
            basis = by_year[r.year].get(r.unit.pk)
            for c in self.criteria:
                met = None if c.number in r.undecided else c.number in r.met
                result, vals = self._criterion(a, c, met, basis, r.year, rng)
                results.append(result)
                values += vals
        CriterionResult.objects.bulk_create(results, batch_size=2000)
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
        figures_refresh({a.unit_id for a in assessments})  # bulk writes send no signals
        return assessments
