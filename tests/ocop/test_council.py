"""Council scoring on the 26/2026 sheets: 3 members × 5 products on 3 sheets, through the API and
through the web page, against a hand computation from the data file.

Hand computation (data file `26-2026-ocop.json`; "best" = the highest option of every item, 100
points; "lowest" = the lowest option of every item):
- P1 cam (sheet 1): 100, 100, 100 → mean 100 → 5★.
- P2 bưởi (sheet 1): best except 1.5 at 2 points (the option marked ★★★★) → 99 each → mean 99,
  band 5★; 1.5 needs 3 points (★★★★★) and has 2 → capped at 4★.
- P3 rượu ngô (sheet 14): lowest everywhere → 14 each → mean 14 → 1★ (below 3★).
- P4 rượu men lá (sheet 14): chair and secretary best (100); the member takes the lowest option
  on 2.1 (0 of 4), 4.1 (1 of 5), 5.1 (0 of 5) and 7 (0 of 5) → 82. Mean 282/3 = 94 → band 5★.
  Item means: 2.1 (4+4+0)/3 = 2.67 < 4 (★★★★) and 5.1 (5+5+0)/3 = 3.33 < 5 (★★★★) → capped at
  3★; 4.1 3.67 < 5 and 7 3.33 < 5 (★★★★★) are recorded too. The member is 12 points from the
  mean (> 10): a note is required before closing; the chair (6) is not.
- P5 giỏ mây (sheet 21): chair 100; secretary 1.4 at 2 points (of 4) → 98; member 8 at 1 point
  (of 5) → 96. Mean 98 → band 5★; 1.4 mean (4+2+4)/3 = 3.33 < 4 (★★★★★) → 4★; 8 mean 3.67 ≥ 3
  (★★★★) → no other cap.
"""

import datetime
from decimal import Decimal

import pytest

from ntm.ocop import council, selectors, services
from ntm.ocop.models import Evaluation, MemberSheet, ProductSheet, RoundStatus, SheetOption
from ntm.ocop.services import OcopError

EXPECTED = {  # product: (mean, band stars, stars, capped items)
    "Cam sành": (Decimal("100.00"), 5, 5, []),
    "Bưởi Quân Hà": (Decimal("99.00"), 5, 4, ["1.5"]),
    "Rượu ngô": (Decimal("14.00"), 1, 1, []),
    "Rượu men lá": (Decimal("94.00"), 5, 3, ["2.1", "5.1", "4.1", "7"]),
    "Giỏ mây": (Decimal("98.00"), 5, 4, ["1.4"]),
}


def choices(sheet: ProductSheet, low=(), points: dict | None = None, lowest=False) -> dict:
    """{item code: option id}: the best option, or the lowest for `low` items (all with
    `lowest`), or the option with the given points."""
    points = points or {}
    out = {}
    options = SheetOption.objects.filter(item__sheet=sheet, item__scored=True).select_related(
        "item"
    )
    by_item: dict = {}
    for o in options:
        by_item.setdefault(o.item.code, []).append(o)
    for code, opts in by_item.items():
        if code in points:
            pick = next(o for o in opts if o.points == points[code])
        elif lowest or code in low:
            pick = min(opts, key=lambda o: o.points)
        else:
            pick = max(opts, key=lambda o: o.points)
        out[code] = pick.pk
    return out


@pytest.fixture
def council_round(units, users, ocop, sheets_26):
    """A province round of 2026 (council on 10/12/2026) with a council of three and five
    products on sheets 1, 14 and 21."""
    leaves = {"Cam sành": "I.1.a", "Bưởi Quân Hà": "I.1.a", "Rượu ngô": "II.1.a"}
    leaves |= {"Rượu men lá": "II.1.a", "Giỏ mây": "IV.1"}
    products = {
        name: services.product_save(
            user=None, name=name, subject=ocop.coop, unit=units.quan_ha, classification=leaf
        )
        for name, leaf in leaves.items()
    }
    rnd = services.round_save(
        user=None, unit=units.bac_kan, year=2026, number=2, held_on=datetime.date(2026, 12, 10)
    )
    council.council_set(
        user=users.coordinator,
        round=rnd,
        members=[
            (users.coordinator, "chair"),
            (users.department, "secretary"),
            (users.district, "member"),
        ],
    )
    council.round_products_add(user=users.coordinator, round=rnd, products=products.values())
    evs = {e.product.name: e for e in rnd.evaluations.select_related("product", "product_sheet")}
    return rnd, evs


def plan(evs) -> list[tuple]:
    """(product, member attribute on `users`, choices) of the whole scenario."""
    s = {name: ev.product_sheet for name, ev in evs.items()}
    rows = []
    for who in ("coordinator", "department", "district"):
        rows += [
            ("Cam sành", who, choices(s["Cam sành"])),
            ("Bưởi Quân Hà", who, choices(s["Bưởi Quân Hà"], points={"1.5": 2})),
            ("Rượu ngô", who, choices(s["Rượu ngô"], lowest=True)),
        ]
    rows += [
        ("Rượu men lá", "coordinator", choices(s["Rượu men lá"])),
        ("Rượu men lá", "department", choices(s["Rượu men lá"])),
        ("Rượu men lá", "district", choices(s["Rượu men lá"], low=("2.1", "4.1", "5.1", "7"))),
        ("Giỏ mây", "coordinator", choices(s["Giỏ mây"])),
        ("Giỏ mây", "department", choices(s["Giỏ mây"], points={"1.4": 2})),
        ("Giỏ mây", "district", choices(s["Giỏ mây"], low=("8",))),
    ]
    return rows


def check_results(rnd):
    got = {
        e.product.name: (e.total, e.band_stars, e.stars, [c["item"] for c in e.caps])
        for e in rnd.evaluations.select_related("product")
    }
    assert {k: (v[0], v[1], v[2], sorted(v[3])) for k, v in got.items()} == {
        k: (v[0], v[1], v[2], sorted(v[3])) for k, v in EXPECTED.items()
    }


def test_three_members_five_products_through_the_api(council_round, users, client_for):
    rnd, evs = council_round
    clients = {w: client_for(getattr(users, w)) for w in ("coordinator", "department", "district")}
    for name, who, picked in plan(evs):
        url = f"/api/v1/ocop/evaluations/{evs[name].pk}/sheet/"
        current = clients[who].get(url).json()
        r = clients[who].put(
            url, {"choices": picked, "version": current["version"]}, content_type="application/json"
        )
        assert r.status_code == 200, r.content
        assert r.json()["complete"] is True
    check_results(rnd)
    close = f"/api/v1/ocop/rounds/{rnd.pk}/close/"
    r = clients["coordinator"].post(close)
    assert r.status_code == 400
    assert "Rượu men lá" in str(r.json()) and "cần giải trình" in str(r.json())
    url = f"/api/v1/ocop/evaluations/{evs['Rượu men lá'].pk}/sheet/"
    sheet = clients["district"].get(url).json()
    stale = clients["district"].put(
        url,
        {"choices": sheet["choices"], "note": "x", "version": sheet["version"] - 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    r = clients["district"].put(
        url,
        {
            "choices": sheet["choices"],
            "note": "Hồ sơ chưa chứng minh chỉ dẫn địa lý và xuất khẩu",
            "version": sheet["version"],
        },
        content_type="application/json",
    )
    assert r.status_code == 200
    assert clients["department"].post(close).status_code == 403  # only the chair closes
    r = clients["coordinator"].post(close)
    assert r.status_code == 200, r.content
    assert [(row["product_name"], row["stars"], row["proposal"]) for row in r.json()] == [
        ("Cam sành", 5, "Đề nghị công nhận 5 sao"),
        ("Bưởi Quân Hà", 4, "Đề nghị công nhận 4 sao"),  # 99 points
        ("Giỏ mây", 4, "Đề nghị công nhận 4 sao"),  # 98 points
        ("Rượu men lá", 3, "Đề nghị công nhận 3 sao"),
        ("Rượu ngô", 1, "Chưa đạt 3 sao"),
    ]
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    check_results(rnd)


def test_bad_input_is_refused_and_nothing_written(council_round, users, ocop):
    rnd, evs = council_round
    ev = evs["Cam sành"]
    other = evs["Giỏ mây"].product_sheet.items.get(code="1.1").options.first()
    picked = choices(ev.product_sheet)
    with pytest.raises(OcopError, match="không phải là phương án của mục này"):
        council.member_sheet_save(
            user=users.district, evaluation=ev, choices={**picked, "1.1": other.pk}
        )
    with pytest.raises(OcopError, match="không phải thành viên hội đồng"):
        council.member_sheet_save(user=users.commune, evaluation=ev, choices=picked)
    with pytest.raises(OcopError, match="không có trong phiếu chấm số 1"):
        council.member_sheet_save(user=users.district, evaluation=ev, choices={"99.9": 1})
    assert not MemberSheet.objects.exists()
    council.member_sheet_save(user=users.district, evaluation=ev, choices=picked)
    with pytest.raises(OcopError, match="thiếu phiếu chấm đủ của"):
        council.round_close(user=users.coordinator, round=rnd)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN
    with pytest.raises(OcopError, match="chưa được phân loại"):
        council.round_products_add(user=users.coordinator, round=rnd, products=[ocop.tea])
    assert not Evaluation.objects.filter(round=rnd, product=ocop.tea).exists()


def test_a_flagged_cell_cannot_be_chosen(council_round, users, ocop, units):
    rnd, _evs = council_round
    honey = services.product_save(
        user=None, name="Mật ong", subject=ocop.coop, unit=units.quan_ha, classification="I.2.b"
    )
    (ev,) = council.round_products_add(user=users.coordinator, round=rnd, products=[honey])
    flagged = SheetOption.objects.get(item__sheet=ev.product_sheet, item__code="7", points=13)
    with pytest.raises(OcopError, match="đang chờ quản trị viên tỉnh"):
        council.member_sheet_save(user=users.district, evaluation=ev, choices={"7": flagged.pk})


def test_disqualified_product_is_not_ranked(council_round, users):
    rnd, evs = council_round
    ev = evs["Cam sành"]
    for who in ("coordinator", "department", "district"):
        council.member_sheet_save(
            user=getattr(users, who), evaluation=ev, choices=choices(ev.product_sheet)
        )
    with pytest.raises(OcopError, match="lý do"):
        council.evaluation_disqualify(user=users.coordinator, evaluation=ev, disqualified=True)
    ev = council.evaluation_disqualify(
        user=users.coordinator,
        evaluation=ev,
        disqualified=True,
        reason="Giấy chứng nhận an toàn thực phẩm hết hạn",
    )
    assert (ev.total, ev.band_stars, ev.stars) == (Decimal("100.00"), 5, 0)
    assert council.proposal_text(ev) == "Không đủ điều kiện đánh giá"


def test_proposals_selector_has_no_n_plus_one(council_round, django_assert_num_queries):
    rnd, _evs = council_round
    with django_assert_num_queries(1):
        rows = list(selectors.round_proposals(rnd))
        assert {r.product.subject.name for r in rows} == {"HTX Quân Hà"}


def test_three_members_five_products_through_the_web_page(
    council_round, users, client_for, django_assert_max_num_queries
):
    rnd, evs = council_round
    clients = {w: client_for(getattr(users, w)) for w in ("coordinator", "department", "district")}
    for name, who, picked in plan(evs):
        url = f"/ocop/manage/evaluations/{evs[name].pk}/score/"
        page = clients[who].get(url)
        assert page.status_code == 200
        version = page.context["mine"].version if page.context["mine"] else 0
        data = {f"item_{code}": option for code, option in picked.items()}
        r = clients[who].post(url, {**data, "version": version, "note": ""})
        assert r.status_code == 302, r.content.decode()[:500]
    check_results(rnd)
    page = clients["coordinator"].get(f"/ocop/manage/rounds/{rnd.pk}/")
    html = page.content.decode()
    assert "lệch &gt;10, cần giải trình" in html or "lệch >10, cần giải trình" in html
    r = clients["coordinator"].post(f"/ocop/manage/rounds/{rnd.pk}/close/", follow=True)
    assert "cần giải trình" in r.content.decode()
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN
    url = f"/ocop/manage/evaluations/{evs['Rượu men lá'].pk}/score/"
    page = clients["district"].get(url)
    mine = page.context["mine"]
    data = {f"item_{c.item.code}": c.option_id for c in mine.choices.select_related("item")}
    stale = clients["district"].post(url, {**data, "version": mine.version - 1, "note": "x"})
    assert stale.status_code == 409
    r = clients["district"].post(
        url, {**data, "version": mine.version, "note": "Chưa có chỉ dẫn địa lý"}
    )
    assert r.status_code == 302
    r = clients["coordinator"].post(f"/ocop/manage/rounds/{rnd.pk}/close/", follow=True)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    assert "Đề nghị công nhận 3 sao" in r.content.decode()
    check_results(rnd)
    # The largest sheet (13, coffee and cocoa: 34 items) renders in a fixed number of queries.
    coffee = services.product_save(
        user=None,
        name="Cà phê",
        subject=evs["Cam sành"].product.subject,
        unit=evs["Cam sành"].product.unit,
        classification="I.6",
    )
    rnd2 = services.round_save(
        user=None, unit=rnd.unit, year=2026, number=3, held_on=datetime.date(2026, 12, 20)
    )
    council.council_set(user=None, round=rnd2, members=[(users.district, "chair")])
    (ev,) = council.round_products_add(user=None, round=rnd2, products=[coffee])
    with django_assert_max_num_queries(12):
        page = clients["district"].get(f"/ocop/manage/evaluations/{ev.pk}/score/")
    assert page.status_code == 200
    assert page.content.decode().count('type="radio"') == 109
