"""The printable score sheet of one product for the council meeting (Word; the PDF is the same
document converted by the reports' LibreOffice path in the view).

On a 26/2026 product sheet (Phụ lục II): every part, section and item of the product's sheet in
order; under each scored item its options with their points, the ★ marker of an option that is
the minimum for 3, 4 or 5 stars, and an empty box to tick; the sheet's disqualifying condition;
lines for the part totals and the total; the member's name, role and signature. An evaluation
scored by part totals only (148/2023 and earlier: their per-group sheets are not available) gets
one line per part with a box for the points.

The small docx helpers here are shared with `notice` (the expiry notice letter). Layout: A4,
Times New Roman, margins of Decree 30/2020/NĐ-CP.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ntm.lib.formatting import vi_number
from ntm.ocop.models import CouncilMember, Evaluation, ItemKind, SheetItem

FONT = "Times New Roman"
BOX = "☐"  # an empty box to tick (U+2610)
STAR = "★"
GREY = "E7E6E6"
CENTER = WD_ALIGN_PARAGRAPH.CENTER


# -- shared helpers --------------------------------------------------------------------------


def new_document(*, body_pt: int = 13):
    """An A4 portrait document in Times New Roman with the margins of Decree 30."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(body_pt)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(4)
    return doc


def text(
    where,
    value: str,
    *,
    bold=False,
    italic=False,
    underline=False,
    size=None,
    align=None,
    space_after=4,
    indent_cm: float = 0,
):
    """A paragraph of one run added to a document or a table cell."""
    paragraph = where.add_paragraph()
    run = paragraph.add_run(value)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent_cm:
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def cell_text(cell, value: str, *, bold=False, italic=False, size=11, align=None, indent_cm=0):
    """Write into a table cell's first (empty) paragraph."""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(value)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent_cm:
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def widths(table, widths_cm: list[float]) -> None:
    """Column widths that Word and LibreOffice both honour (grid and every cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties = table._tbl.tblPr
    later = [
        properties.find(qn(f"w:{tag}"))
        for tag in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption")
    ]
    later = [e for e in later if e is not None]
    if later:  # Word refuses elements out of schema order
        later[0].addprevious(borders)
    else:
        properties.append(borders)


def shade(cell, fill: str = GREY) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def repeat_header(row) -> None:
    """The row is repeated at the top of every page the table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def grid(doc, columns: list[str], widths_cm: list[float], *, size=11):
    """A bordered table with a shaded header row repeated on every page."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell_text(cell, title, bold=True, size=size, align=CENTER)
        shade(cell)
    repeat_header(table.rows[0])
    widths(table, widths_cm)
    return table


def vi_points(value) -> str:
    return vi_number(Decimal(str(value)).normalize()) if value is not None else ""


def vi_date_words(day) -> str:
    return _("ngày %(d)02d tháng %(m)02d năm %(y)d") % {"d": day.day, "m": day.month, "y": day.year}


def docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- the product's score sheet ---------------------------------------------------------------

WIDTHS = [1.5, 10.0, 1.6, 1.9, 1.5]  # 16.5 cm: the A4 text width


def stars(min_star) -> str:
    return STAR * int(min_star) if min_star else ""


def sheet_docx(evaluation: Evaluation, *, member: CouncilMember | None = None) -> bytes:
    """The printable score sheet of a product of a round; `member` prints their name."""
    ev = evaluation
    doc = new_document()
    rnd, product = ev.round, ev.product
    text(doc, _("HỘI ĐỒNG ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP"), bold=True, align=CENTER, size=12)
    text(doc, f"{rnd} — {rnd.unit.name}", align=CENTER, size=12, space_after=10)
    text(doc, _("PHIẾU ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP"), bold=True, align=CENTER, size=15)
    sheet = ev.product_sheet
    if sheet is not None:
        text(doc, str(sheet), bold=True, align=CENTER, space_after=0)
        source = _("(Phụ lục II, Quyết định %(d)s)") % {"d": sheet.scoring_set.decision_number}
    else:
        source = _("(Bộ tiêu chí %(d)s: chấm theo tổng điểm từng phần)") % {
            "d": ev.sheet.decision_number
        }
    text(doc, source, italic=True, align=CENTER, size=12, space_after=10)
    subject = product.subject
    for label, value in (
        (_("Tên sản phẩm"), product.name),
        (_("Chủ thể"), f"{subject.name} ({subject.get_kind_display()})"),
        (_("Địa chỉ"), ", ".join(v for v in (subject.address, product.unit.name) if v)),
        (_("Ngày đánh giá"), rnd.held_on.strftime("%d/%m/%Y")),
    ):
        paragraph = text(doc, "", space_after=2)
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if sheet is not None and sheet.disqualify_if:
        paragraph = text(doc, "", space_after=2)
        paragraph.add_run(_("Không đánh giá sản phẩm nếu: ")).bold = True
        paragraph.add_run(sheet.disqualify_if).italic = True
    text(
        doc,
        _(
            "Thành viên hội đồng đánh dấu (✓) vào ô “Chọn” của đúng một phương án ở mỗi chỉ "
            "tiêu; điểm của chỉ tiêu là điểm của phương án được chọn."
        ),
        italic=True,
        size=11,
        space_after=6,
    )
    if sheet is not None:
        _items_table(doc, ev)
    else:
        _parts_table(doc, ev)
    _totals(doc, ev)
    _signature(doc, member)
    return docx_bytes(doc)


def _items_table(doc, ev: Evaluation) -> None:
    table = grid(
        doc,
        [_("Mục"), _("Nội dung chỉ tiêu và phương án"), _("Điểm"), _("Mức tối thiểu"), _("Chọn")],
        WIDTHS,
    )
    parts = {p["code"]: p for p in ev.product_sheet.scoring_set.parts}
    items = list(
        SheetItem.objects.filter(sheet=ev.product_sheet)
        .prefetch_related("options")
        .order_by("order")
    )
    part = None
    for item in items:
        if item.part != part:
            part = item.part
            info = parts.get(part, {})
            row = table.add_row().cells
            merged = row[0].merge(row[-1])
            cell_text(
                merged,
                _("PHẦN %(c)s: %(n)s (%(m)s điểm)")
                % {
                    "c": part,
                    "n": str(info.get("name", "")).upper(),
                    "m": vi_points(info.get("max")),
                },
                bold=True,
            )
            shade(merged)
        _item_rows(table, item)
    widths(table, WIDTHS)


def _item_rows(table, item: SheetItem) -> None:
    row = table.add_row().cells
    heading = item.kind in (ItemKind.SECTION, ItemKind.GROUP) or item.scored
    cell_text(row[0], item.code, bold=heading)
    cell_text(row[1], item.name, bold=heading)
    cell_text(row[2], _("tối đa %(m)s") % {"m": vi_points(item.max_points)}, size=10)
    if item.kind == ItemKind.SECTION:
        for cell in row:
            shade(cell, "F2F2F2")
    if item.source_flag:
        text(row[1], "⚠ " + item.source_flag, italic=True, size=9, space_after=0)
    for option in item.options.all():
        cells = table.add_row().cells
        label = option.label
        if option.blocked:
            label += " " + _("(ô điểm chờ quản trị viên tỉnh đối chiếu văn bản gốc)")
        cell_text(cells[1], label, indent_cm=0.4)
        cell_text(cells[2], vi_points(option.points), align=CENTER)
        cell_text(cells[3], stars(option.min_star), align=CENTER)
        cell_text(cells[4], BOX, size=14, align=CENTER)


def _parts_table(doc, ev: Evaluation) -> None:
    table = grid(doc, [_("Phần"), _("Nội dung"), _("Tối đa"), _("Điểm chấm")], [1.5, 10, 2, 3])
    for line in ev.sheet.lines.order_by("order", "code"):
        cells = table.add_row().cells
        cell_text(cells[0], line.code, bold=True)
        cell_text(cells[1], line.name)
        cell_text(cells[2], vi_points(line.max_points), align=CENTER)
        cell_text(cells[3], "", align=CENTER)
    widths(table, [1.5, 10, 2, 3])


def _totals(doc, ev: Evaluation) -> None:
    text(doc, "", space_after=2)
    parts = ev.sheet.parts
    for part in parts:
        text(
            doc,
            _("Điểm phần %(c)s: ……… / %(m)s") % {"c": part["code"], "m": vi_points(part["max"])},
            space_after=2,
        )
    text(
        doc,
        _("TỔNG ĐIỂM: ……… / %(m)s điểm") % {"m": vi_points(ev.sheet.max_total)},
        bold=True,
        space_after=4,
    )
    text(
        doc,
        _(
            "Hạng sao theo điểm: 1★ dưới 30; 2★ từ 30 đến dưới 50; 3★ từ 50 đến dưới 70; 4★ từ "
            "70 đến dưới 90; 5★ từ 90 đến 100 điểm (điểm của sản phẩm là bình quân điểm các "
            "thành viên hội đồng)."
        ),
        italic=True,
        size=10,
        space_after=2,
    )
    if ev.product_sheet_id:
        text(
            doc,
            _(
                "Mức tối thiểu: phương án ghi ★★★, ★★★★ hoặc ★★★★★ là mức tối thiểu sản phẩm "
                "phải đạt ở chỉ tiêu đó để được xếp hạng 3, 4 hoặc 5 sao; không đạt thì không "
                "được xếp hạng đó dù đủ điểm."
            ),
            italic=True,
            size=10,
            space_after=2,
        )
    text(doc, _("Ý kiến, giải trình của thành viên hội đồng:"), bold=True, space_after=2)
    for _line in range(3):
        text(doc, "…" * 60, size=11, space_after=2).runs[0].font.color.rgb = RGBColor(
            0x80, 0x80, 0x80
        )


def _signature(doc, member: CouncilMember | None) -> None:
    name = member.user.get_full_name() or member.user.username if member else ""
    role = member.get_role_display() if member else ""
    text(
        doc,
        _("Họ và tên thành viên hội đồng: %(n)s") % {"n": name or "…" * 30},
        space_after=2,
    )
    text(doc, _("Chức danh trong hội đồng: %(r)s") % {"r": role or "…" * 20}, space_after=8)
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    widths(table, [7, 9.5])
    right = table.rows[0].cells[1]
    text(right, _("……, ngày …… tháng …… năm ……"), italic=True, align=CENTER, space_after=2)
    text(right, _("THÀNH VIÊN HỘI ĐỒNG"), bold=True, align=CENTER, space_after=0)
    text(right, _("(Ký, ghi rõ họ tên)"), italic=True, align=CENTER, space_after=48)
    text(right, name, bold=True, align=CENTER)
