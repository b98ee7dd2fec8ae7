"""Communes formed on 1/7/2025: their predecessors (units.UnitLink), what each held and its
latest approved results, and where the new commune stands as it starts the 2026–2030 set.

"all / some / none" counts the predecessors that were xã (phường and thị trấn were never
assessed against commune criteria); what a province then decides about the new commune is its
own procedure, not something this module infers.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from ntm.assessments.models import Assessment, State
from ntm.assessments.recognitions import levels_held
from ntm.criteria import levels as recognition_levels
from ntm.units.models import REORGANISATION_DATE, Kind, Level, Unit, UnitLink, within_q

LAST_OLD_DAY = REORGANISATION_DATE - datetime.timedelta(days=1)
STANDING = {
    "all": _("Tất cả xã cũ đã đạt chuẩn NTM"),
    "some": _("Một phần xã cũ đạt chuẩn NTM"),
    "none": _("Chưa xã cũ nào đạt chuẩn NTM"),
}


def new_communes(unit: Unit):
    """The xã formed on 1/7/2025 in or under the unit (a new province, or a new commune)."""
    return Unit.objects.filter(
        within_q(unit, ""),
        level=Level.COMMUNE,
        kind=Kind.COMMUNE,
        valid_from=REORGANISATION_DATE,
    )


def _latest_results(unit_ids) -> dict[int, dict]:
    latest: dict[int, dict] = {}
    rows = (
        Assessment.objects.filter(unit_id__in=unit_ids, state=State.APPROVED)
        .order_by("unit_id", "year", "pk")
        .values_list("unit_id", "year", "criteria_set__code", "criteria_met", "meets_standard")
    )
    for unit_id, year, code, met, meets in rows:
        latest[unit_id] = {
            "year": year,
            "criteria_set": code,
            "criteria_met": met,
            "meets_standard": meets,
        }
    return latest


def merged_communes(*, unit: Unit) -> list[dict]:
    """One row per xã formed on 1/7/2025 under the unit, with its predecessors. A fixed
    number of queries. Callers check scope."""
    communes = list(new_communes(unit).order_by("code"))
    links = defaultdict(list)
    for link in (
        UnitLink.objects.filter(new__in=communes)
        .select_related("old", "old__parent")
        .order_by("old__code")
    ):
        links[link.new_id].append(link)
    old_ids = [link.old_id for rows in links.values() for link in rows]
    held = levels_held(old_ids, LAST_OLD_DAY)
    results = _latest_results(old_ids + [c.pk for c in communes])
    commune_levels = recognition_levels.commune_levels()
    out = []
    for commune in communes:
        predecessors = [
            {
                "id": link.old.pk,
                "code": link.old.code,
                "name": link.old.name,
                "district": link.old.parent.name if link.old.parent_id else "",
                "kind": link.old.kind,
                "whole": link.is_default and not link.split,
                "levels": [lvl for lvl in commune_levels if lvl in held.get(link.old_id, ())],
                "latest": results.get(link.old_id),
            }
            for link in links[commune.pk]
        ]
        xa = [p for p in predecessors if p["kind"] == Kind.COMMUNE]
        ntm = sum(1 for p in xa if recognition_levels.NTM in p["levels"])
        standing = "none" if not ntm else ("all" if ntm == len(xa) else "some")
        out.append(
            {
                "id": commune.pk,
                "code": commune.code,
                "name": commune.name,
                "predecessors": predecessors,
                "predecessor_communes": len(xa),
                "predecessors_ntm": ntm,
                "standing": standing,
                "standing_label": str(STANDING[standing]),
                "latest": results.get(commune.pk),
            }
        )
    return out


def merged_counts(rows: list[dict]) -> dict[str, int]:
    counts = {"all": 0, "some": 0, "none": 0}
    for row in rows:
        counts[row["standing"]] += 1
    return counts


def merged_of_commune(unit: Unit) -> dict | None:
    """The row of one commune formed on 1/7/2025 (None for any other unit)."""
    if unit.level != Level.COMMUNE or unit.valid_from != REORGANISATION_DATE:
        return None
    rows = merged_communes(unit=unit)
    return rows[0] if rows else None
