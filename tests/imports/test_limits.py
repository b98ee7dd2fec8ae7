"""The runner's limits: refused early, streaming, with a message naming the sheet."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from ntm.accounts.scope import system_scope
from ntm.excel import open_workbook
from ntm.imports import limits as limits_module
from ntm.imports.limits import Limits, check_cells, scan_workbook
from ntm.imports.runner import run_import

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
BOOK = (
    f'<?xml version="1.0"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="KetQua" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
BOOK_RELS = (
    '<?xml version="1.0"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def raw_workbook(
    sheet_data: bytes, strings: list[bytes] = (), *, prefix: str = "", shared: bytes = b""
) -> bytes:
    p = prefix.encode()
    root_ns = (f"xmlns:{prefix[:-1]}=" if prefix else "xmlns=").encode()
    ns = root_ns + b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (
        b'<?xml version="1.0"?><'
        + p
        + b"worksheet "
        + ns
        + b"><"
        + p
        + b"sheetData>"
        + sheet_data
        + b"</"
        + p
        + b"sheetData></"
        + p
        + b"worksheet>"
    )
    shared = (
        shared
        or b"<sst "
        + NS.encode()
        + b">"
        + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
        + b"</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def rows_xml(rows: int, columns: int, p: bytes = b"") -> bytes:
    return b"".join(
        b"<"
        + p
        + b'row r="'
        + str(r).encode()
        + b'">'
        + b"".join(
            b"<" + p + b"c><" + p + b"v>1</" + p + b"v></" + p + b"c>" for _ in range(columns)
        )
        + b"</"
        + p
        + b"row>"
        for r in range(1, rows + 1)
    )


@pytest.fixture
def bytes_read(monkeypatch):
    """How many uncompressed bytes the scan reads from the zip's parts."""
    seen = {"n": 0}
    original = zipfile.ZipExtFile.read

    def read(self, n=-1):
        data = original(self, n)
        seen["n"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return seen


def test_one_huge_shared_string_is_refused_without_reading_it_whole(bytes_read):
    data = raw_workbook(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', [b"a" * 30_000_000])
    assert len(data) < 100_000  # it compresses to nothing
    with pytest.raises(limits_module.WorkbookError, match="dài hơn 4.000 ký tự"):
        scan_workbook(data, Limits())
    assert bytes_read["n"] < 1_000_000


def test_one_huge_inline_cell_is_refused_naming_its_sheet(bytes_read):
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * 5_000_000 + b"</t></is></c></row>"
    with pytest.raises(limits_module.WorkbookError, match="Trang “KetQua” có ô chứa văn bản"):
        scan_workbook(raw_workbook(cell), Limits(cell_text=1000))
    assert bytes_read["n"] < 500_000


def test_a_long_text_split_into_rich_text_runs_is_refused_too():
    runs = b"".join(b"<r><t>" + b"y" * 500 + b"</t></r>" for _ in range(2000))
    shared = b"<sst " + NS.encode() + b"><si>" + runs + b"</si></sst>"
    data = raw_workbook(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=shared)
    with pytest.raises(limits_module.WorkbookError, match="dài hơn 1.000 ký tự"):
        scan_workbook(data, Limits(cell_text=1000))


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_rows_over_the_importers_limit_stop_the_scan(prefix, bytes_read):
    data = raw_workbook(rows_xml(20_000, 10, prefix.encode()), prefix=prefix)
    with pytest.raises(limits_module.WorkbookError) as caught:
        scan_workbook(data, Limits(rows=1_000))
    assert str(caught.value).startswith("Trang “KetQua” có hơn 1.000 dòng")
    total = len(rows_xml(20_000, 10, prefix.encode()))
    assert bytes_read["n"] < total / 5  # stopped near row 1,000 of 20,000


def test_cells_over_the_limit_are_refused():
    data = raw_workbook(rows_xml(100, 60))
    with pytest.raises(limits_module.WorkbookError, match="hơn 5.000 ô"):
        scan_workbook(data, Limits(rows=1_000, cells=5_000))
    scan_workbook(data, Limits(rows=1_000, cells=6_000))  # 6,000 cells: accepted


def test_a_normal_workbook_passes_and_long_cells_are_named_exactly():
    wb = Workbook()
    ws = wb.active
    ws.title = "CongNhan"
    ws.append(["Mã xã", "Lý do"])
    ws.append(["01849", "Đạt " * 100])
    ws.append(["01850", "ệ" * 1_001])
    ws.append(["01851", None])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    limits = Limits(cell_text=1_000)
    scan_workbook(data, limits)  # 1,001 characters: not for the coarse byte scan to refuse
    errors = check_cells(open_workbook(data), limits)
    assert [(e.sheet, e.row, e.column) for e in errors] == [("CongNhan", 3, "B")]
    assert str(errors[0]) == (
        "Trang CongNhan, dòng 3, cột B: Ô dài 1.001 ký tự, tối đa 1.000 ký tự; hãy rút gọn nội dung."
    )


def test_the_runner_refuses_before_the_importer_runs(db, django_assert_num_queries):
    data = raw_workbook(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', [b"z" * 300_000])
    with django_assert_num_queries(0):  # the importer (and its transaction) never started
        report = run_import("recognitions", data=data, scope=system_scope(), user=None)
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "Tệp có ô chứa văn bản dài hơn 4.000 ký tự; hãy rút gọn nội dung ô (mỗi ô tối đa 4.000 ký tự)."
    ]
