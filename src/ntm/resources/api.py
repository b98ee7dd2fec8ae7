"""Resources in the API: /api/v1/fundings/, /contributions/, /projects/, /model-sites/,
/activities/, /funding-sources/, and /api/v1/resources/figures/ (the summary's figures).

Reads are scoped by the row's unit; writes go through `services` with the same rights as the
pages (the scope's write rule: a commune its own, the province all; national viewers read)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ntm.accounts.permissions import WriteRolesMixin
from ntm.accounts.scope import scope_for
from ntm.lib.params import int_param
from ntm.resources import selectors, services
from ntm.resources.models import (
    Activity,
    ActivityKind,
    Contribution,
    Funding,
    FundingSource,
    ModelKind,
    ModelSite,
    ModelStatus,
    Project,
)
from ntm.resources.services import ResourceError
from ntm.units.models import Unit
from ntm.units.selectors import unit_by_code


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name", "group", "order", "community", "active"]


class FundingSourceViewSet(viewsets.ReadOnlyModelViewSet):
    """The taxonomy of funding sources (no user data)."""

    serializer_class = FundingSourceSerializer
    queryset = FundingSource.objects.order_by("order", "code")
    pagination_class = None


class _UnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Unit.objects.all()


class FundingSerializer(serializers.ModelSerializer):
    unit = _UnitField()
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    source = serializers.SlugRelatedField(slug_field="code", queryset=FundingSource.objects.all())
    disbursement_rate = serializers.DecimalField(
        max_digits=8, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = Funding
        fields = [
            "id",
            "unit",
            "unit_code",
            "year",
            "source",
            "allocated",
            "disbursed",
            "disbursement_rate",
            "note",
        ]
        validators = []


class ProjectSerializer(serializers.ModelSerializer):
    unit = _UnitField()

    class Meta:
        model = Project
        fields = ["id", "unit", "year", "name", "criterion", "amount", "note"]


class ContributionSerializer(serializers.ModelSerializer):
    unit = _UnitField()

    class Meta:
        model = Contribution
        fields = [
            "id",
            "unit",
            "year",
            "land_m2",
            "workdays",
            "cash",
            "materials_value",
            "materials",
        ]
        validators = []


class ModelSiteSerializer(serializers.ModelSerializer):
    unit = _UnitField()
    kind = serializers.ChoiceField(choices=ModelKind.choices)
    status = serializers.ChoiceField(choices=ModelStatus.choices, default=ModelStatus.KEPT)

    class Meta:
        model = ModelSite
        fields = ["id", "unit", "kind", "name", "year_recognised", "status", "lost_year", "note"]
        validators = []


class ActivitySerializer(serializers.ModelSerializer):
    unit = _UnitField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    attainment = serializers.DecimalField(
        max_digits=10, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "unit",
            "kind",
            "name",
            "date",
            "organiser",
            "measure",
            "planned",
            "actual",
            "attainment",
            "note",
        ]


class _ScopedViewSet(WriteRolesMixin, viewsets.ModelViewSet):
    visible = None
    year_field = "year"
    kinds: tuple = ()

    def get_queryset(self):
        qs = type(self).visible(scope_for(self.request.user))
        params = self.request.query_params
        year = params.get("year", "")
        kind = params.get("kind", "")
        unit = None
        code = params.get("unit_code")
        if code:
            unit = Unit.objects.filter(code=code).order_by("valid_to").first()
            if unit is None or not scope_for(self.request.user).contains(unit):
                return qs.none()
        return selectors.filter_list(
            qs,
            unit=unit,
            year=int_param(year) if len(year) == 4 else None,
            kind=kind if kind in self.kinds else "",
            year_field=self.year_field,
        ).order_by("pk")

    def call(self, fn, **kwargs):
        try:
            return fn(scope=scope_for(self.request.user), **kwargs)
        except ResourceError as exc:
            raise ValidationError({exc.field or "detail": [str(exc)]}) from exc
        except Http404 as exc:
            raise ValidationError(
                {"unit": [_("Đơn vị không có hoặc ngoài phạm vi của bạn.")]}
            ) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(_("Bạn không có quyền ghi cho đơn vị này.")) from exc

    def perform_destroy(self, instance):
        self.call(self.delete_fn, **{self.delete_arg: instance})


class FundingViewSet(_ScopedViewSet):
    """Money by unit × year × source. POST creates or updates the row of (unit, year, source)."""

    serializer_class = FundingSerializer
    visible = staticmethod(selectors.fundings_visible)
    delete_fn, delete_arg = staticmethod(services.funding_delete), "funding"

    def _save(self, serializer):
        d = serializer.validated_data
        inst = serializer.instance
        funding, _created = self.call(
            services.funding_save,
            user=self.request.user,
            unit=d.get("unit", inst and inst.unit),
            year=d.get("year", inst and inst.year),
            source=d.get("source", inst and inst.source),
            allocated=d.get("allocated", inst.allocated if inst else 0),
            disbursed=d.get("disbursed", inst.disbursed if inst else 0),
            note=d.get("note", ""),
        )
        serializer.instance = funding

    def perform_update(self, serializer):
        scope_for(self.request.user).require(serializer.instance.unit, write=True)
        _refuse_key_change(serializer, ("unit", "year", "source"))
        self._save(serializer)

    perform_create = _save


def _refuse_key_change(serializer, fields) -> None:
    """A row is identified by these fields: moving it would copy the money, so it is refused."""
    changed = [
        f
        for f in fields
        if f in serializer.validated_data
        and serializer.validated_data[f] != getattr(serializer.instance, f)
    ]
    if changed:
        raise ValidationError(
            {f: [_("Không đổi được trường này; hãy xóa dòng và tạo dòng mới.")] for f in changed}
        )


class ContributionViewSet(_ScopedViewSet):
    """Community contributions by unit × year. POST creates or updates the row of (unit, year)."""

    serializer_class = ContributionSerializer
    visible = staticmethod(selectors.contributions_visible)
    delete_fn, delete_arg = staticmethod(services.contribution_delete), "contribution"

    def _save(self, serializer):
        d = dict(serializer.validated_data)
        inst = serializer.instance
        if inst is not None:
            scope_for(self.request.user).require(inst.unit, write=True)
            _refuse_key_change(serializer, ("unit", "year"))
            base = {
                f: getattr(inst, f)
                for f in (
                    "unit",
                    "year",
                    "land_m2",
                    "workdays",
                    "cash",
                    "materials_value",
                    "materials",
                )
            }
            d = {**base, **d}
        contribution, _created = self.call(services.contribution_save, user=self.request.user, **d)
        serializer.instance = contribution

    perform_create = perform_update = _save


class ProjectViewSet(_ScopedViewSet):
    serializer_class = ProjectSerializer
    visible = staticmethod(selectors.projects_visible)
    delete_fn, delete_arg = staticmethod(services.project_delete), "project"

    def _save(self, serializer):
        inst = serializer.instance
        d = dict(serializer.validated_data)
        if inst is not None:
            d = {
                **{
                    f: getattr(inst, f)
                    for f in ("unit", "year", "name", "criterion", "amount", "note")
                },
                **d,
            }
        serializer.instance = self.call(services.project_save, project=inst, **d)

    perform_create = perform_update = _save


class ModelSiteViewSet(_ScopedViewSet):
    serializer_class = ModelSiteSerializer
    visible = staticmethod(selectors.models_visible)
    year_field = "year_recognised"
    kinds = tuple(ModelKind.values)
    delete_fn, delete_arg = staticmethod(services.model_site_delete), "site"

    def _save(self, serializer):
        inst = serializer.instance
        d = dict(serializer.validated_data)
        if inst is not None:
            d = {
                **{
                    f: getattr(inst, f)
                    for f in (
                        "unit",
                        "kind",
                        "name",
                        "year_recognised",
                        "status",
                        "lost_year",
                        "note",
                    )
                },
                **d,
            }
        serializer.instance = self.call(services.model_site_save, site=inst, **d)

    perform_create = perform_update = _save


class ActivityViewSet(_ScopedViewSet):
    serializer_class = ActivitySerializer
    visible = staticmethod(selectors.activities_visible)
    year_field = "date"
    kinds = tuple(ActivityKind.values)
    delete_fn, delete_arg = staticmethod(services.activity_delete), "activity"

    def _save(self, serializer):
        inst = serializer.instance
        d = dict(serializer.validated_data)
        if inst is not None:
            d = {
                **{
                    f: getattr(inst, f)
                    for f in (
                        "unit",
                        "kind",
                        "name",
                        "date",
                        "organiser",
                        "measure",
                        "planned",
                        "actual",
                        "note",
                    )
                },
                **d,
            }
        serializer.instance = self.call(services.activity_save, activity=inst, **d)

    perform_create = perform_update = _save


class ResourceFiguresView(APIView):
    """The resources figures of a unit and year: the same numbers as the summary's `resources`,
    `contributions`, `models`, `activities` keys."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="mã đơn vị, ví dụ 06"),
            OpenApiParameter("year", int, required=True),
        ],
        responses={200: dict},
    )
    def get(self, request):
        code, year = request.query_params.get("unit", ""), request.query_params.get("year", "")
        if not (int_param(year) and 2000 <= int(year) <= 2100) or not code:
            raise ValidationError({"detail": [_("Cần mã đơn vị và năm (2000-2100).")]})
        unit = unit_by_code(code, year=int(year))
        if unit is None or not scope_for(request.user).contains(unit):
            raise NotFound
        figures = selectors.resource_figures(unit, int(year))
        return Response({"unit": unit.code, "year": int(year), **selectors.plain(figures)})
