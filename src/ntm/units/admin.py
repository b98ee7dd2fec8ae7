from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.units.models import Unit, UnitAttribute, UnitChange, UnitLink


class UnitAttributeInline(admin.TabularInline):
    model = UnitAttribute
    extra = 0


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent"]
    inlines = [UnitAttributeInline]


@admin.register(UnitLink)
class UnitLinkAdmin(admin.ModelAdmin):
    list_display = ["old", "new", "is_default", "split", "effective_date"]
    raw_id_fields = ["old", "new"]
    search_fields = ["old__code", "new__code", "old__name", "new__name"]


@admin.register(UnitAttribute)
class UnitAttributeAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "kind", "value", "valid_from_year", "valid_to_year", "source"]
    list_filter = ["kind"]
    raw_id_fields = ["unit"]


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ["legal_basis", "issued_on", "effective_date"]
    search_fields = ["legal_basis", "description"]
    raw_id_fields = ["ended", "began"]
