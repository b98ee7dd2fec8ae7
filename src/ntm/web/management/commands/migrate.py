"""`ntm migrate`: Django's migrate, creating NTM_DATA_DIR (and the SQLite file's folder) first,
so that a fresh clone with no data directory migrates instead of "unable to open database file"."""

from pathlib import Path

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections


def ensure_data_dir() -> None:
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    for alias in connections:
        db = connections[alias].settings_dict
        name = str(db.get("NAME") or "")
        if db["ENGINE"].endswith("sqlite3") and name and not name.startswith((":memory:", "file:")):
            Path(name).parent.mkdir(parents=True, exist_ok=True)


class Command(DjangoMigrate):
    def execute(self, *args, **options):
        ensure_data_dir()  # before the system checks, which open the database
        return super().execute(*args, **options)
