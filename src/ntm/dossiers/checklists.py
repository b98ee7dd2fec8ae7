"""The documents a recognition dossier needs, per criteria set: data in `data/checklists.json`,
each item with its legal source and how far it is verified ("do tỉnh quy định" where unknown)."""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from ntm.criteria.models import CriteriaSet

DATA = Path(__file__).parent / "data" / "checklists.json"


@cache
def _checklists() -> tuple[dict, ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["checklists"])


def checklist_for(cset: CriteriaSet) -> dict | None:
    """The checklist of the procedure in force for the set: same kind of unit, a level it lists
    and a period that covers the set's first year (province sets follow their period)."""
    for checklist in _checklists():
        start, end = checklist["period"]
        if (
            checklist["applies_to"] == cset.applies_to
            and cset.level in checklist["levels"]
            and start <= cset.period_start <= end
        ):
            return checklist
    return None


def checklist_items(cset: CriteriaSet) -> list[dict]:
    checklist = checklist_for(cset)
    return list(checklist["items"]) if checklist else []


def item_codes(cset: CriteriaSet) -> dict[str, str]:
    """code -> name of every item of the set's checklist."""
    return {item["code"]: item["name"] for item in checklist_items(cset)}


def shipped_satisfaction(cset: CriteriaSet) -> tuple[Decimal | None, str]:
    """(minimum share of satisfied residents, its source) as shipped; None where the law as we
    could source it gives no number (the province sets it)."""
    checklist = checklist_for(cset)
    if checklist is None:
        return None, "do tỉnh quy định"
    rule = checklist.get("satisfaction") or {}
    value = rule.get("min_share")
    return (Decimal(value) if value is not None else None), rule.get("source", "")
