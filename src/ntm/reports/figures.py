"""The counting behind every progress figure, shared by a unit's summary and the national table.

Both read the rows kept on write (`assessments.CommuneFigure`) for a set of xã and pass them,
with the levels held and the year's decisions (`year_recognitions`, one query), to `tally`: a
province of the national table and the same province's `progress_summary` are one computation.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from ntm.assessments.models import CommuneFigure, Recognition, RecognitionAction
from ntm.assessments.recognitions import DECISION_ORDER, held_from
from ntm.criteria.models import CriteriaSet
from ntm.lib.dates import year_end
from ntm.units.models import Kind, Level, Unit, valid_on_q

TWO_PLACES = Decimal("0.01")
PROVISIONAL = "provisional"


class Row(NamedTuple):
    """What a figure needs of one xã's result (a CommuneFigure row). A tuple: thousands are
    made per national table."""

    unit_id: int
    criteria_set_id: int
    criteria_met: int
    meets_standard: bool
    approved: bool
    met_mask: int
    levels: str
    n: int = 1  # how many xã the row stands for (grouped rows of the national table)


ROW_FIELDS = (
    "unit_id",
    "criteria_set_id",
    "criteria_met",
    "meets_standard",
    "approved",
    "met_mask",
    "levels",
)


def average(values: list[int]) -> Decimal | None:
    return average_of(sum(values), len(values))


def average_of(total: int, n: int) -> Decimal | None:
    """`total` / `n` in hundredths, rounded half up (the figures' rounding); None for n = 0."""
    if not n:
        return None
    return (Decimal(total) / Decimal(n)).quantize(TWO_PLACES, ROUND_HALF_UP)


def communes_q(provinces_by_day: dict[datetime.date, list[int]], prefix: str = "") -> Q:
    """The xã of many provinces, each province on its own reference day (`prefix` reaches the
    units through a relation)."""
    condition = Q(pk__in=[])
    for day, keys in provinces_by_day.items():
        condition |= Q(**{f"{prefix}province_key__in": keys}) & valid_on_q(day, prefix)
    return condition & Q(**{f"{prefix}level": Level.COMMUNE, f"{prefix}kind": Kind.COMMUNE})


def communes_on(provinces_by_day: dict[datetime.date, list[int]]) -> QuerySet:
    return Unit.objects.filter(communes_q(provinces_by_day)).order_by()


def figure_rows_by_province(
    provinces_by_day: dict[datetime.date, list[int]], year: int, set_ids
) -> dict[int, list[Row]]:
    """province id -> the kept rows of its xã, grouped (one Row per distinct figure, `n` xã),
    in one query: the national table needs counts, not xã."""
    out: dict[int, list[Row]] = defaultdict(list)
    # The rows' own copy of their unit (province, level, kind, validity): no join to the units.
    rows = (
        CommuneFigure.objects.filter(
            communes_q(provinces_by_day, "unit_"), year=year, criteria_set_id__in=list(set_ids)
        )
        .order_by()
        .values(
            "unit_province_key", "criteria_set_id", "criteria_met", "meets_standard", "approved"
        )
        .annotate(n=Count("pk"))
        .values_list(
            "unit_province_key",
            "criteria_set_id",
            "criteria_met",
            "meets_standard",
            "approved",
            "n",
        )
    )
    for province, set_id, met, meets, approved, n in rows:
        out[province].append(Row(0, set_id, met, meets, approved, 0, "", n))
    return out


def figure_rows(communes, year: int, set_ids, *, province_key: int | None = None) -> list[Row]:
    """The kept rows of these xã (ids or a query of units) for the year and sets."""
    return [
        Row(*values)
        for values in figure_query(communes, year, set_ids, province_key).values_list(*ROW_FIELDS)
    ]


def figure_query(communes, year: int, set_ids, province_key: int | None = None) -> QuerySet:
    """The kept rows of these xã for the year and sets. `province_key`: the province every one
    of them lies in, which narrows the read to that province's rows (their own copy of it)."""
    if isinstance(communes, QuerySet):
        communes = communes.values("pk")
    qs = CommuneFigure.objects.filter(
        unit_id__in=communes, year=year, criteria_set_id__in=list(set_ids)
    ).order_by()
    return qs.filter(unit_province_key=province_key) if province_key is not None else qs


@dataclass
class YearRecognitions:
    held: dict[int, set[str]]  # unit id -> levels held on 31/12
    decided: list[tuple[int, str, str]]  # (unit id, action, level) of the year's decisions
    province_of: dict[int, int]  # unit id -> province key (when asked for)


def year_recognitions(communes, year: int, *, condition: Q | None = None) -> YearRecognitions:
    """The levels these xã hold at the year's end and the year's decisions about them, from one
    query: `communes` are ids or a query of units, or None with `condition` on the decisions'
    units (`unit__…`), in which case each xã's province key comes too."""
    day = year_end(year)
    decisions = (
        Recognition.objects.filter(Q(decision_date__lte=day) | Q(year=year))
        .annotate(upto=ExpressionWrapper(Q(decision_date__lte=day), output_field=BooleanField()))
        .order_by(*DECISION_ORDER)
    )
    fields = ["unit_id", "level", "action", "upto", "year"]
    if condition is not None:
        decisions = decisions.filter(condition)
        fields.append("unit__province_key")
    else:
        if isinstance(communes, QuerySet):
            communes = communes.values("pk")
        decisions = decisions.filter(unit_id__in=communes)
    rows = list(decisions.values_list(*fields))
    return YearRecognitions(
        held=held_from(r[:3] for r in rows if r[3]),
        decided=[(r[0], r[2], r[1]) for r in rows if r[4] == year],
        province_of={r[0]: r[5] for r in rows} if condition is not None else {},
    )


@dataclass
class Tally:
    communes_total: int = 0
    communes_assessed: int = 0
    communes_approved: int = 0
    communes_pending: int = 0
    criteria_met_average_provisional: Decimal | None = None
    criteria_met_average: Decimal | None = None
    bands: dict[str, int] = field(default_factory=dict)
    meets_standard: int = 0
    recognised_total: dict[str, int] = field(default_factory=dict)
    recognised_new: dict[str, int] = field(default_factory=dict)
    revoked: dict[str, int] = field(default_factory=dict)
    counted: list[Row] = field(default_factory=list)  # the rows the basis counts


def _tally_of(values) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for value in values:
        out[value] += 1
    return dict(out)


def tally(
    *,
    communes: int,
    rows: list[Row],
    cset: CriteriaSet,
    basis: str,
    held: dict[int, set[str]],
    decided: list[tuple[int, str, str]],
) -> Tally:
    """Every count of one scope (a unit, or a province of the national table): `rows` are the
    scope's results under `cset` (any state), `held` the levels its xã hold at the year's end,
    `decided` the year's decisions about them."""
    rows = [r for r in rows if r.criteria_set_id == cset.pk]
    counted = [r for r in rows if basis == PROVISIONAL or r.approved]
    bands = {b["label"]: 0 for b in cset.bands}
    for r in counted:
        label = cset.band_for(r.criteria_met)
        if label is not None:
            bands[label] += r.n
    approved = sum(r.n for r in rows if r.approved)
    total_levels: dict[str, int] = defaultdict(int)
    for levels in held.values():
        for level in levels:
            total_levels[level] += 1
    return Tally(
        communes_total=communes,
        communes_assessed=sum(r.n for r in counted),
        communes_approved=approved,
        communes_pending=sum(r.n for r in rows) - approved,
        criteria_met_average_provisional=_weighted_average(rows),
        criteria_met_average=_weighted_average(counted),
        bands=bands,
        meets_standard=sum(r.n for r in counted if r.meets_standard),
        recognised_total=dict(total_levels),
        recognised_new=_tally_of(
            level for _u, action, level in decided if action == RecognitionAction.RECOGNISED
        ),
        revoked=_tally_of(
            level for _u, action, level in decided if action == RecognitionAction.REVOKED
        ),
        counted=counted,
    )


def _weighted_average(rows: list[Row]) -> Decimal | None:
    """`average` of the criteria met, each row counted `n` times."""
    return average_of(sum(r.criteria_met * r.n for r in rows), sum(r.n for r in rows))


def met_per_criterion(rows: list[Row], numbers: list[int]) -> dict[int, int]:
    """criterion number -> how many of the rows meet it (from the rows' masks)."""
    return {n: sum(1 for r in rows if r.met_mask >> (n - 1) & 1) for n in numbers}
