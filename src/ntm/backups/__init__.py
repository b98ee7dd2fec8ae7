"""Backup and restore of the whole system: the database and the uploaded files in one archive.

`ntm backup [-o FILE]` calls `backup_create`; `ntm restore FILE [--yes]` calls
`backup_inspect`, asks, then `backup_restore`.

The archive (format "ntm-backup", version 1) is a gzip-compressed tar file whose members are,
in this order:

- ``manifest.json`` — first, so that reading it does not unpack the rest: ``format``,
  ``format_version``, ``engine`` ("sqlite" or "postgresql"), ``created_at`` (ISO 8601, UTC),
  ``versions`` (ntm, Django, Python, database server, pg_dump), ``migrations``
  (``{app: [applied migration names]}``), ``counts`` (``{"app.Model": rows}`` for every table
  of the ntm apps), ``database`` (``{name, size, sha256}``) and ``media``
  (``[{path, size, sha256}]``).
- ``database.sqlite3`` (SQLite) — a consistent copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``) in one step: one read snapshot, so the server keeps running
  and writing (WAL) while it is taken. The copy is a single file (journal_mode=DELETE) that
  passed ``PRAGMA integrity_check``; the counts and migrations are read from it.
- ``database.pgdump`` (PostgreSQL) — ``pg_dump --format=custom`` run in a snapshot exported by a
  REPEATABLE READ transaction, the same one in which the counts and migrations are read.
- ``media/<path>`` — every file under MEDIA_ROOT (evidence, decision scans, product photos).

The archive is written to a temporary file beside FILE, flushed to disk, then renamed: FILE is
either what it was before or a complete backup.

A restore refuses, before touching anything: a file that is not such an archive, a newer
format, a backup of the other engine, a backup whose database has migrations this code does not
know (made by a newer version), and any member whose sha256 is not the manifest's. SQLite is
restored with the backup API into the live file (the page-level copy goes through SQLite's own
locking and WAL, so no file is swapped under a running server); PostgreSQL with
``pg_restore --clean --if-exists --no-owner --single-transaction`` (all or nothing), after
dropping the tables the backup does not have (left by later migrations). MEDIA_ROOT's files are
replaced by the backup's (unpacked and checked first in a hidden folder inside MEDIA_ROOT, then
moved in by renames, so a shared-storage mount works too). The counts are compared with
the manifest at the end.
"""

from ntm.backups.archive import backup_create, backup_inspect, backup_restore, default_backup_path
from ntm.backups.common import (
    DATABASE_MEMBER,
    ENGINE_LABELS,
    FORMAT,
    FORMAT_VERSION,
    MAIN_TABLES,
    MANIFEST,
    BackupError,
    BackupInfo,
    RestoreResult,
)
from ntm.backups.database import current_engine, database_label, live_counts

__all__ = [
    "DATABASE_MEMBER",
    "ENGINE_LABELS",
    "FORMAT",
    "FORMAT_VERSION",
    "MAIN_TABLES",
    "MANIFEST",
    "BackupError",
    "BackupInfo",
    "RestoreResult",
    "backup_create",
    "backup_inspect",
    "backup_restore",
    "current_engine",
    "database_label",
    "default_backup_path",
    "live_counts",
]
