"""Keeping the standard on a hand-built province: communes that lost 0, 1 and 3 criteria, one
not re-assessed, one never recognised and one revoked."""

import datetime

import pytest

from ntm.assessments.models import Recognition, State
from ntm.assessments.services import (
    ManualResult,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.reports.keeping import keeping_counts, keeping_standard
from ntm.units.models import Unit

D = datetime.date


def _approved(unit, year, small_set, user, failing=()):
    a = assessment_get_or_create(unit=unit, year=year, criteria_set=small_set.set)
    manual = {
        c.pk: ManualResult(c.number not in failing, "kết quả thẩm định")
        for c in (small_set.c1, small_set.c2, small_set.c3)
    }
    a = assessment_save(assessment=a, user=user, version=a.version, manual=manual)
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    return a


def _recognise(unit, small_set, year, action="recognised", number=None):
    return Recognition.objects.create(
        unit=unit,
        level="ntm",
        criteria_set=small_set.set,
        year=year,
        action=action,
        decision_number=number or f"{unit.code}/{year}/QĐ",
        decision_date=D(year, 12, 20),
    )


@pytest.fixture
def province(units, small_set, users):
    communes = list(Unit.objects.filter(parent=units.bach_thong, kind="xa").order_by("code")[:6])
    a, b, c, d, e, f = communes
    user = users.coordinator
    for commune in (a, b, c, d, f):
        _recognise(commune, small_set, 2022 if commune != c else 2021)
    _recognise(f, small_set, 2023, action="revoked", number="thu-hoi")
    _approved(a, 2023, small_set, user)
    _approved(a, 2024, small_set, user)  # lost 0
    _approved(b, 2023, small_set, user)
    _approved(b, 2024, small_set, user, failing=(2,))  # lost 1
    _approved(c, 2022, small_set, user)
    _approved(c, 2023, small_set, user, failing=(1,))
    _approved(c, 2024, small_set, user, failing=(1, 2, 3))  # lost 3
    _approved(d, 2023, small_set, user)  # not re-assessed in 2024
    _approved(e, 2024, small_set, user, failing=(1, 2))  # never recognised
    _approved(f, 2024, small_set, user, failing=(3,))  # revoked in 2023
    return communes


def test_keeping_standard_is_exact(province, units, small_set):
    a, b, c, d, e, f = province
    rows = keeping_standard(unit=units.bac_kan, year=2024)
    assert [(r["code"], r["slipping"], r["reassessed"]) for r in rows] == [
        (b.code, True, True),
        (c.code, True, True),
        (d.code, False, False),
    ]
    by_code = {r["code"]: r for r in rows}
    assert by_code[b.code]["lost"] == [
        {"criterion": "TC2", "name": "Giao thông", "since": 2024, "criteria_set": "TEST-2021"}
    ]
    assert [(x["criterion"], x["since"]) for x in by_code[c.code]["lost"]] == [
        ("TC1", 2023),
        ("TC2", 2024),
        ("TC3", 2024),
    ]
    assert by_code[c.code]["decision_number"] == f"{c.code}/2021/QĐ"
    # The set it was recognised on is the set in force: one check, on the latest year.
    assert [(k["basis"], k["year"]) for k in by_code[c.code]["checks"]] == [("recognised", 2024)]
    assert by_code[d.code]["lost"] == [] and by_code[d.code]["checks"][0]["year"] == 2023
    assert keeping_counts(rows) == {"slipping": {"ntm": 2}, "not_reassessed": {"ntm": 1}}


def test_keeping_standard_of_a_district_and_an_earlier_year(province, units):
    a, b, c, d, e, f = province
    rows = keeping_standard(unit=units.ba_be, year=2024)
    assert rows == []
    # In 2023 C already lost TC1 (since 2023); F still held the level until its revocation
    # on 20/12/2023 — it is no longer held at 31/12.
    rows = keeping_standard(unit=units.bach_thong, year=2023)
    assert [(r["code"], [x["criterion"] for x in r["lost"]], r["reassessed"]) for r in rows] == [
        (c.code, ["TC1"], True)
    ]


def test_in_force_set_is_checked_too(province, units, small_set, users):
    """A commune recognised on an earlier set must keep meeting the set in force."""
    from tests.conftest import _set

    a = province[0]
    later = _set("TEST-2024", "region", 2024, 2025, 1)
    later.criteria.create(number=1, name="Hạ tầng mới")
    assessment = assessment_get_or_create(unit=a, year=2024, criteria_set=later)
    crit = later.criteria.get()
    assessment = assessment_save(
        assessment=assessment,
        user=users.coordinator,
        version=assessment.version,
        manual={crit.pk: ManualResult(False, "chưa đạt")},
    )
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        assessment = assessment_transition(
            assessment=assessment, user=users.coordinator, to_state=state
        )
    # The province's own set is the one in force (set_in_force prefers it).
    later.province = units.bac_kan
    later.save()
    rows = {r["code"]: r for r in keeping_standard(unit=units.bac_kan, year=2024)}
    assert [
        (k["basis"], k["criteria_set"], [x["criterion"] for x in k["lost"]])
        for k in rows[a.code]["checks"]
    ] == [
        ("recognised", "TEST-2021", []),
        ("in_force", "TEST-2024", ["TC1"]),
    ]
