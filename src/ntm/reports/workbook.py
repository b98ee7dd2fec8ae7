"""A Report's tables (biểu) as an Excel workbook: a contents sheet, then one sheet per table.

Each sheet has a title, the scope and year, the unit of measure, a frozen bold header, the rows
(numbers as numbers, dates as dates), a bold total row, and print settings (A4, fit to width,
header rows repeated, page numbers in the footer). Text is escaped against formula injection.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ntm.excel import safe_cell, workbook_bytes
from ntm.reports.document import Report, Table

SHEET_NAMES = {
    "chi_tieu": "Chỉ tiêu kế hoạch",
    "cong_nhan": "Công nhận",
    "nhom_tieu_chi": "Nhóm tiêu chí",
    "tieu_chi": "Tiêu chí",
    "don_vi": "Theo đơn vị",
    "ocop": "OCOP",
    "ocop_dot": "OCOP theo đợt",
    "nguon_von": "Nguồn vốn",
    "hoat_dong": "Hoạt động",
    "nhiem_vu": "Nhiệm vụ",
    "tinh": "Theo tỉnh",
    "phu_luc_xa": "PL01 Xã - tiêu chí",
    "phu_luc_cong_nhan": "PL02 Công nhận",
    "phu_luc_ocop": "PL03 OCOP",
}
FIRST_DATA_ROW = 5  # 1 title, 2 scope and year, 3 unit of measure, 4 header
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def sheet_name(key: str) -> str:
    return SHEET_NAMES.get(key, key)[:31]


def report_workbook(report: Report) -> bytes:
    wb = Workbook()
    contents = wb.active
    contents.title = _("Mục lục")
    contents.append([safe_cell(report.subtitle)])
    contents["A1"].font = Font(bold=True, size=13)
    contents.append([safe_cell(f"{report.issuer} — {report.date_line}")])
    contents.append([])
    contents.append([_("Biểu"), _("Tên biểu"), _("Trang tính")])
    for cell in contents[4]:
        cell.font = Font(bold=True)
    for number, table in enumerate(report.tables(), start=1):
        ws = wb.create_sheet(sheet_name(table.key))
        _write(ws, table, report, number)
        contents.append([number, safe_cell(table.title), ws.title])
        link = contents.cell(row=contents.max_row, column=3)
        link.hyperlink = f"#'{ws.title}'!A1"
        link.style = "Hyperlink"
    if not report.tables():
        contents.append([_("Không có số liệu để lập biểu.")])
    contents.column_dimensions["A"].width = 8
    contents.column_dimensions["B"].width = 70
    contents.column_dimensions["C"].width = 24
    return workbook_bytes(wb)


def _write(ws, table: Table, report: Report, number: int) -> None:
    width = len(table.columns)
    last = get_column_letter(width)
    ws.append([safe_cell(_("Biểu %(n)s. %(title)s") % {"n": number, "title": table.title})])
    ws.append([safe_cell(f"{report.scope_name} — {_('năm')} {report.year}")])
    ws.append([safe_cell(f"({table.unit_note})") if table.unit_note else None])
    for row in (1, 2, 3):
        ws.merge_cells(f"A{row}:{last}{row}")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"].alignment = Alignment(horizontal="center")
    ws["A3"].font = Font(italic=True)
    ws["A3"].alignment = Alignment(horizontal="right")
    ws.append([safe_cell(c) for c in table.columns])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = GRID
    rows = table.rows + ([table.total] if table.total else [])
    for r, values in enumerate(rows):
        ws.append([_excel_value(v) for v in values])
        for cell, value in zip(ws[ws.max_row], values, strict=True):
            cell.border = GRID
            cell.number_format = _number_format(value)
            if table.total and r == len(rows) - 1:
                cell.font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3 if width > 6 else 1)
    for idx, title in enumerate(table.columns, start=1):
        longest = max([len(str(title))] + [len(str(r[idx - 1] or "")) for r in rows[:200]])
        ws.column_dimensions[get_column_letter(idx)].width = max(6, min(50, longest + 2))
    ws.print_title_rows = "4:4"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if (table.landscape or width > 6) else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = _("Trang &P/&N")


def _excel_value(value):
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date | int | float) or value is None:
        return value
    return safe_cell(str(value))


def _number_format(value) -> str:
    if isinstance(value, bool):
        return "General"
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)
        return "#,##0" + ("." + "0" * places if places else "")
    if isinstance(value, int):
        return "#,##0"
    if isinstance(value, datetime.date):
        return "DD/MM/YYYY"
    return "General"
