"""OCOP data to and from Excel: subjects, products, evaluation scores and decisions.

Sheets (first row: headers; the file format is Vietnamese):
- "ChuThe": Tên chủ thể, Loại hình, Mã xã, Địa chỉ, Mã số thuế, Người đại diện, Điện thoại, Email.
  A subject is known by (name, commune): an existing one is updated.
- "SanPham": Tên sản phẩm, Tên chủ thể, Mã xã sản xuất, Nhóm, Giai đoạn, Mã truy xuất, Mô tả.
  The subject is found by name (in the file or stored, within the user's scope).
- "DiemSo": Mã đơn vị tổ chức, Năm, Đợt, Ngày đánh giá, Tên sản phẩm, Tên chủ thể, Điểm A,
  Điểm B, Điểm C (one column "Điểm <mã dòng>" per line of the sheets in force), Đề xuất.
  A missing round is created.
- "QuyetDinh": Tên sản phẩm, Tên chủ thể, Số quyết định, Ngày quyết định, Cơ quan ban hành,
  Số sao, Năm đợt, Đợt (both optional: link the decision to the product's evaluation in it).

"ChuThe" and "SanPham" end with a hidden column "Phiên bản": the version of the stored subject or
product the template was made from. A row changing one saved since (another version) is an
error, so an old file never overwrites someone's change; a blank cell (or no such column) is not
checked. Every record an import changes gets a new version, so that a page opened before the
import is refused afterwards.

Every cell is read first; then every row goes through the services (the same rules as the
pages) inside one transaction rolled back on any error or a dry run. Errors name sheet, row and
column.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ntm.accounts.scope import Scope
from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_date,
    parse_vi_number,
    unescape_cell,
    workbook_bytes,
    write_table,
)
from ntm.limits import too_long
from ntm.ocop import rules, selectors, services
from ntm.ocop.models import (
    CycleStage,
    Evaluation,
    EvaluationRound,
    Product,
    ScoringLine,
    Subject,
    SubjectKind,
)
from ntm.ocop.services import OcopError
from ntm.units.models import Level, Unit
from ntm.units.resolver import resolve_code
from ntm.units.text import fold

SUBJECTS, PRODUCTS, SCORES, DECISIONS = "ChuThe", "SanPham", "DiemSo", "QuyetDinh"
COLUMNS = {
    SUBJECTS: [
        ("name", "Tên chủ thể"),
        ("kind", "Loại hình"),
        ("unit", "Mã xã"),
        ("address", "Địa chỉ"),
        ("tax_code", "Mã số thuế"),
        ("representative", "Người đại diện"),
        ("phone", "Điện thoại"),
        ("email", "Email"),
        ("version", "Phiên bản"),
    ],
    PRODUCTS: [
        ("name", "Tên sản phẩm"),
        ("subject", "Tên chủ thể"),
        ("unit", "Mã xã sản xuất"),
        ("group", "Nhóm"),
        ("classification", "Loại sản phẩm"),
        ("stage", "Giai đoạn"),
        ("traceability_code", "Mã truy xuất"),
        ("description", "Mô tả"),
        ("version", "Phiên bản"),
    ],
    SCORES: [
        ("unit", "Mã đơn vị tổ chức"),
        ("year", "Năm"),
        ("number", "Đợt"),
        ("held_on", "Ngày đánh giá"),
        ("product", "Tên sản phẩm"),
        ("subject", "Tên chủ thể"),
        ("proposal", "Đề xuất"),
    ],
    DECISIONS: [
        ("product", "Tên sản phẩm"),
        ("subject", "Tên chủ thể"),
        ("number", "Số quyết định"),
        ("issued_on", "Ngày quyết định"),
        ("issuer", "Cơ quan ban hành"),
        ("stars", "Số sao"),
        ("year", "Năm đợt"),
        ("round", "Đợt"),
    ],
}
REQUIRED = {
    SUBJECTS: {"name", "kind", "unit"},
    PRODUCTS: {"name", "subject", "unit"},
    SCORES: {"unit", "year", "number", "held_on", "product", "subject"},
    DECISIONS: {"product", "subject", "number", "issued_on", "stars"},
}
SCORE_PREFIX = "Điểm "
LISTS = "DanhMuc"  # the hidden sheet the drop-down lists read (an inline list splits at commas)
# Other ways people write a subject's kind (a household business: "Hộ kinh doanh").
KIND_ALIASES = {
    "Hộ kinh doanh": SubjectKind.HOUSEHOLD,
    "Hộ sản xuất kinh doanh": SubjectKind.HOUSEHOLD,
}
LAST_ROW = 1000


def _list_sheet(wb) -> dict[str, str]:
    """Write the hidden list sheet; {list name: range formula} for the validations."""
    ws = wb.create_sheet(LISTS)
    lists = {
        "kind": [str(label) for label in SubjectKind.labels],
        "group": [name for _c, name in rules.group_choices()],
        "classification": [leaf["label"] for leaf in rules.classification()],
        "stage": [str(label) for label in CycleStage.labels],
        "stars": [f"{s} sao" for s in rules.certified_stars(datetime.date.today())],
    }
    out = {}
    for col, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=key)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        out[key] = f"{LISTS}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return out


def _validate(ws, column: int, formula: str) -> None:
    letter = get_column_letter(column)
    dv = DataValidation(type="list", formula1=f"={formula}", allow_blank=True)
    dv.error = _("Chọn một giá trị trong danh sách.")
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{LAST_ROW}")


def _as_text(ws, *columns: int) -> None:
    """Code columns formatted as text, so that Excel keeps their leading zeros (02005): a column
    style for the rows people type (no empty cells written), and the rows already there."""
    for column in columns:
        ws.column_dimensions[get_column_letter(column)].number_format = "@"
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=column).number_format = "@"


def _line_codes() -> list[str]:
    codes = list(ScoringLine.objects.order_by("code").values_list("code", flat=True).distinct())
    return codes or ["A", "B", "C"]


def _hide_last_column(ws, columns) -> None:
    """The last column ("Phiên bản", the version of each stored row) is hidden."""
    from openpyxl.utils import get_column_letter

    ws.column_dimensions[get_column_letter(len(columns))].hidden = True


def ocop_template(*, scope: Scope) -> bytes:
    """The workbook with the subjects and products in scope, ready to be completed."""
    wb = Workbook()
    ws = wb.active
    ws.title = SUBJECTS
    subjects = selectors.subjects_visible(scope).order_by("name")[:5000]
    rows = [
        [
            s.name,
            s.get_kind_display(),
            s.unit.code,
            s.address,
            s.tax_code,
            s.representative,
            s.phone,
            s.email,
            s.version,
        ]
        for s in subjects
    ]
    write_table(ws, [h for _k, h in COLUMNS[SUBJECTS]], rows, widths={1: 36, 6: 24})
    _hide_last_column(ws, COLUMNS[SUBJECTS])
    lists = _list_sheet(wb)
    _validate(ws, 2, lists["kind"])
    _as_text(ws, 3, 5)
    ws = wb.create_sheet(PRODUCTS)
    products = selectors.products_visible(scope).order_by("name")[:5000]
    rows = [
        [
            p.name,
            p.subject.name,
            p.unit.code,
            p.group_label,
            p.classification_label,
            p.get_stage_display(),
            p.traceability_code,
            p.description,
            p.version,
        ]
        for p in products
    ]
    write_table(
        ws, [h for _k, h in COLUMNS[PRODUCTS]], rows, widths={1: 36, 2: 36, 4: 30, 5: 40, 6: 30}
    )
    _hide_last_column(ws, COLUMNS[PRODUCTS])
    _validate(ws, 4, lists["group"])
    _validate(ws, 5, lists["classification"])
    _validate(ws, 6, lists["stage"])
    _as_text(ws, 3)
    ws = wb.create_sheet(SCORES)
    headers = [h for k, h in COLUMNS[SCORES] if k != "proposal"]
    headers += [SCORE_PREFIX + c for c in _line_codes()] + ["Đề xuất"]
    write_table(ws, headers, [], widths={5: 36, 6: 36})
    _as_text(ws, 1)
    ws = wb.create_sheet(DECISIONS)
    write_table(ws, [h for _k, h in COLUMNS[DECISIONS]], [], widths={1: 36, 2: 36, 3: 20})
    _validate(ws, 6, lists["stars"])
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))  # the list sheet last
    return workbook_bytes(wb)


# -- reading ---------------------------------------------------------------------------------


def _lookup(enum_choices) -> dict[str, str]:
    out = {}
    for value, label in enum_choices:
        out[fold(value)] = value
        out[fold(str(label))] = value
    return out


def _read_sheet(ws, sheet: str, report: ImportReport, extra_prefix: str = "") -> list[tuple]:
    """[(row number, {key: value}, {key: letter})] of the non-empty rows."""
    from openpyxl.utils import get_column_letter

    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    by_header = {fold(h): k for k, h in COLUMNS[sheet]}
    keys, letters = [], {}
    for idx, title in enumerate(header, start=1):
        text = cell_text(title)
        key = by_header.get(fold(text))
        if key is None and extra_prefix and fold(text).startswith(fold(extra_prefix)):
            key = "line:" + text[len(extra_prefix) :].strip()
        keys.append(key)
        if key:
            letters[key] = get_column_letter(idx)
    missing = REQUIRED[sheet] - set(letters)
    for key in sorted(missing):
        title = dict(COLUMNS[sheet])[key]
        report.add(sheet, 1, "-", _("Thiếu cột “%(c)s”.") % {"c": title})
    out = []
    for number, values in enumerate(rows, start=2):
        if all(
            v is None or (isinstance(v, str) and not v.strip())
            for key, v in zip(keys, values, strict=False)
            if key != "version"  # a row emptied but for its hidden version is empty
        ):
            continue
        record = {}
        for key, raw in zip(keys, values, strict=False):
            if key is None:
                continue
            if is_formula(raw):
                report.add(sheet, number, letters[key], _("Không nhận công thức; ghi giá trị."))
                continue
            record[key] = unescape_cell(raw)
        out.append((number, record, letters))
    return out


def ocop_import(*, data: bytes, scope: Scope, user, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    sheets = {}
    for name in (SUBJECTS, PRODUCTS, SCORES, DECISIONS):
        if name in wb.sheetnames:
            sheets[name] = _read_sheet(
                wb[name], name, report, SCORE_PREFIX if name == SCORES else ""
            )
    if not sheets:
        report.add("-", 0, "-", _("Tệp không có trang ChuThe, SanPham, DiemSo hay QuyetDinh."))
    if not report.ok:
        return report
    with transaction.atomic():
        _Writer(scope, user, report).run(sheets)
        if not report.ok or dry_run:
            transaction.set_rollback(True)
    if not report.ok:
        report.created = report.updated = 0
    return report


def _record_dates(sheets: dict) -> dict:
    """The date each product (folded name) and subject ("subject:" + folded name) is looked up
    on: its first council or decision date in the file."""
    dates = {}
    for name, key in ((SCORES, "held_on"), (DECISIONS, "issued_on")):
        for _number, record, _letters in sheets.get(name, []):
            try:
                day = parse_vi_date(record.get(key))
            except CellValueError:
                continue
            for label in (
                fold(cell_text(record.get("product"))),
                "subject:" + fold(cell_text(record.get("subject"))),
            ):
                if day and (label not in dates or day < dates[label]):
                    dates[label] = day
    return dates


def _same(record, fields: dict) -> bool:
    """Would saving these fields leave the stored record as it is? (Names compare as the
    services store them: spaces collapsed.)"""
    for key, value in fields.items():
        stored = getattr(record, key)
        if key == "name":
            value = " ".join((value or "").split())
        elif isinstance(value, str):
            value = value.strip()
        if stored != value:
            return False
    return True


_NAMED = {"subject": Subject, "product": Product, SUBJECTS: Subject, PRODUCTS: Product}


class _RowError(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class _Writer:
    def __init__(self, scope: Scope, user, report: ImportReport):
        self.scope, self.user, self.report = scope, user, report
        self.kinds = _lookup(SubjectKind.choices) | {fold(k): v for k, v in KIND_ALIASES.items()}
        self.classes = _lookup(
            [(leaf["code"], leaf["label"]) for leaf in rules.classification()]
            + [(leaf["code"], leaf["name"]) for leaf in rules.classification()]
        )
        self.stages = _lookup(CycleStage.choices)
        self.groups = _lookup(rules.group_choices())

    def run(self, sheets: dict) -> None:
        self.dates = _record_dates(sheets)
        handlers = {
            SUBJECTS: self.subject,
            PRODUCTS: self.product,
            SCORES: self.score,
            DECISIONS: self.decision,
        }
        for name in (SUBJECTS, PRODUCTS, SCORES, DECISIONS):
            self.sheet = name
            for number, record, letters in sheets.get(name, []):
                self.where = (number, letters)
                try:
                    handlers[name](record)
                except _RowError as exc:
                    self.report.add(name, number, letters.get(exc.key, "-"), str(exc))
                except CellValueError as exc:
                    self.report.add(name, number, "-", str(exc))
                except services.StaleVersionError as exc:
                    self.report.add(
                        name,
                        number,
                        letters.get("version", "-"),
                        _(
                            "Dòng này đã được sửa trên hệ thống sau khi tải tệp (phiên bản %(current)s, tệp ghi %(file)s); tải lại mẫu rồi nhập lại."
                        )
                        % {
                            "current": getattr(exc, "current", "?"),
                            "file": getattr(exc, "sent", "?"),
                        },
                    )
                except OcopError as exc:
                    key = "line:" + exc.field[5:] if exc.field.startswith("line_") else exc.field
                    key = {"evaluation": "round", "scores": "product"}.get(key, key)
                    self.report.add(name, number, letters.get(key, "-"), str(exc))
                except PermissionDenied as exc:
                    self.report.add(name, number, "-", str(exc) or _("Không có quyền."))

    # helpers
    def text(self, record, key) -> str:
        value = cell_text(record.get(key))
        if not value and key in self.required:
            raise _RowError(key, _("Cần ghi giá trị."))
        # Names are looked up case-insensitively: refuse one longer than a name can be first
        # (SQLite fails on a LIKE pattern over 50,000 bytes).
        model = _NAMED.get(key) or (_NAMED.get(self.sheet) if key == "name" else None)
        if model is not None and (refusal := too_long(model, {"name": value})) is not None:
            raise _RowError(key, refusal[1])
        return value

    def unit(self, record, key, *, commune=True, on=None) -> Unit:
        """The unit of the code on the record's date (a code may name another unit after the
        2025 reorganisation): the council date, else the product's first decision or council
        date in the file, else today."""
        code = self.text(record, key)
        raw = record.get(key)
        if commune and isinstance(raw, int | float) and not isinstance(raw, bool):
            code = f"{int(raw):05d}"  # a code cell Excel turned into a number lost its zeros
        day = on or self.dates.get(
            fold(cell_text(record.get("name" if self.sheet == PRODUCTS else "product")))
        )
        day = day or self.dates.get(
            "subject:"
            + fold(cell_text(record.get("name" if self.sheet == SUBJECTS else "subject")))
        )
        if day is None and commune and (stored := self._stored_unit(record, code)) is not None:
            return stored  # a row of the template for a stored record keeps its commune
        found = resolve_code(
            code, day or timezone.localdate(), level=Level.COMMUNE if commune else None
        )
        unit = found.unit
        if unit is None or not self.scope.contains(unit):
            raise _RowError(
                key,
                _("Không có đơn vị mã “%(c)s” trong phạm vi của bạn.") % {"c": code}
                + (" " + found.describe() + "." if found.unit or found.others else ""),
            )
        number, letters = getattr(self, "where", (0, {}))
        self.report.note_code(self.sheet, number, letters.get(key, "-"), found)
        return unit

    def _stored_unit(self, record, code: str) -> Unit | None:
        """The commune of the stored subject or product this row names, when it has this code
        (a template row of a record whose commune code lapsed in the 2025 reorganisation)."""
        name = cell_text(record.get("name"))
        if self.sheet == SUBJECTS:
            qs = selectors.subjects_visible(self.scope)
        elif self.sheet == PRODUCTS:
            qs = selectors.products_visible(self.scope)
        else:
            return None
        found = qs.filter(name__iexact=name, unit__code=code).first() if name else None
        return found.unit if found is not None else None

    def choice(self, record, key, table, default=None) -> str:
        raw = self.text(record, key)
        if not raw and default is not None:
            return default
        value = table.get(fold(raw))
        if value is None:
            raise _RowError(key, _("“%(v)s” không có trong danh sách.") % {"v": raw})
        return value

    def integer(self, record, key) -> int | None:
        try:
            value = parse_vi_number(record.get(key), places=0)
        except CellValueError as exc:  # named at its column
            raise _RowError(key, str(exc)) from exc
        if value is None:
            if key in self.required:
                raise _RowError(key, _("Cần ghi một số."))
            return None
        return int(value)

    def stars(self, record, key) -> int:
        """Stars typed as 3, "3 sao" or "3★"."""
        raw = record.get(key)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw == int(raw):
            return int(raw)
        match = re.fullmatch(r"\s*([0-9])\s*(sao|★|\*)?\s*", cell_text(raw), re.IGNORECASE)
        if match is None:
            raise _RowError(key, _("Số sao ghi 3, “3 sao” hoặc “3★”."))
        return int(match.group(1))

    def date(self, record, key):
        try:
            value = parse_vi_date(record.get(key))
        except CellValueError as exc:
            raise _RowError(key, str(exc)) from exc
        if value is None:
            raise _RowError(key, _("Cần ghi ngày (dd/mm/yyyy)."))
        return value

    def subject_named(self, record, key="subject") -> Subject:
        name = self.text(record, key)
        found = list(selectors.subjects_visible(self.scope).filter(name__iexact=name)[:2])
        if len(found) != 1:
            message = (
                _("Không có chủ thể “%(n)s” trong phạm vi của bạn.")
                if not found
                else _("Có nhiều chủ thể tên “%(n)s”; đổi tên cho khác nhau.")
            )
            raise _RowError(key, message % {"n": name})
        return found[0]

    def product_named(self, record) -> Product:
        subject = self.subject_named(record)
        name = self.text(record, "product")
        product = (
            selectors.products_visible(self.scope)
            .filter(subject=subject, name__iexact=name)
            .first()
        )
        if product is None:
            raise _RowError("product", _("Chủ thể không có sản phẩm “%(n)s”.") % {"n": name})
        return product

    def version(self, record, existing) -> int | None:
        """The "Phiên bản" of the row when it changes a stored record (None: not checked)."""
        if existing is None:
            return None
        return self.integer(record, "version")

    def count(self, created: bool) -> None:
        if created:
            self.report.created += 1
        else:
            self.report.updated += 1

    # rows
    def subject(self, r) -> None:
        self.required = REQUIRED[SUBJECTS]
        unit = self.unit(r, "unit")
        name = self.text(r, "name")
        existing = Subject.objects.filter(unit=unit, name__iexact=name).first()
        fields = {
            "kind": self.choice(r, "kind", self.kinds),
            "name": name,
            "unit": unit,
            "address": self.text(r, "address"),
            "tax_code": self.text(r, "tax_code"),
            "representative": self.text(r, "representative"),
            "phone": self.text(r, "phone"),
            "email": self.text(r, "email"),
        }
        if existing is not None and _same(existing, fields):
            self.count(False)  # unchanged: no write, no new version, no version check
            return
        services.subject_save(
            user=self.user, subject=existing, version=self.version(r, existing), **fields
        )
        self.count(existing is None)

    def product(self, r) -> None:
        self.required = REQUIRED[PRODUCTS]
        subject = self.subject_named(r)
        name = self.text(r, "name")
        existing = Product.objects.filter(subject=subject, name__iexact=name).first()
        fields = {
            "name": name,
            "subject": subject,
            "unit": self.unit(r, "unit"),
            "group": self.choice(r, "group", self.groups, default=""),
            "classification": self.choice(r, "classification", self.classes, default=""),
            "stage": self.choice(r, "stage", self.stages, default=CycleStage.IDEA),
            "traceability_code": self.text(r, "traceability_code"),
            "description": self.text(r, "description"),
        }
        if existing is not None and _same(existing, fields):
            self.count(False)  # unchanged: no write, no new version, no version check
            return
        services.product_save(
            user=self.user, product=existing, version=self.version(r, existing), **fields
        )
        self.count(existing is None)

    def score(self, r) -> None:
        self.required = REQUIRED[SCORES]
        year, number = self.integer(r, "year"), self.integer(r, "number")
        held_on = self.date(r, "held_on")
        unit = self.unit(r, "unit", commune=False, on=held_on)
        rnd = EvaluationRound.objects.filter(unit=unit, year=year, number=number).first()
        if rnd is None:
            rnd = services.round_save(
                user=self.user, unit=unit, year=year, number=number, held_on=held_on
            )
        elif rnd.held_on != held_on:
            raise _RowError(
                "held_on",
                _("Đợt %(n)s năm %(y)s đã ghi ngày %(d)s.")
                % {"n": number, "y": year, "d": rnd.held_on.strftime("%d/%m/%Y")},
            )
        product = self.product_named(r)
        scores = {}
        for key, raw in r.items():
            if key.startswith("line:") and raw not in (None, ""):
                try:
                    scores[key[5:]] = parse_vi_number(raw, places=4)
                except CellValueError as exc:
                    raise _RowError(key, str(exc)) from exc
        existed = Evaluation.objects.filter(round=rnd, product=product).exists()
        services.evaluation_save(
            user=self.user,
            round=rnd,
            product=product,
            scores=scores,
            proposal=self.text(r, "proposal"),
        )
        self.count(not existed)

    def decision(self, r) -> None:
        self.required = REQUIRED[DECISIONS]
        product = self.product_named(r)
        evaluation = None
        year, number = self.integer(r, "year"), self.integer(r, "round")
        if year is not None and number is not None:
            evaluation = product.evaluations.filter(round__year=year, round__number=number).first()
            if evaluation is None:
                raise _RowError(
                    "round",
                    _("Sản phẩm chưa có kết quả đánh giá đợt %(n)s năm %(y)s.")
                    % {"n": number, "y": year},
                )
        stars = self.stars(r, "stars")
        services.certificate_issue(
            user=self.user,
            product=product,
            number=self.text(r, "number"),
            issued_on=self.date(r, "issued_on"),
            issuer=self.text(r, "issuer"),
            stars=stars,
            evaluation=evaluation,
        )
        self.count(True)
