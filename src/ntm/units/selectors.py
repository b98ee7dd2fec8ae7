"""Reads about administrative units. Every list is restricted by the caller's scope."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ntm.accounts.scope import Scope
from ntm.units.models import (
    Kind,
    Level,
    Unit,
    UnitAttribute,
    UnitChange,
    UnitLink,
    subtree_q,
    within_q,
)
from ntm.units.paths import path_depth, prefix_at_depth


def units_visible(scope: Scope) -> QuerySet:
    return scope.units().select_related("parent")


def units_search(
    scope: Scope,
    *,
    text: str = "",
    level: int | None = None,
    kind: str | None = None,
    parent: Unit | None = None,
    valid_on: datetime.date | None = None,
) -> QuerySet:
    qs = units_visible(scope).search(text)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if valid_on is not None:
        qs = qs.valid_on(valid_on)
    return qs


def unit_ancestors(unit: Unit) -> list[Unit]:
    ids = unit.ancestor_ids()
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_children(scope: Scope, unit: Unit) -> QuerySet:
    """Children of a unit, each with its counts of communes and xã below it."""
    return (
        scope.filter(Unit.objects.filter(parent=unit), field="")
        .annotate(
            children_count=Count("children", distinct=True),
            xa_count=Count("children", filter=Q(children__kind=Kind.COMMUNE), distinct=True),
        )
        .order_by("kind", "code")
    )


@dataclass(frozen=True)
class SubtreeCounts:
    districts: int
    communes: int
    xa: int
    villages: int


def subtree_counts(unit: Unit) -> SubtreeCounts:
    below = Unit.objects.within(unit).exclude(pk=unit.pk)
    figures = below.aggregate(
        districts=Count("pk", filter=Q(level=Level.DISTRICT)),
        communes=Count("pk", filter=Q(level=Level.COMMUNE)),
        xa=Count("pk", filter=Q(level=Level.COMMUNE, kind=Kind.COMMUNE)),
        villages=Count("pk", filter=Q(level=Level.VILLAGE)),
    )
    return SubtreeCounts(**figures)


def subtree_counts_many(roots: list[Unit]) -> dict[int, SubtreeCounts]:
    """Counts below each of several units in one query (the unit lists of national users)."""
    if not roots:
        return {}
    by_path = {r.path: r.pk for r in roots}
    depth_of = {r.pk: path_depth(r.path) for r in roots}
    condition = Q()
    for path in by_path:
        condition |= within_q(Unit(path=path), "")
    tally = {r.pk: {"districts": 0, "communes": 0, "xa": 0, "villages": 0} for r in roots}
    rows = Unit.objects.filter(condition, level__gt=min(r.level for r in roots)).values_list(
        "path", "level", "kind"
    )
    for path, level, kind in rows:
        depth = path_depth(path)
        for root_pk in {by_path.get(prefix_at_depth(path, n)) for n in set(depth_of.values())}:
            if root_pk is None or depth <= depth_of[root_pk]:
                continue
            counts = tally[root_pk]
            if level == Level.DISTRICT:
                counts["districts"] += 1
            elif level == Level.COMMUNE:
                counts["communes"] += 1
                counts["xa"] += kind == Kind.COMMUNE
            elif level == Level.VILLAGE:
                counts["villages"] += 1
    return {pk: SubtreeCounts(**c) for pk, c in tally.items()}


def unit_successors(unit: Unit) -> list[UnitLink]:
    return list(
        UnitLink.objects.filter(old=unit)
        .select_related("new", "new__parent")
        .order_by("-is_default", "new__code")
    )


def unit_predecessors(unit: Unit) -> list[UnitLink]:
    return list(
        UnitLink.objects.filter(new=unit)
        .select_related("old", "old__parent", "old__parent__parent")
        .order_by("old__code")
    )


def _in_sentence(name: str) -> str:
    """ "Huyện Bạch Thông" -> "huyện Bạch Thông" (kind words are lower-case mid-sentence)."""
    return name[:1].lower() + name[1:]


def _with_parent(unit: Unit) -> str:
    if unit.parent_id is None:
        return _in_sentence(unit.name)
    return _("%(unit)s, %(parent)s") % {
        "unit": _in_sentence(unit.name),
        "parent": _in_sentence(unit.parent.name),
    }


def unit_history_sentence(unit: Unit) -> str:
    """ "Xã X thuộc huyện Y đến 30/6/2025, nay thuộc xã Z, tỉnh T" and its counterpart."""
    if unit.valid_to is not None:
        parts = [
            _("%(unit)s thuộc %(parent)s đến %(date)s")
            % {
                "unit": unit.name,
                "parent": _in_sentence(unit.parent.name) if unit.parent_id else "—",
                "date": date_format(unit.valid_to, "SHORT_DATE_FORMAT"),
            }
        ]
        successors = unit_successors(unit)
        if successors:
            names = "; ".join(_with_parent(link.new) for link in successors)
            parts.append(_("nay thuộc %(units)s") % {"units": names})
        return ", ".join(parts)
    predecessors = unit_predecessors(unit)
    if unit.valid_from is not None and predecessors:
        names = "; ".join(_with_parent(link.old) for link in predecessors)
        return _("%(unit)s được thành lập từ %(date)s trên cơ sở %(units)s") % {
            "unit": unit.name,
            "date": date_format(unit.valid_from, "SHORT_DATE_FORMAT"),
            "units": names,
        }
    return ""


def unit_attributes(unit: Unit) -> list[UnitAttribute]:
    return list(unit.attributes.all().order_by("kind", "valid_from_year"))


def attribute_value(unit: Unit, kind: str, year: int) -> str | None:
    """The value of an attribute for a unit in a year, inherited from the nearest ancestor."""
    ids = [*unit.ancestor_ids(), unit.pk]
    candidates = UnitAttribute.objects.filter(
        unit_id__in=ids, kind=kind, valid_from_year__lte=year
    ).filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
    by_unit = {}
    for attr in candidates.order_by("valid_from_year"):
        by_unit[attr.unit_id] = attr.value
    for unit_id in reversed(ids):
        if unit_id in by_unit:
            return by_unit[unit_id]
    return None


@dataclass(frozen=True)
class MapPoint:
    pk: int
    name: str
    kind: str
    latitude: float
    longitude: float


def commune_points(scope: Scope, *, on: datetime.date) -> list[MapPoint]:
    rows = (
        units_visible(scope)
        .filter(level=Level.COMMUNE, latitude__isnull=False, longitude__isnull=False)
        .valid_on(on)
        .values_list("pk", "name", "kind", "latitude", "longitude")
    )
    return [MapPoint(*row) for row in rows]


def attribute_values(units, kind: str, year: int) -> dict[int, str | None]:
    """`attribute_value` for many units in one query (same rule: the nearest ancestor wins)."""
    units = list(units)
    chains = {u.pk: [*u.ancestor_ids(), u.pk] for u in units}
    ids = {i for chain in chains.values() for i in chain}
    found: dict[int, str] = {}
    rows = (
        UnitAttribute.objects.filter(unit_id__in=ids, kind=kind, valid_from_year__lte=year)
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
        .order_by("valid_from_year")
        .values_list("unit_id", "value")
    )
    for unit_id, value in rows:
        found[unit_id] = value
    return {
        pk: next((found[i] for i in reversed(chain) if i in found), None)
        for pk, chain in chains.items()
    }


def unit_by_code(code: str, *, year: int, level: int | None = None) -> Unit | None:
    """The unit with an official code in a year (see units.resolver.resolve_code_in_year)."""
    from ntm.units.resolver import resolve_code_in_year

    return resolve_code_in_year(code, year, level=level).unit


def reference_day(unit: Unit, year: int) -> datetime.date:
    """The day whose hierarchy a unit's figures for a year use: 31/12, or the unit's last day
    when it ended during the year (Bắc Kạn's 2025 figures use the communes of 30/6/2025)."""
    end = datetime.date(year, 12, 31)
    return min(end, unit.valid_to) if unit.valid_to else end


def communes_of(unit: Unit, year: int) -> QuerySet:
    """The xã below (or equal to) a unit, in the hierarchy of the year (see reference_day):
    the communes every figure, matrix and Excel template of that unit and year is about."""
    return Unit.objects.filter(subtree_q(unit), level=Level.COMMUNE, kind=Kind.COMMUNE).valid_on(
        reference_day(unit, year)
    )


def unit_changes(scope: Scope) -> QuerySet:
    """Recorded changes of the map (history before 2025) touching a unit in scope."""
    qs = UnitChange.objects.all()
    if not scope.everything:
        qs = qs.filter(scope.q("ended") | scope.q("began") | scope.q("links__old"))
    return (
        qs.distinct()
        .order_by("-effective_date")
        .prefetch_related("ended", "began", "links__old", "links__new")
    )
