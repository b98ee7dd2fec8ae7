"""Values computed from rarely written tables, kept in the shared "figures" cache under a data
version that every committed write to those tables changes.

`watch(labels)` connects the save and delete signals of every model of those apps; writes that
send no signal (bulk updates, imports) call `data_changed()` themselves. The version changes
when the write commits, never before: a reader that computes between the write and its commit
stores its value under the old version, which nobody reads after the commit.
"""

import uuid
from collections.abc import Callable

from django.apps import apps
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "data-version"


def _cache():
    return caches["figures"]


def data_version() -> str:
    return _cache().get(VERSION_KEY) or "0"


def _bump() -> None:
    _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def data_changed(**_signal_kwargs) -> None:
    """A write to a watched table: a new data version once it commits (one per transaction)."""
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def forget_cached() -> None:
    """Empty the cache: for writes that replace the database under it (a backup restored)."""
    _cache().clear()


def cached(key: str, compute: Callable[[], object]):
    """`compute()`, or its value kept under `key` at the current data version."""
    cache = _cache()
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
