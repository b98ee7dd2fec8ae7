"""vi-VN numbers in templates without trailing zeros: 48,5 (not 48,5000); 12,81; 177.165."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def vi_plain(value, places: int | None = 2) -> str:
    """A number in vi-VN style, rounded to `places` and without trailing zeros; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


@register.filter
def vi_num(value, places=2):
    """`{{ x|vi_num }}` (two places at most) or `{{ x|vi_num:0 }}`."""
    try:
        places = None if places in (None, "") else int(places)
    except (TypeError, ValueError):
        places = 2
    return vi_plain(value, places)


# The regions of 318/QĐ-TTg (2022) by the codes the criteria data and unit attributes use.
REGION_NAMES = {
    "TDMNPB": "Trung du và miền núi phía Bắc",
    "DBSH": "Đồng bằng sông Hồng",
    "BTB": "Bắc Trung Bộ",
    "DHNTB": "Duyên hải Nam Trung Bộ",
    "TN": "Tây Nguyên",
    "DNB": "Đông Nam Bộ",
    "DBSCL": "Đồng bằng sông Cửu Long",
}


@register.filter
def threshold_basis_label(code) -> str:
    """A threshold's basis as words: a region's name, "nhóm 2" for a commune group."""
    text = str(code or "").strip()
    if text in REGION_NAMES:
        return _(REGION_NAMES[text])
    if text in ("1", "2", "3"):
        return _("nhóm %(n)s") % {"n": text}
    if text == "*":
        return _("mọi xã")
    return text


def _history_fields() -> dict[str, str]:
    from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue

    labels = {}
    for model in (CriterionResult, IndicatorValue, Assessment):
        for f in model._meta.get_fields():
            if hasattr(f, "verbose_name"):
                labels[f.name] = str(f.verbose_name)
    return labels


@register.filter
def history_field(name) -> str:
    """A field of an assessment's history by its label ("trạng thái", not "state")."""
    return _history_fields().get(str(name), str(name))


@register.filter
def history_value(value) -> str:
    """A value of an assessment's history in words: Có/Không, a state's name, 48,5 not 48.5000."""
    from ntm.assessments.models import State

    if value is None or value == "":
        return ""
    if isinstance(value, bool) or value in ("True", "False"):
        return _("Có") if value in (True, "True") else _("Không")
    if isinstance(value, str) and value in State.values:
        return str(State(value).label)
    if isinstance(value, (int, float, Decimal)) or (
        isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()
    ):
        return vi_plain(value, None)
    return str(value)


@register.filter
def vi_input(value) -> str:
    """A number for a form field: decimal comma, no thousands dots (which would read back as a
    decimal point), no trailing zeros: 48,5; 1234."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(str(value)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
