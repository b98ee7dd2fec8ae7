"""Commune boundaries a province uploads once (GeoJSON), drawn offline as SVG on the map."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommuneBoundary(models.Model):
    unit = models.OneToOneField(
        "units.Unit",
        verbose_name=_("xã"),
        on_delete=models.CASCADE,
        related_name="boundary",
    )
    # Polygons as [[[lon, lat], ...], ...] rings (outer ring first), from Polygon or MultiPolygon.
    polygons = models.JSONField(_("ranh giới"))
    uploaded_at = models.DateTimeField(_("ngày tải lên"), auto_now=True)

    class Meta:
        verbose_name = _("ranh giới xã")
        verbose_name_plural = _("ranh giới xã")

    def __str__(self) -> str:
        return str(self.unit)
