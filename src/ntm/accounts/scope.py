"""The one place that decides which units, and so which records, a user may see and change.

Every view, API endpoint and command that returns user data asks `scope_for(user)`.
A user's scope is the subtree of their unit, plus the subtrees of the units their unit
replaced (a new province sees the history of the provinces merged into it).
"""

from dataclasses import dataclass
from functools import cached_property, reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ntm.accounts.models import Role, User
from ntm.units.models import Unit, UnitLink

WRITER_ROLES = {
    Role.PROVINCE_COORDINATOR,
    Role.DEPARTMENT_OFFICER,
    Role.DISTRICT_OFFICER,
    Role.COMMUNE_OFFICER,
}


@dataclass(frozen=True)
class Scope:
    user: User | None
    everything: bool
    prefixes: tuple[str, ...]
    can_write: bool
    # Where writes are allowed: the user's own subtree, and history reached through principal
    # (default) successor links only: the officer of a commune that took a part of a split
    # commune reads that commune's history but does not change it.
    write_prefixes: tuple[str, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.prefixes

    def q(self, field: str = "") -> Q:
        """A filter matching records whose unit (reached through `field`) is in scope."""
        path = f"{field}__path" if field else "path"
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path}__startswith": p}) for p in self.prefixes))

    def filter(self, queryset: QuerySet, field: str = "unit") -> QuerySet:
        """Restrict any queryset to records whose `field` (a Unit FK) is in scope."""
        return queryset.filter(self.q(field)) if not self.everything else queryset

    def units(self) -> QuerySet:
        return Unit.objects.filter(self.q()) if not self.everything else Unit.objects.all()

    def contains(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.prefixes)

    def can_write_to(self, unit: Unit) -> bool:
        if not self.can_write:
            return False
        if self.everything or self.write_prefixes is None:
            return self.contains(unit)
        return any(unit.path.startswith(p) for p in self.write_prefixes)

    def require(self, unit: Unit, *, write: bool = False) -> Unit:
        """Raise 404 for a unit outside scope (no leak of its existence), 403 for a read-only user."""
        if not self.contains(unit):
            raise Http404
        if write and not self.can_write_to(unit):
            raise PermissionDenied
        return unit

    def may_write(self, unit: Unit | None = None, roles=None) -> bool:
        """The one write check: may this scope's user change records of `unit` (None: of some
        unit) holding one of `roles` (None: any writer role)? Superusers hold every role; a
        scope without a user (the command line) may write everywhere it can write."""
        if unit is None:
            if not self.can_write:
                return False
        elif not self.can_write_to(unit):
            return False
        if roles is None or self.user is None:
            return True
        return self.user.is_superuser or self.user.role in roles

    def require_write(self, unit: Unit | None = None, roles=None) -> None:
        """404 for a unit outside scope (its existence is not leaked), 403 if `may_write` says no."""
        if unit is not None and not self.contains(unit):
            raise Http404
        if not self.may_write(unit, roles):
            raise PermissionDenied

    def require_writer(self) -> None:
        if not self.can_write:
            raise PermissionDenied

    def require_role(self, *roles: str) -> None:
        """Raise 403 unless the user is a superuser or holds one of the roles."""
        if self.user is None or not (self.user.is_superuser or self.user.role in roles):
            raise PermissionDenied

    @cached_property
    def roots(self) -> list[Unit]:
        if self.everything:
            return list(Unit.objects.filter(parent__isnull=True))
        return list(Unit.objects.filter(path__in=self.prefixes).order_by("-valid_from", "code"))


def _predecessor_paths(unit: Unit) -> list[tuple[str, bool]]:
    """(path, writable) of every unit the given unit replaced, transitively; writable when every
    link on the way is the principal (default) one."""
    paths: list[tuple[str, bool]] = []
    frontier, seen = {unit.pk: True}, {unit.pk}
    while frontier:
        links = UnitLink.objects.filter(new_id__in=frontier).values_list(
            "old_id", "old__path", "new_id", "is_default"
        )
        next_frontier: dict[int, bool] = {}
        for old_id, old_path, new_id, is_default in links:
            if old_id not in seen:
                seen.add(old_id)
                writable = frontier[new_id] and is_default
                next_frontier[old_id] = writable
                paths.append((old_path, writable))
        frontier = next_frontier
    return paths


def _minimal(prefixes: list[str]) -> tuple[str, ...]:
    """Drop prefixes already covered by a shorter one."""
    kept: list[str] = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user=None, everything=False, prefixes=(), can_write=False)
    cached = getattr(user, "_ntm_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(user=user, everything=True, prefixes=(), can_write=True)
    elif user.role == Role.NATIONAL_VIEWER:
        scope = Scope(user=user, everything=True, prefixes=(), can_write=False)
    elif user.unit_id is None or not user.role:
        scope = Scope(user=user, everything=False, prefixes=(), can_write=False)
    else:
        unit = user.unit
        history = _predecessor_paths(unit)
        scope = Scope(
            user=user,
            everything=False,
            prefixes=_minimal([unit.path, *(p for p, _ in history)]),
            can_write=user.role in WRITER_ROLES,
            write_prefixes=_minimal([unit.path, *(p for p, writable in history if writable)]),
        )
    user._ntm_scope = scope
    return scope


def system_scope() -> Scope:
    """Everything, writable: for the command line and other trusted callers without a user."""
    return Scope(user=None, everything=True, prefixes=(), can_write=True)
