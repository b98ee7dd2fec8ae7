# ruff: noqa: F811  (the fixtures imported below are used as test arguments)
"""Named bad inputs for every registered importer, from a valid workbook built from its template
(the fixtures of tests/test_bad_input_imports.py): each data cell of the first data row of each
sheet blanked, given a value of the wrong type, an unknown code, an over-long text or a date in
a wrong format; a sheet deleted, a sheet added; a zip that is not a workbook, a zip of a version
or a compression Python cannot read.

Each must give a report (never an exception, never a 500), write nothing, and every error must
be a message for the user: Vietnamese, no traceback, naming the sheet, row and column when it is
about a cell, and never echoing a long value whole (at most ~60 characters of it).
"""

import datetime
import io
import re
import struct
import zipfile

import pytest

from tests.test_bad_input_imports import (  # noqa: F401  (fixtures)
    IMPORTS,
    _text_fits_its_column,
    apply,
    assessments,
    check_import,
    isolated,
    ocop,
    ocop_sheet,
    plan_new,
    plans,
    recognitions,
    resources,
    units_history,
    villages,
    write_book,
)

LONG = "Ư" * 300 + "đuôi-không-được-hiện"  # 320 characters: longer than any text column
HUGE = "Ê" * 4_500 + "đuôi-không-được-hiện"  # past the runner's 4,000 characters per cell
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
# Sheets that only explain or list choices: the import reads none of their cells.
NOT_READ = {"DanhMuc", "PhuongAn"}
# Sheets of label / value pairs: a label changed is a missing field, named by sheet and label.
LABELLED = {"HuongDan", "KeHoach", "ThongTin"}


def _data_cells(book) -> list[tuple[int, str, int, int, object]]:
    """(sheet index, sheet name, row index, column index, value) of the first data row of each
    sheet the import reads: the first row holding a value under the header (the first row of
    two cells or more; title lines above it hold one), hint rows ("… →") skipped."""
    out = []
    for s, (name, rows) in enumerate(book):
        if name in NOT_READ:
            continue
        filled = [sum(v not in (None, "") for v in row) for row in rows]
        header = next((i for i, n in enumerate(filled) if n >= 2), 0)
        first = 0 if name in LABELLED else header + 1
        for r in range(first, len(rows)):
            row = rows[r]
            if filled[r] and not str(row[0] or "").endswith("→"):
                out += [(s, name, r, c, v) for c, v in enumerate(row) if v not in (None, "")]
                break
    return out


def _wrong_type(value):
    if isinstance(value, int | float | datetime.date):
        return "không phải số"
    return 123456789.5


def _cell_mutations(book) -> dict[str, list]:
    out = {}
    for s, name, r, c, value in _data_cells(book):
        where = f"{name}!{chr(65 + c)}{r + 1}"
        out[f"{where} blank"] = [("set", s, r, c, None)]
        out[f"{where} wrong type"] = [("set", s, r, c, _wrong_type(value))]
        out[f"{where} over-long"] = [("set", s, r, c, LONG)]
        if isinstance(value, str) and value[:1].isdigit() and len(value) <= 5:
            out[f"{where} unknown code"] = [("set", s, r, c, "9" * len(value))]
        if isinstance(value, datetime.date) or (isinstance(value, str) and value.count("/") == 2):
            out[f"{where} date 2023/13/45"] = [("set", s, r, c, "2023/13/45")]
            out[f"{where} date 31-02-2023"] = [("set", s, r, c, "31.02.2023")]
    return out


def _sheet_mutations(book) -> dict[str, list]:
    out = {"extra sheet": [("add_sheet", "Thừa", [["x", 1]])]}
    for s, (name, _rows) in enumerate(book):
        if name not in NOT_READ:
            out[f"{name} deleted"] = [("drop_sheet", s)]
    return out


def _check_messages(report, *, cell=None) -> None:
    """Vietnamese, no traceback, no long value echoed; with `cell`, every error names a cell
    (sheet, row, column) and one of them the mutated row."""
    assert not report.ok
    for error in report.errors:
        text = str(error)
        assert VIETNAMESE.search(error.message), text
        assert "Traceback" not in text and "Error" not in error.message, text
        assert "Ư" * 61 not in text and "Ê" * 61 not in text, text[:200]
    if cell is not None:
        unnamed = [str(e) for e in report.errors if not e.row or e.column in ("", "-")]
        assert unnamed == [], unnamed
        sheet, row, original = cell
        # The mutated row is named, or a row elsewhere that referred to its former value (a
        # code in KetThuc changed: the link of LienKet to that code is what is wrong now).
        assert any(
            (e.sheet, e.row) == (sheet, row) or (original and original in e.message)
            for e in report.errors
        ), (cell, [str(e) for e in report.errors])


@pytest.fixture
def assessments_typed(assessments):
    """The assessments template with the first commune's results and indicator values typed
    (the template itself leaves them blank: mutating blanks would test nothing)."""
    for name, rows in assessments.book:
        if name == "KetQua":
            rows[2][3:6] = ["Đạt", "Đạt", "Chưa đạt"]
        elif name == "ChiTieu":
            rows[2][3:6] = ["Có", 90, None]
    assessments.template = write_book(assessments.book)
    return assessments


NAMED = ["assessments_typed" if n == "assessments" else n for n in IMPORTS]


@pytest.fixture(params=NAMED)
def importer(request, db):
    return request.getfixturevalue(request.param)


def _value_of(book, s: int, r: int, c: int):
    return book[s][1][r][c]


def _refused_clearly(importer, ops, cell) -> None:
    report = check_import(importer.run, write_book(apply(importer.book, ops)))
    if report.ok:
        return  # a value the import takes (a blank optional cell, a number as text)
    _check_messages(report, cell=cell)


def test_every_cell_mutation_is_refused_clearly(importer):
    """Each mutation on its own, rolled back after (an import that succeeds writes)."""
    failures = {}
    for label, ops in _cell_mutations(importer.book).items():
        _op, s, r, c, _value = ops[0]
        name = importer.book[s][0]
        original = str(_value_of(importer.book, s, r, c) or "")
        cell = None if name in LABELLED and c == 0 else (name, r + 1, original)
        try:
            isolated(lambda ops=ops, cell=cell: _refused_clearly(importer, ops, cell))
        except AssertionError as exc:
            failures[label] = str(exc)[:300]
    assert failures == {}


def _sheet_case(importer, label, ops) -> None:
    report = check_import(importer.run, write_book(apply(importer.book, ops)))
    if label == "extra sheet":
        assert report.ok, [str(e) for e in report.errors]  # an extra sheet is ignored
    elif label == "every sheet deleted" or not report.ok:
        _check_messages(report)  # a sheet the import needs: refused, naming it


def test_every_sheet_mutation_is_refused_clearly(importer):
    """A sheet deleted is refused when the import needs it (some are optional: a plan's
    roadmap, an assessment's indicator values); every sheet the import reads deleted is
    always refused; an extra sheet is ignored."""
    failures = {}
    cases = _sheet_mutations(importer.book)
    read = [s for s, (name, _rows) in enumerate(importer.book) if name not in NOT_READ]
    cases["every sheet deleted"] = [("drop_sheet", s) for s in reversed(read)]
    for label, ops in cases.items():
        try:
            isolated(lambda label=label, ops=ops: _sheet_case(importer, label, ops))
        except AssertionError as exc:
            failures[label] = str(exc)[:300]
    assert failures == {}


def test_a_cell_past_the_runner_limit_names_its_cell(importer):
    (s, name, r, c, _v), *_rest = _data_cells(importer.book)
    report = check_import(importer.run, write_book(apply(importer.book, [("set", s, r, c, HUGE)])))
    _check_messages(report, cell=(name, r + 1, ""))
    assert report.errors[0].column == chr(65 + c)


def _patched(data: bytes, *, central: int, local: int | None, value: int) -> bytes:
    """Every entry of the zip given `value` at an offset of its headers (version, method)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", central), (b"PK\x03\x04", local)):
        if offset is None:
            continue
        at = out.find(signature)
        while at >= 0:
            out[at + offset : at + offset + 2] = struct.pack("<H", value)
            at = out.find(signature, at + 4)
    return bytes(out)


def _other_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("bao-cao.docx", "không phải bảng tính")
    return out.getvalue()


def test_zips_that_are_not_workbooks(importer):
    files = {
        "zip that is not xlsx": _other_zip(),
        "zip version 9.9": _patched(importer.template, central=6, local=None, value=99),
        "unknown compression": _patched(importer.template, central=10, local=8, value=97),
    }
    for label, data in files.items():
        report = check_import(importer.run, data)
        _check_messages(report)
        assert report.errors[0].sheet == "-", (label, str(report.errors[0]))
        assert "Excel" in report.errors[0].message, label


def test_the_named_cases_reach_the_data(assessments_typed, ocop_sheet, db):
    """A guard against a silent no-op: the typed template imports, and the cells mutated are
    data cells (the results typed, the score sheet's items), not titles or hints."""
    report = check_import(assessments_typed.run, assessments_typed.template, dry_run=True)
    assert report.ok and report.created == 1, [str(e) for e in report.errors]
    cells = {(name, r, v) for _s, name, r, _c, v in _data_cells(assessments_typed.book)}
    assert {("KetQua", 2, "Đạt"), ("ChiTieu", 2, 90)} <= cells
    sheet_rows = {name: r for _s, name, r, _c, _v in _data_cells(ocop_sheet.book)}
    assert ocop_sheet.book[0][1][sheet_rows["PhieuCham"] - 1][0] == "Mục"


# -- regressions found by these cases ------------------------------------------------------------


def test_a_failed_history_import_reports_nothing_created(units_history):
    """Was: the change was created, then a link failed and all was rolled back, but the report
    still said 1 change and 1 unit created."""
    links = next(s for s, (name, _rows) in enumerate(units_history.book) if name == "LienKet")
    book = apply(units_history.book, [("set", links, 1, 2, "99999")])
    report = check_import(units_history.run, write_book(book))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("LienKet", 2, "C")]
    assert (report.created, report.updated) == (0, 0)
    assert (report.result.changes_created, report.result.units_created) == (0, 0)


def test_a_blank_change_code_says_what_is_missing(units_history):
    """Was: “Mã thay đổi “” không có ở trang ThayDoi.”"""
    ended = next(s for s, (name, _rows) in enumerate(units_history.book) if name == "KetThuc")
    report = check_import(
        units_history.run, write_book(apply(units_history.book, [("set", ended, 1, 0, None)]))
    )
    (error,) = [e for e in report.errors if e.sheet == "KetThuc"]
    assert (error.row, error.column) == (2, "A")
    assert error.message.startswith("Thiếu mã thay đổi") and "“”" not in error.message


def test_history_text_longer_than_its_column_is_refused_naming_it(units_history):
    changes = next(s for s, (name, _rows) in enumerate(units_history.book) if name == "ThayDoi")
    book = apply(units_history.book, [("set", changes, 1, 1, "N" * 201)])  # Căn cứ pháp lý
    report = check_import(units_history.run, write_book(book))
    assert [(e.sheet, e.row, e.column) for e in report.errors][0] == ("ThayDoi", 2, "B")
    assert "“Căn cứ pháp lý” dài 201 ký tự, tối đa 200" in report.errors[0].message


def test_a_long_value_is_cut_in_messages():
    from ntm.excel import CellError

    error = CellError("A", 2, "B", "Không có mã “" + "x" * 500 + "”; " + "y" * 100)
    assert error.message == "Không có mã “" + "x" * 60 + "…”; " + "y" * 60 + "…"
