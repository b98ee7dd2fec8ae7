"""Reads of resources, and their figures for a scope unit and year.

The figures (`money_figures`, `contribution_figures`, `model_figures`, `activity_figures`) are
what `ntm.reports.selectors.progress_summary` puts in the summary, so pages, the API, documents
and the CLI agree. They use the hierarchy of the year, as `units.selectors.communes_of` does: a
row counts under a scope unit when its unit lies below (or is) the scope unit by path and existed
between 1 January and the scope unit's reference day (31/12, or its last day). A 2024 figure of
an old commune counts under its old district and province; a 2026 figure of a new commune under
the new province. Rows entered at province or district level count too.

Money is summed in Python from Decimal values (exact đồng on SQLite and PostgreSQL alike).
"""

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from ntm.accounts.scope import Scope
from ntm.resources.models import (
    PARTICIPANTS,
    Activity,
    ActivityKind,
    Contribution,
    ConversionRate,
    Funding,
    FundingSource,
    ModelKind,
    ModelSite,
    Project,
    kept_in_q,
    ratio,
)
from ntm.units.models import Unit, within_q
from ntm.units.paths import province_id_of
from ntm.units.selectors import reference_day

ZERO = Decimal(0)


def in_hierarchy(unit: Unit, year: int, prefix: str = "unit__") -> Q:
    """Rows whose unit is below (or is) `unit` and existed in the year up to its reference day."""
    start, end = datetime.date(year, 1, 1), reference_day(unit, year)
    return (
        within_q(unit, prefix.removesuffix("__"))
        & (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": end}))
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start}))
    )


# -- figures ---------------------------------------------------------------------------------


def money_figures(unit: Unit, year: int) -> dict:
    """Money by source (allocated, disbursed, rate), totals, the community's share, projects."""
    rows = (
        Funding.objects.filter(in_hierarchy(unit, year), year=year)
        .order_by()
        .values_list(
            "source_id",
            "source__code",
            "source__name",
            "source__order",
            "source__community",
            "allocated",
            "disbursed",
        )
    )
    by_source: dict[int, dict] = {}
    for source_id, code, name, order, community, allocated, disbursed in rows:
        entry = by_source.setdefault(
            source_id,
            {
                "code": code,
                "name": name,
                "order": order,
                "community": community,
                "allocated": ZERO,
                "disbursed": ZERO,
            },
        )
        entry["allocated"] += allocated
        entry["disbursed"] += disbursed
    sources = sorted(by_source.values(), key=lambda s: (s["order"], s["code"]))
    for s in sources:
        s["rate"] = ratio(s["disbursed"], s["allocated"])
        del s["order"]
    allocated = sum((s["allocated"] for s in sources), ZERO)
    disbursed = sum((s["disbursed"] for s in sources), ZERO)
    community_allocated = sum((s["allocated"] for s in sources if s["community"]), ZERO)
    community_disbursed = sum((s["disbursed"] for s in sources if s["community"]), ZERO)
    amounts = list(
        Project.objects.filter(in_hierarchy(unit, year), year=year)
        .order_by()
        .values_list("amount", flat=True)
    )
    return {
        "sources": sources,
        "allocated": allocated,
        "disbursed": disbursed,
        "rate": ratio(disbursed, allocated),
        "community": {
            "allocated": community_allocated,
            "disbursed": community_disbursed,
            "share_allocated": ratio(community_allocated, allocated),
            "share_disbursed": ratio(community_disbursed, disbursed),
        },
        "projects": {"count": len(amounts), "amount": sum(amounts, ZERO)},
    }


def contribution_figures(unit: Unit, year: int) -> dict:
    """Contributions summed; land and workdays valued at the rate of the row's province for the
    year where that province set one (`land_value`/`workdays_value` None when no row had one)."""
    rows = list(
        Contribution.objects.filter(in_hierarchy(unit, year), year=year)
        .order_by()
        .values_list("unit__path", "land_m2", "workdays", "cash", "materials_value")
    )
    out = {
        "units": len(rows),
        "land_m2": ZERO,
        "workdays": 0,
        "cash": ZERO,
        "materials_value": ZERO,
        "land_value": None,
        "workdays_value": None,
        "converted_complete": True,
    }
    if not rows:
        out["value"] = ZERO
        return out
    provinces = {province_id_of(r[0]) for r in rows}
    rates = {
        p: (land, day)
        for p, land, day in ConversionRate.objects.filter(
            province_id__in=provinces, year=year
        ).values_list("province_id", "land_per_m2", "workday")
    }
    for path, land_m2, workdays, cash, materials_value in rows:
        out["land_m2"] += land_m2
        out["workdays"] += workdays
        out["cash"] += cash
        out["materials_value"] += materials_value
        land_rate, day_rate = rates.get(province_id_of(path), (None, None))
        if land_m2:
            if land_rate is None:
                out["converted_complete"] = False
            else:
                out["land_value"] = (out["land_value"] or ZERO) + (land_m2 * land_rate).quantize(
                    Decimal(1)
                )
        if workdays:
            if day_rate is None:
                out["converted_complete"] = False
            else:
                out["workdays_value"] = (out["workdays_value"] or ZERO) + workdays * day_rate
    out["value"] = (
        out["cash"]
        + out["materials_value"]
        + (out["land_value"] or ZERO)
        + (out["workdays_value"] or ZERO)
    )
    return out


def model_figures(unit: Unit, year: int) -> dict:
    """Models kept at the end of the year, by kind (every kind listed, 0 where none)."""
    kinds = list(
        ModelSite.objects.filter(in_hierarchy(unit, year), kept_in_q(year))
        .order_by()
        .values_list("kind", flat=True)
    )
    by_kind = {k: 0 for k in ModelKind.values}
    for kind in kinds:
        by_kind[kind] += 1
    return {"by_kind": by_kind, "total": len(kinds)}


def activity_figures(unit: Unit, year: int) -> dict:
    """Activities of the year by kind and measure, with attainment (None when nothing planned);
    `participants`: activities measured in people, all kinds together."""
    rows = (
        Activity.objects.filter(
            in_hierarchy(unit, year),
            date__gte=datetime.date(year, 1, 1),
            date__lte=datetime.date(year, 12, 31),
        )
        .order_by()
        .values_list("kind", "measure", "planned", "actual")
    )
    groups: dict[tuple[str, str], dict] = {}
    people = {"count": 0, "planned": 0, "actual": 0}
    for kind, measure, planned, actual in rows:
        g = groups.setdefault(
            (kind, measure),
            {
                "kind": kind,
                "label": str(ActivityKind(kind).label),
                "measure": measure,
                "count": 0,
                "planned": 0,
                "actual": 0,
            },
        )
        g["count"] += 1
        g["planned"] += planned
        g["actual"] += actual
        if measure == PARTICIPANTS:
            people["count"] += 1
            people["planned"] += planned
            people["actual"] += actual
    order = {k: i for i, k in enumerate(ActivityKind.values)}
    by_kind = sorted(groups.values(), key=lambda g: (order[g["kind"]], g["measure"]))
    for g in by_kind:
        g["ratio"] = ratio(g["actual"], g["planned"])
    people["ratio"] = ratio(people["actual"], people["planned"])
    return {"count": sum(g["count"] for g in by_kind), "by_kind": by_kind, "participants": people}


def resource_figures(unit: Unit, year: int) -> dict:
    """All four, keyed as in the summary."""
    return {
        "resources": money_figures(unit, year),
        "contributions": contribution_figures(unit, year),
        "models": model_figures(unit, year),
        "activities": activity_figures(unit, year),
    }


def plain(value):
    """A figure as JSON: whole Decimals as int (đồng), other Decimals as float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


# -- lists as a user sees them ---------------------------------------------------------------


def sources_active() -> list[FundingSource]:
    return list(FundingSource.objects.filter(active=True).order_by("order", "code"))


def fundings_visible(scope: Scope) -> QuerySet:
    return scope.filter(Funding.objects.select_related("unit", "source"), field="unit")


def projects_visible(scope: Scope) -> QuerySet:
    return scope.filter(Project.objects.select_related("unit", "criterion"), field="unit")


def contributions_visible(scope: Scope) -> QuerySet:
    return scope.filter(Contribution.objects.select_related("unit"), field="unit")


def models_visible(scope: Scope) -> QuerySet:
    return scope.filter(ModelSite.objects.select_related("unit", "unit__parent"), field="unit")


def activities_visible(scope: Scope) -> QuerySet:
    return scope.filter(Activity.objects.select_related("unit"), field="unit")


def rates_visible(scope: Scope) -> QuerySet:
    return scope.filter(ConversionRate.objects.select_related("province"), field="province")


def filter_list(
    qs: QuerySet,
    *,
    unit: Unit | None = None,
    year: int | None = None,
    kind: str = "",
    year_field: str = "year",
) -> QuerySet:
    """The list filters of the pages and the API: below a unit, a year, a kind."""
    if unit is not None:
        qs = qs.filter(within_q(unit))
    if year is not None:
        field = "date__year" if year_field == "date" else year_field
        qs = qs.filter(**{field: year})
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def entry_rows(unit: Unit, year: int) -> dict:
    """What a unit entered for a year (its own rows, not its sub-units'): the funding table with
    every active source, the contribution, the projects."""
    fundings = {f.source_id: f for f in Funding.objects.filter(unit=unit, year=year)}
    table = [(s, fundings.get(s.pk)) for s in sources_active()]
    return {
        "funding_table": table,
        "contribution": Contribution.objects.filter(unit=unit, year=year).first(),
        "projects": list(
            Project.objects.filter(unit=unit, year=year)
            .select_related("criterion")
            .order_by("name")
        ),
        "models": list(
            ModelSite.objects.filter(within_q(unit))
            .filter(kept_in_q(year) | Q(year_recognised=year))
            .select_related("unit")
            .order_by("kind", "unit__code", "name")[:200]
        ),
        "activities": list(
            Activity.objects.filter(unit=unit, date__year=year).order_by("-date", "name")
        ),
        "totals": {
            "allocated": sum((f.allocated for f in fundings.values()), ZERO),
            "disbursed": sum((f.disbursed for f in fundings.values()), ZERO),
        },
    }
