"""The `ntm` command starts light: data commands skip Django's system checks, and start-up loads
no spreadsheet library (openpyxl and numpy cost more than Django itself)."""

import os
import subprocess
import sys

from ntm.cli import _without_checks


def test_data_commands_skip_the_system_checks():
    assert _without_checks(["criteria", "list"]) == ["criteria", "--skip-checks", "list"]
    assert _without_checks(["report", "summary", "--unit", "06"])[1] == "--skip-checks"


def test_server_schema_and_django_commands_keep_them():
    for args in (["serve"], ["migrate"], ["check"], ["shell"], ["help"], ["--version"], []):
        assert _without_checks(list(args)) == list(args)
    assert _without_checks(["criteria", "--skip-checks", "list"]).count("--skip-checks") == 1


def test_start_up_loads_no_spreadsheet_library():
    code = (
        "import django, sys; django.setup(); "
        "print(sorted(m for m in ('openpyxl', 'numpy', 'docx', 'matplotlib') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ntm.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
