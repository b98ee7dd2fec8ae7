"""The flagged-cell page: the cells of the 26/2026 sheets the loader flags, a province
administrator's correction with a reason (history kept), applied to the scoring of open rounds.

Flagged cells in the data file (hand count): sheet 4 item 7 "Có trên 2 chỉ tiêu" 13 points on a
3-point item; sheet 11 item 6.1.1 "Có rất ít tạp chất" 11 on 2; the empty first cell of item 1.2
on sheets 4, 7, 10 and 11; and the two options of sheet 23 item 9, whose points cell reads "4 1":
8 cells.

Scoring (sheet 4, best option everywhere): item 7 corrected to 3 → 100 points; corrected again
to 2 → 99 in the open round; a closed round keeps its 100.
"""

import datetime
from decimal import Decimal

import pytest

from ntm.ocop import council, services
from ntm.ocop.models import MemberSheet, OptionCorrection, SheetOption
from tests.ocop.test_council import choices

URL = "/ocop/manage/sheets/corrections/"
REASON = "Đối chiếu bản ký số Quyết định 26/2026/QĐ-TTg, phiếu 4 mục 7: 3 điểm"


@pytest.fixture
def honey_rounds(units, users, ocop, sheets_26):
    """Honey (sheet 4) in an open round (chair: coordinator, member: district officer) and in a
    round the coordinator alone scores and closes."""
    honey = services.product_save(
        user=None, name="Mật ong", subject=ocop.coop, unit=units.quan_ha, classification="I.2.b"
    )
    out = []
    for number, members in ((2, [(users.coordinator, "chair"), (users.district, "member")]),
                            (3, [(users.coordinator, "chair")])):  # fmt: skip
        rnd = services.round_save(
            user=None,
            unit=units.bac_kan,
            year=2026,
            number=number,
            held_on=datetime.date(2026, 12, 10),
        )
        council.council_set(user=users.coordinator, round=rnd, members=members)
        (ev,) = council.round_products_add(user=users.coordinator, round=rnd, products=[honey])
        out.append(ev)
    return out


def _flagged_13(ev):
    return SheetOption.objects.get(item__sheet=ev.product_sheet, item__code="7", order=2)


def test_the_page_lists_the_flagged_cells_to_administrators(
    honey_rounds, users, client_for, sheets_26
):
    response = client_for(users.coordinator).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    flagged = SheetOption.objects.filter(source_flag__gt="") | SheetOption.objects.filter(
        item__source_flag__gt=""
    )
    assert flagged.count() == 8
    for option in flagged:
        assert f'id="option-{option.pk}"' in page
    assert page.count('name="option"') == 8
    assert "Phiếu 26, phần A: heading says 35" in page  # a finding without a cell
    for who in ("district", "commune", "department", "national"):
        assert client_for(getattr(users, who)).get(URL).status_code == 403


def test_a_correction_needs_a_reason_and_a_flagged_cell(honey_rounds, users, client_for):
    ev = honey_rounds[0]
    flagged = _flagged_13(ev)
    client = client_for(users.coordinator)
    short = client.post(URL, {"option": flagged.pk, "points": "3", "reason": "sai"})
    assert short.status_code == 400 and "Cần ghi lý do hiệu chỉnh" in short.content.decode()
    too_high = client.post(URL, {"option": flagged.pk, "points": "4", "reason": REASON})
    assert too_high.status_code == 400
    assert "Điểm phải từ 0 đến 3 (điểm tối đa của mục 7)" in too_high.content.decode()
    plain = SheetOption.objects.get(item__sheet=ev.product_sheet, item__code="7", order=1)
    other = client.post(URL, {"option": plain.pk, "points": "0", "reason": REASON})
    assert other.status_code == 400 and "được đánh dấu cần kiểm tra" in other.content.decode()
    assert not OptionCorrection.objects.exists()
    flagged.refresh_from_db()
    assert (flagged.points, flagged.blocked) == (13, True)
    assert client_for(users.district).post(URL, {"option": flagged.pk, "points": "3",
                                                  "reason": REASON}).status_code == 403  # fmt: skip
    assert not OptionCorrection.objects.exists()


def test_a_correction_applies_to_the_open_rounds_and_keeps_its_history(
    honey_rounds, users, client_for
):
    open_ev, closed_ev = honey_rounds
    flagged = _flagged_13(open_ev)
    client = client_for(users.coordinator)
    response = client.post(URL, {"option": flagged.pk, "points": "3", "reason": REASON})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.points, flagged.corrected, flagged.blocked) == (3, True, False)
    best = choices(open_ev.product_sheet)  # 1.2 at 2, 7 at the corrected 3: 100 points
    council.member_sheet_save(user=users.district, evaluation=open_ev, choices=best)
    council.member_sheet_save(user=users.coordinator, evaluation=closed_ev, choices=best)
    council.round_close(user=users.coordinator, round=closed_ev.round)
    open_ev.refresh_from_db()
    assert open_ev.total == Decimal("100.00")
    response = client.post(
        URL,
        {
            "option": flagged.pk,
            "points": "2",
            "reason": "Đối chiếu lần hai với bản gốc lưu trữ: mục 7 tối đa 2 điểm cho phương án này",
        },
    )
    assert response.status_code == 302
    member_sheet = MemberSheet.objects.get(evaluation=open_ev)
    assert (member_sheet.total, member_sheet.version) == (Decimal("99.00"), 1)
    open_ev.refresh_from_db()
    assert (open_ev.total, open_ev.band_stars, open_ev.stars) == (Decimal("99.00"), 5, 5)
    closed_sheet = MemberSheet.objects.get(evaluation=closed_ev)
    closed_ev.refresh_from_db()
    assert (closed_sheet.total, closed_ev.total) == (Decimal("100.00"), Decimal("100.00"))
    assert list(
        OptionCorrection.objects.order_by("at", "pk").values_list(
            "old_points", "new_points", "user__username"
        )
    ) == [(13, 3, "coordinator"), (3, 2, "coordinator")]
    # the loader bulk-creates the cells (no history row); each correction adds one
    assert [h.points for h in flagged.history.order_by("history_date")] == [3, 2]
    page = client.get(URL).content.decode()
    assert "13 → 3" in page and "3 → 2" in page and "Đối chiếu lần hai" in page
