"""Turns the summary figures into what the dashboard draws (charts, map colours)."""

import datetime

from django.utils.translation import gettext as _

from ntm.assessments.models import Assessment
from ntm.reports.charts import Bar, bar_chart
from ntm.reports.selectors import communes_of
from ntm.units import selectors
from ntm.web.maps import project


def _band_css(count: int, total: int) -> str:
    if total and count >= total:
        return "full"
    if total and count >= total * 0.75:
        return "high"
    if total and count >= total * 0.5:
        return "mid"
    return "low"


def dashboard_panels(summary, *, scope, day: datetime.date) -> dict:
    cset = summary.criteria_set
    total = cset.criteria.count() if cset else 0
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
    met_by_unit = {}
    if cset is not None:
        met_by_unit = dict(
            Assessment.objects.filter(
                criteria_set=cset, year=summary.year, unit__path__startswith=summary.unit.path
            ).values_list("unit_id", "criteria_met")
        )
    in_unit = set(
        scope.filter(communes_of(summary.unit, summary.year), field="").values_list("pk", flat=True)
    )
    points = [p for p in selectors.commune_points(scope, on=day) if p.pk in in_unit]

    def colour(point):
        if point.pk not in met_by_unit:
            return "none"
        return _band_css(met_by_unit[point.pk], total)

    return {
        "band_chart": bands,
        "attainment_chart": attainment,
        "dots": project(points, css_for=colour),
        "criteria_total": total,
        "map_legend": [
            ("full", _("đạt đủ tiêu chí")),
            ("high", _("≥ 75% tiêu chí")),
            ("mid", _("≥ 50%")),
            ("low", _("< 50%")),
            ("none", _("chưa có kết quả")),
        ],  # fmt: skip
    }
