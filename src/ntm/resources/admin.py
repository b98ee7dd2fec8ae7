from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.resources.models import (
    Activity,
    Contribution,
    ConversionRate,
    Funding,
    FundingSource,
    ModelSite,
    Project,
)


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "group", "order", "community", "active"]


@admin.register(Funding)
class FundingAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "source", "allocated", "disbursed"]
    list_filter = ["year", "source"]
    raw_id_fields = ["unit", "updated_by"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "year", "criterion", "amount"]
    raw_id_fields = ["unit", "criterion"]


@admin.register(Contribution)
class ContributionAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "land_m2", "workdays", "cash", "materials_value"]
    raw_id_fields = ["unit", "updated_by"]


@admin.register(ConversionRate)
class ConversionRateAdmin(SimpleHistoryAdmin):
    list_display = ["province", "year", "land_per_m2", "workday", "decision"]
    raw_id_fields = ["province"]


@admin.register(ModelSite)
class ModelSiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "year_recognised", "status", "lost_year"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["unit"]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "date", "unit", "measure", "planned", "actual"]
    list_filter = ["kind"]
    raw_id_fields = ["unit"]
