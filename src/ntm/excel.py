"""Shared Excel helpers: safe cell values on export, whole-file validation on import."""

import datetime
import io
import re
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from ntm.lib.numbers import CellValueError, parse_vi_number  # noqa: F401  (re-exported)

MAX_IMPORT_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # content type
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Escape text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value):
    """The inverse of `safe_cell` on import: text exported as "'=..." reads back as "=..."."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


# A value quoted in a message is shown up to this many characters, then "…": a message names
# what is wrong, it never echoes a whole cell (which may hold thousands of characters).
SHOWN_CHARS = 60
_QUOTED_OR_LONG = re.compile(r"“[^”]*”|[^\s“]{" + str(SHOWN_CHARS + 1) + ",}")


def shorten(text: str, most: int = SHOWN_CHARS) -> str:
    text = str(text)
    return text if len(text) <= most else text[:most] + "…"


def shorten_values(message: str) -> str:
    """Every quoted value of a message, and every run of text without a space, cut to
    SHOWN_CHARS characters."""

    def cut(match) -> str:
        text = match.group(0)
        return "“" + shorten(text[1:-1]) + "”" if text.startswith("“") else shorten(text)

    return _QUOTED_OR_LONG.sub(cut, message)


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def __post_init__(self):
        object.__setattr__(self, "message", shorten_values(str(self.message)))

    def __str__(self) -> str:
        # An error of the whole file (sheet "-") or of a whole sheet (row 0) names no cell.
        if self.sheet in ("", "-"):
            return self.message
        if not self.row:
            return _("Trang %(sheet)s: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        if self.column in ("", "-"):
            return _("Trang %(sheet)s, dòng %(row)s: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
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
    # What the import took that the user should know, not errors: the unit a reused code
    # was read as on the row's date (see `note_code`).
    notes: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.errors.append(CellError(sheet, row, column, message))

    def note_code(self, sheet: str, row: int, column: str, resolved) -> None:
        """When a code names different units at different dates (units.resolver.Resolved),
        say which unit was taken and the date used, and the other one(s)."""
        if resolved is not None and resolved.unit is not None and resolved.ambiguous:
            self.notes.append(CellError(sheet, row, column, resolved.describe() + "."))


class WorkbookError(ValueError):
    """The file cannot be read as an Excel workbook at all."""


# Limits on what an upload may unpack to and hold: a small file can declare gigabytes of XML
# (a "zip bomb") or a cell in the last row and column (a million rows of 16,384 cells).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 1_000
MAX_CELLS = 5_000_000
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls (Excel 97-2003)


class ReadSheet:
    """A worksheet read whole into memory: `iter_rows(values_only=True)` as openpyxl's."""

    def __init__(self, title: str, rows: list[tuple]):
        self.title = title
        self._rows = rows

    @property
    def max_row(self) -> int:
        return len(self._rows)

    def iter_rows(self, min_row=1, max_row=None, min_col=1, max_col=None, values_only=True):
        if not values_only:
            raise TypeError("ReadSheet holds values only")
        width = None if max_col is None else max_col - min_col + 1
        for row in self._rows[min_row - 1 : max_row]:
            values = tuple(row[min_col - 1 : max_col])
            if width is not None and len(values) < width:
                values += (None,) * (width - len(values))
            yield values


class ReadWorkbook:
    """The worksheets of an uploaded file, every cell already read (see `open_workbook`)."""

    def __init__(self, sheets: list[ReadSheet]):
        self.worksheets = sheets
        self._by_name = {ws.title: ws for ws in sheets}

    @property
    def sheetnames(self) -> list[str]:
        return list(self._by_name)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> ReadSheet:
        return self._by_name[name]

    def close(self) -> None:
        pass


def _unreadable(exc: Exception) -> WorkbookError:
    if isinstance(exc, NotImplementedError):  # a zip version, compression or encryption
        return WorkbookError(
            _(
                "Không đọc được tệp Excel (.xlsx): tệp được nén hoặc mã hóa theo cách không hỗ trợ (không phải cách Excel lưu tệp). Hãy mở tệp bằng Excel, lưu lại dạng “Excel Workbook (.xlsx)” (không đặt mật khẩu) rồi tải lên."
            )
        )
    return WorkbookError(
        _(
            "Không đọc được tệp Excel (.xlsx): %(reason)s. Hãy mở tệp bằng Excel, lưu lại dạng “Excel Workbook (.xlsx)” rồi tải lên."
        )
        % {"reason": _reason(exc)}
    )


def _reason(exc: Exception) -> str:
    """What is wrong with the file, in words (never the name of a Python exception)."""
    if isinstance(exc, zipfile.BadZipFile):
        return _("tệp không phải dạng .xlsx (không phải tệp nén của Excel) hoặc bị cắt cụt")
    if isinstance(exc, KeyError):
        return _("tệp nén không có các phần của một bảng tính Excel (có thể là tệp khác đổi đuôi)")
    return _("tệp hỏng hoặc không phải bảng tính Excel")


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # not a zip, or a broken one
        raise _unreadable(exc) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            _(
                "Tệp giải nén ra %(size)s MB, quá giới hạn %(max)s MB; hãy chia thành nhiều tệp nhỏ hơn."
            )
            % {"size": round(unpacked / 1_048_576), "max": MAX_UNPACKED_BYTES // 1_048_576}
        )


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # vi-VN: 100.000


def _read_sheet(ws, cells: int) -> tuple[ReadSheet, int]:
    rows = []
    try:
        for row in ws.iter_rows(values_only=True):
            if len(rows) >= MAX_SHEET_ROWS:
                raise WorkbookError(
                    _(
                        "Trang “%(sheet)s” có hơn %(max)s dòng; hãy xóa các dòng thừa hoặc chia thành nhiều tệp."
                    )
                    % {"sheet": ws.title, "max": _thousands(MAX_SHEET_ROWS)}
                )
            if len(row) > MAX_SHEET_COLUMNS:
                raise WorkbookError(
                    _(
                        "Trang “%(sheet)s” có %(n)s cột, tối đa %(max)s; hãy xóa các cột thừa ở bên phải."
                    )
                    % {"sheet": ws.title, "n": len(row), "max": MAX_SHEET_COLUMNS}
                )
            cells += len(row)
            if cells > MAX_CELLS:
                raise WorkbookError(
                    _("Tệp có hơn %(max)s ô; hãy chia thành nhiều tệp nhỏ hơn.")
                    % {"max": _thousands(MAX_CELLS)}
                )
            rows.append(row)
    except WorkbookError:
        raise
    except Exception as exc:  # a worksheet is only parsed here: broken XML, bad cell values
        raise WorkbookError(
            _(
                "Không đọc được trang “%(sheet)s” của tệp Excel: nội dung trang bị hỏng. Hãy mở tệp bằng Excel, lưu lại rồi tải lên."
            )
            % {"sheet": ws.title}
        ) from exc
    return ReadSheet(ws.title, rows), cells


# The workbook the import runner (`ntm.imports.runner`) has already opened and checked, so that
# the importer it calls, which opens `data` itself, does not read the file a second time.
_OPENED: ContextVar[tuple[bytes, ReadWorkbook] | None] = ContextVar("ntm_opened", default=None)


@contextmanager
def workbook_opened(data: bytes, wb: ReadWorkbook):
    """While inside, `open_workbook(data)` (the same bytes object) returns `wb`."""
    token = _OPENED.set((data, wb))
    try:
        yield wb
    finally:
        _OPENED.reset(token)


def open_workbook(data: bytes) -> ReadWorkbook:
    """Every worksheet of an uploaded .xlsx, read whole (values; formulas kept as text so that
    they can be refused). Anything wrong with the file itself raises WorkbookError with a
    message for the user: too large, not a workbook, a broken sheet, too many rows or cells."""
    opened = _OPENED.get()
    if opened is not None and opened[0] is data:
        return opened[1]
    if len(data) > MAX_IMPORT_BYTES:
        raise WorkbookError(
            _("Tệp quá lớn (%(size)s MB), tối đa %(max)s MB.")
            % {"size": round(len(data) / 1_048_576, 1), "max": MAX_IMPORT_BYTES // 1_048_576}
        )
    if data.startswith(_OLE2_MAGIC):
        raise WorkbookError(
            _(
                "Tệp ở định dạng Excel 97-2003 (.xls); hãy mở bằng Excel, lưu lại dạng “Excel Workbook (.xlsx)” rồi tải lên."
            )
        )
    _check_unpacked_size(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _unreadable(exc) from exc
    try:
        sheets, cells = [], 0
        for ws in wb.worksheets:
            sheet, cells = _read_sheet(ws, cells)
            sheets.append(sheet)
    finally:
        wb.close()
    return ReadWorkbook(sheets)


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


def add_choice_validation_columns(
    ws, columns: list[int], choices: list[str], first_row: int, last_row: int
) -> None:
    """One drop-down list shared by several columns (one validation object, many ranges)."""
    if not columns:
        return
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        error=_("Chọn một giá trị trong danh sách."),
    )
    last_row = max(first_row, last_row)
    for column in columns:
        letter = get_column_letter(column)
        dv.add(f"{letter}{first_row}:{letter}{last_row}")
    ws.add_data_validation(dv)


def protect_sheet(ws, *, unlocked: list[tuple[int, int]] = ()) -> None:
    """Protect a sheet (no password: it prevents slips, not attacks) but leave the given
    (row, column) input cells editable; widths and filters stay free."""
    for row, column in unlocked:
        ws.cell(row=row, column=column).protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False


_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_vi_date(raw) -> datetime.date | None:
    """A date from a cell: an Excel date, an Excel serial number, or text dd/mm/yyyy (also
    with "." or "-") or yyyy-mm-dd."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        value = from_excel(raw)
        return value.date() if isinstance(value, datetime.datetime) else value
    text = str(raw).strip()
    match = _DATE_TEXT.match(text)
    iso = None if match else _ISO_DATE_TEXT.match(text)
    if match or iso:
        if match:
            day, month, year = (int(g) for g in match.groups())
        else:
            year, month, day = (int(g) for g in iso.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    raise CellValueError(
        _("“%(raw)s” không phải là ngày (dd/mm/yyyy hoặc yyyy-mm-dd).") % {"raw": raw}
    )


def cell_text(raw) -> str:
    """A cell as trimmed text; whole numbers typed into a text column lose their ".0"."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return " ".join(str(raw).split())
