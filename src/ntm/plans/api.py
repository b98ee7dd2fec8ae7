"""Plans in the API: /api/v1/plans/, /api/v1/plan-targets/, /api/v1/roadmap/, /api/v1/plan-tasks/.

Reads are scoped by the plan's unit; writes go through `services` (the same rules and rights
as the pages: province coordinators, district officers for their district, superusers)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ntm import versioning, versioning_api
from ntm.accounts.permissions import WriteRolesMixin
from ntm.accounts.scope import scope_for
from ntm.criteria.levels import validate_level
from ntm.lib.params import int_param
from ntm.plans import selectors, services
from ntm.plans.models import (
    Metric,
    Plan,
    PlanStatus,
    RoadmapEntry,
    Target,
    Task,
    TaskNote,
    TaskStatus,
)
from ntm.plans.services import PlanError
from ntm.units.models import Unit


def _refusal(exc: PlanError):
    return ValidationError({exc.field or "detail": [str(exc)]})


class _Scoped(WriteRolesMixin):
    """Helpers shared by the viewsets: the visible plans, and rights to write one (declared once:
    `plan_writers` of the plan's unit, checked before any change by WriteRolesMixin)."""

    write_denied_message = gettext_lazy("Bạn không có quyền sửa kế hoạch của đơn vị này.")

    def roles_for(self, unit):
        return services.plan_writers(unit)

    def unit_of(self, obj):
        return obj.unit if isinstance(obj, Plan) else obj.plan.unit

    def visible_plans(self):
        return selectors.plans_visible(scope_for(self.request.user))

    def plan_for_write(self, plan_id) -> Plan:
        plan = self.visible_plans().filter(pk=plan_id).first()
        if plan is None:
            raise ValidationError({"plan": [_("Không có kế hoạch này trong phạm vi của bạn.")]})
        if not services.can_write_plan_for(self.request.user, plan.unit):
            raise PermissionDenied(_("Bạn không có quyền sửa kế hoạch của đơn vị này."))
        return plan

    def call(self, fn, **kwargs):
        try:
            return fn(user=self.request.user, **kwargs)
        except versioning.StaleVersionError:
            raise  # 409, by VersionedUpdateMixin
        except PlanError as exc:
            raise _refusal(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def unit_in_scope(self, pk) -> Unit:
        unit = Unit.objects.filter(pk=pk).first()
        if unit is None or not scope_for(self.request.user).contains(unit):
            raise ValidationError({"unit": [_("Đơn vị không có hoặc ngoài phạm vi của bạn.")]})
        return unit


# -- plans -----------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.ChoiceField(choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = versioning_api.version_field()

    class Meta:
        model = Plan
        fields = [
            "id",
            "number",
            "issued_on",
            "issuer",
            "title",
            "unit",
            "unit_code",
            "unit_name",
            "year_from",
            "year_to",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "unit_code", "unit_name", "updated_at"]
        validators = []  # uniqueness is checked by the service, with a Vietnamese message
        extra_kwargs = {"unit": {"queryset": Unit.objects.all()}}


@versioning_api.versioned_schema(PlanSerializer)
class PlanViewSet(_Scoped, versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """Plans in the caller's scope; province coordinators (and district officers for their
    district) create and change them. A change (PUT/PATCH) sends the `version` it read; 409
    when someone saved the plan since."""

    serializer_class = PlanSerializer
    filterset_fields = ["status", "unit"]

    def get_queryset(self):
        params = self.request.query_params
        year = params.get("year")
        return selectors.plans_search(
            scope_for(self.request.user),
            text=params.get("q", ""),
            year=int_param(year) if year and len(year) == 4 else None,
        )

    def _fields(self, serializer, instance=None):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        unit = data.pop("unit", None) or (instance.unit if instance else None)
        if unit is None:
            raise ValidationError({"unit": [_("Cần chọn đơn vị.")]})
        self.unit_in_scope(unit.pk)
        if instance is not None:
            merged = {
                f: getattr(instance, f)
                for f in (
                    "number",
                    "issued_on",
                    "issuer",
                    "title",
                    "year_from",
                    "year_to",
                    "status",
                )
            }
            merged.update(data)
            data = merged
        return {"unit": unit, **data}

    def perform_create(self, serializer):
        serializer.instance = self.call(services.plan_create, **self._fields(serializer))

    def perform_update(self, serializer):
        plan = serializer.instance
        serializer.instance = self.call(
            services.plan_update,
            plan=plan,
            version=self.sent_version(),
            **self._fields(serializer, plan),
        )

    def perform_destroy(self, instance):
        self.call(services.plan_delete, plan=instance)


# -- targets ---------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    metric = serializers.ChoiceField(choices=Metric.choices, required=False)
    level = serializers.CharField(
        required=False, allow_blank=True, max_length=20, validators=[validate_level]
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    version = versioning_api.version_field()

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "metric",
            "level",
            "stars",
            "unit",
            "unit_code",
            "year",
            "value",
            "base_year",
            "parent",
            "note",
            "version",
        ]
        read_only_fields = ["id", "unit_code"]
        validators = []
        extra_kwargs = {
            "plan": {"queryset": Plan.objects.all()},
            "parent": {"queryset": Target.objects.all()},
        }


@versioning_api.versioned_schema(TargetSerializer)
class PlanTargetViewSet(_Scoped, versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """Targets and allocations (`parent` set) of the visible plans; filter with ?plan=ID.
    A change (PUT/PATCH) sends the `version` it read; 409 when someone saved it since."""

    serializer_class = TargetSerializer
    filterset_fields = ["plan", "year", "metric", "parent"]

    def get_queryset(self):
        return (
            Target.objects.filter(plan__in=self.visible_plans())
            .select_related("unit")
            .order_by("plan_id", "year", "metric", "unit__code")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        plan = self.plan_for_write(data.pop("plan").pk)
        parent = data.pop("parent", None)
        if parent is not None and parent.plan_id != plan.pk:
            raise ValidationError(
                {"parent": [_("Chỉ tiêu được phân bổ không thuộc kế hoạch này.")]}
            )
        if "unit" in data:
            self.unit_in_scope(data["unit"].pk)
        serializer.instance = self.call(services.target_create, plan=plan, parent=parent, **data)

    def perform_update(self, serializer):
        target = serializer.instance
        data = serializer.validated_data
        serializer.instance = self.call(
            services.target_update,
            target=target,
            value=data.get("value", target.value),
            note=data.get("note"),
            base_year=data.get("base_year"),
            version=self.sent_version(),
        )

    def perform_destroy(self, instance):
        self.call(services.target_delete, target=instance)


# -- roadmap ---------------------------------------------------------------------------------


class RoadmapSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    version = versioning_api.version_field()

    class Meta:
        model = RoadmapEntry
        fields = ["id", "plan", "unit", "unit_code", "unit_name", "level", "target_year", "version"]
        read_only_fields = ["id", "unit_code", "unit_name"]
        validators = []
        extra_kwargs = {
            "plan": {"queryset": Plan.objects.all()},
            "unit": {"queryset": Unit.objects.all()},
        }


@versioning_api.versioned_schema(RoadmapSerializer)
class RoadmapViewSet(_Scoped, versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """Roadmap entries (commune → level → target year) of the visible plans; ?plan=ID.
    A change (PUT/PATCH) sends the `version` it read; 409 when someone saved it since."""

    serializer_class = RoadmapSerializer
    filterset_fields = ["plan", "level", "target_year"]

    def get_queryset(self):
        return (
            RoadmapEntry.objects.filter(plan__in=self.visible_plans())
            .select_related("unit")
            .order_by("plan_id", "target_year", "unit__code")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = self.plan_for_write(data["plan"].pk)
        unit = self.unit_in_scope(data["unit"].pk)
        entry, _created = self.call(
            services.roadmap_save,
            plan=plan,
            unit=unit,
            level=data["level"],
            target_year=data["target_year"],
        )
        serializer.instance = entry

    def perform_update(self, serializer):
        entry = serializer.instance
        data = serializer.validated_data
        if data.get("plan", entry.plan) != entry.plan or data.get("unit", entry.unit) != entry.unit:
            raise ValidationError(
                {"detail": [_("Không đổi được kế hoạch hay xã của một dòng lộ trình.")]}
            )
        level = data.get("level", entry.level)
        if level != entry.level:
            raise ValidationError({"level": [_("Không đổi được mức; hãy xóa và thêm dòng mới.")]})
        serializer.instance, _created = self.call(
            services.roadmap_save,
            plan=entry.plan,
            unit=entry.unit,
            level=level,
            target_year=data.get("target_year", entry.target_year),
            version=self.sent_version(),
        )

    def perform_destroy(self, instance):
        self.call(services.roadmap_delete, entry=instance)


# -- tasks -----------------------------------------------------------------------------------


class TaskNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskNote
        fields = ["id", "noted_on", "text"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    effective_status = serializers.CharField(read_only=True)
    notes = TaskNoteSerializer(many=True, read_only=True)
    version = versioning_api.version_field()

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "group",
            "content",
            "lead_agency",
            "other_agencies",
            "deadline",
            "status",
            "effective_status",
            "notes",
            "version",
        ]
        read_only_fields = ["id", "effective_status", "notes"]
        extra_kwargs = {"plan": {"queryset": Plan.objects.all()}}


class TaskProgressSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    noted_on = serializers.DateField(required=False)
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The task's version as read; required with a new `status` (409 if stale).",
    )


@versioning_api.versioned_schema(TaskSerializer)
class PlanTaskViewSet(_Scoped, versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """Tasks of the visible plans (?plan=ID); `effective_status` is "overdue" past the deadline.
    A change (PUT/PATCH, or a new status by `progress`) sends the `version` it read; 409 when
    someone saved the task since."""

    serializer_class = TaskSerializer
    filterset_fields = ["plan", "status"]

    def get_queryset(self):
        return (
            Task.objects.filter(plan__in=self.visible_plans())
            .prefetch_related("notes")
            .order_by("plan_id", "group", "deadline", "pk")
        )

    def _fields(self, data, task=None):
        names = ("group", "content", "lead_agency", "other_agencies", "deadline", "status")
        out = {n: getattr(task, n) for n in names} if task else {}
        out.update({n: data[n] for n in names if n in data})
        return out

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = self.plan_for_write(data["plan"].pk)
        serializer.instance = self.call(services.task_save, plan=plan, **self._fields(data))

    def perform_update(self, serializer):
        task = serializer.instance
        data = serializer.validated_data
        if data.get("plan", task.plan) != task.plan:
            raise ValidationError({"plan": [_("Không chuyển được nhiệm vụ sang kế hoạch khác.")]})
        serializer.instance = self.call(
            services.task_save,
            plan=task.plan,
            task=task,
            version=self.sent_version(),
            **self._fields(data, task),
        )

    def perform_destroy(self, instance):
        self.call(services.task_delete, task=instance)

    @extend_schema(
        request=TaskProgressSerializer,
        responses={
            201: TaskSerializer,
            400: versioning_api.MISSING_VERSION_RESPONSE,
            409: versioning_api.STALE_RESPONSE,
        },
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Record progress on a task: a note and/or a new status (a new status needs the
        `version` read; 409 when someone saved the task since)."""
        task = self.get_object()
        body = TaskProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if data.get("status") not in (None, task.status):
            data["version"] = versioning_api.require_version(data)
        else:
            data.pop("version", None)  # a note alone overwrites nothing
        try:
            self.call(services.task_progress, task=task, **data)
        except versioning.StaleVersionError as exc:
            return versioning_api.conflict(exc)
        return Response(
            TaskSerializer(self.get_queryset().get(pk=task.pk)).data, status=status.HTTP_201_CREATED
        )
