"""Communes drawn from their coordinates as SVG, with no tile server."""

import math
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 480
PAD = 16


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    pk: int
    name: str
    css: str
    href: str = ""


def project(points, *, css_for=lambda p: p.kind, href_for=lambda p: "") -> list[Dot]:
    """Equirectangular projection fitted to the box (good enough at a province's scale)."""
    if not points:
        return []
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    west, north = min(lons), max(lats)  # once, not once a point (a province has 500 xã)
    mid = math.cos(math.radians((min(lats) + north) / 2))
    span_x = max((max(lons) - west) * mid, 1e-6)
    span_y = max(north - min(lats), 1e-6)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
    return [
        Dot(
            x=round(PAD + (p.longitude - west) * mid * scale, 1),
            y=round(PAD + (north - p.latitude) * scale, 1),
            pk=p.pk,
            name=p.name,
            css=css_for(p),
            href=href_for(p),
        )
        for p in points
    ]
