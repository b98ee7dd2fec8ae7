"""Every way into an import (the app's own upload page, the generic page, `ntm import NAME`,
the app's own command) goes through `ntm.imports.runner`, so that limits, all-or-nothing and
the report are the same whichever way a workbook comes in. Driven from the registry: a new
importer fails these tests until its page and commands are declared here."""

import ast
import datetime
import inspect
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

import ntm
from ntm.imports import runner
from ntm.imports.registry import importers
from ntm.plans import services as plan_services
from ntm.plans.models import Plan, PlanStatus

SRC = Path(ntm.__file__).parent
NAMES = sorted(i.name for i in importers())

# The upload page of an importer whose registered `page` needs an object (a plan's page is
# reached from the plan). The others are `reverse(importer.page)` or the generic page.
UPLOAD_URL = {"plan": lambda ctx: reverse("plans:import", args=[ctx.plan.pk])}

# The app's own commands that import a workbook, per importer (besides `ntm import NAME`).
APP_COMMANDS = {
    "plan": lambda ctx, path: [("plan", "import", "--plan-id", str(ctx.plan.pk), path)],
    "plan-new": lambda ctx, path: [("plan", "import", path)],
    "resources": lambda ctx, path: [("resources", "import", path)],
    "ocop": lambda ctx, path: [("ocop", "import", path)],
    "units": lambda ctx, path: [("units", "history", path)],
}


def _empty_workbook() -> bytes:
    """A readable workbook without any of the importer's sheets: each service refuses it."""
    wb = Workbook()
    wb.active.title = "Trang1"
    wb.active.append(["x"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def ctx(users, units):
    plan = plan_services.plan_create(
        user=users.coordinator,
        unit=units.bac_kan,
        number="125/KH-UBND",
        issued_on=datetime.date(2022, 2, 25),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch xây dựng nông thôn mới",
        year_from=2021,
        year_to=2025,
        status=PlanStatus.ACTIVE,
    )
    return SimpleNamespace(plan=plan, users=users)


@pytest.fixture
def runs(monkeypatch):
    """The names of the importers the runner was asked to run."""
    called = []
    original = runner._importer

    def spy(which):
        found = original(which)
        called.append(found.name)
        return found

    monkeypatch.setattr(runner, "_importer", spy)
    return called


def _upload_url(importer, ctx) -> str:
    if importer.name in UPLOAD_URL:
        return UPLOAD_URL[importer.name](ctx)
    return reverse(importer.page) if importer.page else reverse(f"imports:{importer.name}")


@pytest.mark.parametrize("name", NAMES)
def test_every_upload_page_goes_through_the_runner(name, ctx, runs, client_for):
    importer = next(i for i in importers() if i.name == name)
    client = client_for(ctx.users.admin)
    plans_before = Plan.objects.count()
    upload = io.BytesIO(_empty_workbook())
    upload.name = "tep.xlsx"
    response = client.post(_upload_url(importer, ctx), {"file": upload, "dry_run": ""})
    assert response.status_code == 200, response.status_code
    assert runs == [name]
    assert "chưa ghi dữ liệu nào" in response.content.decode()
    assert Plan.objects.count() == plans_before


@pytest.mark.parametrize("name", NAMES)
def test_every_import_command_goes_through_the_runner(name, ctx, runs, tmp_path):
    path = tmp_path / "tep.xlsx"
    path.write_bytes(_empty_workbook())
    commands = [("import", name, str(path))]
    commands += APP_COMMANDS.get(name, lambda c, p: [])(ctx, str(path))
    for args in commands:
        runs.clear()
        with pytest.raises(CommandError, match="lỗi; không ghi gì"):
            call_command(*args, verbosity=0)
        assert runs == [name], args


def _service_names() -> dict[str, set[str]]:
    """The app services each registered importer wraps (`<thing>_import(` in its adapter)."""
    return {
        i.name: set(re.findall(r"\b(\w+_import)\(", inspect.getsource(i.run))) for i in importers()
    }


def _interface_modules():
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if "imports" in parts or "migrations" in parts:
            continue
        if path.stem.startswith("views") or "management" in parts or path.stem == "api":
            yield path


def test_no_page_or_command_calls_an_import_service_itself():
    """Pages, API and commands call the runner, never an app's import service directly."""
    services = set().union(*_service_names().values())
    assert {"assessments_import", "ocop_import", "units_history_import"} <= services
    direct = []
    for path in _interface_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in services:
                    direct.append(f"{path.relative_to(SRC)}:{node.lineno} {called}")
    assert direct == []


def test_the_declared_pages_and_commands_are_registered():
    assert set(UPLOAD_URL) <= set(NAMES) and set(APP_COMMANDS) <= set(NAMES)
