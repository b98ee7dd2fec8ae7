"""The OCOP rules shipped as data (`data/*.json`, sources in `data/SOURCES.md`): product groups,
the classification of products into scoring sheets (Phụ lục I of 26/2026/QĐ-TTg), council levels
by date, certificate validity and the stars that are certified (per scoring set). Read once and
cached; no rule lives in an `if`."""

import calendar
import datetime
import json
from functools import cache
from importlib import resources

from django.utils.translation import gettext_lazy as _

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
def scoring_sets() -> list[dict]:
    """The shipped scoring sets (`data/OCOP-*.json`), oldest first."""
    folder = resources.files("ntm.ocop").joinpath("data")
    sets = [
        json.loads(item.read_text("utf-8"))
        for item in folder.iterdir()
        if item.name.startswith("OCOP-") and item.name.endswith(".json")
    ]
    return sorted(sets, key=lambda s: s["valid_from"])


def set_on(day: datetime.date) -> dict:
    """The shipped scoring set in force on a day (the earliest one before the first)."""
    sets = scoring_sets()
    current = sets[0]
    for candidate in sets:
        if datetime.date.fromisoformat(candidate["valid_from"]) <= day:
            current = candidate
    return current


def validity_months(day: datetime.date) -> int:
    """How long a certificate issued on the day is valid (months), from the set in force."""
    return int(set_on(day)["validity_months"])


def certified_stars(day: datetime.date) -> range:
    """The stars a decision may certify on the day (3..5): from `certified_min_stars` to the
    highest band of the set in force."""
    data = set_on(day)
    return range(int(data["certified_min_stars"]), max(b["stars"] for b in data["star_bands"]) + 1)


@cache
def certifiable_stars() -> tuple[int, ...]:
    """Every star a shipped scoring set certifies (3, 4, 5): the columns of the OCOP figures
    and the stars a plan target may name."""
    stars = set()
    for data in scoring_sets():
        top = max(b["stars"] for b in data["star_bands"])
        stars.update(range(int(data["certified_min_stars"]), top + 1))
    return tuple(sorted(stars))


# Phụ lục I category (I..VI) → the six product groups (groups.json); the same six groups in
# 148/QĐ-TTg and 26/2026/QĐ-TTg, in the same order.
_CATEGORY_GROUP = {
    "I": "thuc_pham",
    "II": "do_uong",
    "III": "duoc_lieu",
    "IV": "thu_cong_my_nghe",
    "V": "sinh_vat_canh",
    "VI": "du_lich",
}


@cache
def classification() -> list[dict]:
    """The leaves of Phụ lục I (26/2026/QĐ-TTg), in the order of the scoring sheets of Phụ lục
    II: [{code "I.1.a", group (groups.json code), category, parent, name, label, agency,
    sheet}]. Sheet n is the n-th leaf (checked against each sheet's name by `sheets`)."""
    leaves = []
    for category in _read("26-2026-ocop.json")["classification"]:
        for group in category["groups"]:
            subs = group["subgroups"] or [None]
            for sub in subs:
                code = f"{category['code']}.{group['code']}" + (f".{sub['code']}" if sub else "")
                name = sub["name"] if sub else group["name"]
                leaves.append(
                    {
                        "code": code,
                        "group": _CATEGORY_GROUP[category["code"]],
                        "category": category["name"],
                        "parent": group["name"],
                        "name": name,
                        "label": f"{code} {group['name']}" + (f" — {name}" if sub else ""),
                        "agency": (sub or group)["agency"] or "",
                        "sheet": len(leaves) + 1,
                    }
                )
    return leaves


def classification_leaf(code: str) -> dict | None:
    return next((leaf for leaf in classification() if leaf["code"] == code), None)


def classification_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: (category, [(code, label)])."""
    out: dict[str, list] = {}
    for leaf in classification():
        out.setdefault(leaf["category"], []).append((leaf["code"], leaf["label"]))
    return list(out.items())


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
    """The last day a certificate is valid: issued_on + the set's validity (36 months) − 1 day
    (both ends included). Issued 15/3/2023 → valid through 14/3/2026, no longer on 15/3/2026."""
    month0 = issued_on.month - 1 + validity_months(issued_on)
    year, month = issued_on.year + month0 // 12, month0 % 12 + 1
    if issued_on.day > calendar.monthrange(year, month)[1]:  # 29/2 with no 29/2 three years on
        return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return datetime.date(year, month, issued_on.day) - datetime.timedelta(days=1)
