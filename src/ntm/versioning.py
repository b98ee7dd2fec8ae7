"""Optimistic locking of records users edit (assessments, OCOP, plans).

A versioned model has `version = PositiveIntegerField(default=1)`. A page or API client reads the
version with the record and sends it back with its change; the service locks the stored row
(`select_for_update` inside `transaction.atomic`), compares, refuses a stale version with
`StaleVersionError` (a Vietnamese message naming who changed it and when, from the history) and
bumps the version when it saves. `version=None` means a trusted caller that does not check (the
command line, an import that checks its own "Phiên bản" column): the row is still locked and
its version still bumped, so a page opened before gets refused afterwards.

The API helpers (ntm.versioning_api, kept apart so that services load without the REST
framework) give the same answer everywhere: HTTP 409 `{"detail": ..., "code": "stale_version"}`,
and 400 when an update does not send `version`.
"""

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

STALE_CODE = "stale_version"


class StaleVersionError(ValueError):
    """Someone else saved the record since this user loaded it."""


def _describe(record: models.Model) -> str:
    return _("%(what)s “%(name)s”") % {
        "what": capfirst(str(record._meta.verbose_name)),
        "name": str(record),
    }


def last_change(record: models.Model) -> tuple[object | None, object | None]:
    """(user, moment) of the latest saved change of a record, from its history; (None, None)
    when the model keeps no history or it is empty."""
    history = getattr(record, "history", None)
    if history is None:
        return None, None
    latest = history.order_by("-history_date", "-history_id").select_related("history_user").first()
    if latest is None:
        return None, None
    return latest.history_user, latest.history_date


def stale_message(record: models.Model, version, *, what: str | None = None) -> str:
    """Vietnamese: who changed the record and when, the two versions, what to do."""
    who, when = last_change(record)
    details = []
    if who is not None:
        details.append(str(who))
    if when is not None:
        details.append(
            _("lúc %(when)s") % {"when": timezone.localtime(when).strftime("%H:%M %d/%m/%Y")}
        )
    details.append(
        _("phiên bản %(new)s, bạn đang sửa phiên bản %(old)s")
        % {"new": record.version, "old": version if version is not None else "—"}
    )
    return _(
        "%(what)s vừa được người khác sửa (%(details)s). Hãy tải lại trang để xem thay đổi "
        "rồi sửa lại."
    ) % {"what": what or _describe(record), "details": ", ".join(details)}


def check_version(
    locked: models.Model, version, *, error: type[Exception] = StaleVersionError, what=None
) -> None:
    """Refuse (raise `error`) when `version` is not the stored one; None skips the check."""
    if version is not None and locked.version != version:
        exc = error(stale_message(locked, version, what=what))
        exc.current, exc.sent = locked.version, version  # for callers that word it their way
        raise exc


def check_and_bump(
    locked: models.Model, version, *, error: type[Exception] = StaleVersionError, what=None
) -> None:
    """Check the version of a row locked by the caller, then count this change."""
    check_version(locked, version, error=error, what=what)
    locked.version += 1


def lock(
    record: models.Model, version, *, error: type[Exception] = StaleVersionError, what=None
) -> models.Model:
    """The stored row, locked until the end of the transaction, checked against `version`.
    The caller changes that row (not `record`, which may be stale) and saves it once; saving
    an existing row bumps its version (see `bump_on_save`)."""
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    check_version(locked, version, error=error, what=what)
    return locked


def bump_on_save(record: models.Model) -> None:
    """Count a change of an existing versioned row (called just before `save()`)."""
    if record.pk is not None and hasattr(record, "version"):
        record.version += 1
