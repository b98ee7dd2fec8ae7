"""A council member's score sheet as Excel: the workbook (drop-downs from a hidden list sheet,
protection, the hidden identification) and its import with the online sheet's checks.

Hand computation (data file, sheet 1 "Rau, củ, quả, hạt tươi"): the best option of every item
adds up to 100; item 1.5 at its option of 2 points (the ★★★★ minimum) instead of 3 gives 99.
Sheet 1 has 32 scored rows (26 items, sections 7 to 12 scored themselves) and 105 options; the
sheet has 12 sections, and no grouping rows: 38 rows of items in all.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.imports.runner import run_import
from ntm.ocop import council
from ntm.ocop.models import MemberChoice, MemberSheet, SheetOption
from ntm.ocop.sheet_excel import (
    HEADER_ROW,
    member_sheet_import,
    member_sheet_template,
    option_text,
)
from tests.ocop.test_council import choices, council_round  # noqa: F401  (fixture)


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _rows(ws) -> dict[str, int]:
    """{item code: row} of the score sheet."""
    return {
        str(ws.cell(row=r, column=1).value): r
        for r in range(HEADER_ROW + 1, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }


def _fill(data: bytes, picks: dict[str, str], note: str | None = None) -> bytes:
    """Type texts into the choice column (D) of the given items, the note beside "Giải trình"."""
    wb = _book(data)
    ws = wb["PhieuCham"]
    rows = _rows(ws)
    for code, value in picks.items():
        ws.cell(row=rows[code], column=4, value=value)
    if note is not None:
        ws.cell(row=rows["Giải trình"], column=4, value=note)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _best_texts(sheet, points: dict | None = None) -> dict[str, str]:
    """The drop-down text of the chosen option of every scored item (best, or given points)."""
    picked = choices(sheet, points=points)
    out = {}
    for o in SheetOption.objects.filter(pk__in=picked.values()).select_related("item"):
        number = list(o.item.options.values_list("pk", flat=True)).index(o.pk) + 1
        out[o.item.code] = option_text(number, o)
    return out


@pytest.fixture
def member_file(council_round, users):  # noqa: F811
    rnd, evs = council_round
    ev = evs["Bưởi Quân Hà"]
    member = rnd.council.get(user=users.district)
    return ev, member, member_sheet_template(evaluation=ev, member=member)


def test_the_workbook_has_drop_downs_protection_and_hidden_identification(member_file):
    ev, member, data = member_file
    wb = _book(data)
    assert wb.sheetnames == ["PhieuCham", "PhuongAn", "ThongTin"]
    ws, lists, info = wb["PhieuCham"], wb["PhuongAn"], wb["ThongTin"]
    assert (lists.sheet_state, info.sheet_state) == ("hidden", "veryHidden")
    assert ws.protection.sheet and lists.protection.sheet and info.protection.sheet
    assert [c.value for c in ws[HEADER_ROW]] == [
        "Mục",
        "Nội dung",
        "Điểm tối đa",
        "Phương án chọn",
        "Điểm",
        "Mức tối thiểu",
    ]
    rows = _rows(ws)
    items = [code for code in rows if code != "Giải trình"]
    assert len(items) == 38
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert len(validations) == 32  # one drop-down per scored row
    assert sum(1 for r in lists.iter_rows(values_only=True) if r[0]) == 105
    first = validations[f"D{rows['1.5']}"]  # PhuongAn!$B$a:$B$b: the four options of 1.5
    a, b = (int(x.split("$")[-1]) for x in first.split(":"))
    listed = [lists.cell(row=r, column=2).value for r in range(a, b + 1)]
    assert listed[:3] == [
        "1) Không có liên kết hoặc có liên kết nhưng không rõ ràng — 0 điểm",
        "2) Có hợp đồng liên kết từ 50% đến dưới 75% sản lượng tiêu thụ — 1 điểm",
        "3) Có hợp đồng liên kết trên 75% sản lượng tiêu thụ — 2 điểm",
    ]
    assert listed[3].startswith("4) Có hợp đồng liên kết trên 75%") and listed[3].endswith("3 điểm")
    assert [lists.cell(row=r, column=3).value for r in range(a, b + 1)] == [0, 1, 2, 3]
    assert ws.cell(row=rows["1.5"], column=6).value == "4★: từ 2 điểm; 5★: từ 3 điểm"
    assert ws.cell(row=rows["1.5"], column=4).protection.locked is False
    assert ws.cell(row=rows["1.5"], column=2).protection.locked is True
    assert ws.cell(row=rows["1"], column=4).value is None  # a section: not scored
    assert [(r[0], r[1]) for r in info.iter_rows(values_only=True)] == [
        ("Mã kết quả đánh giá", ev.pk),
        ("Mã thành viên hội đồng", member.pk),
        ("Tài khoản", "district"),
        ("Phiên bản phiếu đã lưu", 0),
        ("Mã phiếu chấm", ev.product_sheet_id),
    ]


def test_a_filled_workbook_imports_as_the_online_sheet(member_file, users):
    ev, member, data = member_file
    filled = _fill(data, _best_texts(ev.product_sheet, points={"1.5": 2}), note="Ghi chú")
    report = member_sheet_import(data=filled, scope=scope_for(users.district), user=users.district)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (1, 0)
    sheet = MemberSheet.objects.get(evaluation=ev, member=member)
    assert (sheet.total, sheet.complete, sheet.note, sheet.version) == (99, True, "Ghi chú", 1)
    assert MemberChoice.objects.filter(sheet=sheet).count() == 32
    again = member_sheet_template(evaluation=ev, member=member)  # the saved choices come back
    ws = _book(again)["PhieuCham"]
    assert ws.cell(row=_rows(ws)["1.5"], column=4).value.endswith("— 2 điểm")
    assert _book(again)["ThongTin"]["B4"].value == 1
    second = member_sheet_import(
        data=_fill(again, {"1.5": "4"}), scope=scope_for(users.district), user=users.district
    )
    assert second.ok and (second.created, second.updated) == (0, 1)  # "4": the 4th option
    sheet.refresh_from_db()
    assert (sheet.total, sheet.version) == (100, 2)


def _errors(report) -> list[str]:
    return [str(e) for e in report.errors]


def test_a_choice_that_is_not_an_option_is_refused(member_file, users):
    ev, member, data = member_file
    picks = _best_texts(ev.product_sheet)
    picks["1.1"] = "Rất tốt"
    picks["1.2"] = "7"  # 1.2 has three options
    row = {code: r for code, r in _rows(_book(data)["PhieuCham"]).items()}
    report = member_sheet_import(
        data=_fill(data, picks), scope=scope_for(users.district), user=users.district
    )
    assert _errors(report) == [
        f"Trang PhieuCham, dòng {row['1.1']}, cột D: Mục 1.1: “Rất tốt” không phải là phương "
        "án của mục này; chọn trong danh sách thả xuống.",
        f"Trang PhieuCham, dòng {row['1.2']}, cột D: Mục 1.2: “7” không phải là phương án của "
        "mục này; chọn trong danh sách thả xuống.",
    ]
    assert not MemberSheet.objects.exists()


def test_a_member_outside_the_council_or_another_members_file_is_refused(
    member_file,
    users,
    council_round,  # noqa: F811
):
    ev, member, data = member_file
    filled = _fill(data, _best_texts(ev.product_sheet))
    report = member_sheet_import(data=filled, scope=scope_for(users.commune), user=users.commune)
    assert _errors(report) == [
        "Trang ThongTin, dòng 2, cột B: Bạn không phải thành viên hội đồng của Đợt 2 năm 2026."
    ]
    report = member_sheet_import(
        data=filled, scope=scope_for(users.department), user=users.department
    )
    assert _errors(report) == [
        f"Trang ThongTin, dòng 2, cột B: Đây là phiếu chấm của {users.district}; mỗi thành viên "
        "chỉ nộp phiếu của mình."
    ]
    council.council_set(  # the district officer leaves the council
        user=users.coordinator,
        round=ev.round,
        members=[(users.coordinator, "chair"), (users.department, "secretary")],
    )
    report = member_sheet_import(data=filled, scope=system_scope(), user=None)
    assert _errors(report) == [
        f"Trang ThongTin, dòng 2, cột B: Thành viên mã {member.pk} không thuộc hội đồng của "
        "Đợt 2 năm 2026."
    ]
    assert not MemberSheet.objects.exists()


def test_a_stale_file_is_refused(member_file, users):
    ev, member, data = member_file
    council.member_sheet_save(  # saved online after the file was made
        user=users.district, evaluation=ev, choices=choices(ev.product_sheet), version=0
    )
    report = member_sheet_import(
        data=_fill(data, {"1.5": "1"}), scope=scope_for(users.district), user=users.district
    )
    (error,) = _errors(report)
    assert error.startswith("Trang ThongTin, dòng 4, cột B: Tệp được tải trước lần lưu phiếu")
    assert "phiên bản 1, bạn đang sửa phiên bản 0" in error
    sheet = MemberSheet.objects.get()
    assert (sheet.total, sheet.version) == (100, 1)  # unchanged


def test_the_import_frame_and_its_page(member_file, users, client_for):
    ev, member, data = member_file
    filled = _fill(data, _best_texts(ev.product_sheet))
    dry = run_import(
        "ocop-sheet",
        data=filled,
        scope=scope_for(users.district),
        user=users.district,
        dry_run=True,
    )
    assert dry.ok and not MemberSheet.objects.exists()
    refused = run_import(
        "ocop-sheet", data=filled, scope=scope_for(users.commune), user=users.commune
    )
    assert "không được nhập" in str(refused.errors[0])  # not on any open council
    client = client_for(users.district)
    upload = io.BytesIO(filled)
    upload.name = "phieu.xlsx"
    response = client.post(reverse("ocop:sheet_import"), {"file": upload})
    assert response.status_code == 200
    assert "Đã lưu phiếu chấm." in response.content.decode()
    assert MemberSheet.objects.get(evaluation=ev, member=member).total == 100
    assert client_for(users.commune).get(reverse("ocop:sheet_import")).status_code == 403


def test_the_download_is_the_members_own(member_file, council_round, users, client_for):  # noqa: F811
    ev, member, _data = member_file
    url = reverse("ocop:evaluation_sheet_xlsx", args=[ev.pk])
    response = client_for(users.district).get(url)
    assert response.status_code == 200
    info = _book(response.content)["ThongTin"]
    assert (info["B1"].value, info["B2"].value) == (ev.pk, member.pk)
    assert client_for(users.commune).get(url).status_code == 403  # sees it, not a member
    assert client_for(users.outsider).get(url).status_code == 404


def test_a_flagged_cell_cannot_be_chosen_on_excel(council_round, users, ocop, units):  # noqa: F811
    from ntm.ocop import services

    rnd, _evs = council_round
    honey = services.product_save(  # sheet 4: item 7's third option (13 points) is flagged
        user=None, name="Mật ong", subject=ocop.coop, unit=units.quan_ha, classification="I.2.b"
    )
    (ev,) = council.round_products_add(user=users.coordinator, round=rnd, products=[honey])
    member = rnd.council.get(user=users.district)
    data = member_sheet_template(evaluation=ev, member=member)
    lists = _book(data)["PhuongAn"]
    listed = [r[1] for r in lists.iter_rows(values_only=True) if r[0] == "7"]
    assert listed == ["1) Không có — 0 điểm", "2) Có 1 - 2 chỉ tiêu — 1 điểm"]  # 13 left out
    row = _rows(_book(data)["PhieuCham"])["7"]
    report = member_sheet_import(
        data=_fill(data, {"7": "3"}), scope=scope_for(users.district), user=users.district
    )
    assert _errors(report) == [
        f"Trang PhieuCham, dòng {row}, cột D: Mục 7: ô điểm “Có trên 2 chỉ tiêu” đang chờ quản "
        "trị viên tỉnh đối chiếu với văn bản gốc, chưa chọn được."
    ]
    assert not MemberSheet.objects.exists()


def test_the_command_line_template_names_its_product_and_member(member_file, users):
    from ntm.imports.arguments import TemplateArgumentError
    from ntm.imports.runner import template_bytes

    ev, member, _data = member_file
    data = template_bytes("ocop-sheet", scope=system_scope(), evaluation=ev.pk, member=member.pk)
    assert _book(data)["ThongTin"]["B2"].value == member.pk
    other = ev.round.council.get(user=users.department)
    assert (
        _book(
            template_bytes("ocop-sheet", scope=system_scope(), evaluation=ev.pk, member=other.pk)
        )["ThongTin"]["B3"].value
        == "department"
    )
    with pytest.raises(TemplateArgumentError, match="thành viên hội đồng mã 999999"):
        template_bytes("ocop-sheet", scope=system_scope(), evaluation=ev.pk, member=999999)
    with pytest.raises(TemplateArgumentError):  # outside the user's scope
        template_bytes("ocop-sheet", scope=scope_for(users.outsider), evaluation=ev.pk, member=1)
