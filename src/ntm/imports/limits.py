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

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ntm.excel import CellError, ReadWorkbook, WorkbookError
from ntm.imports.limit_values import DEFAULT, OTHER_PART_BYTES, Limits  # noqa: F401

CHUNK = 64 * 1024


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


_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS = re.compile(r"^xl/sharedStrings\.xml$", re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(worksheet|sst)[\s>]")
_CARRY = 32  # longer than any tag looked for, so that a tag cut between chunks is seen whole


class _Part:
    """One XML part read chunk by chunk: counts of tags, and the longest stretch without a
    "start" tag (a cell, a row, a shared string) measured coarsely, all with bytes and regex
    methods that run in C: a few calls per 64 KB chunk, never one per cell."""

    def __init__(self, stream, limits: Limits, too_long: str, names: tuple[bytes, ...]):
        self.stream, self.limits, self.too_long, self.names = stream, limits, too_long, names
        self.gap = limits.cell_bytes
        self.offset = 0  # absolute offset of the buffer
        self.carry = b""
        self.prefix = b""
        self.starts = None

    def chunks(self):
        while chunk := self.stream.read(CHUNK):
            buffer = self.carry + chunk
            if self.starts is None:
                root = _ROOT.search(buffer)
                self.prefix = (root.group(1) or b"") if root else b""
                names = b"|".join(self.names)
                self.starts = re.compile(
                    b"<" + re.escape(self.prefix) + b"(?:" + names + rb")[\s>/]"
                )
            yield buffer
            self.offset += len(buffer) - min(len(buffer), _CARRY)
            self.carry = buffer[-_CARRY:]

    def counted(self, buffer: bytes, name: bytes) -> int:
        """Tags "<name…" whole in this buffer that were not whole in the previous one (a few
        other tags of the part share the first letters: they count too, harmlessly)."""
        tag = b"<" + self.prefix + name
        return buffer.count(tag) - self.carry.count(tag)

    def first(self, buffer: bytes, start: int = 0, end: int | None = None) -> int:
        found = self.starts.search(buffer, start, len(buffer) if end is None else end)
        return found.start() if found else -1

    def last(self, buffer: bytes, end: int) -> int:
        return max(buffer.rfind(b"<" + self.prefix + name, 0, end) for name in self.names)

    def check_gaps(self, buffer: bytes, last: int, end: int | None = None) -> int:
        """Refuse a stretch of more than 2 × gap bytes without a start (one cell's text is too
        long). `last` is the absolute offset of the last start seen; returns the new one."""
        end = len(buffer) if end is None else end
        first = self.first(buffer, 0, end)
        if first < 0:
            if self.offset + end - last > 2 * self.gap:
                raise WorkbookError(self.too_long)
            return last
        if self.offset + first - last > 2 * self.gap:
            raise WorkbookError(self.too_long)
        position = first
        while position + self.gap < end:  # a window of `gap` bytes with no start in it
            nxt = self.first(buffer, position + 1, end)
            if nxt < 0 or nxt - position > 2 * self.gap:
                raise WorkbookError(self.too_long)
            position = max(nxt, position + self.gap)
        return self.offset + self.last(buffer, end)


def _scan_sheet(stream, name: str, limits: Limits, cells: int) -> int:
    too_long = _text_message(_("Trang “%(sheet)s”") % {"sheet": name}, limits)
    part = _Part(stream, limits, too_long, (b"row", b"c"))
    rows, last, in_data = 0, None, False
    for buffer in part.chunks():
        rows += part.counted(buffer, b"row")
        if rows > limits.rows:
            raise WorkbookError(_rows_message(name, limits))
        cells += part.counted(buffer, b"c")
        if cells > limits.cells:
            raise WorkbookError(_cells_message(limits))
        if not in_data:
            begin = buffer.find(b"<" + part.prefix + b"sheetData")
            if begin < 0:
                continue
            in_data, last = True, part.offset + begin
        stop = buffer.find(b"</" + part.prefix + b"sheetData")
        last = part.check_gaps(buffer, last, None if stop < 0 else stop)
        if stop >= 0:
            break
    return cells


def _scan_strings(stream, limits: Limits) -> None:
    part = _Part(stream, limits, _text_message(_("Tệp"), limits), (b"si",))
    strings, last = 0, None
    for buffer in part.chunks():
        strings += part.counted(buffer, b"si")
        if strings > limits.cells:
            raise WorkbookError(_cells_message(limits))
        if last is None:
            begin = part.first(buffer)
            if begin < 0:
                continue
            last = part.offset + begin
        last = part.check_gaps(buffer, last)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (xl/worksheets/sheet1.xml) -> the sheet's title, for messages; best effort."""
    try:
        book = archive.read("xl/workbook.xml") if _small(archive, "xl/workbook.xml") else b""
        rels = (
            archive.read("xl/_rels/workbook.xml.rels")
            if _small(archive, "xl/_rels/workbook.xml.rels")
            else b""
        )
    except Exception:  # a broken or unreadable part: names are for messages only
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
    except Exception:  # not a zip, a broken one, a zip version or method Python cannot read
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
                elif info.file_size > OTHER_PART_BYTES:
                    raise WorkbookError(
                        _(
                            "Tệp chứa phần “%(part)s” quá lớn (%(size)s MB khi giải nén); hãy lưu lại tệp chỉ với dữ liệu cần nhập."
                        )
                        % {"part": info.filename, "size": round(info.file_size / 1_048_576)}
                    )
        except WorkbookError:
            raise
        except Exception:  # a broken part: the loader reports it with its own message
            return


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
