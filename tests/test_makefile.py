"""`make test` runs the browser suite even when the unit suite fails, and fails if either did."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FAKE_PYTEST = """#!/bin/sh
printf '%s\\n' "$*" >> "$CALLS"
case "$*" in *"$FAIL"*) exit 1;; esac
exit 0
"""


def _make_test(tmp_path: Path, fail: str) -> tuple[int, list[str]]:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "pytest").write_text(FAKE_PYTEST)
    (fake / "pytest").chmod(0o755)
    calls = tmp_path / f"calls-{len(fail)}"
    # MAKEFLAGS would pass the outer make's variables (CI's PYTEST_ARGS=--create-db) along
    env = {**os.environ, "CALLS": str(calls), "FAIL": fail, "MAKEFLAGS": "", "MAKELEVEL": ""}
    done = subprocess.run(
        ["make", "-s", "-o", "install-dev", "-o", "system-deps", "-o", "translations", "test"]
        + [f"BIN={fake}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, calls.read_text().splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("fail", "ok"), [("not e2e", False), ("-m e2e", False), ("no suite fails", True)]
)
def test_both_suites_run_and_either_failure_fails_the_target(tmp_path, fail, ok):
    code, calls = _make_test(tmp_path, fail)
    assert [("not e2e" in c, "-m e2e" in c) for c in calls] == [(True, False), (False, True)]
    assert (code == 0) is ok
