"""Landing: the user's own unit and the latest year with data; ended units point onwards."""

from ntm.assessments.models import Assessment, State
from ntm.lib.params import default_year


def test_lands_on_own_unit_and_latest_year_with_data(units, users, client_for, small_set):
    Assessment.objects.create(
        unit=units.quan_ha, year=2023, criteria_set=small_set.set, state=State.APPROVED
    )
    body = client_for(users.coordinator).get("/").content.decode()
    assert "Tổng quan — Tỉnh Bắc Kạn" in body and 'id="kpi-average"' in body
    assert '<option value="2023" selected>' in body
    district = client_for(users.district).get("/").content.decode()
    assert "Tổng quan — Huyện Bạch Thông" in district and 'id="unit-ended"' in district
    assert '<option value="2023" selected>' in district


def test_an_ended_commune_officer_is_told_what_to_do(units, users, client_for):
    body = client_for(users.commune).get("/").content.decode()
    assert "Tổng quan — Xã Quân Hà" in body and 'id="unit-ended"' in body
    assert f'href="?unit={units.quan_ha_successor.pk}" class="successor"' in body
    assert "Để nhập cho xã mới" in body
    # No data anywhere: last year, but never after the unit's last year.
    assert f'<option value="{min(default_year(), 2025)}" selected>' in body


def test_a_current_unit_has_no_notice(users, client_for):
    body = client_for(users.new_commune).get("/").content.decode()
    assert "Tổng quan — Xã Cẩm Giàng" in body and 'id="unit-ended"' not in body
