import datetime
from types import SimpleNamespace

import pytest

from ntm.ocop import services


@pytest.fixture
def sheets(db):
    return {s.code: s for s in services.sheets_load()}


@pytest.fixture
def ocop(units, sheets):
    """A cooperative in Quân Hà (Bạch Thông, Bắc Kạn) with two products, a household in Lạng Sơn."""
    coop = services.subject_save(
        user=None,
        kind="cooperative",
        name="HTX Quân Hà",
        unit=units.quan_ha,
        tax_code="4700123456",
        representative="Nguyễn Văn Đại",
        phone="0912345678",
    )
    household = services.subject_save(
        user=None,
        kind="household",
        name="Hộ kinh doanh Hoàng Thị Lạng",
        unit=units.lang_son_commune,
        tax_code="4900123456",
        representative="Hoàng Thị Lạng",
        phone="0987654321",
    )
    tea = services.product_save(
        user=None, name="Chè Quân Hà", subject=coop, group="do_uong", unit=units.quan_ha
    )
    rice = services.product_save(
        user=None, name="Gạo nếp Quân Hà", subject=coop, group="thuc_pham", unit=units.quan_ha
    )
    anise = services.product_save(
        user=None,
        name="Hoa hồi Lạng Sơn",
        subject=household,
        group="thuc_pham",
        unit=units.lang_son_commune,
    )
    return SimpleNamespace(coop=coop, household=household, tea=tea, rice=rice, anise=anise)


@pytest.fixture
def score():
    """Enter one evaluation with a total split over the lines of the sheet in force."""

    def enter(round, product, total, user=None):
        sheet = services.sheet_for(round.held_on)
        remaining, scores = total, {}
        for line in sheet.lines.order_by("order"):
            points = min(remaining, line.max_points)
            scores[line.code] = points
            remaining -= points
        return services.evaluation_save(user=user, round=round, product=product, scores=scores)

    return enter


@pytest.fixture
def round_for():
    def make(unit, day: datetime.date, number: int = 1, user=None):
        return services.round_save(user=user, unit=unit, year=day.year, number=number, held_on=day)

    return make


@pytest.fixture
def sheets_26(sheets):
    """The 26/2026 set with its 26 product sheets loaded."""
    from ntm.ocop.sheets import product_sheets_load

    scoring_set = sheets["OCOP-26-2026"]
    product_sheets_load(scoring_set)
    return scoring_set
