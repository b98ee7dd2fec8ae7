"""The one place the progress figures come from: pages, the API, documents and the CLI all call here.

Figures are for a scope unit (province, district, commune), a year and a criteria set, on the
hierarchy of that year (a 2024 figure of an old commune counts under its old district).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext as _

from ntm.assessments.models import Assessment, Recognition, RecognitionAction, State
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet, Criterion
from ntm.criteria.selectors import set_in_force
from ntm.lib.dates import year_end
from ntm.ocop.selectors import ocop_figures
from ntm.plans.selectors import behind_roadmap
from ntm.reports.keeping import keeping_standard
from ntm.reports.targets import targets_progress
from ntm.units.models import Kind, Level, Unit
from ntm.units.paths import path_depth, prefix_at_depth, province_id_of
from ntm.units.selectors import communes_of, reference_day

TWO_PLACES = Decimal("0.01")

# The basis of a figure, decided here and nowhere else: official figures (reports, the annual
# report, public pages, the API by default) count approved results only; the working dashboard
# may ask for provisional ones (every result entered, whatever its state), labelled as such.
APPROVED = "approved"
PROVISIONAL = "provisional"
BASES = (APPROVED, PROVISIONAL)
DEFAULT_BASIS = APPROVED


def basis_param(raw) -> str:
    """A basis from a request or command parameter; anything else is the official basis."""
    return PROVISIONAL if str(raw or "").strip().lower() == PROVISIONAL else DEFAULT_BASIS


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(TWO_PLACES, ROUND_HALF_UP)


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


def _fill_resources(summary: "Summary") -> None:
    from ntm.resources.selectors import resource_figures  # resources import this module

    for key, value in resource_figures(summary.unit, summary.year).items():
        setattr(summary, key, value)


def _assessments(commune_ids, year: int, cset: CriteriaSet, basis: str):
    # order_by(): the models' default ordering joins units and sorts; figures need neither.
    qs = Assessment.objects.filter(unit_id__in=commune_ids, year=year, criteria_set=cset).order_by()
    if basis != PROVISIONAL:
        qs = qs.filter(state=State.APPROVED)
    return qs


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
    summary.communes_total = len(commune_ids)
    _fill_resources(summary)
    if cset is None:
        held = levels_held(commune_ids, year_end(year))
        summary.subunits, summary.subunits_without_recognition = _subunits(
            unit, year, communes, [], held, recognition_levels.NTM
        )
        _fill_ocop(summary)
        return summary

    # Every result entered, in one query; the basis decides which of them count.
    entered = list(
        _assessments(commune_ids, year, cset, PROVISIONAL).values_list(
            "pk", "unit_id", "criteria_met", "meets_standard", "state"
        )
    )
    summary.communes_approved = sum(1 for r in entered if r[4] == State.APPROVED)
    summary.communes_pending = len(entered) - summary.communes_approved
    summary.criteria_met_average_provisional = _average([r[2] for r in entered])
    rows = [r[:4] for r in entered if basis == PROVISIONAL or r[4] == State.APPROVED]
    met_counts = [r[2] for r in rows]
    summary.communes_assessed = len(rows)
    summary.meets_standard = sum(1 for r in rows if r[3])
    summary.criteria_met_average = _average(met_counts)
    summary.bands = {b["label"]: 0 for b in cset.bands}
    for count in met_counts:
        label = cset.band_for(count)
        if label is not None:
            summary.bands[label] += 1

    _fill_previous(summary, cset)

    _fill_attainment(summary, cset, [r[0] for r in rows])

    held = levels_held(commune_ids, year_end(year))
    summary.keeping_standard = keeping_standard(unit=unit, year=year, held=held)
    _fill_recognitions(summary, commune_ids, held)

    met_by_unit = {r[1]: r[3] for r in rows}
    summary.fell_below = [
        {"code": u.code, "name": u.name}
        for u in Unit.objects.filter(
            pk__in=[
                unit_id
                for unit_id, levels in held.items()
                if cset.level in levels and met_by_unit.get(unit_id) is False
            ]
        ).order_by("code")
    ]

    summary.subunits, summary.subunits_without_recognition = _subunits(
        unit, year, communes, rows, held, cset.level
    )
    _fill_ocop(summary)  # before the targets, which read the OCOP figures
    summary.targets = targets_progress(unit=unit, year=year, summary=summary)
    summary.behind_roadmap = behind_roadmap(unit=unit, year=year)
    return summary


def _fill_previous(summary: Summary, cset: CriteriaSet) -> None:
    """The average of the year before under the same set, and the change since."""
    unit, year, basis = summary.unit, summary.year, summary.basis
    if cset.period_start <= year - 1 <= cset.period_end:
        previous_ids = communes_of(unit, year - 1).values("pk")  # a subquery: one round trip
        previous = list(
            _assessments(previous_ids, year - 1, cset, basis).values_list("criteria_met", flat=True)
        )
        summary.criteria_met_average_previous = _average(previous)
        if (
            summary.criteria_met_average is not None
            and summary.criteria_met_average_previous is not None
        ):
            summary.criteria_met_average_change = (
                summary.criteria_met_average - summary.criteria_met_average_previous
            )


def _fill_attainment(summary: Summary, cset: CriteriaSet, assessment_ids: list[int]) -> None:
    """Communes meeting each criterion, and the five criteria fewest meet."""
    criteria = list(Criterion.objects.filter(criteria_set=cset).order_by("number"))
    met_by_criterion = dict(
        Assessment.objects.filter(pk__in=assessment_ids)
        .order_by()
        .values_list("results__criterion_id")
        .annotate(n=_count_met())
        .values_list("results__criterion_id", "n")
    )
    summary.criteria_attainment = [
        {
            "criterion": c.code,
            "name": c.name,
            "met": met_by_criterion.get(c.pk, 0),
            "not_met": summary.communes_assessed - met_by_criterion.get(c.pk, 0),
        }
        for c in criteria
    ]
    summary.criteria_holding_back = (
        []
        if not assessment_ids
        else sorted(summary.criteria_attainment, key=lambda a: (a["met"], a["criterion"]))[:5]
    )


def _fill_recognitions(summary: Summary, commune_ids: list[int], held) -> None:
    """Levels held at the year's end, recognised and revoked in the year (levels as data)."""
    year = summary.year
    summary.recognised_total = _count_levels(held.values())
    decided = list(
        Recognition.objects.filter(unit_id__in=commune_ids, year=year)
        .order_by()
        .values_list("action", "level")
    )
    summary.recognised_new = _tally(
        level for action, level in decided if action == RecognitionAction.RECOGNISED
    )
    summary.revoked = _tally(
        level for action, level in decided if action == RecognitionAction.REVOKED
    )


def _fill_ocop(summary: Summary) -> None:
    summary.ocop = ocop_figures(unit=summary.unit, year=summary.year)


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
    for _pk, unit_id, criteria_met, _meets in rows:
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
            "criteria_met_average": float(_average(met[c.pk])) if met[c.pk] else None,
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


def _province_key(prefix: str = ""):
    """The province of a unit as text (the first id of its path "/<province>/.../"), in SQL."""
    path = F(f"{prefix}path")
    return Substr(path, 2, StrIndex(Substr(path, 2), Value("/")) - 1, output_field=CharField())


def _valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def national_provinces(year: int) -> list[Unit]:
    """The provinces of a year's national figures: those in force on 1 January (the 63 legacy
    provinces up to 2025, whose 2025 figures use the hierarchy of 30/6/2025; the 34 from 2026)."""
    return list(
        Unit.objects.filter(level=Level.PROVINCE)
        .valid_on(datetime.date(year, 1, 1))
        .order_by("code")
    )


def _sets_in_force(year: int, provinces: list[Unit]) -> dict[int, CriteriaSet | None]:
    """`set_in_force(year, province=p)` for every province, in one query."""
    candidates = list(
        CriteriaSet.objects.filter(
            applies_to="commune",
            level=recognition_levels.NTM,
            period_start__lte=year,
            period_end__gte=year,
        )
    )
    national = min(
        (c for c in candidates if c.province_id is None),
        key=lambda c: (c.period_start, c.code),
        default=None,
    )
    provincial: dict[int, CriteriaSet] = {}
    for c in sorted((c for c in candidates if c.province_id is not None), key=lambda c: c.pk):
        provincial[c.province_id] = c  # the latest (highest pk) wins, as in set_in_force
    return {p.pk: provincial.get(p.pk, national) for p in provinces}


def national_summary(
    *, year: int, criteria_set: CriteriaSet | None = None, basis: str = DEFAULT_BASIS
) -> list[dict]:
    """The brief figures of every province of the year, side by side, in a constant number of
    grouped queries (never one query per province). Each row equals the same figures of
    `progress_summary(unit=province, year=year, ...)`. Callers check scope before calling."""
    provinces = national_provinces(year)
    if not provinces:
        return []
    sets = (
        {p.pk: criteria_set for p in provinces}
        if criteria_set is not None
        else _sets_in_force(year, provinces)
    )
    # Each province counts the xã of its own reference day (31/12, or its last day).
    keys_by_day: dict[datetime.date, list[str]] = defaultdict(list)
    for p in provinces:
        keys_by_day[reference_day(p, year)].append(str(p.pk))

    def in_hierarchy(prefix: str = "") -> Q:
        condition = Q()
        for day, keys in keys_by_day.items():
            condition |= Q(province_key__in=keys) & _valid_on_q(day, prefix)
        return Q(**{f"{prefix}level": Level.COMMUNE, f"{prefix}kind": Kind.COMMUNE}) & condition

    communes = dict(
        Unit.objects.annotate(province_key=_province_key())
        .filter(in_hierarchy())
        .values("province_key")
        .annotate(n=Count("pk"))
        .values_list("province_key", "n")
        .order_by()
    )

    used_sets = {s.pk for s in sets.values() if s is not None}
    assessed: dict[str, list[tuple[int, bool, int]]] = defaultdict(list)
    if used_sets:
        qs = Assessment.objects.annotate(province_key=_province_key("unit__")).filter(
            in_hierarchy("unit__"), year=year, criteria_set_id__in=used_sets
        )
        if basis_param(basis) != PROVISIONAL:
            qs = qs.filter(state=State.APPROVED)
        rows = (
            qs.values("province_key", "criteria_set_id", "criteria_met", "meets_standard")
            .annotate(n=Count("pk"))
            .values_list("province_key", "criteria_set_id", "criteria_met", "meets_standard", "n")
            .order_by()
        )
        for key, set_id, met, meets, n in rows:
            chosen = sets.get(int(key))
            if chosen is not None and chosen.pk == set_id:
                assessed[key].append((met, meets, n))

    recognised_total, recognised_new = _national_recognitions(in_hierarchy, year)
    return [
        _national_row(p, sets[p.pk], communes, assessed, recognised_total, recognised_new)
        for p in provinces
    ]


def _national_recognitions(in_hierarchy, year: int) -> tuple[dict, dict]:
    """province key -> level -> communes holding it at 31/12, and recognised in the year."""
    # Levels held at 31/12: the latest decision per (unit, level) decides (as levels_held).
    day = year_end(year)
    later = Recognition.objects.filter(
        unit_id=OuterRef("unit_id"), level=OuterRef("level"), decision_date__lte=day
    ).filter(
        Q(decision_date__gt=OuterRef("decision_date"))
        | Q(decision_date=OuterRef("decision_date"), pk__gt=OuterRef("pk"))
    )
    recognitions = Recognition.objects.annotate(province_key=_province_key("unit__")).filter(
        in_hierarchy("unit__"), action=RecognitionAction.RECOGNISED
    )
    held = (
        recognitions.filter(decision_date__lte=day)
        .exclude(Exists(later))
        .values("province_key", "level")
        .annotate(n=Count("pk"))
        .values_list("province_key", "level", "n")
        .order_by()
    )
    new = (
        recognitions.filter(year=year)
        .values("province_key", "level")
        .annotate(n=Count("pk"))
        .values_list("province_key", "level", "n")
        .order_by()
    )
    recognised_total: dict[str, dict[str, int]] = defaultdict(dict)
    for key, level, n in held:
        recognised_total[key][level] = n
    recognised_new: dict[str, dict[str, int]] = defaultdict(dict)
    for key, level, n in new:
        recognised_new[key][level] = n
    return recognised_total, recognised_new


def _national_row(p: Unit, cset, communes, assessed, recognised_total, recognised_new) -> dict:
    key = str(p.pk)
    row = {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "short_name": p.short_name,
        "criteria_set": cset.code if cset else None,
        "criteria_max": max((b["max"] for b in cset.bands), default=None) if cset else None,
        "communes": communes.get(key, 0),
        "assessed": 0,
        "criteria_met_average": None,
        "bands": {},
        "meets_standard": 0,
        "recognised_total": {},
        "recognised_new": {},
    }
    if cset is not None:  # as progress_summary: no set in force, no figures beyond the count
        groups = assessed.get(key, [])
        total = sum(n for _met, _meets, n in groups)
        bands = {b["label"]: 0 for b in cset.bands}
        for met, _meets, n in groups:
            label = cset.band_for(met)
            if label is not None:
                bands[label] += n
        row.update(
            assessed=total,
            criteria_met_average=(
                (Decimal(sum(met * n for met, _m, n in groups)) / Decimal(total)).quantize(
                    TWO_PLACES, ROUND_HALF_UP
                )
                if total
                else None
            ),
            bands=bands,
            meets_standard=sum(n for _met, meets, n in groups if meets),
            recognised_total=dict(recognised_total.get(key, {})),
            recognised_new=dict(recognised_new.get(key, {})),
        )
    return row


def average_by_year(
    *, unit: Unit, criteria_set: CriteriaSet, last_year: int, basis: str = DEFAULT_BASIS
) -> list[tuple[int, Decimal | None]]:
    """Average criteria met per xã for each year of the set's period up to `last_year`, each on
    its own year's hierarchy, as progress_summary computes it — in one query for all years."""
    years = list(range(criteria_set.period_start, min(criteria_set.period_end, last_year) + 1))
    if not years:
        return []
    in_year = Q()
    for year in years:
        in_year |= Q(year=year, unit_id__in=communes_of(unit, year).values("pk"))
    qs = Assessment.objects.filter(in_year, criteria_set=criteria_set).order_by()
    if basis_param(basis) != PROVISIONAL:
        qs = qs.filter(state=State.APPROVED)
    met: dict[int, list[int]] = defaultdict(list)
    for year, criteria_met in qs.values_list("year", "criteria_met"):
        met[year].append(criteria_met)
    return [(year, _average(met[year])) for year in years]
