"""Turns the summary figures into what the dashboard draws (charts, map colours)."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from ntm.criteria import levels as recognition_levels
from ntm.ocop.selectors import expiring as ocop_expiring
from ntm.reports.charts import Bar, bar_chart
from ntm.reports.selectors import average_by_year, national_average
from ntm.units import selectors
from ntm.units.text import fold
from ntm.web.boundaries import draw
from ntm.web.maps import project
from ntm.web.models import CommuneBoundary


def _band_css(count: int, total: int) -> str:
    if total and count >= total:
        return "full"
    if total and count >= total * 0.75:
        return "high"
    if total and count >= total * 0.5:
        return "mid"
    return "low"


def higher_commune_levels() -> list:
    """The commune levels above the base level (nâng cao, kiểu mẫu, …), from the levels data."""
    return [
        lv
        for lv in recognition_levels.all_levels()
        if lv.unit_level == "commune" and lv.code != recognition_levels.NTM
    ]


def higher_levels_text(recognised_total: dict) -> list[str]:
    """ "2 xã NTM nâng cao" for each higher commune level held (the recognised KPI's second line)."""
    return [
        _("%(n)s xã %(level)s") % {"n": recognised_total[lv.code], "level": lv.short}
        for lv in higher_commune_levels()
        if recognised_total.get(lv.code)
    ]


def _trend(summary) -> list[Bar]:
    if summary.criteria_set is None:
        return []
    yearly = average_by_year(
        unit=summary.unit,
        criteria_set=summary.criteria_set,
        last_year=summary.year,
        basis=summary.basis,
    )
    return [Bar(str(y), float(v), css="band") for y, v in yearly if v is not None]


def dashboard_panels(summary, *, scope, day: datetime.date) -> dict:
    cset = summary.criteria_set
    total = len(summary.criteria_attainment) if cset else 0  # one row per criterion
    bands = bar_chart([Bar(label, n, css="band") for label, n in summary.bands.items()])
    attainment = bar_chart(
        [
            Bar(a["criterion"], a["met"], title=a["name"], css="crit")
            for a in summary.criteria_attainment
        ],
        max_value=summary.communes_assessed or None,
        label_width=50,
        bar_height=14,
        width=1100,
    )
    # The xã and their figures come with the summary (the rows kept on write): no query here.
    # The unit is in the caller's scope, and scopes are whole subtrees: so are its xã.
    met_by_unit = summary.met_by_unit if cset is not None else {}
    in_unit = set(summary.commune_ids) if scope.contains(summary.unit) else set()

    # One reverse for the map, not one a xã ({% url %} for 500 dots was a tenth of the page).
    unit_url = reverse("units:detail", args=[0]).removesuffix("0/")

    def colour(point):
        if point.pk not in met_by_unit:
            return "none"
        return _band_css(met_by_unit[point.pk], total)

    def figure(boundary) -> str:
        met = met_by_unit.get(boundary.unit_id)
        if met is None:
            return _("%(name)s: chưa có kết quả") % {"name": boundary.unit.name}
        return _("%(name)s: %(met)s/%(total)s tiêu chí đạt") % {
            "name": boundary.unit.name,
            "met": met,
            "total": total,
        }

    shapes = draw(
        CommuneBoundary.objects.filter(unit_id__in=in_unit).select_related("unit"),
        css_for=lambda pk: _band_css(met_by_unit[pk], total) if pk in met_by_unit else "none",
        href_for=lambda pk: f"{unit_url}{pk}/",
        title_for=figure,
    )

    trend = _trend(summary)
    targets_charts = _targets_charts(summary.targets)
    today = datetime.date.today()
    reminder_day = min(today, datetime.date(summary.year, 12, 31))
    expiring_soon = list(
        ocop_expiring(day=reminder_day, months=6, unit=summary.unit, scope=scope).select_related(
            "product"
        )[:10]
    )
    return {
        "higher_levels": higher_levels_text(summary.recognised_total),
        "ocop_expiring": expiring_soon,
        "ocop_reminder_day": reminder_day,
        "trend_chart": bar_chart(trend, max_value=float(total) if total else None),
        "targets_charts": targets_charts,
        "band_chart": bands,
        "attainment_chart": attainment,
        "dots": []
        if shapes
        else project(
            [p for p in selectors.commune_points(scope, on=day) if p.pk in in_unit],
            css_for=colour,
            href_for=lambda p: f"{unit_url}{p.pk}/",
        ),
        "shapes": shapes,
        "criteria_total": total,
        "map_legend": [
            ("full", _("đạt đủ tiêu chí")),
            ("high", _("≥ 75% tiêu chí")),
            ("mid", _("≥ 50%")),
            ("low", _("< 50%")),
            ("none", _("chưa có kết quả")),
        ],
    }


def _targets_charts(targets: list[dict]) -> list[tuple[str, str]]:
    """Plan targets against results, one chart per unit counted (xã, tiêu chí/xã, thôn ...):
    a chart never mixes units on one axis. Labels name the target whole (wrapped, not cut)."""
    from ntm.plans.models import METRICS

    levels = recognition_levels.labels()
    by_noun: dict[str, list[Bar]] = {}
    for t in targets:
        if t.get("target") is None:
            continue
        label = str(t.get("metric_label") or t["metric"])
        if t.get("level") and t["level"] in levels:
            label += f" — {levels[t['level']]}"
        if t.get("stars"):
            label += f" — {t['stars']}★"
        info = METRICS.get(t["metric"])
        noun = str(info.noun) if info else ""
        bars = by_noun.setdefault(noun, [])
        bars.append(Bar(label, float(t["target"]), title=t.get("wording") or "", css="target"))
        if t.get("actual") is not None:
            bars.append(Bar("", float(t["actual"]), title=t.get("wording") or "", css="actual"))
    return [
        (noun, bar_chart(bars, label_width=220, bar_height=14, width=560))
        for noun, bars in by_noun.items()
    ]


# National users: every province side by side (rows from reports.selectors.national_summary).
NATIONAL_SORTS = {
    "code": lambda r: r["code"],
    "name": lambda r: fold(r["name"]),
    "communes": lambda r: r["communes"],
    "assessed": lambda r: r["assessed"],
    "average": lambda r: r["criteria_met_average"],
    "meets": lambda r: r["meets_standard"],
    "ntm": lambda r: r["recognised_total"].get(recognition_levels.NTM, 0),
    "new": lambda r: r["recognised_new"].get(recognition_levels.NTM, 0),
}


def _level_sort(code: str):
    return lambda r: r["recognised_total"].get(code, 0)


def _sorts() -> dict:
    """The fixed sorts and one a higher commune level (its code: "advanced", "model", …)."""
    return {**NATIONAL_SORTS, **{lv.code: _level_sort(lv.code) for lv in higher_commune_levels()}}


def national_sort(raw) -> tuple[str, bool]:
    """ "-average" -> ("average", descending); anything unknown sorts by code."""
    text = str(raw or "")
    key = text.removeprefix("-")
    if key not in _sorts():
        return "code", False
    return key, text.startswith("-")


def national_panels(rows: list[dict], *, sort: str | None) -> dict:
    """The provinces table sorted on the server (empty figures last), its header links, and the
    average criteria met per province as a bar chart (highest first)."""
    key, descending = national_sort(sort)
    sorts = _sorts()
    value = sorts[key]
    known = sorted((r for r in rows if value(r) is not None), key=value, reverse=descending)
    ordered = known + [r for r in rows if value(r) is None]
    averaged = sorted(
        (r for r in rows if r["criteria_met_average"] is not None),
        key=lambda r: (-r["criteria_met_average"], r["code"]),
    )
    top = max((r["criteria_max"] or 0 for r in rows), default=0)
    chart = bar_chart(
        [
            Bar(r["short_name"], float(r["criteria_met_average"]), title=r["name"], css="band")
            for r in averaged
        ],
        max_value=top or None,
        label_width=130,
        bar_height=12,
        width=760,
    )
    higher = higher_commune_levels()
    link = {k: (f"-{k}" if k == key and not descending else k) for k in sorts}
    return {
        "provinces": [
            {**r, "higher_levels": [r["recognised_total"].get(lv.code, 0) for lv in higher]}
            for r in ordered
        ],
        "level_headers": [(lv.short, link[lv.code]) for lv in higher],
        "province_chart": chart,
        "sort": ("-" if descending else "") + key,
        "sort_links": link,
        "national_totals": {
            "communes": sum(r["communes"] for r in rows),
            "assessed": sum(r["assessed"] for r in rows),
            "criteria_met_average": national_average(rows),
            "meets_standard": sum(r["meets_standard"] for r in rows),
            "ntm": sum(r["recognised_total"].get(recognition_levels.NTM, 0) for r in rows),
            "new": sum(r["recognised_new"].get(recognition_levels.NTM, 0) for r in rows),
            "higher_levels": [
                sum(r["recognised_total"].get(lv.code, 0) for r in rows) for lv in higher
            ],
        },
    }
