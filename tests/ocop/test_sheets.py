"""The 26/2026 product sheets as data: every sum checked, flagged cells reported and blocked until
a province administrator corrects them (with a reason, history kept); classification → sheet."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ntm.ocop import rules, sheets
from ntm.ocop.models import ItemKind, ProductSheet, SheetItem, SheetOption

PARTS = {"A": Decimal(40), "B": Decimal(25), "C": Decimal(35)}


def test_the_shipped_file_adds_up_except_the_flagged_cells():
    findings = sheets.shipped_findings("26-2026-ocop.json", PARTS)
    blocking = sorted((f.sheet, f.where) for f in findings if f.blocking)
    # sheet 4 item 7 (13 points on a 3-point item), sheet 11 item 6.1.1 (11 on 2), and the four
    # empty points cells of item 1.2 (sheets 4, 7, 10, 11)
    assert blocking == [
        (4, "mục 1.2"),
        (4, "mục 7"),
        (7, "mục 1.2"),
        (10, "mục 1.2"),
        (11, "mục 1.2"),
        (11, "mục 6.1.1"),
    ]
    sums = sorted((f.sheet, f.where) for f in findings if f.kind == "sum")
    assert sums == [(4, "mục 7"), (11, "mục 6.1.1")]
    assert [(f.sheet, f.where) for f in findings if f.kind == "heading"] == [(26, "phần A")]
    flags = [(f.sheet, f.where) for f in findings if f.kind == "flag" and not f.blocking]
    assert flags == [(23, "mục 9")]
    # 22 one-point items (bilingual label) have points but no options: scored yes / no
    assert sum(1 for f in findings if f.kind == "derived") == 22


def test_a_changed_sum_is_reported():
    raw = sheets.shipped_tree("26-2026-ocop.json")["scoring_sheets"][0]
    parts, nodes = sheets.normalise(raw)
    assert sheets.check(1, parts, nodes, PARTS) == [
        f for f in sheets.check(1, parts, nodes, PARTS) if f.kind == "derived"
    ]
    item = next(n for n in nodes if n.code == "1.1")
    item.max_points = Decimal(4)  # best option 3, section 1 now 19 ≠ 18
    found = {(f.where, f.message) for f in sheets.check(1, parts, nodes, PARTS)}
    assert ("mục 1.1", "phương án cao nhất 3 điểm ≠ điểm tối đa 4") in found
    assert ("mục 1", "các chỉ tiêu cộng 19 ≠ 18") in found


def test_classification_leaves_are_the_26_sheets():
    leaves = rules.classification()
    assert len(leaves) == 26
    tree = sheets.shipped_tree("26-2026-ocop.json")["scoring_sheets"]
    assert [leaf["sheet"] for leaf in leaves] == [s["number"] for s in tree]
    assert rules.classification_leaf("I.5.a")["group"] == "thuc_pham"
    assert tree[10]["name"] == "Chè tươi, chè chế biến"  # sheet 11 ↔ I.5.a
    assert rules.classification_leaf("II.1.a")["name"] == "Rượu trắng"
    assert rules.classification_leaf("VI.1")["group"] == "du_lich"


def test_load_once_and_correct_a_cell(sheets_26, users):
    assert ProductSheet.objects.filter(scoring_set=sheets_26).count() == 26
    assert SheetItem.objects.filter(sheet__scoring_set=sheets_26, scored=True).count() == 787
    assert SheetItem.objects.filter(kind=ItemKind.GROUP).count() == 4
    assert sheets.product_sheets_load(sheets_26) == 0  # loaded once, corrections kept
    sheet4 = ProductSheet.objects.get(scoring_set=sheets_26, number=4)
    flagged = SheetOption.objects.get(item__sheet=sheet4, item__code="7", points=13)
    assert flagged.blocked
    with pytest.raises(PermissionDenied):
        sheets.option_correct(
            user=users.commune, option=flagged, points=3, reason="Đối chiếu bản ký số"
        )
    with pytest.raises(sheets.SheetError, match="lý do"):
        sheets.option_correct(user=users.coordinator, option=flagged, points=3, reason="sai")
    with pytest.raises(sheets.SheetError, match="từ 0 đến 3"):
        sheets.option_correct(
            user=users.coordinator, option=flagged, points=13, reason="Đối chiếu bản ký số"
        )
    before = [f for f in sheets.sheet_findings(sheet4) if f.where == "mục 7"]
    assert {f.kind for f in before} == {"flag", "sum"}
    sheets.option_correct(
        user=users.coordinator,
        option=flagged,
        points="3",
        reason="Đối chiếu bản PDF Quyết định 26/2026/QĐ-TTg: 3 điểm",
    )
    flagged.refresh_from_db()
    assert flagged.points == 3 and not flagged.blocked
    assert [f for f in sheets.sheet_findings(sheet4) if f.where == "mục 7"] == []
    correction = flagged.corrections.get()
    assert (correction.old_points, correction.new_points, correction.user) == (
        13,
        3,
        users.coordinator,
    )
    assert [h.points for h in flagged.history.order_by("history_date")] == [3]
