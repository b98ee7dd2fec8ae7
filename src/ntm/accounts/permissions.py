"""Roles declared once per view, checked through `Scope.may_write` (like rapidpro's OrgPermsMixin).

A viewset sets `write_roles` (None: any writer role) and, if its records do not have a `unit`,
`unit_of`; every unsafe request is refused with 403 before the view runs when the user may write
nowhere, and before an object is changed or deleted when they may not write to its unit. A
function view uses `@write_roles_required(...)` for the first check.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS

from ntm.accounts.scope import scope_for


class WriteRolesMixin:
    write_roles = None
    write_denied_message = _("Bạn không có quyền ghi cho đơn vị này.")

    def roles_for(self, unit):
        """The roles that may write to `unit` (None: before the object is known)."""
        return self.write_roles

    def unit_of(self, obj):
        return obj.unit

    def check_permissions(self, request):
        super().check_permissions(request)
        scope = scope_for(request.user)
        if request.method not in SAFE_METHODS and not scope.may_write(None, self.roles_for(None)):
            self.permission_denied(request, message=str(self.write_denied_message))

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS:
            unit = self.unit_of(obj)
            if not scope_for(request.user).may_write(unit, self.roles_for(unit)):
                self.permission_denied(request, message=str(self.write_denied_message))


def write_roles_required(roles=None):
    """A function view for users who may write somewhere holding one of `roles` (None: any
    writer role); others get 403. Use after `@login_required`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not scope_for(request.user).may_write(None, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
