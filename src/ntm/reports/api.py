from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ntm.accounts.scope import scope_for
from ntm.criteria.selectors import criteria_sets_visible
from ntm.lib.params import MAX_YEAR, MIN_YEAR, int_param
from ntm.reports.selectors import BASES, basis_param, progress_summary
from ntm.units.selectors import unit_by_code


class SummaryView(APIView):
    """Progress figures for a unit (by code) and a year — the same numbers as `ntm report summary`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="unit code, e.g. 06"),
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("set", str, description="criteria set code"),
            OpenApiParameter(
                "basis",
                str,
                enum=list(BASES),
                description="approved (default: official figures) or provisional (every result "
                "entered, with its coverage in communes_approved / communes_pending)",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        scope = scope_for(request.user)
        year = int_param(request.query_params.get("year"))
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError({"year": [_("Năm phải là số từ 2000 đến 2100.")]})
        unit = unit_by_code(request.query_params.get("unit", ""), year=year)
        if unit is None or not scope.contains(unit):
            raise NotFound(_("Không có đơn vị này trong phạm vi của bạn."))
        cset = None
        if request.query_params.get("set"):
            cset = criteria_sets_visible(scope).filter(code=request.query_params["set"]).first()
            if cset is None:
                raise ValidationError({"set": [_("Không có bộ tiêu chí này.")]})
        raw = request.query_params.get("basis")
        if raw and raw not in BASES:
            raise ValidationError({"basis": [_("Cơ sở số liệu là approved hoặc provisional.")]})
        summary = progress_summary(unit=unit, year=year, criteria_set=cset, basis=basis_param(raw))
        return Response(summary.as_dict())
