"""Words and figures the annual report's sentences share: level nouns, numbers and money in vi-VN
style, a plan target's label, figure and verdict, the sentences about criteria bands."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from ntm.criteria import levels as recognition_levels
from ntm.lib.formatting import vi_number
from ntm.plans.models import METRICS
from ntm.reports.selectors import Summary


def level_noun(level: str) -> str:
    """The annual report's phrase for units at a level ("xã đạt chuẩn nông thôn mới nâng cao"),
    from the levels data (criteria/data/recognition_levels.json)."""
    return recognition_levels.noun(level)


def level_short(level: str) -> str:
    """A level's short name for column headings ("NTM nâng cao")."""
    found = recognition_levels.get(level)
    return found.short if found else level


def _n(value, places: int | None = None) -> str:
    return vi_number(value, places)


def _money(value) -> str:
    """Đồng as 'triệu đồng' text with one decimal (1.500.000.000 → 1.500,0 triệu đồng)."""
    return _("%(n)s triệu đồng") % {"n": _n(Decimal(value) / Decimal(1_000_000), 1)}


def target_label(t: dict) -> str:
    label = t["metric_label"]
    if t.get("level"):
        label += " — " + recognition_levels.label(t["level"])
    if t.get("stars"):
        label += " — " + _("%(n)s sao") % {"n": t["stars"]}
    return label


def target_figure(t: dict, value):
    """A target or actual figure with the decimals its metric shows (17 xã, 12,81 tiêu chí)."""
    if value is None:
        return None
    places = METRICS[t["metric"]].places
    if not places:
        return int(Decimal(value).to_integral_value(ROUND_HALF_UP))
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def target_verdict(t: dict) -> str:
    if t["actual"] is None:
        return _("Chưa có số liệu")
    if t["actual"] > t["target"]:
        return _("Vượt kế hoạch")
    if t["actual"] == t["target"]:
        return _("Đạt kế hoạch")
    return _("Chưa đạt kế hoạch")


def bands_sentence(s: Summary) -> str:
    return "; ".join(
        _("%(n)s xã đạt %(band)s tiêu chí") % {"n": _n(n), "band": _band_words(label)}
        for label, n in s.bands.items()
        if n
    )


def _band_words(label: str) -> str:
    if label.startswith("<"):
        return _("dưới %(n)s") % {"n": label[1:]}
    return label.replace("-", " - ")


def average_sentence(s: Summary) -> str:
    text = _("Bình quân đạt %(avg)s tiêu chí/xã") % {"avg": _n(s.criteria_met_average, 2)}
    change = s.criteria_met_average_change
    if change is not None:
        if change > 0:
            text += _(", tăng %(n)s tiêu chí so với năm %(year)s")
        elif change < 0:
            text += _(", giảm %(n)s tiêu chí so với năm %(year)s")
        else:
            text += _(", không đổi so với năm %(year)s")
        text = text % {"n": _n(abs(change), 2), "year": s.year - 1}
        text += " (" + s.change_basis_text() + ")"
    return text + "."
