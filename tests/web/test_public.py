from ntm.assessments.models import State
from ntm.assessments.services import (
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.units.models import Level, Unit


def _approved(units, users, small_set, commune):
    a = assessment_get_or_create(unit=commune, year=2023, criteria_set=small_set.set)
    a = assessment_save(
        assessment=a,
        user=users.coordinator,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: 95, small_set.i3.pk: 90},
    )
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=users.coordinator, to_state=state)
    return a


def test_public_pages_need_no_login_and_show_only_approved_results(client, units, users, small_set):
    _approved(units, users, small_set, units.quan_ha)
    draft = assessment_get_or_create(
        unit=units.ba_be_commune, year=2023, criteria_set=small_set.set
    )
    assessment_save(
        assessment=draft,
        user=users.coordinator,
        version=draft.version,
        values={small_set.i1.pk: False},
    )
    index = client.get("/public/?year=2023")
    assert index.status_code == 200 and "Tỉnh Bắc Kạn" in index.content.decode()
    body = client.get(f"/public/{units.bac_kan.pk}/?year=2023&").content.decode()
    assert 'id="public-average"' in body
    page = client.get(f"/public/{units.bac_kan.pk}/", {"year": 2023, "set": "TEST-2021"})
    assert page.status_code == 200
    commune = client.get(f"/public/{units.quan_ha.pk}/", {"year": 2023}).content.decode()
    assert "Xã Quân Hà" in commune
    draft_page = client.get(f"/public/{units.ba_be_commune.pk}/", {"year": 2023}).content.decode()
    assert "Chưa có kết quả đánh giá đã phê duyệt" in draft_page


def test_public_pages_show_no_personal_data(client, units, users, small_set):
    _approved(units, users, small_set, units.quan_ha)
    body = client.get(f"/public/{units.quan_ha.pk}/", {"year": 2023}).content.decode()
    for user in (users.coordinator, users.commune):
        assert user.username not in body and user.first_name not in body


def test_villages_and_bad_ids_are_404(client, units):
    village = Unit(
        code="X.001",
        name="Thôn X",
        short_name="Thôn X",
        kind="thon",
        level=Level.VILLAGE,
        parent=units.quan_ha_successor,
    )
    village.save()
    assert client.get(f"/public/{village.pk}/").status_code == 404
    assert client.get("/public/999999999/").status_code == 404
    assert client.get("/public/?year=abc").status_code == 200


def test_public_pages_have_no_inline_script_handlers(client, units):
    import re

    for url in ("/public/", f"/public/{units.bac_kan.pk}/"):
        body = client.get(url).content.decode()
        assert not re.search(r"\son[a-z]+=", body), url
        assert "autosubmit.js" in body
