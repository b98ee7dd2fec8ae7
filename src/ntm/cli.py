"""The `ntm` console command: Django's manage.py with our settings."""

import os
import sys

# Commands of ours that keep Django's system checks: they start a server or change the schema.
CHECKED = {"serve", "migrate"}


def _without_checks(args: list[str]) -> list[str]:
    """Our data commands skip the system checks: checking URLs and templates imports every view
    (about a second on a small machine) and finds nothing a data command could act on;
    `ntm check`, `migrate` and `serve` still run them."""
    if not args or args[0].startswith("-") or args[0] in CHECKED or "--skip-checks" in args:
        return args
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    app = get_commands().get(args[0])
    if not isinstance(app, str) or not app.startswith("ntm."):
        return args
    if not load_command_class(app, args[0]).requires_system_checks:
        return args
    return [args[0], "--skip-checks", *args[1:]]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    from django.core.management import execute_from_command_line

    args = _without_checks(list(argv if argv is not None else sys.argv[1:]))
    execute_from_command_line(["ntm", *args])


if __name__ == "__main__":
    main()
