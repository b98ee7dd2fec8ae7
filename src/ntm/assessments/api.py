import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ntm.accounts.scope import scope_for
from ntm.assessments import selectors, services
from ntm.assessments.models import Assessment, CriterionResult, IndicatorValue, Recognition, State
from ntm.criteria.models import Indicator
from ntm.criteria.selectors import criteria_sets_visible
from ntm.units.models import Unit


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "value_bool", "value_number", "met"]


class CriterionResultSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code")

    class Meta:
        model = CriterionResult
        fields = ["criterion", "derived", "manual", "manual_reason", "kind", "met"]


class AssessmentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    criteria_set = serializers.CharField(source="criteria_set.code", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "year",
            "criteria_set",
            "state",
            "version",
            "criteria_met",
            "criteria_undecided",
            "meets_standard",
            "notes",
            "updated_at",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    values = IndicatorValueSerializer(many=True, read_only=True)
    results = CriterionResultSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "values", "results"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    criteria_set = serializers.CharField()


class ManualSerializer(serializers.Serializer):
    met = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SaveSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    values = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="indicator code -> true/false or a number (null clears)",
    )
    manual = serializers.DictField(
        child=ManualSerializer(),
        required=False,
        default=dict,
        help_text=(
            "criterion code (TC1…) -> {met: true/false/null, reason}. A result stands without a "
            "reason when the indicators do not decide (the appraisal result); a reason is needed "
            "only when it contradicts them."
        ),
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class AssessmentFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(field_name="unit_id")
    unit_code = django_filters.CharFilter(field_name="unit__code")
    year = django_filters.NumberFilter()
    set = django_filters.CharFilter(field_name="criteria_set__code")
    state = django_filters.ChoiceFilter(choices=State.choices)

    class Meta:
        model = Assessment
        fields = ["unit", "year", "state"]


def _conflict(exc):
    return Response({"detail": str(exc), "code": "stale_version"}, status=status.HTTP_409_CONFLICT)


class AssessmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Assessments in the caller's scope: list/filter, read, create, save values, move through the workflow."""

    filterset_class = AssessmentFilter

    def get_queryset(self):
        qs = selectors.assessments_visible(scope_for(self.request.user)).order_by(
            "-year", "unit__code"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("values__indicator", "results__criterion")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AssessmentDetailSerializer
        if self.action == "create":
            return AssessmentCreateSerializer
        return AssessmentSerializer

    def _writable(self):
        assessment = self.get_object()
        scope_for(self.request.user).require(assessment.unit, write=True)
        return assessment

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        body = AssessmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scope = scope_for(request.user)
        unit = Unit.objects.filter(pk=body.validated_data["unit"]).first()
        if unit is None or not scope.contains(unit):
            raise ValidationError({"unit": [_("Đơn vị không có hoặc ngoài phạm vi của bạn.")]})
        if not scope.can_write:
            raise PermissionDenied
        cset = criteria_sets_visible(scope).filter(code=body.validated_data["criteria_set"]).first()
        if cset is None:
            raise ValidationError({"criteria_set": [_("Không có bộ tiêu chí này.")]})
        try:
            a = services.assessment_get_or_create(
                unit=unit, year=body.validated_data["year"], criteria_set=cset, user=request.user
            )
        except services.AssessmentError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(AssessmentSerializer(a).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SaveSerializer,
        responses={
            200: AssessmentDetailSerializer,
            409: OpenApiResponse(description="stale version"),
        },
    )
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        """Save indicator values and manual results. Send the version you read; 409 if it is stale."""
        assessment = self._writable()
        body = SaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        indicators = {
            i.code: i.pk
            for i in Indicator.objects.filter(criterion__criteria_set=assessment.criteria_set)
        }
        criteria = {c.code: c.pk for c in assessment.criteria_set.criteria.all()}
        unknown = [k for k in data["values"] if k not in indicators] + [
            k for k in data["manual"] if k not in criteria
        ]
        if unknown:
            raise ValidationError(
                {
                    "detail": _("Mã không thuộc bộ tiêu chí: %(codes)s")
                    % {"codes": ", ".join(unknown)}
                }
            )
        try:
            services.assessment_save(
                assessment=assessment,
                user=request.user,
                version=data["version"],
                values={indicators[k]: v for k, v in data["values"].items()},
                manual={
                    criteria[k]: services.ManualResult(v["met"], v.get("reason", ""))
                    for k, v in data["manual"].items()
                },
                notes=data.get("notes"),
            )
        except services.StaleVersionError as exc:
            return _conflict(exc)
        except services.AssessmentError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(AssessmentDetailSerializer(self.get_queryset().get(pk=assessment.pk)).data)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: AssessmentSerializer, 409: OpenApiResponse(description="stale version")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the assessment to another state (submit, check, appraise, approve, return/reopen with reason)."""
        assessment = self._writable()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            a = services.assessment_transition(
                assessment=assessment, user=request.user, **body.validated_data
            )
        except services.StaleVersionError as exc:
            return _conflict(exc)
        except services.AssessmentError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(AssessmentSerializer(a).data)


class RecognitionSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    criteria_set = serializers.CharField(source="criteria_set.code", read_only=True)

    class Meta:
        model = Recognition
        fields = [
            "id",
            "unit",
            "unit_code",
            "unit_name",
            "level",
            "criteria_set",
            "year",
            "action",
            "decision_number",
            "decision_date",
            "signer",
            "override_reason",
        ]
        read_only_fields = fields


class RecognitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Recognition and revocation decisions in the caller's scope."""

    serializer_class = RecognitionSerializer
    filterset_fields = ["year", "level", "action"]

    def get_queryset(self):
        qs = Recognition.objects.select_related("unit", "criteria_set")
        return scope_for(self.request.user).filter(qs, field="unit")
