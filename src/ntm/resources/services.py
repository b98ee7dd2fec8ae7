"""Every write to resources. Keyword-only arguments; refusals carry a Vietnamese message
(`ResourceError.field` names the argument at fault).

Who may write: whoever the scope lets write to the unit (a commune officer its own commune, a
district or province its subtree; national viewers never). Conversion rates: province
coordinators of the province, and superusers. `scope` is `scope_for(user)` or, on the command
line, `system_scope()`.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.scope import Scope
from ntm.limits import too_long
from ntm.resources.models import (
    Activity,
    ActivityKind,
    Contribution,
    ConversionRate,
    Funding,
    FundingSource,
    ModelKind,
    ModelSite,
    ModelStatus,
    Project,
)
from ntm.units.models import Level, Unit

SOURCES_FILE = Path(__file__).parent / "data" / "funding_sources.json"
MIN_YEAR, MAX_YEAR = 2000, 2100
# Django reads SQLite decimals through a 15-digit context: one row holds at most 15 digits of đồng
# (999 nghìn tỷ), far above any real figure. Sums are made in Python and may be larger.
MAX_MONEY = Decimal(10) ** 15 - 1


class ResourceError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def funding_sources_load(model=FundingSource) -> int:
    """Create or update the source taxonomy from data/funding_sources.json (idempotent).
    `model` lets the data migration pass its historical model."""
    data = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    for item in data["sources"]:
        model.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "group": item.get("group", ""),
                "order": item.get("order", 0),
                "community": item.get("community", False),
            },
        )
    return len(data["sources"])


# -- checks ----------------------------------------------------------------------------------


def _year(year) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ResourceError(
            _("Năm phải từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}, "year"
        )
    return year


def existed_in(unit: Unit, year: int) -> bool:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= end) and (
        unit.valid_to is None or unit.valid_to >= start
    )


def _writable(scope: Scope, unit: Unit, year: int, *, levels=None) -> Unit:
    scope.require(unit, write=True)
    _year(year)
    if not existed_in(unit, year):
        raise ResourceError(
            _("%(unit)s không tồn tại trong năm %(year)s.") % {"unit": unit.name, "year": year},
            "unit",
        )
    if levels is not None and unit.level not in levels:
        raise ResourceError(
            _("Không nhập mục này cho cấp đơn vị của %(unit)s.") % {"unit": unit.name}, "unit"
        )
    return unit


def _money(value, field: str) -> Decimal:
    value = Decimal(value if value not in (None, "") else 0)
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise ResourceError(_("Số tiền phải là số đồng nguyên, không âm."), field)
    if value > MAX_MONEY:
        raise ResourceError(_("Số tiền quá lớn (tối đa 15 chữ số)."), field)
    return value


def _fits(model, **values) -> None:
    """Text longer than its column is refused here (PostgreSQL would refuse it with an error)."""
    if (refusal := too_long(model, values)) is not None:
        raise ResourceError(refusal[1], refusal[0])


def _count(value, field: str) -> int:
    value = Decimal(value if value not in (None, "") else 0)
    if value < 0 or value != value.to_integral_value() or value >= 2**31:
        raise ResourceError(_("Phải là số nguyên không âm."), field)
    return int(value)


MONEY_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
MODEL_LEVELS = (Level.COMMUNE, Level.VILLAGE)


# -- funding ---------------------------------------------------------------------------------


def funding_save(
    *,
    scope: Scope,
    user,
    unit: Unit,
    year: int,
    source: FundingSource,
    allocated,
    disbursed,
    note: str = "",
) -> tuple[Funding, bool]:
    """Create or update the money of one source for a unit and year."""
    _writable(scope, unit, year, levels=MONEY_LEVELS)
    _fits(Funding, note=note or "")
    values = {
        "allocated": _money(allocated, "allocated"),
        "disbursed": _money(disbursed, "disbursed"),
        "note": note or "",
        "updated_by": user,
    }
    return Funding.objects.update_or_create(unit=unit, year=year, source=source, defaults=values)


@transaction.atomic
def funding_table_save(*, scope: Scope, user, unit: Unit, year: int, rows: dict) -> int:
    """Save the funding table of a unit and year: {source: (allocated, disbursed)}. A source whose
    two figures are 0 and that has no row stays absent; one that has a row is set to 0."""
    _writable(scope, unit, year, levels=MONEY_LEVELS)
    saved = 0
    existing = set(Funding.objects.filter(unit=unit, year=year).values_list("source_id", flat=True))
    for source, (allocated, disbursed) in rows.items():
        allocated, disbursed = _money(allocated, "allocated"), _money(disbursed, "disbursed")
        if not allocated and not disbursed and source.pk not in existing:
            continue
        funding_save(
            scope=scope,
            user=user,
            unit=unit,
            year=year,
            source=source,
            allocated=allocated,
            disbursed=disbursed,
        )
        saved += 1
    return saved


def funding_delete(*, scope: Scope, funding: Funding) -> None:
    scope.require(funding.unit, write=True)
    funding.delete()


# -- projects --------------------------------------------------------------------------------


def project_save(
    *,
    scope: Scope,
    unit: Unit,
    year: int,
    name: str,
    amount=0,
    criterion=None,
    note: str = "",
    project: Project | None = None,
) -> Project:
    _writable(scope, unit, year, levels=MONEY_LEVELS)
    if project is not None:
        scope.require(project.unit, write=True)
    if not (name or "").strip():
        raise ResourceError(_("Cần tên công trình."), "name")
    _fits(Project, name=name.strip(), note=note or "")
    project = project or Project()
    project.unit, project.year, project.name = unit, year, name.strip()
    project.amount, project.criterion, project.note = (
        _money(amount, "amount"),
        criterion,
        note or "",
    )
    project.save()
    return project


def project_delete(*, scope: Scope, project: Project) -> None:
    scope.require(project.unit, write=True)
    project.delete()


# -- contributions ---------------------------------------------------------------------------


def contribution_save(
    *,
    scope: Scope,
    user,
    unit: Unit,
    year: int,
    land_m2=0,
    workdays=0,
    cash=0,
    materials_value=0,
    materials: str = "",
) -> tuple[Contribution, bool]:
    _writable(scope, unit, year, levels=MONEY_LEVELS)
    land = Decimal(land_m2 if land_m2 not in (None, "") else 0)
    if not land.is_finite() or land < 0 or land >= Decimal(10) ** 12:
        raise ResourceError(_("Diện tích đất phải là số không âm."), "land_m2")
    _fits(Contribution, materials=materials or "")
    values = {
        "land_m2": land.quantize(Decimal("0.01")),
        "workdays": _count(workdays, "workdays"),
        "cash": _money(cash, "cash"),
        "materials_value": _money(materials_value, "materials_value"),
        "materials": materials or "",
        "updated_by": user,
    }
    return Contribution.objects.update_or_create(unit=unit, year=year, defaults=values)


def contribution_delete(*, scope: Scope, contribution: Contribution) -> None:
    scope.require(contribution.unit, write=True)
    contribution.delete()


def rate_save(
    *, scope: Scope, province: Unit, year: int, land_per_m2=None, workday=None, decision: str = ""
) -> ConversionRate:
    """The province's conversion rate for a year (province coordinators and superusers)."""
    if province.level != Level.PROVINCE:
        raise ResourceError(_("Chỉ tỉnh quy định mức quy đổi."), "province")
    scope.require_write(province, {Role.PROVINCE_COORDINATOR})
    _year(year)
    _fits(ConversionRate, decision=decision or "")
    values = {
        "land_per_m2": None if land_per_m2 in (None, "") else _money(land_per_m2, "land_per_m2"),
        "workday": None if workday in (None, "") else _money(workday, "workday"),
        "decision": decision or "",
    }
    rate, _created = ConversionRate.objects.update_or_create(
        province=province, year=year, defaults=values
    )
    return rate


# -- models ----------------------------------------------------------------------------------


def model_site_save(
    *,
    scope: Scope,
    unit: Unit,
    kind: str,
    name: str,
    year_recognised: int,
    status: str = ModelStatus.KEPT,
    lost_year: int | None = None,
    note: str = "",
    site: ModelSite | None = None,
) -> ModelSite:
    _writable(scope, unit, year_recognised, levels=MODEL_LEVELS)
    if site is not None:
        scope.require(site.unit, write=True)
    if kind not in ModelKind.values:
        raise ResourceError(_("Loại mô hình không hợp lệ."), "kind")
    if status not in ModelStatus.values:
        raise ResourceError(_("Tình trạng không hợp lệ."), "status")
    if not (name or "").strip():
        raise ResourceError(_("Cần tên mô hình."), "name")
    _fits(ModelSite, name=name.strip(), note=note or "")
    if status == ModelStatus.LOST:
        if lost_year is None:
            raise ResourceError(_("Cần năm không còn duy trì."), "lost_year")
        _year(lost_year)
        if lost_year < year_recognised:
            raise ResourceError(_("Năm không còn duy trì trước năm công nhận."), "lost_year")
    else:
        lost_year = None
    duplicate = ModelSite.objects.filter(unit=unit, kind=kind, name=name.strip())
    if site is not None:
        duplicate = duplicate.exclude(pk=site.pk)
    if duplicate.exists():
        raise ResourceError(_("Đơn vị đã có mô hình cùng loại và cùng tên."), "name")
    site = site or ModelSite()
    site.unit, site.kind, site.name = unit, kind, name.strip()
    site.year_recognised, site.status, site.lost_year, site.note = (
        year_recognised,
        status,
        lost_year,
        note or "",
    )
    site.save()
    return site


def model_site_delete(*, scope: Scope, site: ModelSite) -> None:
    scope.require(site.unit, write=True)
    site.delete()


# -- activities ------------------------------------------------------------------------------


def activity_save(
    *,
    scope: Scope,
    unit: Unit,
    kind: str,
    name: str,
    date: datetime.date,
    organiser: str = "",
    measure: str = "người",
    planned=0,
    actual=0,
    note: str = "",
    activity: Activity | None = None,
) -> Activity:
    if not isinstance(date, datetime.date):
        raise ResourceError(_("Cần ngày (dd/mm/yyyy)."), "date")
    _writable(scope, unit, date.year, levels=MONEY_LEVELS)
    if activity is not None:
        scope.require(activity.unit, write=True)
    if kind not in ActivityKind.values:
        raise ResourceError(_("Loại hoạt động không hợp lệ."), "kind")
    if not (name or "").strip():
        raise ResourceError(_("Cần tên hoạt động."), "name")
    _fits(
        Activity,
        name=name.strip(),
        organiser=organiser or "",
        measure=(measure or "người").strip(),
        note=note or "",
    )
    activity = activity or Activity()
    activity.unit, activity.kind, activity.name, activity.date = unit, kind, name.strip(), date
    activity.organiser, activity.measure = organiser or "", (measure or "người").strip()
    activity.planned, activity.actual = _count(planned, "planned"), _count(actual, "actual")
    activity.note = note or ""
    activity.save()
    return activity


def activity_delete(*, scope: Scope, activity: Activity) -> None:
    scope.require(activity.unit, write=True)
    activity.delete()
