"""Writes to administrative units: loading the official lists, villages, attributes."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ntm.excel import (
    ImportReport,
    WorkbookError,
    add_choice_validation,
    is_formula,
    open_workbook,
    workbook_bytes,
    write_table,
)
from ntm.limits import too_long
from ntm.units.catalogue import legacy_province_codes, province_regions, read_catalogue
from ntm.units.models import (
    ATTRIBUTE_VALUES,
    VILLAGE_KINDS,
    AttributeKind,
    Kind,
    Level,
    Unit,
    UnitAttribute,
    UnitLink,
)
from ntm.units.paths import hierarchy_keys
from ntm.units.resolver import resolve_code
from ntm.units.signals import rules_changed, units_written
from ntm.units.text import fold

_COMPARED_FIELDS = ("name", "short_name", "kind", "latitude", "longitude", "valid_from", "source")


class UnitLoadError(ValueError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_created: int = 0
    links_updated: int = 0
    attributes_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.links_created
            or self.links_updated
            or self.attributes_created
        )


def _check_codes(province_codes: list[str]) -> list[str]:
    known = legacy_province_codes()
    codes = [c.strip().zfill(2) for c in province_codes]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UnitLoadError(
            _(
                "Không có tỉnh mã %(codes)s trong danh mục 63 tỉnh (trước 1/7/2025). Mã hợp lệ: %(valid)s"
            )
            % {"codes": ", ".join(unknown), "valid": ", ".join(sorted(known))}
        )
    return codes


def units_load(
    *, province_codes: list[str] | None, progress: Callable[[int], None] | None = None
) -> LoadResult:
    """Load legacy provinces (None = the whole country) and the new provinces that absorbed them.

    Idempotent: a second run with the same data writes nothing. All or nothing.
    """
    codes = _check_codes(province_codes) if province_codes is not None else None
    catalogue = read_catalogue(codes)
    result = LoadResult()
    step = progress or (lambda n: None)

    with transaction.atomic():
        by_key: dict[tuple, Unit] = {}
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            records = [r for r in catalogue.units if r.level == level]
            existing = {
                (u.level, u.code, u.valid_to): u
                for u in Unit.objects.filter(level=level, code__in={r.code for r in records})
            }
            to_create, to_update = [], []
            for record in records:
                parent = by_key[record.parent_key] if record.parent_key else None
                unit = existing.get(record.key)
                values = {f: getattr(record, f) for f in _COMPARED_FIELDS}
                if unit is not None and record.valid_from is None:
                    values["valid_from"] = unit.valid_from  # a start the history gave it
                if unit is None:
                    unit = Unit(
                        level=record.level,
                        code=record.code,
                        valid_to=record.valid_to,
                        parent=parent,
                        **values,
                    )
                    unit.search_name = fold(f"{record.name} {record.code}")
                    to_create.append(unit)
                elif parent_changed(unit, parent) or any(
                    getattr(unit, f) != v for f, v in values.items()
                ):
                    for f, v in values.items():
                        setattr(unit, f, v)
                    unit.parent = parent
                    unit.search_name = fold(f"{record.name} {record.code}")
                    to_update.append(unit)
                else:
                    result.unchanged += 1
                by_key[record.key] = unit
            if to_create:
                bulk_create_with_history(
                    to_create,
                    Unit,
                    batch_size=500,
                    default_change_reason=_("Nạp danh mục đơn vị hành chính"),
                )
            if to_update:
                bulk_update_with_history(
                    to_update,
                    Unit,
                    [*_COMPARED_FIELDS, "parent", "search_name"],
                    batch_size=500,
                    default_change_reason=_("Cập nhật danh mục đơn vị hành chính"),
                )
            _set_paths(to_create + to_update)
            result.created += len(to_create)
            result.updated += len(to_update)
            step(len(records))

        result.links_created, result.links_updated = _load_links(catalogue.links, by_key)
        result.attributes_created = _load_regions(
            [u for u in by_key.values() if u.level == Level.PROVINCE and u.valid_to is not None]
        )
        step(len(catalogue.links))
    return result


def parent_changed(unit: Unit, parent: Unit | None) -> bool:
    return unit.parent_id != (parent.pk if parent else None)


def _set_paths(units: list[Unit]) -> None:
    if not units:
        return
    parent_paths = dict(
        Unit.objects.filter(pk__in={u.parent_id for u in units if u.parent_id}).values_list(
            "pk", "path"
        )
    )
    for unit in units:
        if unit.pk is None:  # bulk_create did not return keys (should not happen on our backends)
            unit.pk = Unit.objects.get(level=unit.level, code=unit.code, valid_to=unit.valid_to).pk
        unit.path = f"{parent_paths.get(unit.parent_id, '/')}{unit.pk}/"
        unit.province_key, unit.district_key = hierarchy_keys(unit.path, unit.level)
    Unit.objects.bulk_update(units, ["path", "province_key", "district_key"], batch_size=500)
    units_written.send(sender=Unit, unit_ids=[u.pk for u in units])


REGION_FROM_YEAR = 2016  # the regional thresholds of 1980/QĐ-TTg and 318/QĐ-TTg


def _load_regions(provinces: list[Unit]) -> int:
    """Give each legacy province its region, unless someone already set one."""
    regions, source = province_regions()
    has_region = set(
        UnitAttribute.objects.filter(unit__in=provinces, kind=AttributeKind.REGION).values_list(
            "unit_id", flat=True
        )
    )
    new = [
        UnitAttribute(
            unit=p,
            kind=AttributeKind.REGION,
            value=regions[p.code],
            valid_from_year=REGION_FROM_YEAR,
            source=source,
        )
        for p in provinces
        if p.pk not in has_region and p.code in regions
    ]
    bulk_create_with_history(new, UnitAttribute, default_change_reason=_("Nạp vùng theo tỉnh"))
    return len(new)


def _load_links(links, by_key: dict[tuple, Unit]) -> tuple[int, int]:
    wanted = {}
    for old_key, new_key, is_default, split in links:
        wanted[(by_key[old_key].pk, by_key[new_key].pk)] = (is_default, split)
    existing = {
        (link.old_id, link.new_id): link
        for link in UnitLink.objects.filter(old_id__in={k[0] for k in wanted})
    }
    to_create, to_update = [], []
    for (old_id, new_id), (is_default, split) in wanted.items():
        link = existing.get((old_id, new_id))
        if link is None:
            to_create.append(
                UnitLink(
                    old_id=old_id,
                    new_id=new_id,
                    is_default=is_default,
                    split=split,
                    source="vietnamadminunits (converter 2025)",
                )
            )
        elif (link.is_default, link.split) != (is_default, split):
            link.is_default, link.split = is_default, split
            to_update.append(link)
    UnitLink.objects.bulk_create(to_create, batch_size=1000)
    UnitLink.objects.bulk_update(to_update, ["is_default", "split"], batch_size=1000)
    return len(to_create), len(to_update)


VILLAGE_SHEET = "Thon"
VILLAGE_HEADERS = ["Mã xã", "Tên xã", "Tên thôn", "Loại", "Mã thôn"]
VILLAGE_KIND_LABELS = {
    "Thôn": Kind.VILLAGE,
    "Bản": Kind.HAMLET,
    "Tổ dân phố": Kind.RESIDENTIAL_GROUP,
}


class VillageError(ValueError):
    pass


def _next_village_code(commune: Unit, taken: set[str]) -> str:
    n = 1
    while f"{commune.code}.{n:03d}" in taken:
        n += 1
    return f"{commune.code}.{n:03d}"


def village_create(
    *, commune: Unit, name: str, kind: str = Kind.VILLAGE, code: str = "", user=None
) -> Unit:
    name = " ".join((name or "").split())
    if commune.level != Level.COMMUNE:
        raise VillageError(_("Thôn chỉ được thêm vào đơn vị cấp xã."))
    if commune.valid_to is not None:
        raise VillageError(_("Đơn vị này đã hết hiệu lực; hãy thêm thôn vào đơn vị hiện hành."))
    if not name:
        raise VillageError(_("Tên thôn không được để trống."))
    if kind not in VILLAGE_KINDS:
        raise VillageError(_("Loại thôn không hợp lệ."))
    if (refusal := too_long(Unit, {"name": name, "code": code or ""})) is not None:
        raise VillageError(refusal[1])
    siblings = Unit.objects.filter(parent=commune, level=Level.VILLAGE, valid_to__isnull=True)
    if any(fold(v.short_name) == fold(name) for v in siblings):
        raise VillageError(_("Xã đã có thôn tên “%(name)s”.") % {"name": name})
    taken = set(Unit.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    code = (code or "").strip() or _next_village_code(commune, taken)
    if code in taken:
        raise VillageError(_("Mã thôn %(code)s đã được dùng.") % {"code": code})
    village = Unit(
        code=code,
        name=name,
        short_name=name,
        kind=kind,
        level=Level.VILLAGE,
        parent=commune,
        source=_("Nhập bởi người dùng"),
    )
    if user is not None:
        village._history_user = user
    village.save()
    return village


def villages_import(*, data: bytes, scope, user=None, dry_run: bool = False) -> ImportReport:
    """Import villages from the template workbook: all rows valid, or nothing written."""
    report = ImportReport(dry_run=dry_run)
    try:
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    if VILLAGE_SHEET not in wb.sheetnames:
        report.add(
            VILLAGE_SHEET, 0, "-", _("Không có trang “%(sheet)s”.") % {"sheet": VILLAGE_SHEET}
        )
        return report
    ws = wb[VILLAGE_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    if (
        not rows
        or [str(c or "").strip() for c in rows[0][: len(VILLAGE_HEADERS)]] != VILLAGE_HEADERS
    ):
        report.add(
            VILLAGE_SHEET,
            1,
            "A-E",
            _("Dòng tiêu đề phải là: %(headers)s") % {"headers": ", ".join(VILLAGE_HEADERS)},
        )
        return report
    communes = {
        u.code: u
        for u in scope.filter(
            Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True), field=""
        )
    }
    taken_codes = set(Unit.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    # Codes of today's communes that named another commune before (the 2025 reorganisation):
    # the report says which one the village went to.
    reused = set(
        Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=False).values_list(
            "code", flat=True
        )
    )
    existing_names = {
        (parent_id, fold(short))
        for parent_id, short in Unit.objects.filter(
            level=Level.VILLAGE, valid_to__isnull=True
        ).values_list("parent_id", "short_name")
    }
    planned = []
    for row_no, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(VILLAGE_HEADERS) - len(row))
        if all(c in (None, "") for c in cells[: len(VILLAGE_HEADERS)]):
            continue
        planned.append(
            _check_village_row(report, row_no, cells, communes, taken_codes, existing_names, reused)
        )
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for row_no, commune, village_name, kind, code in planned:
            try:
                village_create(commune=commune, name=village_name, kind=kind, code=code, user=user)
            except VillageError as exc:  # checked above; a rule added later still names the row
                report.add(VILLAGE_SHEET, row_no, "-", str(exc))
                report.created = 0
                transaction.set_rollback(True)
                return report
            report.created += 1
    return report


def _check_village_row(
    report, row_no, cells, communes, taken_codes, existing_names, reused
) -> tuple:
    """One row of the villages sheet checked (faults to the report): (row, commune, name, kind,
    code). Codes and names are added to the sets so that a repeat in the file is refused too."""
    commune_code, _name, village_name, kind_label, village_code = cells[:5]
    for col, value in zip("ABCDE", cells[:5], strict=True):
        if is_formula(value):
            report.add(
                VILLAGE_SHEET, row_no, col, _("Không chấp nhận công thức; hãy nhập giá trị.")
            )
    commune_code = str(commune_code or "").strip()
    commune = communes.get(commune_code.zfill(5) if commune_code.isdigit() else commune_code)
    if not commune_code:
        report.add(VILLAGE_SHEET, row_no, "A", _("Thiếu mã xã."))
    elif commune is not None and commune.code in reused:
        found = resolve_code(commune.code, timezone.localdate(), level=Level.COMMUNE)
        report.note_code(VILLAGE_SHEET, row_no, "A", found.taking(commune))
    elif commune is None:
        report.add(
            VILLAGE_SHEET,
            row_no,
            "A",
            _("Mã xã “%(code)s” không có hoặc ngoài phạm vi của bạn.") % {"code": commune_code},
        )
    village_name = " ".join(str(village_name or "").split())
    if not village_name:
        report.add(VILLAGE_SHEET, row_no, "C", _("Tên thôn không được để trống."))
    elif (refusal := too_long(Unit, {"name": village_name})) is not None:
        report.add(VILLAGE_SHEET, row_no, "C", refusal[1])
    kind = VILLAGE_KIND_LABELS.get(str(kind_label or "Thôn").strip())
    if kind is None:
        report.add(
            VILLAGE_SHEET,
            row_no,
            "D",
            _("Loại phải là một trong: %(kinds)s") % {"kinds": ", ".join(VILLAGE_KIND_LABELS)},
        )
    code = str(village_code or "").strip()
    if (refusal := too_long(Unit, {"code": code})) is not None:
        report.add(VILLAGE_SHEET, row_no, "E", refusal[1])
    elif code and code in taken_codes:
        report.add(VILLAGE_SHEET, row_no, "E", _("Mã thôn %(code)s đã được dùng.") % {"code": code})
    if commune is not None and village_name:
        key = (commune.pk, fold(village_name))
        if key in existing_names:
            report.add(
                VILLAGE_SHEET,
                row_no,
                "C",
                _("Xã đã có thôn tên “%(name)s” (hoặc tên lặp trong tệp).")
                % {"name": village_name},
            )
        existing_names.add(key)
    if code:
        taken_codes.add(code)
    return (row_no, commune, village_name, kind, code)


def villages_template(*, scope) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = VILLAGE_SHEET
    communes = scope.filter(
        Unit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True), field=""
    ).order_by("code")
    example = [[c.code, c.name, "", "Thôn", ""] for c in communes[:2000]]
    write_table(ws, VILLAGE_HEADERS, example, widths={2: 30, 3: 30})
    add_choice_validation(ws, 4, list(VILLAGE_KIND_LABELS), 2, max(2, len(example) + 500))
    return workbook_bytes(wb)


class UnitAttributeError(ValueError):
    pass


def attribute_set(
    *,
    unit: Unit,
    kind: str,
    value: str,
    valid_from_year: int,
    valid_to_year: int | None = None,
    source: str = "",
    user=None,
) -> UnitAttribute:
    allowed = ATTRIBUTE_VALUES.get(kind)
    if allowed is None:
        raise UnitAttributeError(_("Thuộc tính không hợp lệ."))
    if value not in allowed:
        raise UnitAttributeError(
            _("Giá trị phải là một trong: %(values)s") % {"values": ", ".join(allowed)}
        )
    if valid_to_year is not None and valid_to_year < valid_from_year:
        raise UnitAttributeError(_("Năm kết thúc phải sau năm bắt đầu."))
    attr = UnitAttribute.objects.filter(
        unit=unit, kind=kind, valid_from_year=valid_from_year
    ).first()
    attr = attr or UnitAttribute(unit=unit, kind=kind, valid_from_year=valid_from_year)
    attr.value, attr.valid_to_year, attr.source = value, valid_to_year, source
    if user is not None:
        attr._history_user = user
    with transaction.atomic():
        attr.save()
        _recompute_assessments(unit, valid_from_year, valid_to_year)
    return attr


def _recompute_assessments(unit: Unit, from_year: int, to_year: int | None) -> None:
    """Open assessments below the unit whose thresholds may depend on the changed attribute."""
    rules_changed.send(sender=Unit, unit=unit, years=range(from_year, (to_year or 2100) + 1))
