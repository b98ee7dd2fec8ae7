from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.imports.management.commands._frame import add_subcommands, options_of, write_file
from ntm.imports.registry import get
from ntm.imports.runner import template_bytes


class Command(BaseCommand):
    help = (
        "Excel templates: `ntm template <name> -o FILE ...`, one subcommand per registered "
        "importer (ntm.imports.catalogue)."
    )

    def add_arguments(self, parser):
        add_subcommands(parser, kind="template")

    def handle(self, *args, what, **options):
        importer = get(what)
        try:
            data = template_bytes(
                importer, scope=system_scope(), **options_of(importer, options, kind="template")
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        path = write_file(options["output"], data)
        self.stdout.write(
            _("Đã ghi mẫu %(path)s (%(title)s).") % {"path": path, "title": importer.title}
        )
