"""Limits of an upload, checked before the workbook is loaded, stopping at the first one passed.

An .xlsx is a zip of XML parts. A 207 KB file can hold one 190 MB cell (it compresses to
nothing), and a 9.5 MB file can hold 99,000 rows of 49 cells: loading either whole ties a worker
for seconds and hundreds of MB. So the parts that hold cells (the worksheets and the shared
strings) are read here as a stream of compressed chunks and scanned as bytes (C speed, no
parse): rows and cells are counted, and the bytes of each cell (in a worksheet) or string (in
the shared strings) are measured; the scan stops at the first limit passed, long before the end
of a large part. What passes is then loaded by `ntm.excel.open_workbook` and every text cell is
measured exactly (`check_cells`).
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ntm.excel import CellError, ReadWorkbook, WorkbookError

CHUNK = 64 * 1024
# A UTF-8 character takes at most 4 bytes, an XML entity (&amp;) 5; a rich-text string adds its
# formatting runs. A cell's XML longer than this cannot be within the text limit.
_BYTES_PER_CHAR = 6
_MARKUP_ALLOWANCE = 16 * 1024


@dataclass(frozen=True)
class Limits:
    """What one importer accepts: rows per sheet, cells per workbook, characters per cell."""

    rows: int = 20_000
    cells: int = 1_000_000
    cell_text: int = 4_000

    @property
    def cell_bytes(self) -> int:
        return self.cell_text * _BYTES_PER_CHAR + _MARKUP_ALLOWANCE


DEFAULT = Limits()


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # vi-VN: 100.000


def _rows_message(sheet: str, limits: Limits) -> str:
    return _(
        "Trang “%(sheet)s” có hơn %(max)s dòng, quá giới hạn của loại tệp này; hãy xóa các dòng thừa hoặc chia thành nhiều tệp."
    ) % {"sheet": sheet, "max": _thousands(limits.rows)}


def _cells_message(limits: Limits) -> str:
    return _(
        "Tệp có hơn %(max)s ô có dữ liệu, quá giới hạn của loại tệp này; hãy chia thành nhiều tệp nhỏ hơn."
    ) % {"max": _thousands(limits.cells)}


def _text_message(where: str, limits: Limits) -> str:
    return _(
        "%(where)s có ô chứa văn bản dài hơn %(max)s ký tự; hãy rút gọn nội dung ô (mỗi ô tối đa %(max)s ký tự)."
    ) % {"where": where, "max": _thousands(limits.cell_text)}


# A tag that starts a row, a cell or the sheet's data (any namespace prefix), or ends the data.
_SHEET_TAGS = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|sheetData)(?=[\s>/])")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s>/])")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS = re.compile(r"^xl/sharedStrings\.xml$", re.IGNORECASE)


class _Scanner:
    """Feeds one part's bytes chunk by chunk; keeps a partial tag across chunk boundaries."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.offset = 0  # bytes of the part before `self.carry`
        self.carry = b""

    def matches(self, chunk: bytes):
        """(absolute offset, match) of each whole tag in carry + chunk."""
        buffer = self.carry + chunk
        base = self.offset
        last_end = 0
        for match in self.pattern.finditer(buffer):
            last_end = match.end()
            yield base + match.start(), match
        # A "<" near the end not yet matched may be a tag cut by the chunk boundary.
        cut = buffer.rfind(b"<", max(last_end, len(buffer) - 32))
        keep = len(buffer) - cut if cut >= 0 else 0
        self.carry = buffer[len(buffer) - keep :] if keep else b""
        self.offset = base + len(buffer) - keep

    @property
    def position(self) -> int:
        return self.offset + len(self.carry)


def _scan_sheet(stream, name: str, limits: Limits, cells: int) -> int:
    scanner = _Scanner(_SHEET_TAGS)
    rows, in_data, last_start = 0, False, None
    while chunk := stream.read(CHUNK):
        for position, match in scanner.matches(chunk):
            closing, tag = match.group(1), match.group(2)
            if tag == b"sheetData":
                if closing and last_start is not None and position - last_start > limits.cell_bytes:
                    raise WorkbookError(
                        _text_message(_("Trang “%(sheet)s”") % {"sheet": name}, limits)
                    )
                in_data, last_start = not closing, None
                continue
            if closing or not in_data:
                continue
            if last_start is not None and position - last_start > limits.cell_bytes:
                raise WorkbookError(_text_message(_("Trang “%(sheet)s”") % {"sheet": name}, limits))
            last_start = position
            if tag == b"row":
                rows += 1
                if rows > limits.rows:
                    raise WorkbookError(_rows_message(name, limits))
            else:
                cells += 1
                if cells > limits.cells:
                    raise WorkbookError(_cells_message(limits))
        if in_data and last_start is not None and scanner.position - last_start > limits.cell_bytes:
            raise WorkbookError(_text_message(_("Trang “%(sheet)s”") % {"sheet": name}, limits))
    return cells


def _scan_strings(stream, limits: Limits) -> None:
    scanner = _Scanner(_STRING_TAG)
    last_start = None
    strings = 0
    while chunk := stream.read(CHUNK):
        for position, _match in scanner.matches(chunk):
            if last_start is not None and position - last_start > limits.cell_bytes:
                raise WorkbookError(_text_message(_("Tệp"), limits))
            last_start = position
            strings += 1
            if strings > limits.cells:
                raise WorkbookError(_cells_message(limits))
        if last_start is not None and scanner.position - last_start > limits.cell_bytes:
            raise WorkbookError(_text_message(_("Tệp"), limits))


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (xl/worksheets/sheet1.xml) -> the sheet's title, for messages; best effort."""
    try:
        book = archive.read("xl/workbook.xml") if _small(archive, "xl/workbook.xml") else b""
        rels = (
            archive.read("xl/_rels/workbook.xml.rels")
            if _small(archive, "xl/_rels/workbook.xml.rels")
            else b""
        )
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return {}
    targets = {
        rid.decode(): target.decode()
        for rid, target in re.findall(rb'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {
            rid.decode(): target.decode()
            for target, rid in re.findall(rb'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    names = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\s[^>]*>", book):
        name = re.search(rb'\bname="([^"]*)"', tag)
        rid = re.search(rb'\br:id="([^"]*)"|\bid="([^"]*)"', tag)
        if not name or not rid:
            continue
        target = targets.get((rid.group(1) or rid.group(2)).decode(), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        names[part.lower()] = name.group(1).decode("utf-8", "replace")
    return names


def _small(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        return archive.getinfo(name).file_size < 5 * 1024 * 1024
    except KeyError:
        return False


def scan_workbook(data: bytes, limits: Limits = DEFAULT) -> None:
    """Raise WorkbookError (a message for the user) at the first limit the workbook passes,
    reading its cell parts as streams. A file that is not a zip passes here: the loader that
    follows says what is wrong with it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    with archive:
        names = _sheet_names(archive)
        cells = 0
        try:
            for info in archive.infolist():
                if _SHARED_STRINGS.match(info.filename):
                    with archive.open(info) as stream:
                        _scan_strings(stream, limits)
                elif _SHEET_PART.match(info.filename):
                    title = names.get(info.filename.lower(), info.filename.rsplit("/", 1)[-1])
                    with archive.open(info) as stream:
                        cells = _scan_sheet(stream, title, limits, cells)
        except WorkbookError:
            raise
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            RuntimeError,
            ValueError,
            NotImplementedError,
        ):
            return  # a broken part: the loader reports it with its own message


def check_cells(wb: ReadWorkbook, limits: Limits = DEFAULT, *, most: int = 20) -> list[CellError]:
    """Every text cell longer than the limit, exactly (after `scan_workbook` bounded the work),
    as errors naming sheet, row and column; at most `most` of them."""
    errors = []
    for ws in wb.worksheets:
        for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
            for idx, value in enumerate(row):
                if isinstance(value, str) and len(value) > limits.cell_text:
                    errors.append(
                        CellError(
                            ws.title,
                            row_no,
                            get_column_letter(idx + 1),
                            _("Ô dài %(n)s ký tự, tối đa %(max)s ký tự; hãy rút gọn nội dung.")
                            % {"n": _thousands(len(value)), "max": _thousands(limits.cell_text)},
                        )
                    )
                    if len(errors) >= most:
                        return errors
    return errors
