"""Shared Excel helpers: safe cell values on export, whole-file validation on import."""

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

MAX_IMPORT_BYTES = 10 * 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Escape text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Trang %(sheet)s, dòng %(row)s, cột %(column)s: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.errors.append(CellError(sheet, row, column, message))


class WorkbookError(ValueError):
    """The file cannot be read as an Excel workbook at all."""


def open_workbook(data: bytes):
    if len(data) > MAX_IMPORT_BYTES:
        raise WorkbookError(
            _("Tệp quá lớn (%(size)s MB), tối đa %(max)s MB.")
            % {"size": round(len(data) / 1_048_576, 1), "max": MAX_IMPORT_BYTES // 1_048_576}
        )
    try:
        # data_only=False keeps formulas as text so that they can be refused.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise WorkbookError(
            _("Không đọc được tệp Excel (.xlsx): %(reason)s") % {"reason": exc.__class__.__name__}
        ) from exc


def is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def write_table(ws, headers: list[str], rows, *, widths: dict[int, int] | None = None) -> None:
    """Header row in bold, frozen, then the rows with values escaped."""
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for idx, header in enumerate(headers, start=1):
        width = (widths or {}).get(idx, max(12, min(40, len(str(header)) + 4)))
        ws.column_dimensions[get_column_letter(idx)].width = width


def add_choice_validation(ws, column: int, choices: list[str], first_row: int, last_row: int):
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        error=_("Chọn một giá trị trong danh sách."),
    )
    letter = get_column_letter(column)
    dv.add(f"{letter}{first_row}:{letter}{max(first_row, last_row)}")
    ws.add_data_validation(dv)


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
