"""Shared bits of the assessment commands: finding the unit and the set, reading the file."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ntm.criteria.models import CriteriaSet
from ntm.units.selectors import unit_by_code


def add_unit_year_set(parser) -> None:
    parser.add_argument("--unit", required=True, help="mã đơn vị (tỉnh, huyện hoặc xã), ví dụ 06")
    parser.add_argument("--year", required=True, type=int, help="năm đánh giá, ví dụ 2023")
    parser.add_argument("--set", required=True, dest="set_code", help="mã bộ tiêu chí")
    parser.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")


def unit_year_set(options):
    year = options["year"]
    unit = unit_by_code(options["unit"], year=year)
    if unit is None:
        raise CommandError(
            _("Không có đơn vị mã “%(code)s” trong năm %(year)s.")
            % {"code": options["unit"], "year": year}
        )
    cset = CriteriaSet.objects.filter(code=options["set_code"].strip()).first()
    if cset is None:
        raise CommandError(
            _("Không có bộ tiêu chí mã “%(code)s” (xem `ntm criteria list`).")
            % {"code": options["set_code"]}
        )
    return unit, year, cset


def read_file(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise CommandError(_("Không có tệp %(path)s.") % {"path": name})
    return path.read_bytes()


def write_file(name: str, data: bytes) -> Path:
    path = Path(name)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(
            _("Không ghi được %(path)s: %(reason)s") % {"path": name, "reason": exc.strerror}
        ) from exc
    return path
