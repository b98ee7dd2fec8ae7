import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from ntm.accounts.scope import scope_for
from ntm.units.models import Kind, Level, Unit, UnitAttribute, UnitLink
from ntm.units.text import fold


class UnitAttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitAttribute
        fields = ["kind", "value", "valid_from_year", "valid_to_year", "source"]


class UnitLinkSerializer(serializers.ModelSerializer):
    old_code = serializers.CharField(source="old.code")
    new_code = serializers.CharField(source="new.code")

    class Meta:
        model = UnitLink
        fields = ["old", "old_code", "new", "new_code", "effective_date", "is_default", "split"]


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", default=None, read_only=True, allow_null=True
    )
    level_name = serializers.CharField(source="get_level_display", read_only=True)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "level",
            "level_name",
            "kind",
            "kind_name",
            "parent",
            "parent_code",
            "latitude",
            "longitude",
            "valid_from",
            "valid_to",
        ]


class UnitDetailSerializer(UnitSerializer):
    attributes = UnitAttributeSerializer(many=True, read_only=True)
    successors = serializers.SerializerMethodField()
    predecessors = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "attributes", "successors", "predecessors"]

    @extend_schema_field(UnitLinkSerializer(many=True))
    def get_successors(self, unit):
        links = unit.successor_links.select_related("old", "new")
        return UnitLinkSerializer(links, many=True).data

    @extend_schema_field(UnitLinkSerializer(many=True))
    def get_predecessors(self, unit):
        links = unit.predecessor_links.select_related("old", "new")
        return UnitLinkSerializer(links, many=True).data


class UnitFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    code = django_filters.CharFilter()
    parent = django_filters.NumberFilter(field_name="parent_id")
    parent_code = django_filters.CharFilter(field_name="parent__code")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Có hiệu lực vào ngày"))
    search = django_filters.CharFilter(method="filter_search", label=_("Tìm theo tên (không dấu)"))

    class Meta:
        model = Unit
        fields = ["level", "kind", "code", "parent", "parent_code"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_name__contains=fold(value))


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative units in the caller's scope (filters: level, parent, code, kind, valid_on, search)."""

    filterset_class = UnitFilter

    def get_queryset(self):
        qs = scope_for(self.request.user).units().select_related("parent")
        if self.action == "retrieve":
            qs = qs.prefetch_related("attributes")
        return qs.order_by("level", "code", "valid_to")

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer
