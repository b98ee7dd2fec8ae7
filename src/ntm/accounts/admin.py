from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ntm.accounts.models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "unit", "department", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    raw_id_fields = ["unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Vai trò và phạm vi"), {"fields": ["role", "unit", "department", "phone"]}),
    ]
