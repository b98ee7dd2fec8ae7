"""A council member's score sheet for one product as an Excel workbook, and its import (registered
as `ocop-sheet` in the import frame: `ntm import ocop-sheet FILE`, the page `ocop:sheet_import`).

The workbook:
- "PhieuCham" (protected; only the choice cells and the note are editable): the product, the
  round and the member on top, then a header row and one row per row of the product's sheet
  (sections and grouping rows shaded, not scored); a scored item has a drop-down of its options
  (read from the hidden list sheet, "1) label — 3 điểm"), its points (a formula) and its ★
  markers; the total (a formula) and the note ("Giải trình") at the end.
- "PhuongAn" (hidden, protected): one row per option: item code, option text, points.
- "ThongTin" (very hidden, protected): the evaluation, the council member, the account, the
  version of the member's saved sheet when the file was made, and the product sheet.

The import reads the choices (an option's text as in the list, or its number: "2" or "2)") and
the note, then saves through `council.member_sheet_save`, the same service and checks as the
online sheet: a choice that is not an option of its item, a file of a member outside the
council (or of another member), a file made before the member's last save (stale version), a
closed round. Every refusal names sheet, row and column; nothing is written then.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
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
    parse_vi_number,
    protect_sheet,
    safe_cell,
    unescape_cell,
    workbook_bytes,
)
from ntm.ocop import council, selectors
from ntm.ocop.models import CouncilMember, Evaluation, MemberChoice, MemberSheet, SheetItem
from ntm.ocop.services import OcopError, StaleVersionError
from ntm.units.text import fold

SHEET, LISTS, INFO = "PhieuCham", "PhuongAn", "ThongTin"
COLUMNS = [
    ("code", "Mục"),
    ("name", "Nội dung"),
    ("max", "Điểm tối đa"),
    ("choice", "Phương án chọn"),
    ("points", "Điểm"),
    ("stars", "Mức tối thiểu"),
]
HEADER_ROW = 6
NOTE_LABEL = "Giải trình"
TOTAL_LABEL = "TỔNG ĐIỂM"
INFO_ROWS = [
    ("evaluation", "Mã kết quả đánh giá"),
    ("member", "Mã thành viên hội đồng"),
    ("user", "Tài khoản"),
    ("version", "Phiên bản phiếu đã lưu"),
    ("sheet", "Mã phiếu chấm"),
]
MAX_ID = 2_147_483_647
_NUMBERED = re.compile(r"^(\d{1,3})\s*\)?")
GREY = PatternFill("solid", fgColor="E7E6E6")
HEAD = PatternFill("solid", fgColor="DDEBF7")


def _points(value) -> str:
    text = f"{value.normalize():f}" if value is not None else ""
    return text.replace(".", ",")


def option_text(number: int, option) -> str:
    """The text of an option in the drop-down: its number, label and points."""
    label = " ".join(option.label.split())
    return f"{number}) {label} — {_points(option.points)} " + _("điểm")


def _stars(options) -> str:
    return "; ".join(
        _("%(s)s★: từ %(p)s điểm") % {"s": o.min_star, "p": _points(o.points)}
        for o in options
        if o.min_star
    )


def _items(evaluation: Evaluation) -> list[SheetItem]:
    return list(
        SheetItem.objects.filter(sheet_id=evaluation.product_sheet_id)
        .prefetch_related("options")
        .order_by("order")
    )


# -- the workbook ----------------------------------------------------------------------------


def member_sheet_template(*, evaluation: Evaluation, member: CouncilMember) -> bytes:
    """The member's score sheet for the product, with their saved choices and note, if any."""
    if evaluation.product_sheet_id is None:
        raise OcopError(
            _("Sản phẩm “%(p)s” chưa có phiếu chấm trong đợt.") % {"p": evaluation.product.name},
            "product",
        )
    saved = MemberSheet.objects.filter(evaluation=evaluation, member=member).first()
    chosen = (
        dict(MemberChoice.objects.filter(sheet=saved).values_list("item_id", "option_id"))
        if saved
        else {}
    )
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    lists = wb.create_sheet(LISTS)
    info = wb.create_sheet(INFO)
    _top(ws, evaluation, member)
    editable = []
    row = HEADER_ROW + 1
    list_row = 1
    for item in _items(evaluation):
        options = list(item.options.all())
        values = [item.code, item.name, float(item.max_points), None, None, _stars(options)]
        for column, value in enumerate(values, start=1):
            ws.cell(row=row, column=column, value=safe_cell(value))
        ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if not item.scored:
            for column in range(1, 7):
                ws.cell(row=row, column=column).fill = GREY
                ws.cell(row=row, column=column).font = Font(bold=True)
        else:
            first = list_row
            for number, option in enumerate(options, start=1):
                if chosen.get(item.pk) == option.pk:
                    ws.cell(row=row, column=4, value=safe_cell(option_text(number, option)))
                if option.blocked:  # a flagged cell: not in the list until it is corrected
                    continue
                lists.cell(row=list_row, column=1, value=item.code)
                lists.cell(row=list_row, column=2, value=safe_cell(option_text(number, option)))
                lists.cell(row=list_row, column=3, value=float(option.points))
                list_row += 1
            if list_row > first:  # else every option is flagged: nothing to choose yet
                _choice_list(ws, row, first, list_row - 1)
            editable.append((row, 4))
        row += 1
    ws.cell(row=row, column=2, value=TOTAL_LABEL).font = Font(bold=True)
    ws.cell(row=row, column=5, value=f"=SUM(E{HEADER_ROW + 1}:E{row - 1})").font = Font(bold=True)
    ws.cell(row=row + 1, column=1, value=NOTE_LABEL).font = Font(bold=True)
    ws.cell(
        row=row + 1,
        column=2,
        value=_("Bắt buộc khi tổng điểm lệch bình quân của hội đồng quá 10 điểm (ghi ở cột D)."),
    )
    ws.cell(row=row + 1, column=4, value=safe_cell(saved.note) if saved else None)
    editable.append((row + 1, 4))
    _info(info, evaluation, member, saved)
    protect_sheet(ws, unlocked=editable)
    protect_sheet(lists)
    lists.sheet_state = "hidden"
    return workbook_bytes(wb)


def _choice_list(ws, row: int, first: int, last: int) -> None:
    """The drop-down of a scored item's row (options in rows first..last of the list sheet) and
    the formula that shows the chosen option's points."""
    texts = f"{LISTS}!$B${first}:$B${last}"
    points = f"{LISTS}!$C${first}:$C${last}"
    dv = DataValidation(
        type="list",
        formula1=texts,
        allow_blank=True,
        showErrorMessage=True,
        error=_("Chọn một phương án trong danh sách."),
    )
    dv.add(f"D{row}")
    ws.add_data_validation(dv)
    ws.cell(row=row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=row, column=5, value=f'=IFERROR(INDEX({points},MATCH(D{row},{texts},0)),"")')


def _top(ws, evaluation: Evaluation, member: CouncilMember) -> None:
    sheet, rnd, product = evaluation.product_sheet, evaluation.round, evaluation.product
    ws["A1"] = _("PHIẾU CHẤM ĐIỂM SẢN PHẨM OCOP — %(s)s") % {"s": sheet}
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = _("Sản phẩm: %(p)s — chủ thể: %(s)s") % {
        "p": product.name,
        "s": product.subject.name,
    }
    ws["A3"] = _("%(r)s — %(u)s, ngày %(d)s. Thành viên: %(m)s (%(role)s).") % {
        "r": rnd,
        "u": rnd.unit.name,
        "d": rnd.held_on.strftime("%d/%m/%Y"),
        "m": member.user.get_full_name() or member.user.username,
        "role": member.get_role_display(),
    }
    ws["A4"] = _(
        "Chọn một phương án ở cột “Phương án chọn” cho mỗi mục (danh sách thả xuống), ghi giải "
        "trình nếu cần, lưu tệp rồi nộp ở trang “Nộp phiếu chấm Excel” của OCOP."
    )
    ws["A4"].font = Font(italic=True)
    for column, (_key, title) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEAD
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    for letter, width in zip("ABCDEF", (8, 60, 10, 60, 8, 22), strict=True):
        ws.column_dimensions[letter].width = width


def _info(ws, evaluation, member, saved) -> None:
    values = {
        "evaluation": evaluation.pk,
        "member": member.pk,
        "user": member.user.username,
        "version": saved.version if saved else 0,
        "sheet": evaluation.product_sheet_id,
    }
    for row, (key, title) in enumerate(INFO_ROWS, start=1):
        ws.cell(row=row, column=1, value=title)
        ws.cell(row=row, column=2, value=safe_cell(values[key]))
    protect_sheet(ws)
    ws.sheet_state = "veryHidden"


# -- the import ------------------------------------------------------------------------------


def member_sheet_import(*, data: bytes, scope: Scope, user, dry_run: bool = False) -> ImportReport:
    """Read a member's score sheet and save it as the online sheet would (all or nothing)."""
    report = ImportReport(dry_run=dry_run)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    for name in (SHEET, INFO):
        if name not in wb:
            report.add(
                "-",
                0,
                "-",
                _(
                    "Tệp không có trang “%(s)s”: đây không phải phiếu chấm OCOP tải từ hệ thống "
                    "(tải phiếu của mình ở trang đợt đánh giá)."
                )
                % {"s": name},
            )
            return report
    ids = _read_info(wb[INFO], report)
    if not report.ok:
        return report
    evaluation, member = _target(ids, scope, user, report)
    if not report.ok:
        return report
    choices, note = _read_choices(wb[SHEET], evaluation, report)
    if not report.ok:
        return report
    existed = MemberSheet.objects.filter(evaluation=evaluation, member=member).exists()
    with transaction.atomic():
        try:
            council.member_sheet_save(
                user=user,
                evaluation=evaluation,
                choices=choices,
                note=note,
                version=ids["version"][0],
                member=member,
            )
        except StaleVersionError as exc:
            report.add(
                INFO,
                ids["version"][1],
                "B",
                _(
                    "Tệp được tải trước lần lưu phiếu gần nhất (%(e)s) Hãy tải lại tệp phiếu "
                    "chấm mới rồi chấm lại."
                )
                % {"e": exc},
            )
        except (OcopError, PermissionDenied) as exc:
            report.add(SHEET, 0, "-", str(exc))
        if not report.ok or dry_run:
            transaction.set_rollback(True)
    if report.ok:
        report.updated, report.created = (1, 0) if existed else (0, 1)
    return report


def _read_info(ws, report: ImportReport) -> dict[str, tuple[int, int]]:
    """{key: (whole number, row)} of the hidden identification sheet."""
    titles = {fold(title): key for key, title in INFO_ROWS}
    found: dict[str, tuple[int, int]] = {}
    for number, row in enumerate(ws.iter_rows(values_only=True, max_col=2), start=1):
        key = titles.get(fold(cell_text(row[0] if row else None)))
        if key is None or key == "user" or key in found:
            continue
        raw = unescape_cell(row[1] if len(row) > 1 else None)
        try:
            value = parse_vi_number(raw)
        except CellValueError:
            value = None
        if value is None or value < 0 or value > MAX_ID or value != value.to_integral_value():
            report.add(
                INFO,
                number,
                "B",
                _("“%(r)s” không phải là mã hợp lệ; hãy tải lại tệp phiếu chấm từ hệ thống.")
                % {"r": cell_text(raw)},
            )
            continue
        found[key] = (int(value), number)
    for key, title in INFO_ROWS:
        if key != "user" and key not in found and report.ok:
            report.add(
                INFO,
                0,
                "-",
                _("Thiếu ô “%(t)s”; hãy tải lại tệp phiếu chấm từ hệ thống.") % {"t": title},
            )
    return found


def _target(ids, scope, user, report) -> tuple:
    """The evaluation (in the user's scope) and the council member the file names."""
    evaluation = (
        selectors.evaluations_visible(scope)
        .select_related("product_sheet", "round")
        .filter(pk=ids["evaluation"][0])
        .first()
    )
    if evaluation is None or evaluation.product_sheet_id is None:
        report.add(
            INFO,
            ids["evaluation"][1],
            "B",
            _("Không có sản phẩm mã %(e)s được chấm theo phiếu trong phạm vi của bạn.")
            % {"e": ids["evaluation"][0]},
        )
        return None, None
    if evaluation.product_sheet_id != ids["sheet"][0]:
        report.add(
            INFO,
            ids["sheet"][1],
            "B",
            _("Tệp làm cho phiếu chấm khác với phiếu số %(n)s của sản phẩm “%(p)s”.")
            % {"n": evaluation.product_sheet.number, "p": evaluation.product.name},
        )
    member = (
        CouncilMember.objects.select_related("user")
        .filter(pk=ids["member"][0], round_id=evaluation.round_id)
        .first()
    )
    where = (INFO, ids["member"][1], "B")
    if member is None:
        report.add(
            *where,
            _("Thành viên mã %(m)s không thuộc hội đồng của %(r)s.")
            % {"m": ids["member"][0], "r": evaluation.round},
        )
    elif user is not None and member.user_id != user.pk:
        if not evaluation.round.council.filter(user=user).exists():
            report.add(
                *where, _("Bạn không phải thành viên hội đồng của %(r)s.") % {"r": evaluation.round}
            )
        else:
            report.add(
                *where,
                _("Đây là phiếu chấm của %(m)s; mỗi thành viên chỉ nộp phiếu của mình.")
                % {"m": member.user},
            )
    return evaluation, member


def _header(ws) -> tuple[int, dict[str, int]]:
    """(row number, {key: column index}) of the header row (among the first 20 rows)."""
    titles = {fold(title): key for key, title in COLUMNS}
    for number, row in enumerate(ws.iter_rows(values_only=True, max_row=20), start=1):
        found = {}
        for index, value in enumerate(row):
            key = titles.get(fold(cell_text(value)))
            if key is not None and key not in found:
                found[key] = index
        if {"code", "choice"} <= set(found):
            return number, found
    return 0, {}


def _match(text: str, options: list) -> object | None:
    wanted = fold(text)
    for number, option in enumerate(options, start=1):
        if fold(option_text(number, option)) == wanted:
            return option
    numbered = _NUMBERED.match(text)
    if numbered and (numbered.end() == len(text) or text[numbered.end() - 1] == ")"):
        index = int(numbered.group(1))
        if 1 <= index <= len(options):
            return options[index - 1]
    return None


def _read_choices(ws, evaluation: Evaluation, report: ImportReport) -> tuple[dict, str | None]:
    """{item code: option id} and the note of the sheet; errors name their cell."""
    header, columns = _header(ws)
    if not header:
        report.add(SHEET, 0, "-", _("Không thấy dòng tiêu đề có cột “Mục” và “Phương án chọn”."))
        return {}, None
    items = {i.code: i for i in _items(evaluation)}
    code_at, choice_at = columns["code"], columns["choice"]
    letters = {"code": get_column_letter(code_at + 1), "choice": get_column_letter(choice_at + 1)}
    choices, seen, note = {}, {}, None
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if number <= header:
            continue
        code = cell_text(row[code_at] if len(row) > code_at else None)
        raw = row[choice_at] if len(row) > choice_at else None
        if is_formula(raw):
            report.add(
                SHEET, number, letters["choice"], _("Không nhận công thức; chọn một phương án.")
            )
            continue
        raw = unescape_cell(raw)
        text = cell_text(raw)
        if fold(code) == fold(NOTE_LABEL):
            note = "" if raw is None else str(raw).strip()
        elif text:
            option, refusal = _choice(code, items.get(code), text, seen, evaluation)
            if refusal is not None:
                report.add(SHEET, number, letters[refusal[0]], refusal[1])
            else:
                seen[code] = number
                choices[code] = option.pk
    return choices, note


def _choice(code: str, item, text: str, seen: dict, evaluation: Evaluation) -> tuple:
    """(option, None) for a valid choice of an item, else (None, (column key, message))."""
    if not code:
        return None, ("choice", _("Dòng có lựa chọn nhưng không có mã mục."))
    if item is None:
        return None, (
            "code",
            _("Mục “%(c)s” không có trong phiếu chấm số %(n)s.")
            % {"c": code, "n": evaluation.product_sheet.number},
        )
    if not item.scored:
        return None, (
            "choice",
            _("Mục %(c)s là tiêu đề nhóm, không chấm điểm; để trống ô này.") % {"c": code},
        )
    if code in seen:
        return None, (
            "code",
            _("Mục %(c)s lặp lại (đã có ở dòng %(r)s).") % {"c": code, "r": seen[code]},
        )
    option = _match(text, list(item.options.all()))
    if option is None:
        return None, (
            "choice",
            _(
                "Mục %(c)s: “%(t)s” không phải là phương án của mục này; chọn trong danh sách "
                "thả xuống."
            )
            % {"c": code, "t": text[:80]},
        )
    if option.blocked:
        return None, (
            "choice",
            _(
                "Mục %(c)s: ô điểm “%(l)s” đang chờ quản trị viên tỉnh đối chiếu với văn bản "
                "gốc, chưa chọn được."
            )
            % {"c": code, "l": option.label[:60]},
        )
    return option, None
