"""A Report as a Word document in the layout of Decree 30/2020/NĐ-CP (Phụ lục I).

A4, margins 2 cm top/bottom, 3 cm left, 1,5 cm right; Times New Roman, 14 pt body text; the
issuing body on the left and the national motto on the right of the first lines; number, place and
date; the title; page numbers centred at the top from the second page; "Nơi nhận" and the signer at
the end. Each table carries its key as its alternative-text caption so it can be found again.
"""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml.etree import SubElement

from ntm.reports.charts import bar_chart_png
from ntm.reports.document import Chart, Heading, Paragraph, Report, Table, cell_text

FONT = "Times New Roman"
BODY_PT = 14


def report_docx(report: Report) -> bytes:
    doc = Document()
    _page_setup(doc.sections[0], landscape=False)
    _styles(doc)
    _page_numbers(doc.sections[0])
    _header(doc, report)
    for block in report.blocks:
        _block(doc, block)
    _signature(doc, report)
    for annex in report.annexes:
        landscape = any(isinstance(b, Table) and b.landscape for b in annex.blocks)
        section = doc.add_section()
        _page_setup(section, landscape=landscape)
        _text(doc, annex.title.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _text(
            doc,
            _("(Kèm theo báo cáo năm %(year)s của %(issuer)s)")
            % {"year": report.year, "issuer": report.issuer.capitalize()},
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            size=13,
        )
        for block in annex.blocks:
            _block(
                doc, block, size=9 if landscape else 12, available_cm=25.2 if landscape else 16.5
            )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(section, *, landscape: bool) -> None:
    short, long = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance = Cm(1)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15


def _page_numbers(section) -> None:
    """PAGE field centred in the header; none on the first page (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(13)


def _text(
    doc_or_cell,
    text: str,
    *,
    bold=False,
    italic=False,
    underline=False,
    size=BODY_PT,
    align=None,
    indent=False,
    space_after=6,
    highlight=False,
):
    paragraph = doc_or_cell.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths that both Word and LibreOffice honour (grid and every cell)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _column_widths(block: Table, available_cm: float, size: int) -> list[float]:
    """Each column as wide as its longest header word and its content need (content capped so a
    long text column wraps), then the spare width or the excess shared by the text columns."""
    rows = block.rows[:200] + ([block.total] if block.total else [])
    per_char = 0.25 * size / 12  # cm per character at this size (Times New Roman, roughly)
    needs, flexible = [], []
    for i, title in enumerate(block.columns):
        words = str(title).split() or [""]
        header = max(max(len(w) for w in words), len(str(title)) / 3)  # at most three lines
        content = max((len(cell_text(r[i])) for r in rows), default=1)
        needs.append(max(header, min(content, 45)) * per_char + 0.45)
        flexible.append(content > 12)
    if not any(flexible):
        flexible = [True] * len(needs)
    fixed = sum(n for n, f in zip(needs, flexible, strict=True) if not f)
    wanted = sum(n for n, f in zip(needs, flexible, strict=True) if f)
    room = max(available_cm - fixed, available_cm * 0.3)
    scale = room / wanted if wanted else 1
    widths = [n * scale if f else n for n, f in zip(needs, flexible, strict=True)]
    total = sum(widths)
    return [w * available_cm / total for w in widths] if total > available_cm else widths


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties = table._tbl.tblPr
    # Word refuses elements out of schema order: tblBorders goes before these.
    later = [
        properties.find(qn(f"w:{tag}"))
        for tag in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption")
    ]
    later = [e for e in later if e is not None]
    if later:
        later[0].addprevious(borders)
    else:
        properties.append(borders)


def _header(doc, report: Report) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [6.5, 10])
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    if report.issuer_parent:
        _text(left, report.issuer_parent, size=13, align=center, space_after=0)
    _text(left, report.issuer, bold=True, size=13, align=center, space_after=0)
    _text(left, "———", size=10, align=center, space_after=4)
    _text(left, report.number, size=13, align=center, space_after=0)
    _text(
        right,
        _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        bold=True,
        size=13,
        align=center,
        space_after=0,
    )
    _text(
        right,
        _("Độc lập - Tự do - Hạnh phúc"),
        bold=True,
        underline=True,
        size=14,
        align=center,
        space_after=10,
    )
    _text(right, report.date_line, italic=True, size=14, align=center, space_after=0)
    for cell in (left, right):  # the empty first paragraph each new cell starts with
        first = cell.paragraphs[0]
        if not first.text:
            first._element.getparent().remove(first._element)
    _text(doc, "", space_after=6)
    _text(doc, report.title, bold=True, align=center, space_after=0)
    _text(doc, report.subtitle, bold=True, align=center, space_after=0)
    _text(doc, "———", size=10, align=center, space_after=12)


def _block(doc, block, size: int = 12, available_cm: float = 16.5) -> None:
    if isinstance(block, Heading):
        _text(
            doc,
            block.text,
            bold=True,
            italic=block.level > 1,
            space_after=6,
            indent=block.level > 1,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
    elif isinstance(block, Paragraph):
        _text(
            doc,
            block.text,
            indent=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            italic=block.placeholder,
            highlight=block.placeholder,
        )
    elif isinstance(block, Table):
        _table(doc, block, size, available_cm)
    elif isinstance(block, Chart):
        _chart(doc, block)


def _table(doc, block: Table, size: int, available_cm: float) -> None:
    title = _text(
        doc, block.title, bold=True, size=size + 1, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2
    )
    title.paragraph_format.keep_with_next = True
    if block.unit_note:
        note = _text(
            doc,
            f"({block.unit_note})",
            italic=True,
            size=size,
            space_after=2,
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        )
        note.paragraph_format.keep_with_next = True
    rows = block.rows + ([block.total] if block.total else [])
    widths = [int(Cm(w).twips) for w in _column_widths(block, available_cm, size)]
    table = doc.add_table(rows=0, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(width))
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), block.key)
    table._tbl.tblPr.append(caption)
    # Rows are written as XML directly: python-docx's cell API is quadratic in the table size
    # (a 453-commune annex took ~30 s through it, under a second this way).
    half_points = str(size * 2)
    header = _row(table._tbl, header=True)
    for title, width in zip(block.columns, widths, strict=True):
        _xml_cell(header, str(title), width, half_points, bold=True, align="center")
    total_index = len(rows) - 1 if block.total else -1
    for r, values in enumerate(rows):
        tr = _row(table._tbl)
        for value, width in zip(values, widths, strict=True):
            numeric = isinstance(value, int | float) or type(value).__name__ == "Decimal"
            text = cell_text(value) if value is not None or r != total_index else ""
            _xml_cell(
                tr,
                text,
                width,
                half_points,
                bold=r == total_index,
                align="right" if numeric and not isinstance(value, bool) else "left",
            )
    _text(doc, "", size=6, space_after=4)


def _row(tbl, header: bool = False):
    tr = SubElement(tbl, qn("w:tr"))
    if header:  # repeated at the top of every page the table runs over
        SubElement(SubElement(tr, qn("w:trPr")), qn("w:tblHeader")).set(qn("w:val"), "true")
    return tr


def _xml_cell(tr, text: str, width: int, half_points: str, *, bold: bool, align: str) -> None:
    tc = SubElement(tr, qn("w:tc"))
    tc_width = SubElement(SubElement(tc, qn("w:tcPr")), qn("w:tcW"))
    tc_width.set(qn("w:w"), str(width))
    tc_width.set(qn("w:type"), "dxa")
    p = SubElement(tc, qn("w:p"))
    p_pr = SubElement(p, qn("w:pPr"))
    spacing = SubElement(p_pr, qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    SubElement(p_pr, qn("w:jc")).set(qn("w:val"), align)
    # the paragraph mark's size too, or an empty cell is as tall as a 14 pt line
    SubElement(SubElement(p_pr, qn("w:rPr")), qn("w:sz")).set(qn("w:val"), half_points)
    run = SubElement(p, qn("w:r"))
    r_pr = SubElement(run, qn("w:rPr"))
    if bold:
        SubElement(r_pr, qn("w:b"))
    SubElement(r_pr, qn("w:sz")).set(qn("w:val"), half_points)
    t = SubElement(run, qn("w:t"))
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text


def _chart(doc, block: Chart) -> None:
    if not block.bars:
        return
    png = bar_chart_png(block.bars, max_value=block.max_value, unit=block.unit)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(15.5))
    _text(
        doc,
        _("Biểu đồ: %(title)s") % {"title": block.title},
        italic=True,
        size=12,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )


def _signature(doc, report: Report) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [8, 8.5])
    left, right = table.rows[0].cells
    _text(left, _("Nơi nhận:"), bold=True, italic=True, size=12, space_after=0)
    for line in report.recipients:
        _text(left, f"- {line}", size=11, space_after=0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _text(right, report.signer_title, bold=True, size=14, align=center, space_after=0)
    _text(
        right,
        _("(Ký, ghi rõ họ tên, đóng dấu)"),
        italic=True,
        size=13,
        align=center,
        space_after=48,
    )
    _text(right, _("[Họ và tên người ký]"), bold=True, size=14, align=center, highlight=True)
    for cell in (left, right):
        first = cell.paragraphs[0]
        if not first.text:
            first._element.getparent().remove(first._element)
