"""Keeping the standard ("giữ chuẩn"): recognised communes whose latest approved results fall
short of the set they were recognised on, or of the set now in force for their level, with the
criteria they lost and since when; and those not re-assessed in the year.

Levels held come from `assessments.recognitions.levels_held` (the rule of recognition and
revocation in one place). The summary's `fell_below` is the narrow case of this list: the level
of the set in force, the year's own assessment. Official figures: approved assessments only.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from ntm.assessments.models import CommuneFigure, Recognition, RecognitionAction
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet, Criterion
from ntm.units.models import Unit
from ntm.units.paths import province_id_of
from ntm.units.selectors import communes_of


@dataclass(frozen=True)
class _Commune:
    pk: int
    code: str
    name: str
    parent: str  # the name of the unit above


@dataclass(frozen=True)
class _Assessed:
    pk: tuple  # (unit id, year, set id): one approved result
    year: int
    set_id: int


def _sets_in_force(year: int, province_id: int) -> dict[str, CriteriaSet | None]:
    """level -> the commune set in force in the year, as `reports.selectors.set_in_force`
    chooses it (the province's own set, the latest; else the national set starting first), for
    every commune level of the levels data in one query."""
    commune_levels = recognition_levels.commune_levels()
    candidates = CriteriaSet.objects.filter(
        applies_to="commune",
        level__in=commune_levels,
        period_start__lte=year,
        period_end__gte=year,
    ).filter(Q(province__isnull=True) | Q(province_id=province_id))
    out: dict[str, CriteriaSet | None] = {}
    for level in commune_levels:
        sets = [c for c in candidates if c.level == level]
        own = max((c for c in sets if c.province_id), key=lambda c: c.pk, default=None)
        national = min(
            (c for c in sets if not c.province_id),
            key=lambda c: (c.period_start, c.code),
            default=None,
        )
        out[level] = own or national
    return out


@dataclass(frozen=True)
class _Set:
    """What the checks read of a criteria set."""

    pk: int
    code: str
    based_on_id: int | None


@dataclass(frozen=True)
class _Decision:
    criteria_set: _Set
    decision_number: str
    decision_date: datetime.date

    @property
    def criteria_set_id(self) -> int:
        return self.criteria_set.pk


def _holding_decisions(unit_ids, held: dict[int, set[str]], day: datetime.date) -> dict:
    """(unit id, level) -> the recognising decision that gives the level held on `day`."""
    out: dict[tuple[int, str], _Decision] = {}
    rows = (
        Recognition.objects.filter(
            unit_id__in=unit_ids, action=RecognitionAction.RECOGNISED, decision_date__lte=day
        )
        .order_by("decision_date", "pk")
        .values_list(
            "unit_id",
            "level",
            "criteria_set_id",
            "criteria_set__code",
            "criteria_set__based_on_id",
            "decision_number",
            "decision_date",
        )
    )
    for unit_id, level, set_id, code, based_on, number, date in rows:
        if level in held.get(unit_id, ()):
            out[(unit_id, level)] = _Decision(_Set(set_id, code, based_on), number, date)
    return out


def _lost_since(history: list[_Assessed], not_met: dict[tuple, dict[int, str]]) -> list[dict]:
    """The criteria the latest assessment of `history` (one set family, by year) does not meet,
    each with the first year of its unbroken run of not being met."""
    latest = history[-1]
    lost = []
    for number, name in sorted(not_met.get(latest.pk, {}).items()):
        since = latest.year
        for earlier in reversed(history[:-1]):
            if earlier.year != since - 1 or number not in not_met.get(earlier.pk, {}):
                break
            since = earlier.year
        lost.append({"criterion": f"TC{number}", "name": name, "since": since})
    return lost


def _check(basis: str, cset: CriteriaSet, assessed: list[_Assessed], not_met) -> dict:
    family = {cset.pk, cset.based_on_id} - {None}
    history = sorted((a for a in assessed if a.set_id in family), key=lambda a: a.year)
    if not history:
        return {"basis": basis, "criteria_set": cset.code, "year": None, "lost": []}
    return {
        "basis": basis,
        "criteria_set": cset.code,
        "year": history[-1].year,
        "lost": _lost_since(history, not_met),
    }


def keeping_standard(
    *, unit: Unit, year: int, held: dict[int, set[str]] | None = None
) -> list[dict]:
    """Recognised communes of the unit (hierarchy of the year) that slip or were not
    re-assessed in the year, one row per level held at 31/12. `held`: the levels_held of the
    unit's communes at 31/12 when the caller has them already. Callers check scope."""
    day = datetime.date(year, 12, 31)
    if held is None:
        held = levels_held(communes_of(unit, year).values_list("pk", flat=True), day)
    commune_levels = recognition_levels.commune_levels()
    held = {k: {lvl for lvl in v if lvl in commune_levels} for k, v in held.items()}
    held = {k: v for k, v in held.items() if v}
    if not held:
        return []
    # The recognised xã by id (few beside the unit's xã and their every year's rows); past a
    # few thousand, the unit's xã as a subquery (a very long IN list costs more to build).
    in_unit = sorted(held) if len(held) <= 2000 else communes_of(unit, year).values("pk")
    communes = {
        pk: _Commune(pk, code, name, parent or "")
        for pk, code, name, parent in Unit.objects.filter(pk__in=in_unit)
        .order_by()
        .values_list("pk", "code", "name", "parent__name")
        if pk in held
    }
    decisions = _holding_decisions(in_unit, held, day)
    # The approved results from the rows kept on write (assessments.figures): which criteria
    # each one misses is its mask against its set's criteria, with no pass over the results.
    assessed: dict[int, list[_Assessed]] = defaultdict(list)
    masks: dict[tuple, int] = {}
    for unit_id, a_year, set_id, mask in (
        CommuneFigure.objects.filter(unit_id__in=in_unit, year__lte=year, approved=True)
        .order_by()
        .values_list("unit_id", "year", "criteria_set_id", "met_mask")
    ):
        if unit_id not in held:
            continue
        key = (unit_id, a_year, set_id)
        assessed[unit_id].append(_Assessed(key, a_year, set_id))
        masks[key] = mask
    criteria: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for set_id, number, name in Criterion.objects.filter(
        criteria_set_id__in={k[2] for k in masks}
    ).values_list("criteria_set_id", "number", "name"):
        criteria[set_id].append((number, name))
    not_met: dict[tuple, dict[int, str]] = defaultdict(dict)
    for key, mask in masks.items():
        for number, name in criteria[key[2]]:
            if not mask >> (number - 1) & 1:
                not_met[key][number] = name
    in_force = _sets_in_force(year, province_id_of(unit.path))
    out = []
    for unit_id in sorted(held, key=lambda pk: communes[pk].code):
        for level in (lvl for lvl in commune_levels if lvl in held[unit_id]):
            row = _row(
                communes[unit_id],
                level,
                decisions.get((unit_id, level)),
                in_force[level],
                assessed[unit_id],
                not_met,
                year,
            )
            if row is not None:
                out.append(row)
    return out


def _row(commune, level, decision, current, assessed, not_met, year) -> dict | None:
    checks = []
    if decision is not None:
        checks.append(_check("recognised", decision.criteria_set, assessed, not_met))
    if current is not None and (decision is None or current.pk != decision.criteria_set_id):
        checks.append(_check("in_force", current, assessed, not_met))
    reassessed = any(a.year == year for a in assessed)
    slipping = any(c["lost"] for c in checks)
    if reassessed and not slipping:
        return None
    return {
        "id": commune.pk,
        "code": commune.code,
        "name": commune.name,
        "parent": commune.parent,
        "level": str(level),
        "level_label": recognition_levels.label(level),
        "decision_number": decision.decision_number if decision else None,
        "decision_date": decision.decision_date.isoformat() if decision else None,
        "recognised_set": decision.criteria_set.code if decision else None,
        "checks": checks,
        "lost": _merged_lost(checks),
        "reassessed": reassessed,
        "slipping": slipping,
    }


def _merged_lost(checks: list[dict]) -> list[dict]:
    """The criteria lost on either basis, each with the set it belongs to (the same number means
    different criteria in different sets)."""
    return [{**lost, "criteria_set": c["criteria_set"]} for c in checks for lost in c["lost"]]


def keeping_counts(rows: list[dict]) -> dict:
    """The brief figures of the list: by level, how many slip and how many were not re-assessed."""
    out = {"slipping": defaultdict(int), "not_reassessed": defaultdict(int)}
    for row in rows:
        if row["slipping"]:
            out["slipping"][row["level"]] += 1
        if not row["reassessed"]:
            out["not_reassessed"][row["level"]] += 1
    return {k: dict(v) for k, v in out.items()}
