"""The printable score sheet of a product (Word, and PDF through the reports' LibreOffice path).

Hand count from the data file (`26-2026-ocop.json`, sheet 1 "Rau, củ, quả, hạt tươi"): 26 items
with 85 options; item 2.4 has points but no options (scored Có 1 / Không 0: 2 options); sections
7 to 12 are scored themselves with 3 + 4 + 3 + 3 + 2 + 3 = 18 options: 105 boxes to tick. Item 1.5
(Liên kết sản xuất, 3 points): options 0, 1, 2 (★★★★), 3 (★★★★★).
"""

import io

import pytest
from docx import Document

from ntm.ocop import paper
from ntm.reports import pdf
from tests.ocop.test_council import council_round  # noqa: F401  (fixture)

SHEET_1_BOXES = 105


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _rows(doc) -> list[list[str]]:
    table = doc.tables[0]
    return [[c.text for c in row.cells] for row in table.rows]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_the_sheet_holds_every_item_option_marker_and_box(council_round):  # noqa: F811
    rnd, evs = council_round
    ev = evs["Bưởi Quân Hà"]
    doc = _open(paper.sheet_docx(ev))
    rows = _rows(doc)
    assert rows[0] == ["Mục", "Nội dung chỉ tiêu và phương án", "Điểm", "Mức tối thiểu", "Chọn"]
    boxes = [r for r in rows if r[4] == paper.BOX]
    assert len(boxes) == SHEET_1_BOXES
    start = next(i for i, r in enumerate(rows) if r[0] == "1.5")
    assert rows[start][1] == "Liên kết sản xuất" and rows[start][2] == "tối đa 3"
    assert [(r[2], r[3], r[4]) for r in rows[start + 1 : start + 5]] == [
        ("0", "", "☐"),
        ("1", "", "☐"),
        ("2", "★★★★", "☐"),
        ("3", "★★★★★", "☐"),
    ]
    assert rows[start + 5][0] == "1.6"
    parts = [r[0] for r in rows if r[0].startswith("PHẦN ")]
    assert parts == [
        "PHẦN A: SẢN PHẨM VÀ SỨC MẠNH CỘNG ĐỒNG (40 điểm)",  # the set's part names
        "PHẦN B: KHẢ NĂNG TIẾP THỊ (25 điểm)",
        "PHẦN C: CHẤT LƯỢNG SẢN PHẨM (35 điểm)",
    ]
    bilingual = next(i for i, r in enumerate(rows) if r[0] == "2.4")
    assert [(r[1], r[2]) for r in rows[bilingual + 1 : bilingual + 3]] == [
        ("Không", "0"),
        ("Có", "1"),
    ]
    text = _all_text(doc)
    assert "Phiếu 1: Rau, củ, quả, hạt tươi" in text
    assert "Bưởi Quân Hà" in text and "HTX Quân Hà" in text and "10/12/2026" in text
    assert "Không đánh giá sản phẩm nếu: Giả mạo hồ sơ" in text
    assert "Điểm phần A: ……… / 40" in text and "TỔNG ĐIỂM: ……… / 100 điểm" in text
    assert "Họ và tên thành viên hội đồng: …" in text
    assert "THÀNH VIÊN HỘI ĐỒNG" in text and "(Ký, ghi rõ họ tên)" in text


def test_a_members_copy_prints_their_name(council_round, users, client_for):  # noqa: F811
    rnd, evs = council_round
    ev = evs["Rượu ngô"]
    member = rnd.council.get(user=users.district)
    response = client_for(users.coordinator).get(
        f"/ocop/manage/evaluations/{ev.pk}/sheet.docx?member={member.pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _all_text(_open(response.content))
    name = users.district.get_full_name()
    assert f"Họ và tên thành viên hội đồng: {name}" in text
    assert "Chức danh trong hội đồng: Thành viên" in text
    assert "Phiếu 14: Rượu trắng" in text


def test_a_sheet_scored_by_parts_prints_the_part_lines(ocop, units, users, round_for, score):
    import datetime

    rnd = round_for(units.bac_kan, datetime.date(2024, 9, 1))
    ev = score(rnd, ocop.tea, 60)
    rows = _rows(_open(paper.sheet_docx(ev)))
    assert rows[0] == ["Phần", "Nội dung", "Tối đa", "Điểm chấm"]
    # OCOP-148-2023.json: lines A 40, B 25, C 35 (points to write in the last column)
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("A", "40", ""),
        ("B", "25", ""),
        ("C", "35", ""),
    ]


def test_the_routes_are_scoped_and_the_pdf_uses_the_reports_path(
    council_round,  # noqa: F811
    users,
    client_for,
    monkeypatch,
):
    rnd, evs = council_round
    ev = evs["Giỏ mây"]
    url = f"/ocop/manage/evaluations/{ev.pk}/sheet"
    assert client_for(users.outsider).get(url + ".docx").status_code == 404
    assert client_for(users.commune).get(url + ".docx").status_code == 200  # Quân Hà's product
    seen = []

    def convert(data: bytes) -> bytes:
        seen.append(_all_text(_open(data)))
        return b"%PDF-1.4 stand-in"

    monkeypatch.setattr(pdf, "docx_to_pdf", convert)
    response = client_for(users.coordinator).get(url + ".pdf")
    assert response.status_code == 200 and response.content == b"%PDF-1.4 stand-in"
    assert response["Content-Type"] == "application/pdf"
    assert "Giỏ mây" in seen[0] and "Phiếu 21:" in seen[0]


def test_the_pdf_says_what_is_missing_without_libreoffice(
    council_round,  # noqa: F811
    users,
    client_for,
    monkeypatch,
):
    rnd, evs = council_round
    monkeypatch.setattr(pdf, "libreoffice", lambda: None)
    response = client_for(users.coordinator).get(
        f"/ocop/manage/evaluations/{evs['Giỏ mây'].pk}/sheet.pdf"
    )
    assert response.status_code == 503
    assert "LibreOffice" in response.content.decode()


def test_the_round_page_links_the_paper_sheets(council_round, users, client_for):  # noqa: F811
    rnd, evs = council_round
    page = client_for(users.department).get(f"/ocop/manage/rounds/{rnd.pk}/").content.decode()
    for ev in evs.values():
        assert f"/ocop/manage/evaluations/{ev.pk}/sheet.docx" in page
        assert f"/ocop/manage/evaluations/{ev.pk}/my-sheet.xlsx" in page  # a member
    assert "/ocop/manage/sheets/import/" in page
    reader = client_for(users.national).get(f"/ocop/manage/rounds/{rnd.pk}/").content.decode()
    assert f"/ocop/manage/evaluations/{evs['Cam sành'].pk}/sheet.docx" in reader
    assert (
        "my-sheet.xlsx" not in reader and "/ocop/manage/sheets/import/" not in reader
    )  # no member


@pytest.mark.skipif(pdf.libreoffice() is None, reason="LibreOffice is not installed")
def test_the_pdf_through_libreoffice(council_round):  # noqa: F811
    _rnd, evs = council_round
    assert pdf.docx_to_pdf(paper.sheet_docx(evs["Cam sành"]))[:5] == b"%PDF-"
