"""The figures kept on write: one `CommuneFigure` row per assessment (criteria met, which ones,
meets standard, state, the levels held at the end of its year).

Every write that changes what a row summarises refreshes the rows of its unit in the same
transaction: Assessment and Recognition saves and deletes (signals below), the services'
recompute (`services.assessment_recompute`, whose counts are written with an UPDATE) and the
workbook import (which writes in bulk inside `deferred()`, then refreshes its units at once).
Rules changes reach the rows through the recompute they trigger (assessments.receivers). Each
row also copies its unit's province key, level, kind and validity (the national table counts
by province with no pass over the units): a unit saved, or written in bulk by the catalogue
(`units.signals.units_written`), refreshes the rows of its assessments.
Raw bulk writes (test fixtures, the benchmark's generator) call `figures_refresh` or
`figures_rebuild` themselves. `ntm figures rebuild` recomputes everything.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ntm.assessments.models import (
    Assessment,
    CommuneFigure,
    CriterionResult,
    Recognition,
    State,
)
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.lib.dates import year_end
from ntm.units.models import Unit
from ntm.units.signals import units_written

FIELDS = (
    "unit_id",
    "year",
    "criteria_set_id",
    "state",
    "approved",
    "criteria_met",
    "meets_standard",
    "met_mask",
    "levels",
    "unit_province_key",
    "unit_level",
    "unit_kind",
    "unit_valid_from",
    "unit_valid_to",
)
UNIT_FIELDS = ("province_key", "level", "kind", "valid_from", "valid_to")  # copied as unit_<name>
MAX_NUMBER = 62  # criterion numbers that fit the mask (every shipped set has at most 20)

_local = threading.local()


def mask_of(numbers: Iterable[int]) -> int:
    mask = 0
    for n in numbers:
        if not 1 <= n <= MAX_NUMBER:
            raise ValueError(f"criterion number {n} does not fit the figures' mask")
        mask |= 1 << (n - 1)
    return mask


def numbers_in(mask: int) -> list[int]:
    return [n for n in range(1, MAX_NUMBER + 1) if mask >> (n - 1) & 1]


def _levels_text(levels: set[str]) -> str:
    return ",".join(level for level in recognition_levels.codes() if level in levels)


def figures_computed(unit_ids=None) -> list[CommuneFigure]:
    """The rows as the assessments, results and decisions stand now (all units when None)."""
    assessments = Assessment.objects.order_by()
    results = CriterionResult.objects.filter(met=True).order_by()
    if unit_ids is not None:
        assessments = assessments.filter(unit_id__in=unit_ids)
        results = results.filter(assessment__unit_id__in=unit_ids)
    rows = list(
        assessments.values_list(
            "pk", "unit_id", "year", "criteria_set_id", "state", "criteria_met", "meets_standard"
        )
    )
    if not rows:
        return []
    met: dict[int, list[int]] = defaultdict(list)
    for assessment_id, number in results.values_list("assessment_id", "criterion__number"):
        met[assessment_id].append(number)
    units_by_year: dict[int, set[int]] = defaultdict(set)
    for _pk, unit_id, year, *_rest in rows:
        units_by_year[year].add(unit_id)
    held = {
        year: levels_held(
            sorted(ids)
            if unit_ids is not None
            else Assessment.objects.filter(year=year).order_by().values("unit_id"),
            year_end(year),
        )
        for year, ids in units_by_year.items()
    }
    units = Unit.objects.order_by()
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    else:
        units = units.filter(pk__in=Assessment.objects.order_by().values("unit_id"))
    unit_values = {
        pk: dict(zip(UNIT_FIELDS, values, strict=True))
        for pk, *values in units.values_list("pk", *UNIT_FIELDS)
    }
    return [
        CommuneFigure(
            **{f"unit_{name}": value for name, value in unit_values[unit_id].items()},
            unit_id=unit_id,
            year=year,
            criteria_set_id=set_id,
            state=state,
            approved=state == State.APPROVED,
            criteria_met=criteria_met,
            meets_standard=meets,
            met_mask=mask_of(met.get(pk, ())),
            levels=_levels_text(held[year].get(unit_id, set())),
        )
        for pk, unit_id, year, set_id, state, criteria_met, meets in rows
    ]


def as_tuples(rows: Iterable[CommuneFigure]) -> list[tuple]:
    """Rows as comparable tuples, sorted (rebuild == maintained is a comparison of these)."""
    return sorted(tuple(getattr(r, f) for f in FIELDS) for r in rows)


def figures_stored(unit_ids=None) -> list[CommuneFigure]:
    qs = CommuneFigure.objects.order_by()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return list(qs)


def figures_refresh(unit_ids: Iterable[int]) -> None:
    """Rewrite the rows of these units from what is stored now (inside `deferred()`: later)."""
    ids = {pk for pk in unit_ids if pk is not None}
    if not ids:
        return
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.update(ids)
        return
    ids_list = sorted(ids)
    rows = figures_computed(ids_list)
    with transaction.atomic():
        CommuneFigure.objects.filter(unit_id__in=ids_list).delete()
        CommuneFigure.objects.bulk_create(rows, batch_size=2000)


@contextmanager
def deferred():
    """Collect the refreshes of a bulk write and run them once, for all its units, at the end
    (still inside the caller's transaction)."""
    if getattr(_local, "pending", None) is not None:  # nested: the outer block refreshes
        yield
        return
    _local.pending = set()
    try:
        yield
        ids = _local.pending
    finally:
        _local.pending = None
    figures_refresh(ids)


@transaction.atomic
def figures_rebuild() -> int:
    """Recompute every row from scratch; returns how many there are."""
    rows = figures_computed()
    CommuneFigure.objects.all().delete()
    CommuneFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@receiver(post_save, sender=Assessment, dispatch_uid="figures-assessment-saved")
@receiver(post_delete, sender=Assessment, dispatch_uid="figures-assessment-deleted")
@receiver(post_save, sender=Recognition, dispatch_uid="figures-recognition-saved")
@receiver(post_delete, sender=Recognition, dispatch_uid="figures-recognition-deleted")
def _row_written(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures loaded as they are
        return
    figures_refresh([instance.unit_id])


@receiver(post_save, sender=Unit, dispatch_uid="figures-unit-saved")
def _unit_saved(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    _units_changed([instance.pk])


@receiver(units_written, dispatch_uid="figures-units-written")
def _units_written(sender, unit_ids, **kwargs) -> None:
    _units_changed(unit_ids)


def _units_changed(unit_ids) -> None:
    """Refresh the rows of the units that have any (most units have no assessment)."""
    ids = list({pk for pk in unit_ids if pk is not None})
    with_rows: set[int] = set()
    for start in range(0, len(ids), 500):
        with_rows.update(
            CommuneFigure.objects.filter(unit_id__in=ids[start : start + 500])
            .order_by()
            .values_list("unit_id", flat=True)
            .distinct()
        )
    figures_refresh(with_rows)
