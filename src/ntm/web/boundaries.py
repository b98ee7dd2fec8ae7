"""Loading a province's commune boundaries (GeoJSON) and drawing them as SVG, offline.

The file is checked whole first (size, shape, every commune code resolved on the given day and
in the user's scope), then written in one transaction, or nothing is written.
"""

import datetime
import json
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.units.models import Kind, Level
from ntm.units.resolver import resolve_codes
from ntm.web.maps import HEIGHT, PAD, WIDTH
from ntm.web.models import CommuneBoundary

MAX_BYTES = 30 * 1024 * 1024
MAX_FEATURES = 5000
CODE_KEYS = ("code", "ma", "ma_xa", "MA_XA", "MaXa", "commune_code", "ma_dvhc")


class BoundaryError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _polygons(geometry) -> list:
    kind = (geometry or {}).get("type")
    coords = (geometry or {}).get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        raise ValueError(_("hình phải là Polygon hoặc MultiPolygon"))
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points = [[round(float(p[0]), 6), round(float(p[1]), 6)] for p in ring]
            if len(points) < 3 or not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
                raise ValueError(_("tọa độ không hợp lệ (kinh độ, vĩ độ)"))
            rings.append(points)
        out.append(rings)
    return out


def _code(properties: dict) -> str:
    for key in CODE_KEYS:
        if properties.get(key) not in (None, ""):
            return str(properties[key]).strip()
    return ""


def boundaries_load(*, data: bytes, on: datetime.date, scope) -> int:
    """Store the boundaries of the communes in the file; returns how many. Raises BoundaryError
    listing every problem (feature number, code, what was expected) and writes nothing then."""
    if len(data) > MAX_BYTES:
        raise BoundaryError([_("Tệp quá lớn (tối đa 30 MB).")])
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError([_("Tệp không phải GeoJSON hợp lệ: %(e)s") % {"e": exc}]) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if doc.get("type") != "FeatureCollection" or not isinstance(features, list) or not features:
        raise BoundaryError([_("Cần một FeatureCollection có ít nhất một xã.")])
    if len(features) > MAX_FEATURES:
        raise BoundaryError([_("Quá nhiều đối tượng (tối đa %(n)s).") % {"n": MAX_FEATURES}])
    codes = [_code((f or {}).get("properties") or {}) for f in features]
    resolved = resolve_codes([(c, on) for c in codes if c], level=Level.COMMUNE)
    errors, rows = [], {}
    for number, (feature, code) in enumerate(zip(features, codes, strict=True), start=1):
        where = _("Đối tượng %(n)s") % {"n": number}
        if not code:
            errors.append(where + ": " + _("thiếu mã xã (thuộc tính “code” hoặc “ma_xa”)."))
            continue
        unit = resolved[(code, on)].unit
        if unit is None or unit.kind != Kind.COMMUNE:
            errors.append(f"{where}: {resolved[(code, on)].describe()}.")
            continue
        if not scope.can_write_to(unit):
            errors.append(where + ": " + _("%(u)s không thuộc phạm vi của bạn.") % {"u": unit})
            continue
        try:
            rows[unit.pk] = (unit, _polygons(feature.get("geometry")))
        except (TypeError, ValueError, IndexError) as exc:
            errors.append(f"{where} ({code}): {exc}.")
    if errors:
        raise BoundaryError(errors)
    with transaction.atomic():
        for unit, polygons in rows.values():
            CommuneBoundary.objects.update_or_create(unit=unit, defaults={"polygons": polygons})
    return len(rows)


@dataclass(frozen=True)
class Shape:
    d: str
    pk: int
    name: str
    css: str
    href: str
    title: str


def draw(boundaries, *, css_for, href_for, title_for) -> list[Shape]:
    """Polygons projected (equirectangular, fitted to the box) into SVG path data."""
    points = [p for b in boundaries for poly in b.polygons for ring in poly for p in ring]
    if not points:
        return []
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, north = min(lons), max(lats)
    mid = math.cos(math.radians((min(lats) + north) / 2))
    span_x = max((max(lons) - west) * mid, 1e-6)
    span_y = max(north - min(lats), 1e-6)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)

    def xy(p):
        return f"{PAD + (p[0] - west) * mid * scale:.1f},{PAD + (north - p[1]) * scale:.1f}"

    shapes = []
    for b in boundaries:
        d = " ".join(
            "M" + " L".join(xy(p) for p in ring) + " Z" for poly in b.polygons for ring in poly
        )
        shapes.append(
            Shape(d, b.unit_id, b.unit.name, css_for(b.unit_id), href_for(b.unit_id), title_for(b))
        )
    return shapes
