"""Values computed from rarely written tables, kept in the "figures" cache under a data version
that every committed write to those tables changes.

The version is a token in the database (`DataVersion`, one row), so every app server reads the
same one; the values stay in each machine's own cache under it. `watch(labels)` connects the
save and delete signals of every model of those apps; writes that send no signal (bulk updates,
imports) call `data_changed()` themselves. The version changes when the write commits, never
before: a reader that computes between the write and its commit stores its value under the old
version, which nobody reads after the commit.
"""

import uuid
from collections.abc import Callable

from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save

from ntm.lib.models import DataVersion

VERSION_ROW = 1


def _cache():
    return caches["figures"]


def data_version() -> str:
    token = DataVersion.objects.filter(pk=VERSION_ROW).values_list("token", flat=True).first()
    return token or "0"


def _bump() -> None:
    token = uuid.uuid4().hex
    if DataVersion.objects.filter(pk=VERSION_ROW).update(token=token):
        return
    try:  # no row yet (a new database, or one emptied by a test)
        with transaction.atomic():
            DataVersion.objects.create(pk=VERSION_ROW, token=token)
    except IntegrityError:  # another process created it meanwhile: a new token all the same
        DataVersion.objects.filter(pk=VERSION_ROW).update(token=token)


def data_changed(**_signal_kwargs) -> None:
    """A write to a watched table: a new data version once it commits (one per transaction)."""
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def forget_cached() -> None:
    """A new version at once, and this machine's kept values dropped: for writes that replace
    the database under the cache (a backup restored) or that sent no signal."""
    _bump()
    _cache().clear()


def cached(key: str, compute: Callable[[], object]):
    """`compute()`, or its value kept under `key` at the current data version."""
    cache = _cache()
    if isinstance(cache, DummyCache):  # no cache configured (tests): not even the version read
        return compute()
    full_key = f"{key}:{data_version()}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value


def watch(app_labels: list[str] = (), models: list = ()) -> None:
    """A new data version after every committed save or delete of these apps' models and of
    these models."""
    every = [m for label in app_labels for m in apps.get_app_config(label).get_models()]
    for model in [*every, *models]:
        uid = f"freshness-{model._meta.label}"
        post_save.connect(data_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"{uid}-delete")
