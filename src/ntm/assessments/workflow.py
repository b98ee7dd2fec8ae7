"""Who may move an assessment from which state to which, and who may edit in each state.

Kept as tables so the rules are read in one place. A district check exists only for years
when districts existed (up to 2025); from 2026 a submitted assessment goes to the province.
"""

from ntm.accounts.models import Role
from ntm.assessments.models import State
from ntm.units.models import Level

LAST_YEAR_WITH_DISTRICTS = 2025

COMMUNE, DISTRICT, PROVINCE, DEPARTMENT = (
    Role.COMMUNE_OFFICER,
    Role.DISTRICT_OFFICER,
    Role.PROVINCE_COORDINATOR,
    Role.DEPARTMENT_OFFICER,
)

# (from, to) -> roles allowed; "return" moves need a reason, as does reopening.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (State.DRAFT, State.SUBMITTED): {COMMUNE, DISTRICT, PROVINCE},
    (State.SUBMITTED, State.DISTRICT_CHECKED): {DISTRICT, PROVINCE},
    (State.SUBMITTED, State.APPRAISED): {PROVINCE},
    (State.DISTRICT_CHECKED, State.APPRAISED): {PROVINCE},
    (State.APPRAISED, State.APPROVED): {PROVINCE},
    (State.SUBMITTED, State.DRAFT): {DISTRICT, PROVINCE},
    (State.DISTRICT_CHECKED, State.DRAFT): {DISTRICT, PROVINCE},
    (State.APPRAISED, State.DRAFT): {PROVINCE},
    (State.APPROVED, State.DRAFT): {PROVINCE},
}
NEEDS_REASON = {
    (State.SUBMITTED, State.DRAFT),
    (State.DISTRICT_CHECKED, State.DRAFT),
    (State.APPRAISED, State.DRAFT),
    (State.APPROVED, State.DRAFT),
}

# Who may edit values in each state (department officers only their own criteria).
EDITORS: dict[str, set[str]] = {
    State.DRAFT: {COMMUNE, DISTRICT, PROVINCE, DEPARTMENT},
    State.SUBMITTED: {DISTRICT, PROVINCE, DEPARTMENT},
    State.DISTRICT_CHECKED: {PROVINCE, DEPARTMENT},
    State.APPRAISED: {PROVINCE},
    State.APPROVED: set(),
}


def has_district_check(year: int, unit=None) -> bool:
    """A district checks the commune's results only where the commune has a district above it
    (communes of the new two-level list, from 1/7/2025, go straight to the province)."""
    if unit is not None:
        return unit.parent is not None and unit.parent.level == Level.DISTRICT
    return year <= LAST_YEAR_WITH_DISTRICTS


def transition_allowed(from_state: str, to_state: str, *, year: int, unit=None) -> bool:
    if (from_state, to_state) not in TRANSITIONS:
        return False
    district = has_district_check(year, unit)
    if to_state == State.DISTRICT_CHECKED and not district:
        return False
    return not (from_state == State.SUBMITTED and to_state == State.APPRAISED and district)


def roles_for(from_state: str, to_state: str) -> set[str]:
    return TRANSITIONS.get((from_state, to_state), set())


def next_states(state: str, *, year: int, unit=None) -> list[str]:
    return [
        to
        for (frm, to) in TRANSITIONS
        if frm == state and transition_allowed(frm, to, year=year, unit=unit)
    ]
