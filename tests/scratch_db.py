"""A database of their own for tests that run `ntm` in subprocesses (backup, crash, restart).

The pytest database is special (SQLite in memory, or `test_<name>` on PostgreSQL, each test in a
rolled-back transaction), so these tests run the real commands against a scratch database of
the engine the suite runs on: a SQLite file in a temporary directory, or a PostgreSQL database
on the configured server, named after the configured database (so that CI's clean-up of
`%<name>%` also catches a leftover) and dropped afterwards.

A seed (migrated, `ntm demo` loaded: Bắc Kạn and Lạng Sơn, the criteria sets, the sample 2022
and 2023 results, the demo users) is built once per test process and copied for each test (the
SQLite backup API / CREATE DATABASE ... TEMPLATE): the seed costs ~15-25 s, a copy well under one.
"""

import atexit
import functools
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
NTM = [sys.executable, "-m", "ntm.cli"]
_numbers = itertools.count(1)


def engine() -> str:
    """The engine the suite runs on ("sqlite" or "postgresql")."""
    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


@dataclass
class ScratchDB:
    engine: str
    url: str
    name: str  # SQLite: the file; PostgreSQL: the database name
    data_dir: Path  # NTM_DATA_DIR (uploads under media/)

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "NTM_FAULT_")) and k != "NTM_TEST_SQLITE"
        }
        env.update(
            DATABASE_URL=self.url,
            NTM_DATA_DIR=str(self.data_dir),
            NTM_TESTING="1",
            DJANGO_SETTINGS_MODULE="ntm.settings",
            PYTHONWARNINGS="ignore",
        )
        return env

    def ntm(self, *args, check: bool = True, extra_env=None, timeout: float = 300):
        """Run `ntm ARGS` against this database; output captured (text)."""
        done = subprocess.run(
            [*NTM, *map(str, args)],
            env={**self.env, **(extra_env or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"ntm {' '.join(map(str, args))} failed ({done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done

    def python(self, code: str, *args) -> object:
        """Run Python with Django set up against this database; returns the JSON it prints last."""
        script = "import django, json, os\ndjango.setup()\n" + code
        done = subprocess.run(
            [sys.executable, "-c", script, *map(str, args)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"script failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def state(self, before: str = "") -> dict:
        """Run `before` (Python), then return {"counts": rows of every model of the ntm apps
        (and API tokens), through the ORM; "summary": the output of `ntm report summary --unit
        06 --year 2023 --format json`; "extra": what `before` put in `extra`} — one process."""
        return self.python("extra = None\n" + before + STATE_CODE)

    def counts(self) -> dict[str, int]:
        return self.state()["counts"]

    def integrity_check(self) -> str:
        """SQLite: PRAGMA integrity_check (after recovering any WAL); PostgreSQL: a full read
        of every ntm table (amcheck is not installed by default)."""
        if self.engine == "sqlite":
            with sqlite3.connect(self.name) as con:
                return con.execute("PRAGMA integrity_check").fetchone()[0]
        self.counts()
        return "ok"


STATE_CODE = """
import io
from django.apps import apps
from django.core.management import call_command
_out = io.StringIO()
call_command("report", "summary", "--unit", "06", "--year", "2023", "--format", "json", stdout=_out)
_counts = {
    m._meta.label: m._default_manager.count()
    for m in apps.get_models(include_auto_created=True)
    if m._meta.app_config.name.startswith("ntm.") or m._meta.label == "authtoken.Token"
}
print(json.dumps({"counts": _counts, "summary": json.loads(_out.getvalue()), "extra": extra}))
"""


def _pg_parts() -> tuple[dict, str]:
    """(admin connection kwargs, the configured database name) from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL", "")
    parsed = dj_database_url.parse(url)
    kwargs = {
        "host": parsed.get("HOST") or None,
        "port": parsed.get("PORT") or None,
        "user": parsed.get("USER") or None,
        "password": parsed.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    return {k: v for k, v in kwargs.items() if v is not None}, parsed["NAME"]


def _pg_execute(sql: str) -> None:
    import psycopg

    kwargs, _name = _pg_parts()
    with psycopg.connect(**kwargs) as con:
        con.execute(sql)


def _pg_url(name: str) -> str:
    return urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + name).geturl()


def _pg_name(tag: str) -> str:
    _kwargs, base = _pg_parts()
    suffix = f"_fx{os.getpid()}_{tag}"
    return (base[: 63 - len(suffix)] + suffix).lower()


def _pg_drop(name: str) -> None:
    try:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # teardown: report, do not mask the test's own result
        print(f"could not drop scratch database {name}: {exc}", file=sys.stderr)


def _new(root: Path, tag: str, template: "ScratchDB | None" = None) -> ScratchDB:
    kind = engine()
    data_dir = root / f"data-{tag}"
    data_dir.mkdir(parents=True)
    if kind == "sqlite":
        path = root / f"{tag}.sqlite3"
        if template is not None:
            with sqlite3.connect(template.name) as src, sqlite3.connect(path) as dst:
                src.backup(dst)
        return ScratchDB(kind, f"sqlite:///{path}", str(path), data_dir)
    name = _pg_name(tag)
    _pg_drop(name)
    clause = f' TEMPLATE "{template.name}"' if template is not None else ""
    _pg_execute(f'CREATE DATABASE "{name}"{clause}')
    return ScratchDB(kind, _pg_url(name), name, data_dir)


@functools.cache
def _seed() -> ScratchDB:
    root = Path(tempfile.mkdtemp(prefix="ntm-scratch-seed-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    seed = _new(root, "seed")
    if seed.engine == "postgresql":
        atexit.register(_pg_drop, seed.name)
    seed.python(
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('demo', stdout=open(os.devnull, 'w'))\n"
        "print(json.dumps('ok'))"
    )
    return seed


@contextmanager
def scratch_database(tmp_path: Path):
    """A copy of the seed (see the module doc) for one test; dropped afterwards."""
    db = _new(tmp_path, f"t{next(_numbers)}", template=_seed())
    try:
        yield db
    finally:
        if db.engine == "postgresql":
            _pg_drop(db.name)
