"""What `ntm import` and `ntm template` share: a subcommand per registered importer."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ntm.imports.registry import importers


def add_subcommands(parser, *, kind: str) -> None:
    sub = parser.add_subparsers(dest="what", required=True)
    for importer in importers():
        p = sub.add_parser(importer.name, help=str(importer.title))
        if kind == "import":
            p.add_argument("file")
            p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
            options = importer.import_options
        else:
            p.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ ghi")
            options = importer.template_options
        for option in options:
            p.add_argument(*option.flags, **option.kwargs)


def options_of(importer, options: dict, *, kind: str) -> dict:
    declared = importer.import_options if kind == "import" else importer.template_options
    return {o.dest: options[o.dest] for o in declared if options.get(o.dest) is not None}


def read_file(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise CommandError(_("Không có tệp %(path)s.") % {"path": name})
    return path.read_bytes()


def write_file(name: str, data: bytes) -> Path:
    path = Path(name)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(
            _("Không ghi được %(path)s: %(reason)s") % {"path": name, "reason": exc.strerror}
        ) from exc
    return path
