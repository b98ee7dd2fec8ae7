"""“Việc cần làm”: each role sees what waits for it, within its scope, and the count."""

import datetime

from ntm.assessments.models import Assessment, Recognition, State, StateChange
from ntm.web import inbox


def _result(unit, cset, state, met=3, meets=False):
    return Assessment.objects.create(
        unit=unit, year=2023, criteria_set=cset, state=state, criteria_met=met, meets_standard=meets
    )


def test_each_role_sees_what_waits_for_it(units, users, client_for, small_set):
    submitted = _result(units.quan_ha, small_set.set, State.SUBMITTED)
    checked = _result(units.ba_be_commune, small_set.set, State.DISTRICT_CHECKED)
    returned = _result(
        units.quan_ha.parent.children.filter(kind="xa").exclude(pk=units.quan_ha.pk).first(),
        small_set.set,
        State.DRAFT,
    )
    StateChange.objects.create(
        assessment=returned, from_state=State.SUBMITTED, to_state=State.DRAFT, reason="Thiếu"
    )
    approved = _result(units.lang_son_commune, small_set.set, State.APPROVED, meets=True)

    district = client_for(users.district).get("/inbox/").content.decode()
    assert 'id="inbox-results_waiting"' in district and "Xã Quân Hà — 2023" in district
    assert units.ba_be_commune.name not in district  # another district's result
    assert 'id="inbox-results_returned"' in district  # its commune's returned draft

    province = client_for(users.coordinator).get("/inbox/").content.decode()
    assert f"{units.ba_be_commune.name} — 2023" in province  # checked by the district
    assert "Xã Quân Hà — 2023" not in province  # the district checks it first
    assert f"/assessments/{checked.pk}/" in province

    commune = client_for(users.commune).get("/inbox/").content.decode()
    assert 'id="inbox-empty"' in commune  # Quân Hà's own result was submitted, not returned

    outsider = client_for(users.outsider).get("/inbox/").content.decode()
    assert 'id="inbox-recognitions"' in outsider and units.lang_son_commune.name in outsider
    Recognition.objects.create(
        unit=units.lang_son_commune,
        level="ntm",
        criteria_set=small_set.set,
        year=2023,
        decision_number="1/QĐ-UBND",
        decision_date=datetime.date(2023, 12, 20),
    )
    assert (
        'id="inbox-recognitions"' not in client_for(users.outsider).get("/inbox/").content.decode()
    )
    assert approved.pk and submitted.pk


def test_the_count_for_the_navigation(units, users, client_for, small_set):
    _result(units.quan_ha, small_set.set, State.SUBMITTED)
    data = client_for(users.district).get("/inbox/count.json").json()
    assert data["total"] == 1 and data["by_kind"]["results_waiting"] == 1
    assert client_for(users.commune).get("/inbox/count.json").json()["total"] == 0
    page = client_for(users.district).get("/").content.decode()
    assert 'id="nav-inbox"' in page and "/inbox/count.json" in page


def test_another_app_adds_a_source_with_one_line(units, users, client_for):
    def waiting(user, scope):
        return ["hồ sơ 1", "hồ sơ 2"] if user.role == "district_officer" else []

    try:
        inbox.register(
            "dossiers",
            "Hồ sơ chờ thẩm tra",
            waiting,
            describe=lambda r: inbox.Item(title=r, detail="", url="/"),
        )
        body = client_for(users.district).get("/inbox/").content.decode()
        assert "Hồ sơ chờ thẩm tra" in body and "hồ sơ 2" in body
    finally:
        inbox.SOURCES.pop("dossiers")
