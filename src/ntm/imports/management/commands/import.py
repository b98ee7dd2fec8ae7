import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ntm.accounts.scope import system_scope
from ntm.imports.management.commands._frame import add_subcommands, options_of, read_file
from ntm.imports.registry import get
from ntm.imports.runner import run_import


class Command(BaseCommand):
    help = (
        "Excel imports, all or nothing: `ntm import <name> FILE [--dry-run] ...`, one "
        "subcommand per registered importer (ntm.imports.catalogue)."
    )

    def add_arguments(self, parser):
        add_subcommands(parser, kind="import")

    def handle(self, *args, what, **options):
        importer = get(what)
        data = read_file(options["file"])
        try:
            extra = importer.parse_options(options_of(importer, options, kind="import"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        bar = tqdm(desc=_("Ghi"), disable=options["verbosity"] < 1, leave=False)
        try:
            report = run_import(
                importer,
                data=data,
                scope=system_scope(),
                user=None,
                dry_run=options["dry_run"],
                progress=bar.update,
                **extra,
            )
        finally:
            bar.close()
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Tệp có %(n)s lỗi; không ghi gì.") % {"n": len(report.errors)})
        for note in report.notes:  # a reused code: the unit taken and the date used
            self.stdout.write(str(note))
        summary = _("tạo mới %(created)s, cập nhật %(updated)s %(noun)s") % {
            "created": report.created,
            "updated": report.updated,
            "noun": importer.noun,
        }
        if report.dry_run:
            self.stdout.write(
                _("Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ %(summary)s.") % {"summary": summary}
            )
        else:
            self.stdout.write(
                _("Đã %(summary)s (%(seconds).1f s).")
                % {"summary": summary, "seconds": time.perf_counter() - started}
            )
