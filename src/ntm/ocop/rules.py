"""The OCOP rules shipped as data (`data/*.json`, sources in `data/SOURCES.md`): product groups,
council levels by date, certificate validity. Read once and cached; no rule lives in an `if`."""

import calendar
import datetime
import json
from functools import cache
from importlib import resources

from django.utils.translation import gettext_lazy as _

VALIDITY_MONTHS = 36

COUNCIL_LABELS = {
    "commune": _("cấp xã"),
    "district": _("cấp huyện"),
    "province": _("cấp tỉnh"),
    "central": _("trung ương"),
    "ministry": _("cấp bộ (Bộ Nông nghiệp và Môi trường)"),
}


def _read(name: str) -> dict:
    return json.loads(resources.files("ntm.ocop").joinpath("data", name).read_text("utf-8"))


@cache
def groups() -> list[dict]:
    return _read("groups.json")["groups"]


def group_choices() -> list[tuple[str, str]]:
    return [(g["code"], g["name"]) for g in groups()]


def group_name(code: str) -> str:
    return next((g["name"] for g in groups() if g["code"] == code), code)


def subgroups(group: str) -> list[dict]:
    return next((g["subgroups"] for g in groups() if g["code"] == group), [])


@cache
def council_periods() -> list[dict]:
    periods = _read("councils.json")["periods"]
    for p in periods:
        p["_from"] = datetime.date.fromisoformat(p["from"]) if p["from"] else datetime.date.min
        p["_to"] = datetime.date.fromisoformat(p["to"]) if p["to"] else datetime.date.max
    return periods


def council_period(day: datetime.date) -> dict:
    """The council rules in force on a day."""
    for period in council_periods():
        if period["_from"] <= day <= period["_to"]:
            return period
    raise LookupError(day)


def council_level(day: datetime.date, stars: int) -> str:
    """Which council evaluates and certifies a product of these stars on this day ("" below 3)."""
    for step in council_period(day)["councils"]:
        if step["stars"] == stars:
            return step["level"]
    return ""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; a day missing in that month becomes its last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def certificate_valid_to(issued_on: datetime.date) -> datetime.date:
    """The last day a certificate is valid: issued_on + 36 months − 1 day (both ends included).
    Issued 15/3/2023 → valid through 14/3/2026, no longer on 15/3/2026."""
    month0 = issued_on.month - 1 + VALIDITY_MONTHS
    year, month = issued_on.year + month0 // 12, month0 % 12 + 1
    if issued_on.day > calendar.monthrange(year, month)[1]:  # 29/2 with no 29/2 three years on
        return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return datetime.date(year, month, issued_on.day) - datetime.timedelta(days=1)
