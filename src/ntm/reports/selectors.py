"""The one place the progress figures come from: pages, the API, documents and the CLI all call here.

Figures are for a scope unit (province, district, commune), a year and a criteria set, on the
hierarchy of that year (a 2024 figure of an old commune counts under its old district).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from ntm.assessments.models import Assessment, Recognition, RecognitionAction, State
from ntm.criteria.models import CriteriaSet, Criterion
from ntm.units.models import Kind, Level, Unit
from ntm.units.selectors import reference_day

TWO_PLACES = Decimal("0.01")


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def communes_of(unit: Unit, year: int):
    """The xã below (or equal to) a unit, in the hierarchy of the year."""
    return Unit.objects.filter(
        level=Level.COMMUNE, kind=Kind.COMMUNE, path__startswith=unit.path
    ).valid_on(reference_day(unit, year))


def set_in_force(year: int, level: str = "ntm", province: Unit | None = None) -> CriteriaSet | None:
    """The commune set of a level whose period covers the year (a provincial one first)."""
    qs = CriteriaSet.objects.filter(
        applies_to="commune", level=level, period_start__lte=year, period_end__gte=year
    )
    if province is not None:
        provincial = qs.filter(province=province).order_by("-pk").first()
        if provincial:
            return provincial
    return qs.filter(province__isnull=True).order_by("period_start").first()


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass
class Summary:
    unit: Unit
    year: int
    criteria_set: CriteriaSet | None
    communes_total: int = 0
    communes_assessed: int = 0
    criteria_met_average: Decimal | None = None
    criteria_met_average_previous: Decimal | None = None
    criteria_met_average_change: Decimal | None = None
    bands: dict[str, int] = field(default_factory=dict)
    meets_standard: int = 0
    recognised_new: dict[str, int] = field(default_factory=dict)
    recognised_total: dict[str, int] = field(default_factory=dict)
    revoked: dict[str, int] = field(default_factory=dict)
    criteria_attainment: list[dict] = field(default_factory=list)
    criteria_holding_back: list[dict] = field(default_factory=list)
    subunits: list[dict] = field(default_factory=list)
    subunits_without_recognition: list[dict] = field(default_factory=list)
    fell_below: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        def num(value):
            return None if value is None else float(value)

        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "id": self.unit.pk},
            "year": self.year,
            "criteria_set": self.criteria_set.code if self.criteria_set else None,
            "communes_total": self.communes_total,
            "communes_assessed": self.communes_assessed,
            "criteria_met_average": num(self.criteria_met_average),
            "criteria_met_average_previous": num(self.criteria_met_average_previous),
            "criteria_met_average_change": num(self.criteria_met_average_change),
            "bands": self.bands,
            "meets_standard": self.meets_standard,
            "recognised_new": self.recognised_new,
            "recognised_total": self.recognised_total,
            "revoked": self.revoked,
            "targets": self.targets,
            "subunits": self.subunits,
            "subunits_without_recognition": self.subunits_without_recognition,
            "criteria_attainment": self.criteria_attainment,
            "criteria_holding_back": self.criteria_holding_back,
            "fell_below": self.fell_below,
        }


def _assessments(commune_ids, year: int, cset: CriteriaSet, approved_only: bool):
    qs = Assessment.objects.filter(unit_id__in=commune_ids, year=year, criteria_set=cset)
    if approved_only:
        qs = qs.filter(state=State.APPROVED)
    return qs


def levels_held(unit_ids, day: datetime.date) -> dict[int, set[str]]:
    """unit id -> levels held on the day: the latest decision per (unit, level) decides."""
    latest: dict[tuple[int, str], tuple] = {}
    rows = Recognition.objects.filter(unit_id__in=unit_ids, decision_date__lte=day).values_list(
        "unit_id", "level", "action", "decision_date", "pk"
    )
    for unit_id, level, action, decision_date, pk in rows:
        key = (unit_id, level)
        if key not in latest or (decision_date, pk) > latest[key][0]:
            latest[key] = ((decision_date, pk), action)
    held: dict[int, set[str]] = defaultdict(set)
    for (unit_id, level), (_, action) in latest.items():
        if action == RecognitionAction.RECOGNISED:
            held[unit_id].add(level)
    return held


def progress_summary(
    *, unit: Unit, year: int, criteria_set: CriteriaSet | None = None, approved_only: bool = False
) -> Summary:
    """Every progress figure for a unit and year. Callers check scope before calling."""
    province_id = int(unit.path.strip("/").split("/")[0])
    cset = criteria_set or set_in_force(year, province=Unit(pk=province_id))
    summary = Summary(unit=unit, year=year, criteria_set=cset)
    communes = list(communes_of(unit, year).values_list("pk", "parent_id", "path"))
    commune_ids = [c[0] for c in communes]
    summary.communes_total = len(commune_ids)
    if cset is None:
        held = levels_held(commune_ids, year_end(year))
        summary.subunits, summary.subunits_without_recognition = _subunits(
            unit, year, communes, [], held, "ntm"
        )
        return summary

    rows = list(
        _assessments(commune_ids, year, cset, approved_only).values_list(
            "pk", "unit_id", "criteria_met", "meets_standard"
        )
    )
    met_counts = [r[2] for r in rows]
    summary.communes_assessed = len(rows)
    summary.meets_standard = sum(1 for r in rows if r[3])
    summary.criteria_met_average = _average(met_counts)
    summary.bands = {b["label"]: 0 for b in cset.bands}
    for count in met_counts:
        label = cset.band_for(count)
        if label is not None:
            summary.bands[label] += 1

    if cset.period_start <= year - 1 <= cset.period_end:
        previous_ids = list(communes_of(unit, year - 1).values_list("pk", flat=True))
        previous = list(
            _assessments(previous_ids, year - 1, cset, approved_only).values_list(
                "criteria_met", flat=True
            )
        )
        summary.criteria_met_average_previous = _average(previous)
        if (
            summary.criteria_met_average is not None
            and summary.criteria_met_average_previous is not None
        ):
            summary.criteria_met_average_change = (
                summary.criteria_met_average - summary.criteria_met_average_previous
            )

    criteria = list(Criterion.objects.filter(criteria_set=cset).order_by("number"))
    met_by_criterion = dict(
        Assessment.objects.filter(pk__in=[r[0] for r in rows])
        .values_list("results__criterion_id")
        .annotate(n=_count_met())
        .values_list("results__criterion_id", "n")
    )
    summary.criteria_attainment = [
        {"criterion": c.code, "name": c.name, "met": met_by_criterion.get(c.pk, 0),
         "not_met": summary.communes_assessed - met_by_criterion.get(c.pk, 0)}
        for c in criteria
    ]  # fmt: skip
    summary.criteria_holding_back = (
        []
        if not rows
        else sorted(summary.criteria_attainment, key=lambda a: (a["met"], a["criterion"]))[:5]
    )

    held = levels_held(commune_ids, year_end(year))
    summary.recognised_total = _count_levels(held.values())
    new = Recognition.objects.filter(unit_id__in=commune_ids, year=year)
    summary.recognised_new = _tally(
        new.filter(action=RecognitionAction.RECOGNISED).values_list("level", flat=True)
    )
    summary.revoked = _tally(
        new.filter(action=RecognitionAction.REVOKED).values_list("level", flat=True)
    )

    met_by_unit = {r[1]: r[3] for r in rows}
    summary.fell_below = [
        {"code": u.code, "name": u.name}
        for u in Unit.objects.filter(pk__in=[
            unit_id for unit_id, levels in held.items()
            if cset.level in levels and met_by_unit.get(unit_id) is False
        ]).order_by("code")
    ]  # fmt: skip

    summary.subunits, summary.subunits_without_recognition = _subunits(
        unit, year, communes, rows, held, cset.level
    )
    return summary


def _count_met():
    return Count("results", filter=Q(results__met=True))


def _tally(values) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for value in values:
        out[value] += 1
    return dict(out)


def _count_levels(level_sets) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for levels in level_sets:
        for level in levels:
            out[level] += 1
    return dict(out)


def _subunits(
    unit: Unit, year: int, communes, rows, held, level: str
) -> tuple[list[dict], list[dict]]:
    """Per child unit (district of a province, or province of the nation): the same figures in brief."""
    children = list(
        Unit.objects.filter(parent=unit, level__lt=Level.COMMUNE)
        .valid_on(reference_day(unit, year))
        .order_by("code")
    )
    if not children:
        return [], []
    by_path = {c.path: c.pk for c in children}
    depth = len(unit.path.strip("/").split("/"))
    child_of: dict[int, int] = {}
    for pk, _parent_id, path in communes:
        child_path = "/" + "/".join(path.strip("/").split("/")[: depth + 1]) + "/"
        if child_path in by_path:
            child_of[pk] = by_path[child_path]
    totals = defaultdict(int)
    for pk in child_of:
        totals[child_of[pk]] += 1
    met = defaultdict(list)
    for _, unit_id, criteria_met, _meets in rows:
        if unit_id in child_of:
            met[child_of[unit_id]].append(criteria_met)
    recognised = defaultdict(int)
    for unit_id, levels in held.items():
        if level in levels and unit_id in child_of:
            recognised[child_of[unit_id]] += 1
    subunits = [
        {"code": c.code, "name": c.name, "id": c.pk, "communes": totals[c.pk], "assessed": len(met[c.pk]),
         "criteria_met_average": float(_average(met[c.pk])) if met[c.pk] else None,
         "recognised": recognised[c.pk]}
        for c in children
    ]  # fmt: skip
    without = [
        {"code": s["code"], "name": s["name"]}
        for s in subunits
        if s["communes"] and not s["recognised"]
    ]
    return subunits, without
