"""The notice letter for OCOP certificates that expire soon (Word): one letter per commune where
the products are made (as a province sends them, "Kính gửi: UBND xã ..."), or one per subject.
Each letter lists its products with the subject, stars, certificate number and date, and the last
day of validity; all the letters are in one .docx, a page each.

Layout of Decree 30/2020/NĐ-CP: the sender and the national motto side by side, the number and
subject line ("V/v ..."), place and date, the addressee, the body, "Nơi nhận" and the signer.
What the letter asks rests on the legal data (26/2026/QĐ-TTg: a certificate is valid 36 months;
the commune receives a subject's dossier for a new evaluation, Điều 7.2); no deadline is
invented.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from docx.enum.text import WD_BREAK
from docx.shared import Cm

from ntm.ocop.models import Certificate
from ntm.ocop.paper import (
    CENTER,
    cell_text,
    docx_bytes,
    grid,
    new_document,
    no_borders,
    text,
    vi_date_words,
    widths,
)
from ntm.units.models import Unit

BY_COMMUNE, BY_SUBJECT = "commune", "subject"
COLUMNS_CM = [1.0, 4.6, 4.2, 1.4, 3.3, 2.0]


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def sender_names(unit: Unit | None) -> tuple[str, str]:
    """(issuing body in capitals, place of the date line) of the user's unit."""
    if unit is None:
        return _("CƠ QUAN THƯỜNG TRỰC CHƯƠNG TRÌNH OCOP"), "……"
    return _("ỦY BAN NHÂN DÂN %(u)s") % {"u": unit.name.upper()}, unit.short_name or unit.name


def letters(certificates, *, by: str = BY_COMMUNE) -> list[tuple[str, list[Certificate]]]:
    """[(addressee, certificates)] in the order of the addressee's name; the certificates in
    the order of their last valid day."""
    groups: dict = defaultdict(list)
    names = {}
    for c in certificates:
        if by == BY_SUBJECT:
            key = ("subject", c.product.subject_id)
            names[key] = c.product.subject.name
        else:
            key = ("unit", c.product.unit_id)
            names[key] = _("Ủy ban nhân dân %(u)s") % {"u": _lower_first(c.product.unit.name)}
        groups[key].append(c)
    out = [
        (names[key], sorted(rows, key=lambda c: (c.valid_to, c.product.name)))
        for key, rows in groups.items()
    ]
    return sorted(out, key=lambda pair: pair[0])


def notice_docx(certificates, *, day, days: int, sender: Unit | None, by: str = BY_COMMUNE):
    """The letters for the certificates (those standing on `day` that lapse within `days`)."""
    doc = new_document(body_pt=14)
    grouped = letters(certificates, by=by)
    if not grouped:
        _letter(doc, _("Các đơn vị có liên quan"), [], day=day, days=days, sender=sender, by=by)
    for i, (addressee, rows) in enumerate(grouped):
        if i:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        _letter(doc, addressee, rows, day=day, days=days, sender=sender, by=by)
    return docx_bytes(doc)


def _letter(doc, addressee: str, rows, *, day, days: int, sender: Unit | None, by: str) -> None:
    body, place = sender_names(sender)
    head = doc.add_table(rows=1, cols=2)
    no_borders(head)
    widths(head, [6.5, 10])
    left, right = head.rows[0].cells
    text(left, body, bold=True, size=13, align=CENTER, space_after=0)
    text(left, "———", size=10, align=CENTER, space_after=2)
    text(left, _("Số: ……/……"), size=13, align=CENTER, space_after=0)
    text(
        left,
        _("V/v thông báo giấy chứng nhận sản phẩm OCOP sắp hết hiệu lực"),
        size=12,
        align=CENTER,
    )
    text(right, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), bold=True, size=13, align=CENTER)
    text(right, _("Độc lập - Tự do - Hạnh phúc"), bold=True, underline=True, align=CENTER)
    text(right, f"{place}, {vi_date_words(day)}", italic=True, align=CENTER)
    text(doc, _("Kính gửi: %(a)s.") % {"a": addressee}, align=CENTER, space_after=10)
    text(
        doc,
        _(
            "Giấy chứng nhận sản phẩm OCOP từ 3 sao có giá trị 36 tháng kể từ ngày ban hành "
            "(Quyết định số 26/2026/QĐ-TTg). Theo dữ liệu của chương trình OCOP, các sản phẩm "
            "dưới đây có giấy chứng nhận hết hiệu lực trong %(n)s ngày tới (tính từ %(d)s):"
        )
        % {"n": days, "d": day.strftime("%d/%m/%Y")},
        space_after=6,
    ).paragraph_format.first_line_indent = _indent()
    columns = [
        _("STT"),
        _("Sản phẩm"),
        _("Xã sản xuất") if by == BY_SUBJECT else _("Chủ thể"),
        _("Hạng sao"),
        _("Quyết định công nhận"),
        _("Hiệu lực đến"),
    ]
    table = grid(doc, columns, COLUMNS_CM, size=11)
    for n, c in enumerate(rows, start=1):
        cells = table.add_row().cells
        second = c.product.unit.name if by == BY_SUBJECT else c.product.subject.name
        values = [
            str(n),
            c.product.name,
            second,
            f"{c.stars}★",
            _("%(n)s ngày %(d)s") % {"n": c.number, "d": c.issued_on.strftime("%d/%m/%Y")},
            c.valid_to.strftime("%d/%m/%Y"),
        ]
        for cell, value, col in zip(cells, values, range(6), strict=True):
            cell_text(cell, value, align=CENTER if col in (0, 3, 5) else None)
    widths(table, COLUMNS_CM)
    if by == BY_SUBJECT:
        ask = _(
            "Đề nghị chủ thể chủ động chuẩn bị; nếu có nhu cầu tiếp tục được công nhận sản phẩm "
            "OCOP, lập hồ sơ đề nghị đánh giá, phân hạng gửi Ủy ban nhân dân xã nơi sản xuất "
            "theo quy định (Điều 7 Quyết định số 26/2026/QĐ-TTg)."
        )
    else:
        ask = _(
            "Đề nghị Ủy ban nhân dân xã thông báo đến các chủ thể có tên trên; hướng dẫn chủ thể "
            "có nhu cầu tiếp tục được công nhận lập hồ sơ đề nghị đánh giá, phân hạng, tiếp nhận "
            "và kiểm tra hồ sơ theo quy định (Điều 7 Quyết định số 26/2026/QĐ-TTg)."
        )
    text(doc, "", space_after=2)
    text(doc, ask, space_after=10).paragraph_format.first_line_indent = _indent()
    foot = doc.add_table(rows=1, cols=2)
    no_borders(foot)
    widths(foot, [7.5, 9])
    left, right = foot.rows[0].cells
    text(left, _("Nơi nhận:"), bold=True, italic=True, size=12, space_after=0)
    text(left, _("- Như trên;"), size=11, space_after=0)
    if by != BY_SUBJECT:
        text(left, _("- Các chủ thể có tên trong danh sách;"), size=11, space_after=0)
    text(left, _("- Lưu: VT."), size=11, space_after=0)
    text(right, _("TM. ỦY BAN NHÂN DÂN"), bold=True, size=13, align=CENTER, space_after=0)
    text(right, _("(Ký, ghi rõ họ tên, đóng dấu)"), italic=True, size=12, align=CENTER)


def _indent():
    return Cm(1)
