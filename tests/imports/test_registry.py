"""The registry is the one list of importers: every import service is registered, and the
commands and pages are made from it."""

import ast
import inspect
from pathlib import Path

from django.core.management import get_commands, load_command_class
from django.urls import reverse

import ntm
from ntm.imports.registry import get, importers

SRC = Path(ntm.__file__).parent


def _import_services() -> set[str]:
    """Functions `<thing>_import(*, data: bytes, ...)` anywhere in the project."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or "imports" in path.parts:  # the frame itself
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.FunctionDef)
                and node.name.endswith("_import")
                and any(a.arg == "data" for a in node.args.kwonlyargs)
            ):
                found.add(node.name)
    return found


def test_every_import_service_is_registered():
    services = _import_services()
    assert {"assessments_import", "recognitions_import", "ocop_import"} <= services
    wrapped = " ".join(inspect.getsource(i.run) for i in importers())
    missing = sorted(s for s in services if f"{s}(" not in wrapped)
    assert missing == [], f"register these in ntm/imports/catalogue.py: {missing}"


def test_the_commands_have_one_subcommand_per_importer():
    names = {i.name for i in importers()}
    assert {"assessments", "recognitions", "villages", "plan", "resources", "ocop"} <= names
    for command in ("import", "template"):
        assert get_commands()[command] == "ntm.imports"
        parser = load_command_class("ntm.imports", command).create_parser("ntm", command)
        subparsers = next(a for a in parser._actions if a.dest == "what")
        assert set(subparsers.choices) == names


def test_the_index_page_lists_what_the_user_may_import(users, client_for):
    page = client_for(users.coordinator).get(reverse("imports:index")).content.decode()
    for importer in importers():
        if importer.may_use(
            users.coordinator,
            __import__("ntm.accounts.scope").accounts.scope.scope_for(users.coordinator),
        ):
            assert f"<code>{importer.name}</code>" in page
    assert reverse("imports:recognitions") in page
    commune_page = client_for(users.commune).get(reverse("imports:index")).content.decode()
    assert "<code>recognitions</code>" not in commune_page
    assert "<code>assessments</code>" in commune_page
    assert get("recognitions").page == ""
