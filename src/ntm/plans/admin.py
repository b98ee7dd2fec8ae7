from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.plans.models import Plan, RoadmapEntry, Target, Task, TaskNote


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    raw_id_fields = ["unit", "parent"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["number", "issued_on", "unit", "year_from", "year_to", "status"]
    list_filter = ["status", "year_from"]
    search_fields = ["number", "title", "issuer"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "metric", "level", "stars", "unit", "year", "value", "parent"]
    list_filter = ["metric", "year"]
    raw_id_fields = ["plan", "unit", "parent"]


@admin.register(RoadmapEntry)
class RoadmapEntryAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "unit", "level", "target_year"]
    list_filter = ["level", "target_year"]
    raw_id_fields = ["plan", "unit"]


class TaskNoteInline(admin.TabularInline):
    model = TaskNote
    extra = 0
    raw_id_fields = ["created_by"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "group", "lead_agency", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["content", "lead_agency"]
    raw_id_fields = ["plan"]
    inlines = [TaskNoteInline]
