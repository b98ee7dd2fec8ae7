"""The one place the progress figures come from: pages, the API, documents and the CLI all call here.

Figures are for a scope unit (province, district, commune), a year and a criteria set, on the
hierarchy of that year (a 2024 figure of an old commune counts under its old district).
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from ntm.assessments.models import CommuneFigure
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet, Criterion
from ntm.criteria.selectors import set_in_force, sets_in_force
from ntm.lib.dates import year_end
from ntm.lib.freshness import cached
from ntm.ocop.selectors import ocop_figures
from ntm.plans.selectors import behind_roadmap
from ntm.reports.figures import (
    PROVISIONAL,
    average,
    average_of,
    communes_on,
    communes_q,
    figure_query,
    figure_rows,
    figure_rows_by_province,
    met_per_criterion,
    tally,
    year_recognitions,
)
from ntm.reports.keeping import keeping_standard
from ntm.reports.targets import targets_progress
from ntm.units.models import Kind, Level, Unit, subtree_q, valid_on_q
from ntm.units.paths import path_depth, prefix_at_depth, province_id_of
from ntm.units.selectors import communes_of, reference_day

TWO_PLACES = Decimal("0.01")

# The basis of a figure, decided here and nowhere else: official figures (reports, the annual
# report, public pages, the API by default) count approved results only; the working dashboard
# may ask for provisional ones (every result entered, whatever its state), labelled as such.
APPROVED = "approved"
BASES = (APPROVED, PROVISIONAL)
DEFAULT_BASIS = APPROVED


def basis_param(raw) -> str:
    """A basis from a request or command parameter; anything else is the official basis."""
    return PROVISIONAL if str(raw or "").strip().lower() == PROVISIONAL else DEFAULT_BASIS


@dataclass
class Summary:
    unit: Unit
    year: int
    criteria_set: CriteriaSet | None
    basis: str = DEFAULT_BASIS
    communes_total: int = 0
    communes_assessed: int = 0
    communes_approved: int = 0  # results approved, whatever the basis
    communes_pending: int = 0  # results entered but not approved (counted only when provisional)
    criteria_met_average_provisional: Decimal | None = None  # every result entered
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
    keeping_standard: list[dict] = field(default_factory=list)  # reports/keeping.py
    targets: list[dict] = field(default_factory=list)
    behind_roadmap: list[dict] = field(default_factory=list)
    ocop: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    contributions: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    # For pages drawing every xã (not in as_dict): the xã counted, and the criteria met by each
    # xã whose result the basis counts.
    commune_ids: list[int] = field(default_factory=list, repr=False)
    met_by_unit: dict[int, int] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        def num(value):
            return None if value is None else float(value)

        return {
            "unit": {"code": self.unit.code, "name": self.unit.name, "id": self.unit.pk},
            "year": self.year,
            "criteria_set": self.criteria_set.code if self.criteria_set else None,
            "basis": self.basis,
            "communes_total": self.communes_total,
            "communes_assessed": self.communes_assessed,
            "communes_approved": self.communes_approved,
            "communes_pending": self.communes_pending,
            "criteria_met_average": num(self.criteria_met_average),
            "criteria_met_average_previous": num(self.criteria_met_average_previous),
            "criteria_met_average_change": num(self.criteria_met_average_change),
            "bands": self.bands,
            "meets_standard": self.meets_standard,
            "recognised_new": self.recognised_new,
            "recognised_total": self.recognised_total,
            "revoked": self.revoked,
            "recognition_levels": self.recognition_levels(),
            "targets": [
                {k: num(v) if isinstance(v, Decimal) else v for k, v in t.items()}
                for t in self.targets
            ],
            "behind_roadmap": self.behind_roadmap,
            "subunits": self.subunits,
            "subunits_without_recognition": self.subunits_without_recognition,
            "criteria_attainment": self.criteria_attainment,
            "criteria_holding_back": self.criteria_holding_back,
            "fell_below": self.fell_below,
            "keeping_standard": self.keeping_standard,
            "ocop": self.ocop,
            **_resource_dict(self),
        }

    def recognition_levels(self) -> list[dict]:
        """The levels the figures above count, in the order and with the labels of the levels
        data (criteria/data/recognition_levels.json)."""
        seen = set(self.recognised_new) | set(self.recognised_total) | set(self.revoked)
        return [
            {"code": lv.code, "label": lv.label, "unit_level": lv.unit_level}
            for lv in recognition_levels.all_levels()
            if lv.code in seen
        ]

    @property
    def is_official(self) -> bool:
        return self.basis == APPROVED

    def coverage_text(self) -> str:
        """ "60/95 xã đã phê duyệt; 35 xã tạm tính" — what a figure counts, in the words every
        page, document and command uses."""
        return self._coverage(provisional=not self.is_official)

    def provisional_coverage_text(self) -> str:
        return self._coverage(provisional=True)

    def _coverage(self, *, provisional: bool) -> str:
        text = _("%(approved)s/%(total)s xã đã phê duyệt") % {
            "approved": self.communes_approved,
            "total": self.communes_total,
        }
        if self.communes_pending:
            if provisional:
                text += _("; %(n)s xã tạm tính") % {"n": self.communes_pending}
            else:
                text += _("; %(n)s xã có kết quả chưa phê duyệt, không tính") % {
                    "n": self.communes_pending
                }
        return text

    def basis_text(self) -> str:
        if self.is_official:
            return _("Số liệu chính thức: chỉ tính kết quả đã phê duyệt (%(coverage)s).") % {
                "coverage": self.coverage_text()
            }
        return _("Số liệu tạm tính: gồm cả kết quả chưa phê duyệt (%(coverage)s).") % {
            "coverage": self.coverage_text()
        }

    def change_basis_text(self) -> str:
        """The basis of the year-on-year change: both years counted the same way."""
        if self.is_official:
            return _("cùng tính trên kết quả đã phê duyệt của hai năm")
        return _("cùng tính tạm trên mọi kết quả đã nhập của hai năm")


def _resource_dict(summary: "Summary") -> dict:
    from ntm.resources.selectors import plain  # resources import this module

    return {
        "resources": plain(summary.resources),
        "contributions": plain(summary.contributions),
        "models": plain(summary.models),
        "activities": plain(summary.activities),
    }


def _fill_panels(summary: "Summary") -> None:
    """The resources and OCOP panels, kept together per (unit, year, day) under the data
    version (one version read); today is in the key: a certificate's standing can change with
    the date alone."""
    from ntm.resources.selectors import resource_figures  # resources import this module

    unit, year = summary.unit, summary.year
    panels = cached(
        f"panels:{unit.pk}:{year}:{datetime.date.today().isoformat()}",
        lambda: {
            **resource_figures(unit, year),
            "ocop": ocop_figures(unit=unit, year=year),
        },
    )
    for key, value in panels.items():
        setattr(summary, key, value)


def progress_summary(
    *,
    unit: Unit,
    year: int,
    criteria_set: CriteriaSet | None = None,
    basis: str = DEFAULT_BASIS,
) -> Summary:
    """Every progress figure for a unit and year, on approved results unless `basis` is
    PROVISIONAL. Callers check scope before calling."""
    basis = basis_param(basis)
    province_id = province_id_of(unit.path)
    cset = criteria_set or set_in_force(year, province=Unit(pk=province_id))
    summary = Summary(unit=unit, year=year, criteria_set=cset, basis=basis)
    communes = list(communes_of(unit, year).values_list("pk", "parent_id", "path"))
    commune_ids = [c[0] for c in communes]
    summary.commune_ids = commune_ids
    summary.communes_total = len(commune_ids)
    _fill_panels(summary)
    if cset is None:
        held = levels_held(commune_ids, year_end(year))
        summary.subunits, summary.subunits_without_recognition = _subunits(
            unit, year, communes, {}, held, recognition_levels.NTM
        )
        return summary

    # Every result entered, from the rows kept on write; the basis decides which of them count.
    # The xã as a subquery, not a list of ids (a long IN list costs more to build than to run).
    in_unit = communes_of(unit, year)
    recognitions = year_recognitions(in_unit, year)
    held = recognitions.held
    counts = tally(
        communes=len(commune_ids),
        rows=figure_rows(in_unit, year, [cset.pk], province_key=province_id),
        cset=cset,
        basis=basis,
        held=held,
        decided=recognitions.decided,
    )
    for name in (
        "communes_assessed",
        "communes_approved",
        "communes_pending",
        "criteria_met_average_provisional",
        "criteria_met_average",
        "bands",
        "meets_standard",
        "recognised_total",
        "recognised_new",
        "revoked",
    ):
        setattr(summary, name, getattr(counts, name))
    summary.met_by_unit = {r.unit_id: r.criteria_met for r in counts.counted}

    _fill_previous(summary, cset)
    _fill_attainment(summary, cset, counts.counted)
    summary.keeping_standard = keeping_standard(unit=unit, year=year, held=held)

    meets_by_unit = {r.unit_id: r.meets_standard for r in counts.counted}
    summary.fell_below = [
        {"code": u.code, "name": u.name}
        for u in Unit.objects.filter(
            pk__in=[
                unit_id
                for unit_id, levels in held.items()
                if cset.level in levels and meets_by_unit.get(unit_id) is False
            ]
        ).order_by("code")
    ]

    summary.subunits, summary.subunits_without_recognition = _subunits(
        unit, year, communes, summary.met_by_unit, held, cset.level
    )
    summary.targets = targets_progress(unit=unit, year=year, summary=summary)
    summary.behind_roadmap = behind_roadmap(unit=unit, year=year)
    return summary


def _fill_previous(summary: Summary, cset: CriteriaSet) -> None:
    """The average of the year before under the same set (kept rows), and the change since."""
    unit, year, basis = summary.unit, summary.year, summary.basis
    if cset.period_start <= year - 1 <= cset.period_end:
        previous = figure_query(  # the xã as a subquery: one round trip
            communes_of(unit, year - 1), year - 1, [cset.pk], province_id_of(unit.path)
        )
        if basis != PROVISIONAL:
            previous = previous.filter(approved=True)
        counted = previous.aggregate(n=Count("pk"), total=Sum("criteria_met"))
        summary.criteria_met_average_previous = average_of(counted["total"], counted["n"])
        if (
            summary.criteria_met_average is not None
            and summary.criteria_met_average_previous is not None
        ):
            summary.criteria_met_average_change = (
                summary.criteria_met_average - summary.criteria_met_average_previous
            )


def _fill_attainment(summary: Summary, cset: CriteriaSet, counted) -> None:
    """Communes meeting each criterion (from the kept rows' masks), and the five fewest meet."""
    criteria = list(Criterion.objects.filter(criteria_set=cset).order_by("number"))
    met_by_number = met_per_criterion(counted, [c.number for c in criteria])
    summary.criteria_attainment = [
        {
            "criterion": c.code,
            "name": c.name,
            "met": met_by_number[c.number],
            "not_met": summary.communes_assessed - met_by_number[c.number],
        }
        for c in criteria
    ]
    summary.criteria_holding_back = (
        []
        if not counted
        else sorted(summary.criteria_attainment, key=lambda a: (a["met"], a["criterion"]))[:5]
    )


def _subunits(
    unit: Unit, year: int, communes, met_by_unit: dict[int, int], held, level: str
) -> tuple[list[dict], list[dict]]:
    """Per child unit (district of a province, or province of the nation): the same figures in
    brief. `met_by_unit`: the criteria met of each xã whose result the basis counts."""
    children = list(
        Unit.objects.filter(parent=unit, level__lt=Level.COMMUNE)
        .valid_on(reference_day(unit, year))
        .order_by("code")
    )
    if not children:
        return [], []
    by_path = {c.path: c.pk for c in children}
    depth = path_depth(unit.path)
    child_of: dict[int, int] = {}
    for pk, _parent_id, path in communes:
        child_path = prefix_at_depth(path, depth + 1)
        if child_path in by_path:
            child_of[pk] = by_path[child_path]
    totals = defaultdict(int)
    for pk in child_of:
        totals[child_of[pk]] += 1
    met = defaultdict(list)
    for unit_id, criteria_met in met_by_unit.items():
        if unit_id in child_of:
            met[child_of[unit_id]].append(criteria_met)
    recognised = defaultdict(int)
    for unit_id, levels in held.items():
        if level in levels and unit_id in child_of:
            recognised[child_of[unit_id]] += 1
    subunits = [
        {
            "code": c.code,
            "name": c.name,
            "id": c.pk,
            "communes": totals[c.pk],
            "assessed": len(met[c.pk]),
            "criteria_met_average": float(average(met[c.pk])) if met[c.pk] else None,
            "recognised": recognised[c.pk],
        }
        for c in children
    ]
    without = [
        {"code": s["code"], "name": s["name"]}
        for s in subunits
        if s["communes"] and not s["recognised"]
    ]
    return subunits, without


# --- National: every province side by side ------------------------------------------------------


def national_provinces(year: int) -> list[Unit]:
    """The provinces of a year's national figures: those in force on 1 January (the 63 legacy
    provinces up to 2025, whose 2025 figures use the hierarchy of 30/6/2025; the 34 from 2026)."""
    # Sorted here: with planner statistics SQLite would walk the whole code index to sort 63 rows.
    provinces = Unit.objects.filter(level=Level.PROVINCE).valid_on(datetime.date(year, 1, 1))
    return sorted(provinces.order_by(), key=lambda p: p.code)


def national_summary(
    *, year: int, criteria_set: CriteriaSet | None = None, basis: str = DEFAULT_BASIS
) -> list[dict]:
    """The brief figures of every province of the year, side by side, in a constant number of
    queries (never one per province): each row is `reports.figures.tally` of that province,
    the same computation as `progress_summary(unit=province, year=year, ...)`. Callers check
    scope before calling."""
    basis = basis_param(basis)
    provinces = national_provinces(year)
    if not provinces:
        return []
    sets = (
        {p.pk: criteria_set for p in provinces}
        if criteria_set is not None
        else sets_in_force(year, provinces)
    )
    # Each province counts the xã of its own reference day (31/12, or its last day).
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for p in provinces:
        by_day[reference_day(p, year)].append(p.pk)
    totals, held, decided = cached(
        _national_key(year, by_day), lambda: _national_held(by_day, year)
    )
    used_sets = {s.pk for s in sets.values() if s is not None}
    rows = figure_rows_by_province(by_day, year, used_sets) if used_sets else {}

    out = []
    for p in provinces:
        cset = sets[p.pk]
        row = {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "short_name": p.short_name,
            "criteria_set": cset.code if cset else None,
            "criteria_max": max((b["max"] for b in cset.bands), default=None) if cset else None,
            "communes": totals.get(p.pk, 0),
            "assessed": 0,
            "criteria_met_total": 0,  # criteria met, summed over the xã counted
            "criteria_met_average": None,
            "bands": {},
            "meets_standard": 0,
            "recognised_total": {},
            "recognised_new": {},
        }
        if cset is not None:  # as progress_summary: no set in force, no figures beyond the count
            counts = tally(
                communes=totals.get(p.pk, 0),
                rows=rows.get(p.pk, []),
                cset=cset,
                basis=basis,
                held=held.get(p.pk, {}),
                decided=decided.get(p.pk, []),
            )
            row.update(
                assessed=counts.communes_assessed,
                criteria_met_total=sum(r.criteria_met * r.n for r in counts.counted),
                criteria_met_average=counts.criteria_met_average,
                bands=counts.bands,
                meets_standard=counts.meets_standard,
                recognised_total=counts.recognised_total,
                recognised_new=counts.recognised_new,
            )
        out.append(row)
    return out


def national_average(rows: list[dict]) -> Decimal | None:
    """The country's average criteria met per xã counted, from `national_summary` rows (each
    province weighted by its xã, from exact sums), when every province counted uses the same set
    (an average across sets of different criteria means nothing)."""
    counted = [r for r in rows if r["assessed"]]
    if not counted or len({r["criteria_set"] for r in counted}) != 1:
        return None
    return average_of(
        sum(r["criteria_met_total"] for r in counted), sum(r["assessed"] for r in counted)
    )


def _national_key(year: int, by_day: dict) -> str:
    days = ";".join(f"{day}:{sorted(keys)}" for day, keys in sorted(by_day.items()))
    return f"national:{year}:{hashlib.sha256(days.encode()).hexdigest()[:24]}"


def _national_held(by_day: dict, year: int) -> tuple[dict, dict, dict]:
    """Per province: its xã of the year, the levels they hold at the year's end and the year's
    decisions. Only units and decisions decide these (kept under the data version that their
    writes change); the results' figures are never cached."""
    totals = dict(
        communes_on(by_day)
        .values("province_key")
        .annotate(n=Count("pk"))
        .values_list("province_key", "n")
    )
    # Levels held and the year's decisions, each with its xã's province, in one query.
    recognitions = year_recognitions(None, year, condition=communes_q(by_day, "unit__"))
    held: dict[int, dict[int, set[str]]] = defaultdict(dict)
    for unit_id, levels in recognitions.held.items():
        held[recognitions.province_of[unit_id]][unit_id] = levels
    decided: dict[int, list] = defaultdict(list)
    for decision in recognitions.decided:
        decided[recognitions.province_of[decision[0]]].append(decision)
    return totals, dict(held), dict(decided)


def average_by_year(
    *, unit: Unit, criteria_set: CriteriaSet, last_year: int, basis: str = DEFAULT_BASIS
) -> list[tuple[int, Decimal | None]]:
    """Average criteria met per xã for each year of the set's period up to `last_year`, each on
    its own year's hierarchy, as progress_summary computes it: one grouped query for all years."""
    years = list(range(criteria_set.period_start, min(criteria_set.period_end, last_year) + 1))
    if not years:
        return []
    in_year = Q(pk__in=[])
    for year in years:
        in_year |= Q(year=year) & valid_on_q(reference_day(unit, year), "unit__")
    # The unit's xã (any date) as a subquery drive the query through the (unit, year, set) index;
    # the join then keeps each year's xã.
    below = Unit.objects.filter(subtree_q(unit), level=Level.COMMUNE, kind=Kind.COMMUNE)
    qs = CommuneFigure.objects.filter(
        in_year,
        unit_id__in=below.values("pk"),
        criteria_set=criteria_set,
    ).order_by()
    if basis_param(basis) != PROVISIONAL:
        qs = qs.filter(approved=True)
    grouped = {
        year: (n, total)
        for year, n, total in qs.values("year")
        .annotate(n=Count("pk"), total=Sum("criteria_met"))
        .values_list("year", "n", "total")
    }
    out = []
    for year in years:
        n, total = grouped.get(year, (0, 0))
        out.append((year, average_of(total, n)))
    return out
