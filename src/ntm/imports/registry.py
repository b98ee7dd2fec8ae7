"""The registry of importers: one entry per kind of workbook, from which the import pages, the
`ntm import` / `ntm template` commands and the bad-input tests are made."""

from collections.abc import Callable
from dataclasses import dataclass, field

from ntm.imports.limit_values import DEFAULT, Limits


@dataclass(frozen=True)
class Option:
    """A command-line option of an import or a template (argparse keywords)."""

    flags: tuple[str, ...]
    kwargs: dict = field(default_factory=dict)

    @property
    def dest(self) -> str:
        return self.kwargs.get("dest") or self.flags[-1].lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Importer:
    """One kind of import.

    `run(data=, scope=, user=, dry_run=, progress=, **options)` is the app's service (parse,
    validate, write: all or nothing) and returns an ImportReport; `user=None` is the command
    line. `template(scope=, **options)` returns the workbook to fill. `may_use(user, scope)`
    says who may import (the service still checks each row's unit). `page` is the URL name of
    the app's own upload page, when the import needs more than a file (a plan, a unit, a year);
    without one, the generic page of `ntm.imports.views` serves it.
    """

    name: str
    title: str
    sheets: tuple[str, ...]
    run: Callable
    template: Callable
    may_use: Callable
    limits: Limits = DEFAULT
    page: str = ""
    template_page: str = ""
    import_options: tuple[Option, ...] = ()
    template_options: tuple[Option, ...] = ()
    noun: str = ""
    help: str = ""
    parse: Callable | None = None  # options as typed (text) -> options for `run`

    def parse_options(self, options: dict) -> dict:
        """The import options as `run` takes them; ValueError with a message for the user."""
        return self.parse(options) if self.parse else dict(options)


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    if importer.name in _REGISTRY:
        raise ValueError(f"importer {importer.name!r} registered twice")
    _REGISTRY[importer.name] = importer
    return importer


def importers() -> list[Importer]:
    _load()
    return list(_REGISTRY.values())


def get(name: str) -> Importer | None:
    _load()
    return _REGISTRY.get(name)


def usable_by(user, scope) -> list[Importer]:
    return [i for i in importers() if i.may_use(user, scope)]


def _load() -> None:
    from ntm.imports import catalogue  # noqa: F401  (registers on first import)
