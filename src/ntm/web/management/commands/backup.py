"""`ntm backup [-o FILE]`: the database and the uploaded files in one archive (ntm.backups)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.backups import BackupError, backup_create, database_label, default_backup_path


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup API or pg_dump) and MEDIA_ROOT into one "
        ".tar.gz with a manifest; safe while the server runs. Default file: "
        "NTM_DATA_DIR/backups/ntm-<engine>-<date>-<time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="tệp sao lưu sẽ ghi (.tar.gz); ghi đè nếu đã có")

    def handle(self, *args, output, **options):
        quiet = options["verbosity"] < 1

        def progress(message: str) -> None:
            if not quiet:
                self.stdout.write(message)
                sys.stdout.flush()

        try:
            path = Path(output) if output else default_backup_path()
            progress(_("Sao lưu %(db)s vào %(path)s") % {"db": database_label(), "path": path})
            info = backup_create(output=path, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if quiet:
            self.stdout.write(str(info.path))
