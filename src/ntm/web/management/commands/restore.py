"""`ntm restore FILE [--yes]`: put back a backup made by `ntm backup` (ntm.backups)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.backups import (
    ENGINE_LABELS,
    MAIN_TABLES,
    BackupError,
    backup_inspect,
    backup_restore,
    database_label,
)

YES = {"c", "co", "có", "y", "yes"}


class Command(BaseCommand):
    help = (
        "Restore a backup made by `ntm backup`: checks engine, checksums and migrations, asks "
        "for confirmation (unless --yes), then replaces the database and MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp sao lưu (.tar.gz) do `ntm backup` tạo")
        parser.add_argument(
            "--yes", action="store_true", help="không hỏi lại (dùng trong kịch bản, cron)"
        )

    def handle(self, *args, file, yes, **options):
        quiet = options["verbosity"] < 1

        def progress(message: str) -> None:
            if not quiet:
                self.stdout.write(message)
                sys.stdout.flush()

        try:
            info = backup_inspect(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        created = timezone.localtime(info.created_at).strftime("%d/%m/%Y %H:%M:%S")
        progress(
            _("Bản sao lưu %(path)s: %(engine)s, tạo lúc %(created)s, phần mềm ntm %(version)s.")
            % {
                "path": info.path,
                "engine": ENGINE_LABELS[info.engine],
                "created": created,
                "version": info.manifest.get("versions", {}).get("ntm", "?"),
            }
        )
        shown = [f"{label}: {info.counts[label]}" for label in MAIN_TABLES if label in info.counts]
        progress(
            _("Số bản ghi: %(counts)s; %(files)s tệp tải lên.")
            % {"counts": ", ".join(shown), "files": len(info.media)}
        )
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(
                    _("Khôi phục sẽ thay toàn bộ dữ liệu hiện có; chạy lại với --yes để xác nhận.")
                )
            answer = input(
                _(
                    "Khôi phục sẽ XÓA toàn bộ dữ liệu hiện có trong %(target)s và các tệp tải "
                    "lên, thay bằng bản sao lưu này. Tiếp tục? [c/K] "
                )
                % {"target": database_label()}
            )
            if answer.strip().lower() not in YES:
                raise CommandError(_("Đã hủy; không thay đổi gì."))
        try:
            result = backup_restore(path=info.path, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.pending_migrations:
            self.stdout.write(
                _(
                    "Bản sao lưu cũ hơn mã nguồn: còn %(n)s migration chưa áp dụng; chạy "
                    "`ntm migrate` trước khi khởi động máy chủ."
                )
                % {"n": len(result.pending_migrations)}
            )
        if result.mismatches:
            details = "; ".join(
                f"{label}: {want} → {got}" for label, (want, got) in result.mismatches.items()
            )
            raise CommandError(
                _(
                    "Đã khôi phục nhưng số bản ghi khác manifest (%(details)s): có thể có tiến "
                    "trình khác đang ghi vào CSDL. Hãy dừng máy chủ rồi khôi phục lại."
                )
                % {"details": details}
            )
