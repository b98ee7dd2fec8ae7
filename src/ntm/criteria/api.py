from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.criteria import selectors, services
from ntm.criteria.models import CriteriaSet, Criterion, Indicator, Threshold
from ntm.units.models import Level


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Threshold
        fields = ["id", "basis", "value", "value_max", "from_year", "to_year"]


class IndicatorSerializer(serializers.ModelSerializer):
    thresholds = ThresholdSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "unit",
            "operator",
            "status",
            "source",
            "note",
            "thresholds",
        ]


class CriterionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "number", "code", "name", "group", "department", "indicators"]


class CriteriaSetSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(
        source="province.code", default=None, read_only=True, allow_null=True
    )
    based_on_code = serializers.CharField(
        source="based_on.code", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "decision_number",
            "decision_date",
            "issuer",
            "period_start",
            "period_end",
            "applies_to",
            "level",
            "threshold_basis",
            "bands",
            "extra_requirements",
            "province_code",
            "based_on_code",
            "shipped",
        ]


class CriteriaSetDetailSerializer(CriteriaSetSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta(CriteriaSetSerializer.Meta):
        fields = [*CriteriaSetSerializer.Meta.fields, "criteria"]


class CloneSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=300, required=False, default="")


class CriteriaSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Criteria sets (national, and the provincial sets in the caller's scope). Lookup by code."""

    lookup_field = "code"
    filterset_fields = ["applies_to", "level", "period_start"]

    def get_queryset(self):
        qs = selectors.criteria_sets_visible(scope_for(self.request.user)).select_related(
            "province", "based_on"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("criteria__indicators__thresholds")
        return qs

    def get_serializer_class(self):
        return CriteriaSetDetailSerializer if self.action == "retrieve" else CriteriaSetSerializer

    @extend_schema(request=CloneSerializer, responses={201: CriteriaSetSerializer})
    @action(detail=True, methods=["post"])
    def clone(self, request, code=None):
        """Copy this set into a provincial set of the caller's province (province coordinators)."""
        scope = scope_for(request.user)
        user = request.user
        if not (
            scope.can_write
            and user.role == Role.PROVINCE_COORDINATOR
            and user.unit
            and user.unit.level == Level.PROVINCE
        ):
            raise PermissionDenied(_("Chỉ VPĐP tỉnh được sao chép bộ tiêu chí."))
        body = CloneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            clone = services.criteria_set_clone(
                source=self.get_object(), province=user.unit, user=user, **body.validated_data
            )
        except services.CriteriaEditError as exc:
            raise ValidationError({"code": [str(exc)]}) from exc
        return Response(CriteriaSetSerializer(clone).data, status=status.HTTP_201_CREATED)
