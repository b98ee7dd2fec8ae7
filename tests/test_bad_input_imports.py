"""Bad input to every Excel import: malformed workbooks and bytes never cause a server error
or a partial write.

Each registered import (ntm.imports.catalogue: assessments, recognitions, villages, plans, OCOP,
an OCOP council member's score sheet, resources, units history) is fed
(a) its own template, mutated by hypothesis: cells replaced by values of the wrong type,
    formulas, unicode edge cases, very long text; header columns deleted, shuffled,
    duplicated or unknown; sheets renamed, dropped, reordered or added; rows deleted or
    duplicated;
(b) bytes that are not a workbook, or a workbook that breaks while it is read: empty, random,
    truncated, a zip that is no workbook, a .xls or .csv renamed, a worksheet that is not XML,
    numbers that are not numbers, a compressed "bomb", a cell in the last column and row.

It must return an `ImportReport` (never raise), and when the report has errors (or on a dry
run) the number of rows of every table of the project must be unchanged. One upload per
import goes through its web page (no 500, the error list shown, nothing written);
the commands are tried on recognitions. The imports come from the registry.

Examples are derandomised (the same ones on every run, so CI does not flake); set
NTM_FUZZ_EXPLORE=1 to draw new ones while hunting for bugs.
"""

import datetime
import io
import os
import random
import re
import unicodedata
import zipfile
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models.signals import pre_save
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from ntm import excel
from ntm.accounts.scope import scope_for
from ntm.assessments.excel import assessments_template
from ntm.assessments.recognition_import import recognitions_template
from ntm.criteria import levels as recognition_levels
from ntm.excel import ImportReport
from ntm.imports.registry import importers as registered_importers
from ntm.imports.runner import run_import
from ntm.limits import instance_too_long
from ntm.ocop import services as ocop_services
from ntm.ocop.excel import ocop_template
from ntm.ocop.models import CycleStage, SubjectKind
from ntm.plans import services as plan_services
from ntm.plans.excel import plans_template
from ntm.plans.models import Metric, PlanStatus, TaskStatus
from ntm.resources.excel import resources_template
from ntm.resources.models import ActivityKind, ModelKind, ModelStatus
from ntm.units.services import villages_template

EXPLORE = os.environ.get("NTM_FUZZ_EXPLORE") == "1"
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
PROJECT_APPS = {
    "units",
    "accounts",
    "criteria",
    "assessments",
    "reports",
    "plans",
    "ocop",
    "web",
    "resources",
    "authtoken",
}
YEAR = 2023


# -- what every import must do ---------------------------------------------------------------


def _counts() -> dict[str, int]:
    """Rows of every table of the project (history tables included), in one query."""
    models = sorted(
        (m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS and m._meta.managed),
        key=lambda m: m._meta.db_table,
    )
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, row, strict=True)}


def _changed(before: dict, after: dict) -> dict:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


def check_import(run, data: bytes, *, dry_run: bool = False) -> ImportReport:
    """Run an import on `data`: it returns a report (any exception fails the test), and a
    report with errors, or a dry run, leaves every table as it was."""
    before = _counts()
    report = run(data, dry_run=dry_run)
    assert isinstance(report, ImportReport), report
    after = _counts()
    if report.errors or dry_run:
        assert _changed(before, after) == {}, [str(e) for e in report.errors]
    for error in report.errors:
        text = str(error)
        assert error.message.strip(), text
        assert "Traceback" not in text and "object at 0x" not in text, text
    if report.errors:
        assert report.created == report.updated == 0, (report.created, report.updated)
    return report


@pytest.fixture(autouse=True)
def _text_fits_its_column():
    """PostgreSQL refuses text longer than its column (a server error); SQLite stores it whole.
    Refusing it at save time here makes the SQLite run find what the PostgreSQL run would."""

    def check(sender, instance, **kwargs):
        refusal = instance_too_long(instance)
        if refusal is not None:
            raise AssertionError(f"{sender.__name__}.{refusal[0]} saved longer than its column")

    pre_save.connect(check, weak=False, dispatch_uid="bad-input-text-fits")
    yield
    pre_save.disconnect(dispatch_uid="bad-input-text-fits")


# -- values ----------------------------------------------------------------------------------

# openpyxl refuses these control characters (XML 1.0 forbids them); the others are fair game.
_ILLEGAL = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)]} | {"\ufffe", "\uffff"}


def _legal(text: str) -> str:
    return "".join(c for c in text if c not in _ILLEGAL)


FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/x","Đạt")',
    "@SUM(A1:A3)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "=A1",
    '="Đạt"',
    "=1/0",
    "'=1+1",
    "=" + "1+" * 200 + "1",
]
ODD_TEXT = [
    "",
    " ",
    "\t\n",
    "\u00a0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1",
    "0",
    "-0",
    "1,5",
    "1.234,5",
    "1.234.567",
    "12,3,4",
    "١٢٣",
    "²",
    "٣٠/٠٦/٢٠٢٣",
    "0x10",
    "31/02/2023",
    "00/00/0000",
    "29/02/2024",
    "1/1/1",
    "12/31/2023",
    "2023-06-30",
    " 2023 ",
    "2023.0",
    "99999999999999999999",
    "TC1",
    "TC 01",
    "tc999",
    "Đạt",
    "Chưa đạt",
    "dat",
    "Có",
    "không",
    "Công nhận",
    "Thu hồi",
    "Phiên bản",
    "Mã xã",
    "Lý do TC1",
    unicodedata.normalize("NFD", "Xã Quân Hà"),
    unicodedata.normalize("NFD", "Đạt"),
    "\u200fمرحبا\u200f",
    "\u202eĐạt",
    "\u200bĐạt\u200b",
    "a" + "\u0301" * 300,
    "😀👍🏽🇻🇳",
    "\U0010fffd",
    "\ue000",
    "\ufdd0",
    "\x7f\x85\x9f",
    "Chưa\u2028đạt",
    "ＤＡＴ",
    "İı",
    "ß",
    "<script>alert(1)</script>",
    "%(name)s %s {0}",
    "Robert'); DROP TABLE units;--",
    "\\",
]

unicode_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
).map(_legal)
long_text = st.builds(
    lambda c, n: c * n,
    st.sampled_from(["a", "Đ", "😀", "x\u0301", "1", " "]),
    st.integers(201, 32767),
)
garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**12, 2100, 1999, 32768, 65536]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.5, -0.0, 1e-300, 1e300, 2023.5, 72.5]),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, max_value=10**20, min_value=-(10**20)
    ),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=999)),
    st.sampled_from(FORMULAS),
    st.sampled_from(ODD_TEXT),
    unicode_text,
    long_text,
)
SHEET_NAME_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="[]:*?/\\'"
)


def sheet_names(expected: list[str]):
    odd = st.text(alphabet=SHEET_NAME_CHARS, min_size=1, max_size=31).filter(
        lambda s: s.strip() and s.lower() != "history"
    )
    variants = [
        v for name in expected for v in (name.lower(), name.upper(), name + " ", name + "1")
    ]
    return st.one_of(
        st.sampled_from(expected), st.sampled_from(variants + ["Sheet", "Kết quả"]), odd
    )


# -- workbooks as plain data, mutated ----------------------------------------------------------

Book = list  # [[sheet name, [[cell, ...], ...]], ...]


def read_book(data: bytes, *, max_rows: int = 12) -> Book:
    """A template as plain values (first `max_rows` rows of each sheet)."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    book = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            if len(rows) >= max_rows:
                break
            rows.append(list(row))
        book.append([ws.title, rows])
    wb.close()
    return book


def write_book(book: Book) -> bytes:
    wb = Workbook(write_only=True)
    for name, rows in book:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if not book:
        wb.create_sheet("Sheet")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(book: Book, index: int):
    return book[index % len(book)] if book else None


def _pad(rows: list, r: int, c: int) -> None:
    while len(rows) <= r:
        rows.append([])
    while len(rows[r]) <= c:
        rows[r].append(None)


def apply(book: Book, ops) -> Book:
    """Apply mutations to a deep copy of `book`."""
    book = [[name, [list(r) for r in rows]] for name, rows in book]
    for op, *args in ops:
        if op == "add_sheet":
            name, rows = args
            if name.lower() not in {n.lower() for n, _rows in book}:
                book.append([name, [list(r) for r in rows]])
            continue
        sheet = _sheet(book, args[0])
        if sheet is None:
            continue
        rows = sheet[1]
        if op == "set":
            _r, r, c, value = args
            _pad(rows, r, c)
            rows[r][c] = value
        elif op == "del_col":
            for row in rows:
                if args[1] < len(row):
                    del row[args[1]]
        elif op == "ins_col":
            _s, c, header = args
            for i, row in enumerate(rows):
                row.insert(min(c, len(row)), header if i == 0 else None)
        elif op in ("swap_cols", "dup_col"):
            _s, a, b = args
            if rows:
                _pad(rows, 0, max(a, b))
            targets = rows if op == "swap_cols" else rows[:1]
            for row in targets:
                while len(row) <= max(a, b):
                    row.append(None)
                if op == "swap_cols":
                    row[a], row[b] = row[b], row[a]
                else:
                    row[b] = row[a]
        elif op == "shuffle_header":
            if rows:
                order = list(range(len(rows[0])))
                random.Random(args[1]).shuffle(order)
                for i, row in enumerate(rows):
                    row += [None] * (len(order) - len(row))
                    rows[i] = [row[j] for j in order] + row[len(order) :]
        elif op == "del_row":
            if args[1] < len(rows):
                del rows[args[1]]
        elif op == "dup_row":
            if args[1] < len(rows):
                rows.insert(args[1], list(rows[args[1]]))
        elif op == "clear":
            sheet[1] = []
        elif op == "rename":
            if args[1].lower() not in {n.lower() for n, _rows in book}:
                sheet[0] = args[1]
        elif op == "drop_sheet":
            book.remove(sheet)
        elif op == "move_sheet":
            book.remove(sheet)
            book.insert(max(0, min(len(book), args[1])), sheet)
    return book


def mutations(expected_sheets: list[str], plausible: list, *, rows: int = 8, cols: int = 12):
    """Lists of mutations; cell values mix garbage with values the import recognises."""
    values = st.one_of(garbage, st.sampled_from(plausible), st.sampled_from(plausible))
    index = st.integers(0, 7)
    names = sheet_names(expected_sheets)
    op = st.one_of(
        st.tuples(st.just("set"), index, st.integers(0, rows), st.integers(0, cols), values),
        st.tuples(st.just("set"), index, st.integers(1, rows), st.integers(0, cols), values),
        st.tuples(st.just("set"), index, st.just(0), st.integers(0, cols), values),
        st.tuples(st.just("del_col"), index, st.integers(0, cols)),
        st.tuples(st.just("ins_col"), index, st.integers(0, cols), values),
        st.tuples(st.just("swap_cols"), index, st.integers(0, cols), st.integers(0, cols)),
        st.tuples(st.just("dup_col"), index, st.integers(0, cols), st.integers(0, cols)),
        st.tuples(st.just("shuffle_header"), index, st.integers(0, 1000)),
        st.tuples(st.just("del_row"), index, st.integers(0, rows)),
        st.tuples(st.just("dup_row"), index, st.integers(0, rows)),
        st.tuples(st.just("clear"), index),
        st.tuples(st.just("rename"), index, names),
        st.tuples(st.just("drop_sheet"), index),
        st.tuples(st.just("move_sheet"), index, st.integers(0, 5)),
        st.tuples(st.just("add_sheet"), names, st.lists(st.lists(values, max_size=5), max_size=4)),
    )
    return st.lists(op, max_size=8)


# -- the imports -----------------------------------------------------------------------------


def _dates() -> list:
    return [
        datetime.date(2023, 6, 30),
        datetime.datetime(2024, 2, 29, 8, 0),
        "15/03/2023",
        datetime.date(2099, 1, 1),
        datetime.date(1900, 3, 1),
        45000,
        2958465,
        "31/12/9999",
    ]


@pytest.fixture
def assessments(users, units, small_set):
    user = users.coordinator
    scope = scope_for(user)
    template = assessments_template(
        scope=scope, unit=units.bach_thong, year=YEAR, criteria_set=small_set.set
    )
    book = read_book(template)
    plausible = [
        "02005",
        "2005",
        2005,
        "02008",
        "TEST-2021",
        YEAR,
        "2023",
        "Đạt",
        "Chưa đạt",
        "Có",
        "Không",
        72.5,
        "90",
        "1.1",
        "2.1",
        "3.1",
        "TC1",
        "TC2",
        "TC3",
        "Lý do TC1",
        "Biên bản kiểm tra",
        0,
        1,
        "1",
        99,
        "Mã xã",
        "Phiên bản",
        "Mã bộ tiêu chí",
        "Năm đánh giá",
        "NTM-XA-2021",
        "06",
        2021,
        2026,
    ]

    def run(data, *, dry_run=False, state=None):
        return run_import(
            "assessments", data=data, scope=scope, user=user, dry_run=dry_run, state=state
        )

    return SimpleNamespace(
        run=run,
        template=template,
        book=book,
        plausible=plausible,
        sheets=["KetQua", "ChiTieu", "HuongDan"],
        user=user,
        url=reverse("assessments:import"),
    )


@pytest.fixture
def recognitions(users, units, small_set):
    user = users.coordinator
    scope = scope_for(user)
    book = read_book(recognitions_template())
    book[0][1] += [
        ["02005", "TEST-2021", "12/QĐ-UBND", "15/03/2024", "Công nhận", "Đủ điều kiện", 2023],
        ["02005", "TEST-2021", "13/QĐ-UBND", datetime.date(2024, 6, 1), "Thu hồi", "", None],
    ]
    plausible = [
        "02005",
        "2005",
        2005,
        "02008",
        "20001",
        "061",
        "TEST-2021",
        "test-2021",
        "NTM-XA-2021",
        "Công nhận",
        "Thu hồi",
        "cong nhan",
        "12/QĐ-UBND",
        *_dates(),
        YEAR,
        "2023",
        1999,
        2101,
        "Lý do",
        "Nguyễn Văn A",
        "Mã xã",
        "Số quyết định",
        "Ngày quyết định",
        "Công nhận/Thu hồi",
        "Năm",
        "Người ký",
        "Mã đơn vị",
    ]

    def run(data, *, dry_run=False):
        return run_import("recognitions", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["CongNhan"],
        user=user,
        url=reverse("imports:recognitions"),
    )


@pytest.fixture
def villages(users, units):
    user = users.new_province  # villages are added to current communes (Thái Nguyên)
    scope = scope_for(user)
    template = villages_template(scope=scope)
    book = read_book(template, max_rows=4)
    code = units.quan_ha_successor.code
    for row in book[0][1][1:]:
        row[2] = "Thôn Bản Mới"
    plausible = [
        code,
        int(code),
        "02005",
        "Thôn Nà Pài",
        "Bản Chang",
        "Thôn",
        "Bản",
        "Tổ dân phố",
        "thon",
        "Khu",
        f"{code}.001",
        "x" * 20,
        "x" * 21,
        "y" * 200,
        "y" * 201,
        "Mã xã",
        "Tên xã",
        "Tên thôn",
        "Loại",
        "Mã thôn",
    ]

    def run(data, *, dry_run=False):
        return run_import("villages", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["Thon"],
        user=user,
        url=reverse("units:villages_import"),
    )


@pytest.fixture
def plans(users, units):
    user = users.coordinator
    scope = scope_for(user)
    plan = plan_services.plan_create(
        user=user,
        unit=units.bac_kan,
        number="125/KH-UBND",
        issued_on=datetime.date(2022, 2, 25),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch xây dựng nông thôn mới",
        year_from=2021,
        year_to=2025,
        status=PlanStatus.ACTIVE,
    )
    metrics = [str(m.label) for m in Metric]
    book = read_book(plans_template(plan))
    for name, rows in book:
        if name == "ChiTieu":
            rows.append([metrics[0], "Nông thôn mới", None, "06", "Bắc Kạn", 2023, 10, None, ""])
            rows.append([metrics[0], "Nông thôn mới", None, "063", "Bạch Thông", 2023, 3, None, ""])
        elif name == "LoTrinh":
            rows.append(["02005", "Quân Hà", "Nông thôn mới", 2024])
        elif name == "NhiemVu":
            rows.append(
                [
                    None,
                    "Nhóm 1",
                    "Làm đường",
                    "Sở GTVT",
                    None,
                    "30/06/2024",
                    str(TaskStatus.labels[0]),
                    "Đã khởi công",
                ]
            )
    plausible = [
        *metrics,
        *recognition_levels.labels().values(),
        "NTM",
        "Nâng cao",
        *[str(label) for label in TaskStatus.labels],
        "06",
        "063",
        "061",
        "02005",
        "2005",
        2023,
        2021,
        2025,
        2026,
        1999,
        3,
        5,
        0,
        6,
        10,
        10**11,
        10**12,
        "72,5",
        *_dates(),
        "Mã kế hoạch (ID)",
        plan.pk,
        plan.pk + 1,
        "Chỉ tiêu",
        "Mã đơn vị",
        "Năm",
        "Giá trị",
        "Mã xã",
        "Mức",
        "Nội dung",
        "Cơ quan chủ trì",
        "ID",
    ]

    def run(data, *, dry_run=False):
        return run_import(
            "plan", data=data, scope=scope, user=user, dry_run=dry_run, plan_id=plan.pk
        )

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["HuongDan", "ChiTieu", "LoTrinh", "NhiemVu"],
        user=user,
        url=reverse("plans:import", args=[plan.pk]),
    )


@pytest.fixture
def plan_new(users, units):
    """A plan created from its workbook (KeHoach sheet filled, one target, roadmap and task)."""
    user = users.coordinator
    scope = scope_for(user)
    metrics = [str(m.label) for m in Metric]
    values = ["06", "126/KH-UBND", "01/03/2023", "UBND tỉnh Bắc Kạn", "Kế hoạch mới", 2023, 2025]
    book = read_book(plans_template(None))
    for name, rows in book:
        if name == "KeHoach":
            for row, value in zip(rows[1:], values, strict=False):
                row[1] = value
        elif name == "ChiTieu":
            rows.append([metrics[0], "Nông thôn mới", None, "06", "Bắc Kạn", 2023, 10, None, ""])
        elif name == "LoTrinh":
            rows.append(["02005", "Quân Hà", "Nông thôn mới", 2024])
        elif name == "NhiemVu":
            rows.append(
                [None, "Nhóm 1", "Làm đường", "Sở GTVT", None, "30/06/2024", None, "Khởi công"]
            )
    plausible = [
        *metrics,
        *[str(label) for label in recognition_levels.labels().values()],
        *[str(label) for label in PlanStatus.labels],
        *[str(label) for label in TaskStatus.labels],
        "06",
        "063",
        "20",
        "02005",
        "125/KH-UBND",
        "UBND tỉnh Bắc Kạn",
        2021,
        2023,
        2025,
        2031,
        1999,
        10,
        *_dates(),
        "Mã đơn vị (tỉnh 2 chữ số, huyện 3 chữ số)",
        "Thông tin kế hoạch",
        "Giá trị",
    ]

    def run(data, *, dry_run=False):
        return run_import("plan-new", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["HuongDan", "KeHoach", "ChiTieu", "LoTrinh", "NhiemVu"],
        user=user,
        url=reverse("plans:new_import"),
    )


@pytest.fixture
def ocop(users, units):
    user = users.coordinator
    scope = scope_for(user)
    ocop_services.sheets_load()
    coop = ocop_services.subject_save(
        user=None,
        kind="cooperative",
        name="HTX Quân Hà",
        unit=units.quan_ha,
        tax_code="4700123456",
        representative="Nguyễn Văn Đại",
    )
    ocop_services.product_save(
        user=None, name="Chè Quân Hà", subject=coop, group="do_uong", unit=units.quan_ha
    )
    book = read_book(ocop_template(scope=scope))
    for name, rows in book:
        if name == "DiemSo":
            rows.append(
                [
                    "063",
                    2023,
                    1,
                    "15/06/2023",
                    "Chè Quân Hà",
                    "HTX Quân Hà",
                    30,
                    20,
                    20,
                    "Đề nghị 3 sao",
                ][: len(rows[0])]
            )
        elif name == "QuyetDinh":
            rows.append(
                [
                    "Chè Quân Hà",
                    "HTX Quân Hà",
                    "231/QĐ-UBND",
                    "01/09/2023",
                    "UBND tỉnh Bắc Kạn",
                    3,
                    2023,
                    1,
                ]
            )
    plausible = [
        "HTX Quân Hà",
        "htx quân hà",
        "Chè Quân Hà",
        "02005",
        "063",
        "06",
        "do_uong",
        "Đồ uống",
        *[str(label) for label in SubjectKind.labels],
        *[str(label) for label in CycleStage.labels],
        "4700123456",
        "0912345678",
        "a@b",
        "not-an-email",
        2023,
        1,
        0,
        -1,
        32767,
        32768,
        10**11,
        3,
        5,
        6,
        100,
        "33,5",
        99.999,
        *_dates(),
        "Tên chủ thể",
        "Mã xã",
        "Điểm A",
        "Điểm Z",
        "Tên sản phẩm",
        "Số sao",
        "Đợt",
        "Năm",
    ]

    def run(data, *, dry_run=False):
        return run_import("ocop", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["ChuThe", "SanPham", "DiemSo", "QuyetDinh"],
        user=user,
        url=reverse("ocop:import"),
    )


@pytest.fixture
def ocop_sheet(users, units):
    """A member's Excel score sheet (sheet 26, community tourism) of a round whose chair is the
    coordinator."""
    from ntm.ocop import council, rules
    from ntm.ocop.sheet_excel import member_sheet_template, option_text
    from ntm.ocop.sheets import product_sheets_load

    user = users.coordinator
    scope = scope_for(user)
    scoring_set = {s.code: s for s in ocop_services.sheets_load()}["OCOP-26-2026"]
    product_sheets_load(scoring_set)
    coop = ocop_services.subject_save(
        user=None, kind="cooperative", name="HTX Du lịch Quân Hà", unit=units.quan_ha
    )
    product = ocop_services.product_save(
        user=None,
        name="Du lịch cộng đồng Quân Hà",
        subject=coop,
        unit=units.quan_ha,
        classification=rules.classification()[25]["code"],
    )
    rnd = ocop_services.round_save(
        user=None, unit=units.bac_kan, year=2026, number=2, held_on=datetime.date(2026, 12, 10)
    )
    council.council_set(
        user=user, round=rnd, members=[(user, "chair"), (users.department, "secretary")]
    )
    (ev,) = council.round_products_add(user=user, round=rnd, products=[product])
    member = rnd.council.get(user=user)
    book = read_book(member_sheet_template(evaluation=ev, member=member), max_rows=60)
    options = [
        option_text(n, o)
        for item in ev.product_sheet.items.filter(scored=True)[:4]
        for n, o in enumerate(item.options.all(), start=1)
    ]
    plausible = [
        *options,
        "1",
        "2)",
        "9",
        "0",
        "1.1",
        "2.4",
        "7",
        "Giải trình",
        "Mục",
        "Phương án chọn",
        ev.pk,
        member.pk,
        rnd.council.get(user=users.department).pk,
        ev.product_sheet_id,
        ev.product_sheet_id + 1,
        0,
        1,
        -1,
        2**31,
        "Mã kết quả đánh giá",
        "Phiên bản phiếu đã lưu",
    ]

    def run(data, *, dry_run=False):
        return run_import("ocop-sheet", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["PhieuCham", "PhuongAn", "ThongTin"],
        user=user,
        url=reverse("ocop:sheet_import"),
    )


@pytest.fixture
def resources(users, units):
    user = users.coordinator
    scope = scope_for(user)
    book = read_book(resources_template(unit=units.quan_ha, year=YEAR), max_rows=6)
    for name, rows in book:
        if name == "MoHinh":
            rows.append(
                ["", str(ModelKind.labels[0]), "Vườn mẫu", 2023, str(ModelStatus.labels[0]), None]
            )
        elif name == "HoatDong":
            rows.append(
                [str(ActivityKind.labels[0]), "Tập huấn", "15/05/2023", "Xã", "người", 30, 25]
            )
    plausible = [
        "02005",
        "2005",
        "06",
        "20001",
        YEAR,
        "2023",
        2022,
        2101,
        "ns_tw",
        "ns_dp",
        "tin_dung",
        "1.000.000",
        "1,5",
        10**15,
        10**16,
        2**31,
        -5,
        0.5,
        *[str(label) for label in ModelKind.labels],
        *[str(label) for label in ModelStatus.labels],
        *[str(label) for label in ActivityKind.labels],
        *_dates(),
        "Mã đơn vị",
        "Năm",
        "Mã nguồn",
    ]

    def run(data, *, dry_run=False):
        return run_import("resources", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=["ThongTin", "NguonVon", "DongGop", "MoHinh", "HoatDong"],
        user=user,
        url=reverse("resources:import"),
    )


@pytest.fixture
def units_history(users):
    from tests.units.test_history import LOC_BINH_2024

    user = users.admin
    scope = scope_for(user)
    book = read_book(LOC_BINH_2024)
    plausible = [
        "LS-2024",
        "06574",
        "06559",
        "188",
        "Xã",
        "Phường",
        "Có",
        "Không",
        "Xã Tĩnh Bắc",
        "Mã thay đổi",
        *_dates(),
    ]

    def run(data, *, dry_run=False):
        return run_import("units", data=data, scope=scope, user=user, dry_run=dry_run)

    return SimpleNamespace(
        run=run,
        template=write_book(book),
        book=book,
        plausible=plausible,
        sheets=[name for name, _rows in book],
        user=user,
        url=reverse("units:history"),
    )


# Every registered importer (ntm.imports.catalogue) is tried: its fixture above is named as
# the importer, or here. A registered importer without a fixture fails every test below.
FIXTURE_OF = {
    "plan": "plans",
    "plan-new": "plan_new",
    "units": "units_history",
    "ocop-sheet": "ocop_sheet",
}
# Registered importers not fuzzed yet, with the reason (a new importer must be added above or
# here: test_every_registered_importer_is_tried fails otherwise). Empty: every one is fuzzed.
NOT_FUZZED: dict[str, str] = {}
IMPORTS = [
    FIXTURE_OF.get(i.name, i.name) for i in registered_importers() if i.name not in NOT_FUZZED
]


def test_every_registered_importer_is_tried(request, db):
    names = {i.name for i in registered_importers()}
    assert set(NOT_FUZZED) <= names
    for name in IMPORTS:  # a fixture per registered importer, or the test fails here
        assert callable(request.getfixturevalue(name).run)


@pytest.fixture(params=IMPORTS)
def importer(request, db):
    return request.getfixturevalue(request.param)


# -- (a) mutated templates -------------------------------------------------------------------


def test_unchanged_templates_import_cleanly(importer):
    """The baseline the mutations start from: each template imports without an error (so
    that the mutations explore past the first check)."""
    report = check_import(importer.run, importer.template, dry_run=True)
    assert report.ok, [str(e) for e in report.errors]


class _Undo(Exception):
    pass


def isolated(fn):
    """Run `fn` and roll back what it wrote, so that every example starts from the same data
    (an import that succeeded would otherwise make the next one fail early)."""
    try:
        with transaction.atomic():
            fn()
            raise _Undo
    except _Undo:
        pass


def _fuzz(importer, ops, dry_run, **kw):
    data = write_book(apply(importer.book, ops))
    isolated(
        lambda: check_import(
            lambda d, dry_run: importer.run(d, dry_run=dry_run, **kw), data, dry_run=dry_run
        )
    )


@FUZZ
@given(data=st.data(), dry_run=st.booleans(), state=st.sampled_from([None, "approved", "x"]))
def test_assessments_mutated(assessments, data, dry_run, state):
    ops = data.draw(mutations(assessments.sheets, assessments.plausible))
    _fuzz(assessments, ops, dry_run, state=state)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_recognitions_mutated(recognitions, data, dry_run):
    _fuzz(recognitions, data.draw(mutations(recognitions.sheets, recognitions.plausible)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_villages_mutated(villages, data, dry_run):
    _fuzz(villages, data.draw(mutations(villages.sheets, villages.plausible, cols=6)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_plans_mutated(plans, data, dry_run):
    _fuzz(plans, data.draw(mutations(plans.sheets, plans.plausible)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_ocop_mutated(ocop, data, dry_run):
    _fuzz(ocop, data.draw(mutations(ocop.sheets, ocop.plausible)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_ocop_sheet_mutated(ocop_sheet, data, dry_run):
    _fuzz(ocop_sheet, data.draw(mutations(ocop_sheet.sheets, ocop_sheet.plausible)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_resources_mutated(resources, data, dry_run):
    _fuzz(resources, data.draw(mutations(resources.sheets, resources.plausible, cols=8)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_plan_new_mutated(plan_new, data, dry_run):
    _fuzz(plan_new, data.draw(mutations(plan_new.sheets, plan_new.plausible)), dry_run)


@FUZZ
@given(data=st.data(), dry_run=st.booleans())
def test_units_history_mutated(units_history, data, dry_run):
    ops = mutations(units_history.sheets, units_history.plausible, cols=6)
    _fuzz(units_history, data.draw(ops), dry_run)


def cell_edits(importer, *, max_ops: int = 4):
    """Only data cells replaced (the headers and sheets kept), mostly by values the import
    knows: this reaches the checks and the writes behind the header checks."""
    values = st.one_of(
        st.sampled_from(importer.plausible), st.sampled_from(importer.plausible), garbage
    )
    sheets = [
        (i, len(rows), max((len(r) for r in rows), default=1))
        for i, (_name, rows) in enumerate(importer.book)
        if len(rows) > 1
    ]
    edit = st.sampled_from(sheets).flatmap(
        lambda s: st.tuples(
            st.just("set"), st.just(s[0]), st.integers(1, s[1]), st.integers(0, s[2] - 1), values
        )
    )
    return st.lists(edit, min_size=1, max_size=max_ops)


@FUZZ
@given(data=st.data())
def test_data_cells(importer, data):
    _fuzz(importer, data.draw(cell_edits(importer)), dry_run=False)


LONG_TEXT = "Đ" * 32767  # Excel's longest cell; 65,534 bytes in UTF-8
SMALL_INT_PAST = 32768  # one past PostgreSQL's smallint
LAST_DAY = datetime.datetime(9999, 12, 31)  # Excel's last day
_DATE_TEXT = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def _extremes(example) -> dict[str, object]:
    """The extreme values worth putting in a column, judged by what the template holds there."""
    out = {"32,767 characters": LONG_TEXT}
    if example is None or (isinstance(example, int | float) and not isinstance(example, bool)):
        out["past a small integer"] = SMALL_INT_PAST
    if (
        example is None
        or isinstance(example, datetime.date)
        or (isinstance(example, str) and _DATE_TEXT.match(example))
    ):
        out["last Excel day"] = LAST_DAY
    return out


def test_every_data_column_with_extreme_values(importer):
    """Each column of the first data row of each sheet, in turn, gets each extreme value; the
    import is real (not a dry run), so the values reach the services and the database."""
    failures = {}
    for index, (name, rows) in enumerate(importer.book):
        if len(rows) < 2 or name not in importer.sheets:  # plans' hidden lists are not read
            continue
        first = next((r for r in range(1, len(rows)) if any(v is not None for v in rows[r])), 1)
        for column in range(len(rows[0])):
            example = rows[first][column] if column < len(rows[first]) else None
            for label, value in _extremes(example).items():
                book = apply(importer.book, [("set", index, first, column, value)])
                try:
                    isolated(lambda b=book: check_import(importer.run, write_book(b)))
                except Exception as exc:
                    failures[f"{name}!{rows[0][column]}={label}"] = repr(exc)[:300]
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


# -- (b) bytes that are no workbook, or break while read --------------------------------------


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """A copy of a zip with members replaced (None: removed) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in replace:
                continue
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        for name, content in replace.items():
            if content is not None:
                dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _first_sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]


def _sheet_xml(rows_xml: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


@lru_cache(maxsize=1)
def _padding(megabytes: int) -> bytes:
    return b" " * (megabytes << 20)


def _bomb(data: bytes, megabytes: int) -> bytes:
    """The first worksheet padded with `megabytes` MB of blanks: tiny compressed, large unpacked."""
    name = _first_sheet(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(name)
    cut = xml.index(b"<sheetData")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open(name, "w", force_zip64=True) as f:
            f.write(xml[:cut])
            padding = _padding(1)
            for _ in range(megabytes):
                f.write(padding)
            f.write(xml[cut:])
    return out.getvalue()


def broken_files(template: bytes) -> dict[str, bytes]:
    sheet = _first_sheet(template)
    zip_other = io.BytesIO()
    with zipfile.ZipFile(zip_other, "w") as z:
        z.writestr("hello.txt", "Xin chào")
    content_types_only = _rezip(template, {})
    with zipfile.ZipFile(io.BytesIO(content_types_only)) as z:
        keep = {n: None for n in z.namelist() if n != "[Content_Types].xml"}
    csv = 'Mã xã,Tên xã\n02005,Quân Hà\n=1+1,"@SUM(A1)"\n'.encode()
    return {
        "empty": b"",
        "one byte": b"P",
        "zip magic only": b"PK\x03\x04",
        "truncated xlsx": template[: len(template) // 2],
        "xlsx missing its end": template[:-22],
        "zip that is no workbook": zip_other.getvalue(),
        "zip with only [Content_Types].xml": _rezip(content_types_only, keep),
        "csv renamed": csv,
        "csv utf-16": csv.decode().encode("utf-16"),
        "xls renamed (OLE2)": bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504,
        "html renamed": b"<html><body><table><tr><td>02005</td></tr></table></body></html>",
        "pdf renamed": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "workbook.xml missing": _rezip(template, {"xl/workbook.xml": None}),
        "worksheet missing": _rezip(template, {sheet: None}),
        "worksheet not XML": _rezip(template, {sheet: b"<worksheet><sheetData><row"}),
        "worksheet empty": _rezip(template, {sheet: b""}),
        "worksheet with DOCTYPE entity": _rezip(
            template,
            {
                sheet: (
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
                    b"</sheetData></worksheet>"
                )
            },
        ),
        "worksheet with billion laughs": _rezip(
            template,
            {
                sheet: (
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">'
                    + b"".join(
                        b'<!ENTITY l%d "%s">' % (i, b"".join(b"&l%d;" % (i - 1) for _ in range(10)))
                        for i in range(1, 10)
                    )
                    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
                    b"</sheetData></worksheet>"
                )
            },
        ),
        "number cell nan": _rezip(
            template,
            {
                sheet: _sheet_xml(
                    '<row r="1"><c r="A1"><v>nan</v></c><c r="B1"><v>inf</v></c></row>'
                )
            },
        ),
        "number cell text": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="A1" t="n"><v>Mã xã</v></c></row>')}
        ),
        "bad cell type": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="A1" t="zz"><v>1</v></c></row>')}
        ),
        "bad cell reference": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="!!"><v>1</v></c></row>')}
        ),
        "shared string out of range": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="A1" t="s"><v>99999</v></c></row>')}
        ),
        "style out of range": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="A1" s="9999"><v>45000</v></c></row>')}
        ),
        "boolean cell not 0/1": _rezip(
            template, {sheet: _sheet_xml('<row r="1"><c r="A1" t="b"><v>yes</v></c></row>')}
        ),
        "error cell": _rezip(
            template,
            {
                sheet: _sheet_xml(
                    '<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c><c r="B1" t="e"><v>#REF!</v></c></row>'
                )
            },
        ),
        "date cell out of range": _rezip(
            template,
            {sheet: _sheet_xml('<row r="1"><c r="A1" t="d"><v>99999-01-01T00:00:00</v></c></row>')},
        ),
        "last cell of the sheet": _rezip(
            template,
            {
                sheet: _sheet_xml(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã xã</t></is></c></row>'
                    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                    "A1:XFD1048576",
                )
            },
        ),
        "huge dimension": _rezip(
            template,
            {
                sheet: _sheet_xml(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã xã</t></is></c></row>'
                    '<row r="2"><c r="A2"><v>2005</v></c></row>',
                    "A1:XFD1048576",
                )
            },
        ),
        "row number far away": _rezip(
            template,
            {
                sheet: _sheet_xml(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã xã</t></is></c></row>'
                    '<row r="1048576"><c r="A1048576"><v>2005</v></c></row>'
                )
            },
        ),
        "bomb, 50 MB declared": _bomb(template, 50),
    }


# Files that openpyxl reads as a (partial) workbook: importing what it reads is fine.
MAY_PASS = {
    "worksheet missing",
    "bad cell type",
    "error cell",
    "style out of range",
    "worksheet with DOCTYPE entity",
    "bomb, 50 MB declared",
}


def test_broken_bytes(importer):
    """Every kind of broken file: a report with errors, nothing written, nothing raised."""
    failures = {}
    for name, data in broken_files(importer.template).items():
        try:
            report = check_import(importer.run, data)
        except Exception as exc:  # collect them all: one run shows every failing kind
            failures[name] = f"{exc.__class__.__name__}: {str(exc)[:300]}"
            continue
        if name not in MAY_PASS and report.ok:
            failures[name] = "accepted"
    assert failures == {}


@pytest.mark.parametrize("name", IMPORTS)
def test_refuses_a_bomb_before_unpacking_it(name, request, db, monkeypatch):
    """A workbook that unpacks to more than the limit is refused from the zip's directory
    (the limit lowered here so that the bomb is quick to make)."""
    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 2 << 20)
    importer = request.getfixturevalue(name)
    report = check_import(importer.run, _bomb(importer.template, 3))
    assert not report.ok
    assert "quá giới hạn 2 MB" in str(report.errors[0]), str(report.errors[0])


def test_the_unpacked_limit_is_real():
    with pytest.raises(excel.WorkbookError, match="quá giới hạn 200 MB"):
        excel.open_workbook(_bomb(write_book([["A", [["x"]]]]), 201))


@FUZZ
@given(data=st.data())
def test_random_and_truncated_bytes(importer, data):
    blob = data.draw(
        st.one_of(
            st.binary(max_size=3000),
            st.integers(0, len(importer.template) - 1).map(lambda n: importer.template[:n]),
            st.builds(
                lambda at, junk: (
                    importer.template[:at] + junk + importer.template[at + len(junk) :]
                ),
                st.integers(0, len(importer.template) - 1),
                st.binary(min_size=1, max_size=64),
            ),
        )
    )
    check_import(importer.run, blob)


# -- through the pages -------------------------------------------------------------------------


def _upload_files(importer) -> dict[str, bytes]:
    bad = broken_files(importer.template)
    mutated = apply(
        importer.book,
        [
            ("set", 0, 1, 0, '=HYPERLINK("http://example.invalid","x")'),
            ("set", 0, 2, 1, "Đ" * 32767),
            ("set", 0, 3, 2, 10**40),
            ("ins_col", 0, 1, "Cột lạ"),
            ("dup_col", 1, 0, 2),
            ("add_sheet", "Thừa", [["x"]]),
        ],
    )
    return {
        "random bytes": os.urandom(512),
        "worksheet not XML": bad["worksheet not XML"],
        "number cell nan": bad["number cell nan"],
        "mutated template": write_book(mutated),
    }


@pytest.mark.parametrize("name", IMPORTS)
def test_upload_page_shows_errors(name, request, client_for, db):
    importer = request.getfixturevalue(name)
    client = client_for(importer.user)
    for label, data in _upload_files(importer).items():
        before = _counts()
        upload = io.BytesIO(data)
        upload.name = "tep.xlsx"
        response = client.post(importer.url, {"file": upload})
        assert response.status_code in (200, 400), (label, response.status_code)
        assert _changed(before, _counts()) == {}, label
        assert "chưa ghi dữ liệu nào" in response.content.decode(), label


def test_recognitions_command_reports_errors(recognitions, tmp_path):
    """The command is the other way in (`ntm import <name>` comes from the registry)."""
    for label, data in _upload_files(recognitions).items():
        path = tmp_path / "tep.xlsx"
        path.write_bytes(data)
        before = _counts()
        with pytest.raises(CommandError):
            call_command("import", "recognitions", str(path), verbosity=0)
        assert _changed(before, _counts()) == {}, label


def test_the_generated_workbooks_hold_what_was_drawn():
    """A guard against a silent no-op: values and formulas reach the file as drawn."""
    book = apply(
        [["A", [["x"]]]],
        [
            ("set", 0, 1, 1, Decimal("1.5")),
            ("set", 0, 0, 0, 2**40),
            ("set", 0, 2, 0, "=1+1"),
            ("ins_col", 0, 0, "Mới"),
        ],
    )
    wb = load_workbook(io.BytesIO(write_book(book)), read_only=True)
    rows = list(wb["A"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Mới", 2**40) and rows[1][2] == 1.5 and rows[2][1] == "=1+1"


# -- regressions: the bugs these tests found, each pinned ----------------------------------------


def _where(report) -> set[tuple[str, str]]:
    return {(e.sheet, e.column) for e in report.errors}


def test_a_broken_worksheet_is_an_error_naming_it(assessments):
    """Was: openpyxl (read-only) parses a sheet's cells only while the import reads its rows,
    outside the handler around opening the file: IndexError, a 500."""
    bad = broken_files(assessments.template)["shared string out of range"]
    report = check_import(assessments.run, bad)
    assert "“KetQua”" in report.errors[0].message


def test_a_number_cell_that_is_no_number_is_an_error(plans):
    """Was: ValueError from openpyxl while reading rows (500)."""
    report = check_import(plans.run, broken_files(plans.template)["number cell nan"])
    assert "“HuongDan”" in report.errors[0].message


def test_a_cell_in_the_last_row_and_column_is_refused_at_once(villages):
    """Was: a 10 kB file made the import walk a million rows of 16,384 cells (hours)."""
    report = check_import(villages.run, broken_files(villages.template)["last cell of the sheet"])
    assert "16384 cột" in report.errors[0].message


def test_an_xls_file_says_so(resources):
    report = check_import(resources.run, bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    assert "(.xls)" in report.errors[0].message


def test_village_name_and_code_longer_than_their_column(villages):
    """Was: PostgreSQL refused the row (500); SQLite stored it whole."""
    book = apply(villages.book, [("set", 0, 1, 2, "T" * 201), ("set", 0, 1, 4, "C" * 21)])
    report = check_import(villages.run, write_book(book))
    assert _where(report) == {("Thon", "C"), ("Thon", "E")}
    assert all("tối đa" in e.message for e in report.errors)


def test_ocop_text_too_long_and_numbers_out_of_range(ocop):
    """Was: PostgreSQL refused long text and a round number past 32767, a decision dated in
    9999 overflowed the validity date, and SQLite refused a name over 50,000 bytes in its
    case-insensitive lookup: all 500s."""
    cases = {
        ("ChuThe", "G"): ("set", 0, 1, 6, "0" * 31),  # Điện thoại
        ("SanPham", "A"): ("set", 1, 1, 0, "S" * 301),  # Tên sản phẩm
        ("DiemSo", "C"): ("set", 2, 1, 2, SMALL_INT_PAST),  # Đợt
        ("QuyetDinh", "D"): ("set", 3, 1, 3, LAST_DAY),  # Ngày quyết định
        ("QuyetDinh", "C"): ("set", 3, 1, 2, "Q" * 61),  # Số quyết định
    }
    for where, op in cases.items():
        report = check_import(ocop.run, write_book(apply(ocop.book, [op])))
        assert where in _where(report), (where, [str(e) for e in report.errors])
    # Excel's longest cell: refused by the runner's limits before the importer reads it.
    report = check_import(ocop.run, write_book(apply(ocop.book, [("set", 0, 1, 0, LONG_TEXT)])))
    assert "Trang “ChuThe” có ô chứa văn bản dài hơn 4.000 ký tự" in str(report.errors[0])


def test_resources_text_too_long(resources):
    """Was: PostgreSQL refused the long text (500). The error names the column now."""
    cases = {
        ("NguonVon", "E"): ("set", 1, 1, 4, "N" * 501),  # Ghi chú
        ("MoHinh", "C"): ("set", 3, 1, 2, "M" * 301),  # Tên mô hình
        ("HoatDong", "B"): ("set", 4, 1, 1, "H" * 301),  # Tên hoạt động
        ("HoatDong", "E"): ("set", 4, 1, 4, "đ" * 41),  # Đơn vị tính
    }
    for where, op in cases.items():
        report = check_import(resources.run, write_book(apply(resources.book, [op])))
        assert _where(report) == {where}, (where, [str(e) for e in report.errors])
        assert "tối đa" in report.errors[0].message
