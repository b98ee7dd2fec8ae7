"""Arguments of the templates that need a unit, a year or a criteria set, from codes (as the
command line and the generic pages give them). A code is read as the unit of that year."""

from django.utils.translation import gettext as _

from ntm.criteria.selectors import criteria_sets_visible
from ntm.units.resolver import resolve_code_in_year


class TemplateArgumentError(ValueError):
    """A template argument names nothing in the user's scope; the message is for the user."""


def unit_of(scope, code: str, year: int):
    found = resolve_code_in_year(code, year)
    if found.unit is None or not scope.contains(found.unit):
        raise TemplateArgumentError(
            _("Không có đơn vị mã “%(code)s” trong năm %(year)s (trong phạm vi của bạn).")
            % {"code": code, "year": year}
        )
    return found.unit


def criteria_set_of(scope, code: str):
    cset = criteria_sets_visible(scope).filter(code=(code or "").strip()).first()
    if cset is None:
        raise TemplateArgumentError(
            _("Không có bộ tiêu chí mã “%(code)s” (xem `ntm criteria list`).") % {"code": code}
        )
    return cset
