from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ntm.accounts.scope import scope_for
from ntm.dossiers.selectors import dossier_status, dossiers_visible
from ntm.lib.params import MAX_YEAR, MIN_YEAR, int_param
from ntm.reports.keeping import keeping_counts, keeping_standard
from ntm.reports.merged import merged_communes, merged_counts
from ntm.units.selectors import unit_by_code


class DossierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    level = serializers.CharField()
    year = serializers.IntegerField()
    criteria_set = serializers.CharField(source="criteria_set.code")
    deadline = serializers.DateField(allow_null=True)
    recognition = serializers.IntegerField(source="recognition_id", allow_null=True)
    decision_reason = serializers.CharField()
    status = serializers.SerializerMethodField()

    def get_status(self, obj) -> dict:
        return dossier_status(obj).as_dict()


class DossierViewSet(viewsets.ReadOnlyModelViewSet):
    """Recognition dossiers in the caller's scope, with what each holds and lacks."""

    serializer_class = DossierSerializer
    filterset_fields = ["year", "level"]

    def get_queryset(self):
        return dossiers_visible(scope_for(self.request.user)).order_by("-year", "unit__code")


def _unit_and_year(request):
    scope = scope_for(request.user)
    year = int_param(request.query_params.get("year"))
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": [_("Năm phải là số từ 2000 đến 2100.")]})
    unit = unit_by_code(request.query_params.get("unit", ""), year=year)
    if unit is None or not scope.contains(unit):
        raise NotFound(_("Không có đơn vị này trong phạm vi của bạn."))
    return unit, year


_PARAMS = [
    OpenApiParameter("unit", str, required=True, description="unit code, e.g. 06"),
    OpenApiParameter("year", int, required=True),
]


class KeepingStandardView(APIView):
    """Recognised communes that slip or were not re-assessed in the year (giữ chuẩn)."""

    @extend_schema(parameters=_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        unit, year = _unit_and_year(request)
        rows = keeping_standard(unit=unit, year=year)
        return Response(
            {"unit": unit.code, "year": year, "counts": keeping_counts(rows), "communes": rows}
        )


class MergedCommunesView(APIView):
    """Communes formed on 1/7/2025 under a unit, with their predecessors' standing."""

    @extend_schema(parameters=_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        unit, year = _unit_and_year(request)
        rows = merged_communes(unit=unit)
        return Response(
            {"unit": unit.code, "year": year, "counts": merged_counts(rows), "communes": rows}
        )
