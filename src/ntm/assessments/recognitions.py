"""Recognition decisions (công nhận, thu hồi): the rules for recording one, reads, and the
import of a decisions workbook.

A unit holds a level on a day when the latest decision for that level up to that day (by
decision date, then by the order they were recorded) recognised it. Recognising needs an
approved assessment of the unit for that year, under the set or a set of the same level, that
meets the standard — or a written reason; revoking needs the unit to hold the level.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments.excel import SystemUserError, system_user
from ntm.assessments.models import Assessment, Recognition, RecognitionAction, State
from ntm.criteria.models import AppliesTo, CriteriaSet, RecognitionLevel
from ntm.criteria.selectors import criteria_sets_visible
from ntm.excel import (
    CellValueError,
    ImportReport,
    WorkbookError,
    add_choice_validation,
    cell_text,
    is_formula,
    open_workbook,
    parse_vi_date,
    workbook_bytes,
    write_table,
)
from ntm.faults import maybe_die
from ntm.units.models import Kind, Level, Unit
from ntm.units.text import fold

SHEET = "CongNhan"


class RecognitionError(ValueError):
    """A decision that the rules refuse; `field` names the argument at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# Conditions other apps add to recognising, without this module importing them (the dossiers
# app registers "the recognition dossier is complete, or a reason is given"). Each is called as
# check(unit=, level=, year=, override_reason=) and raises RecognitionError.
RECOGNITION_CHECKS: list[Callable[..., None]] = []


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _level_label(level: str) -> str:
    return str(RecognitionLevel(level).label) if level in RecognitionLevel.values else level


# -- reads ---------------------------------------------------------------------------------


def levels_held(unit_ids, day: datetime.date) -> dict[int, set[str]]:
    """unit id -> levels held on the day: the latest decision per (unit, level) up to the day
    decides, recognised or revoked. One query for any number of units."""
    latest: dict[tuple[int, str], tuple] = {}
    rows = (
        Recognition.objects.filter(unit_id__in=unit_ids, decision_date__lte=day)
        .order_by()
        .values_list("unit_id", "level", "action", "decision_date", "pk")
    )
    for unit_id, level, action, decision_date, pk in rows:
        key = (unit_id, level)
        if key not in latest or (decision_date, pk) > latest[key][0]:
            latest[key] = ((decision_date, pk), action)
    held: dict[int, set[str]] = defaultdict(set)
    for (unit_id, level), (_when, action) in latest.items():
        if action == RecognitionAction.RECOGNISED:
            held[unit_id].add(level)
    return held


def recognition_level_on(*, unit: Unit, day: datetime.date) -> list[str]:
    """The levels (RecognitionLevel values, in their order) the unit holds on `day`."""
    held = levels_held([unit.pk], day).get(unit.pk, set())
    return [level for level in RecognitionLevel.values if level in held]


def recognitions_of_year(*, scope, year: int) -> QuerySet:
    """Decisions recorded for assessment year `year`, within the caller's scope."""
    return (
        scope.filter(Recognition.objects.filter(year=year), field="unit")
        .select_related("unit", "unit__parent", "criteria_set")
        .order_by("decision_date", "unit__code", "pk")
    )


# -- the rules -----------------------------------------------------------------------------

_UNIT_LEVEL = {
    AppliesTo.COMMUNE: Level.COMMUNE,
    AppliesTo.DISTRICT: Level.DISTRICT,
    AppliesTo.VILLAGE: Level.VILLAGE,
}


def _check_unit_fits(unit: Unit, cset: CriteriaSet) -> None:
    wanted = _UNIT_LEVEL.get(cset.applies_to)
    if unit.level != wanted or (cset.applies_to == AppliesTo.COMMUNE and unit.kind != Kind.COMMUNE):
        raise RecognitionError(
            _("%(unit)s không thuộc loại đơn vị mà bộ %(code)s áp dụng (%(applies)s).")
            % {"unit": unit.name, "code": cset.code, "applies": cset.get_applies_to_display()},
            "unit",
        )


def _check_rights(user, unit: Unit) -> None:
    if user is None or user.is_superuser:
        return
    if user.role != Role.PROVINCE_COORDINATOR or not scope_for(user).contains(unit):
        raise PermissionDenied(
            _(
                "Chỉ Văn phòng Điều phối NTM tỉnh ghi quyết định công nhận của đơn vị thuộc tỉnh mình."
            )
        )


def _holding_decision(unit: Unit, level: str, day: datetime.date) -> Recognition | None:
    """The recognition that gives the unit `level` on `day`, if it holds it."""
    latest = (
        Recognition.objects.filter(unit=unit, level=level, decision_date__lte=day)
        .order_by("-decision_date", "-pk")
        .first()
    )
    return latest if latest and latest.action == RecognitionAction.RECOGNISED else None


def recognition_record(
    *,
    unit: Unit,
    level: str,
    criteria_set: CriteriaSet,
    year: int,
    action: str,
    decision_number: str,
    decision_date: datetime.date,
    signer: str = "",
    file=None,
    override_reason: str = "",
    user=None,
) -> Recognition:
    """Record a decision recognising a unit at a level, or revoking it. Raises
    RecognitionError (Vietnamese message, `field` at fault) or PermissionDenied."""
    _check_rights(user, unit)
    decision_number = " ".join((decision_number or "").split())
    override_reason = (override_reason or "").strip()
    if action not in RecognitionAction.values:
        raise RecognitionError(_("Loại quyết định phải là công nhận hoặc thu hồi."), "action")
    if level not in RecognitionLevel.values:
        raise RecognitionError(_("Mức công nhận không hợp lệ."), "level")
    if level != criteria_set.level:
        raise RecognitionError(
            _("Bộ %(code)s dùng để công nhận mức “%(set_level)s”, không phải “%(level)s”.")
            % {
                "code": criteria_set.code,
                "set_level": _level_label(criteria_set.level),
                "level": _level_label(level),
            },
            "criteria_set",
        )
    _check_unit_fits(unit, criteria_set)
    if not decision_number:
        raise RecognitionError(_("Thiếu số quyết định."), "decision_number")
    if not isinstance(decision_date, datetime.date):
        raise RecognitionError(_("Thiếu ngày quyết định."), "decision_date")
    if decision_date > timezone.localdate():
        raise RecognitionError(
            _("Ngày quyết định %(date)s sau ngày hôm nay.") % {"date": _date(decision_date)},
            "decision_date",
        )
    if decision_date.year < year:
        raise RecognitionError(
            _("Ngày quyết định %(date)s trước năm đánh giá %(year)s.")
            % {"date": _date(decision_date), "year": year},
            "decision_date",
        )
    if Recognition.objects.filter(
        unit=unit, level=level, action=action, decision_number=decision_number
    ).exists():
        raise RecognitionError(
            _("Quyết định %(number)s đã được ghi cho %(unit)s.")
            % {"number": decision_number, "unit": unit.name},
            "decision_number",
        )
    holding = _holding_decision(unit, level, decision_date)
    if action == RecognitionAction.RECOGNISED:
        if not criteria_set.period_start <= year <= criteria_set.period_end:
            raise RecognitionError(
                _(
                    "Bộ %(code)s áp dụng cho giai đoạn %(start)s-%(end)s, không áp dụng cho năm %(year)s."
                )
                % {
                    "code": criteria_set.code,
                    "start": criteria_set.period_start,
                    "end": criteria_set.period_end,
                    "year": year,
                },
                "criteria_set",
            )
        if holding is not None:
            raise RecognitionError(
                _(
                    "%(unit)s đã đạt mức “%(level)s” theo quyết định %(number)s ngày %(date)s; "
                    "cần thu hồi trước khi công nhận lại."
                )
                % {
                    "unit": unit.name,
                    "level": _level_label(level),
                    "number": holding.decision_number,
                    "date": _date(holding.decision_date),
                },
                "unit",
            )
        approved = Assessment.objects.filter(
            Q(criteria_set=criteria_set)
            | Q(criteria_set__level=level, criteria_set__applies_to=criteria_set.applies_to),
            unit=unit,
            year=year,
            state=State.APPROVED,
            meets_standard=True,
        ).exists()
        if not approved and not override_reason:
            raise RecognitionError(
                _(
                    "%(unit)s chưa có kết quả đánh giá năm %(year)s đã phê duyệt và đạt chuẩn "
                    "(bộ %(code)s hoặc bộ cùng mức); nếu vẫn công nhận, hãy ghi lý do."
                )
                % {"unit": unit.name, "year": year, "code": criteria_set.code},
                "override_reason",
            )
        for check in RECOGNITION_CHECKS:
            check(unit=unit, level=level, year=year, override_reason=override_reason)
    elif holding is None:
        raise RecognitionError(
            _("%(unit)s không ở mức “%(level)s” vào ngày %(date)s nên không thể thu hồi.")
            % {"unit": unit.name, "level": _level_label(level), "date": _date(decision_date)},
            "decision_date",
        )
    recognition = Recognition(
        unit=unit,
        level=level,
        criteria_set=criteria_set,
        year=year,
        action=action,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=(signer or "").strip(),
        override_reason=override_reason,
        created_by=user if getattr(user, "pk", None) else None,
    )
    if file is not None:
        recognition.file = file
    try:
        recognition.full_clean(
            exclude=["unit", "criteria_set", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise RecognitionError(" ".join(messages), field) from exc
    if user is not None:
        recognition._history_user = user
    recognition.save()
    return recognition


# -- import --------------------------------------------------------------------------------

# field -> (Vietnamese header, required)
COLUMNS = {
    "unit": ("Mã xã", True),
    "criteria_set": ("Mã bộ tiêu chí", True),
    "decision_number": ("Số quyết định", True),
    "decision_date": ("Ngày quyết định", True),
    "action": ("Công nhận/Thu hồi", True),
    "override_reason": ("Lý do", False),
    "year": ("Năm", False),
    "signer": ("Người ký", False),
}
_ALIASES = {"unit": ("Mã đơn vị",), "year": ("Năm đánh giá",)}
_IGNORED = ("STT", "Tên xã", "Tên đơn vị", "Huyện", "Ghi chú")


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def _header_map() -> dict[str, str]:
    found = {}
    for field, (label, _required) in COLUMNS.items():
        for text in (label, _(label), *_ALIASES.get(field, ())):
            found[_key(text)] = field
    for text in _IGNORED:
        found.setdefault(_key(text), "")
        found.setdefault(_key(_(text)), "")
    return found


def recognitions_template() -> bytes:
    """An empty "CongNhan" workbook with the columns the import reads."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    write_table(ws, [label for label, _required in COLUMNS.values()], [], widths={5: 20, 6: 40})
    add_choice_validation(ws, 5, ["Công nhận", "Thu hồi"], 2, 1000)
    return workbook_bytes(wb)


def recognitions_import(
    *,
    data: bytes,
    scope,
    user,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import decisions from sheet "CongNhan": every row checked, all written or none.

    Rows are applied in decision-date order, so a file may recognise a commune and later
    revoke it. The rules are those of `recognition_record`, applied inside one transaction
    that is rolled back when any row fails (or on a dry run).
    """
    report = ImportReport(dry_run=dry_run)
    step = progress or (lambda n: None)
    if not scope.can_write or (
        user is not None and not (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR)
    ):
        report.add(
            "-", 0, "-", _("Chỉ Văn phòng Điều phối NTM tỉnh được nhập quyết định công nhận.")
        )
        return report
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    try:
        if SHEET not in wb.sheetnames:
            report.add(SHEET, 0, "-", _("Không có trang “%(sheet)s”.") % {"sheet": SHEET})
            return report
        rows = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    letters = _read_header(rows[0] if rows else (), report)
    if report.errors:
        return report
    parsed = _parse_rows(rows, letters, scope, report)
    with transaction.atomic():
        try:
            actor = user if user is not None or dry_run else system_user()
        except SystemUserError as exc:
            report.add("-", 0, "-", str(exc))
            return report
        for row in sorted(parsed, key=lambda r: (r["decision_date"], r["row"])):
            try:
                with transaction.atomic():
                    recognition_record(
                        unit=row["unit"],
                        level=row["criteria_set"].level,
                        criteria_set=row["criteria_set"],
                        year=row["year"],
                        action=row["action"],
                        decision_number=row["decision_number"],
                        decision_date=row["decision_date"],
                        signer=row["signer"],
                        override_reason=row["override_reason"],
                        user=actor,
                    )
                report.created += 1
            except RecognitionError as exc:
                column = letters.get(exc.field) or letters["action"]
                report.add(SHEET, row["row"], column, str(exc))
            except PermissionDenied as exc:
                report.add(SHEET, row["row"], letters["unit"], str(exc))
            maybe_die("import")  # crash tests only (NTM_FAULT_AFTER_ROWS)
            step(1)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.created = 0
    return report


def _read_header(header, report: ImportReport) -> dict[str, str]:
    known = _header_map()
    letters: dict[str, str] = {}
    for idx, raw in enumerate(header):
        text = cell_text(raw)
        if not text:
            continue
        letter = get_column_letter(idx + 1)
        field = known.get(_key(text))
        if field is None:
            report.add(SHEET, 1, letter, _("Cột “%(header)s” không xác định.") % {"header": text})
        elif field and field in letters:
            report.add(SHEET, 1, letter, _("Cột “%(header)s” lặp lại.") % {"header": text})
        elif field:
            letters[field] = letter
    missing = [
        label for field, (label, required) in COLUMNS.items() if required and field not in letters
    ]
    if missing:
        report.add(SHEET, 1, "-", _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
    return letters


def _parse_rows(rows, letters: dict[str, str], scope, report: ImportReport) -> list[dict]:
    index = {field: column_index_from_string(letter) - 1 for field, letter in letters.items()}
    sets = {s.code.upper(): s for s in criteria_sets_visible(scope)}
    actions = {
        _key("Công nhận"): RecognitionAction.RECOGNISED,
        _key(_("Công nhận")): RecognitionAction.RECOGNISED,
        _key("Thu hồi"): RecognitionAction.REVOKED,
        _key(_("Thu hồi")): RecognitionAction.REVOKED,
    }
    parsed = []
    for row_no, row in enumerate(rows[1:], start=2):
        cells = {f: (row[i] if i < len(row) else None) for f, i in index.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        item = {"row": row_no, "signer": "", "override_reason": ""}
        before = len(report.errors)

        def fail(field: str, message: str, row_no=row_no) -> None:
            report.add(SHEET, row_no, letters[field], message)

        formulas = [f for f, raw in cells.items() if is_formula(raw)]
        for field in formulas:
            fail(field, _("Không chấp nhận công thức; hãy nhập giá trị."))
        if formulas:
            continue

        code = cell_text(cells["criteria_set"]).upper()
        cset = sets.get(code)
        if cset is None:
            fail(
                "criteria_set",
                _("Không có bộ tiêu chí mã “%(code)s”.") % {"code": code}
                if code
                else _("Thiếu mã bộ tiêu chí."),
            )
        item["criteria_set"] = cset
        try:
            item["decision_date"] = parse_vi_date(cells["decision_date"])
        except CellValueError as exc:
            item["decision_date"] = None
            fail("decision_date", str(exc))
        else:
            if item["decision_date"] is None:
                fail("decision_date", _("Thiếu ngày quyết định."))
        item["decision_number"] = cell_text(cells["decision_number"])
        if not item["decision_number"]:
            fail("decision_number", _("Thiếu số quyết định."))
        action = actions.get(_key(cell_text(cells["action"])))
        if action is None:
            fail("action", _("Ghi “Công nhận” hoặc “Thu hồi”."))
        item["action"] = action
        year_text = cell_text(cells.get("year"))
        if year_text:
            if year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= 2100:
                item["year"] = int(year_text)
            else:
                fail("year", _("Năm “%(raw)s” không hợp lệ.") % {"raw": year_text})
        elif item["decision_date"] is not None:
            item["year"] = item["decision_date"].year
        item["override_reason"] = cell_text(cells.get("override_reason"))
        item["signer"] = cell_text(cells.get("signer"))
        item["code"] = cell_text(cells["unit"])
        if item["code"].isdigit() and cset is not None and cset.applies_to == AppliesTo.COMMUNE:
            item["code"] = item["code"].zfill(5)
        if not item["code"]:
            fail("unit", _("Thiếu mã xã."))
        if len(report.errors) == before:
            parsed.append(item)
    _resolve_units(parsed, scope, letters, report)
    seen = {}
    kept = []
    for item in parsed:
        if item.get("unit") is None:
            continue
        key = (item["unit"].pk, item["criteria_set"].level, item["action"], item["decision_number"])
        if key in seen:
            report.add(
                SHEET,
                item["row"],
                letters["decision_number"],
                _("Quyết định này lặp lại dòng %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = item["row"]
        kept.append(item)
    return kept


def _resolve_units(items: list[dict], scope, letters, report: ImportReport) -> None:
    """Pick each row's unit by code and level: the one valid on the decision date, else one
    valid at some time in the assessment year."""
    codes = {item["code"] for item in items}
    candidates = defaultdict(list)
    for unit in scope.filter(Unit.objects.filter(code__in=codes), field=""):
        candidates[(unit.code, unit.level)].append(unit)

    def valid(u: Unit, start: datetime.date, end: datetime.date) -> bool:
        return (u.valid_from is None or u.valid_from <= end) and (
            u.valid_to is None or u.valid_to >= start
        )

    for item in items:
        level = _UNIT_LEVEL.get(item["criteria_set"].applies_to)
        units = candidates.get((item["code"], level), [])
        day = item["decision_date"]
        chosen = [u for u in units if valid(u, day, day)] or [
            u
            for u in units
            if valid(u, datetime.date(item["year"], 1, 1), datetime.date(item["year"], 12, 31))
        ]
        if not units:
            report.add(
                SHEET,
                item["row"],
                letters["unit"],
                _("Mã “%(code)s” không có hoặc ngoài phạm vi của bạn.") % {"code": item["code"]},
            )
        elif not chosen:
            report.add(
                SHEET,
                item["row"],
                letters["unit"],
                _("%(name)s không có hiệu lực vào ngày %(date)s.")
                % {"name": units[0].name, "date": _date(day)},
            )
        else:
            item["unit"] = chosen[0]
