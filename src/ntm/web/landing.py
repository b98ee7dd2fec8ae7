"""Where a user lands: their own unit and the latest year with data; an ended unit points to
its successor (and a commune officer of an ended commune is told what to do)."""

import datetime
from dataclasses import dataclass, field

from ntm.accounts.models import Role
from ntm.accounts.scope import Scope
from ntm.assessments.selectors import latest_with_data
from ntm.lib.params import default_year
from ntm.units.models import Level, Unit


@dataclass
class Landing:
    unit: Unit | None
    year: int
    ended: bool = False
    successors: list[Unit] = field(default_factory=list)
    commune_officer: bool = False


def landing_for(user, scope: Scope, *, year: int | None = None) -> Landing:
    """The unit and year a user lands on when the address names neither."""
    unit = None
    if not scope.everything:
        own = user.unit if user.unit_id and scope.contains(user.unit) else None
        roots = scope.roots
        unit = own or (roots[0] if len(roots) == 1 else None)
    if year is None:  # the latest year with results, on a unit that has them
        found, unit = latest_with_data(scope, unit)
        year = found or default_year()
    chosen_year = year
    landing = Landing(unit=unit, year=chosen_year)
    if unit is not None and unit.valid_to is not None and unit.valid_to < datetime.date.today():
        landing.ended = True
        landing.successors = [
            link.new
            for link in unit.successor_links.select_related("new").order_by(
                "-is_default", "new__code"
            )
        ]
        landing.commune_officer = user.role == Role.COMMUNE_OFFICER and unit.level == Level.COMMUNE
    return landing
