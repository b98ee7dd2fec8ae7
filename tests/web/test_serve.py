"""`ntm serve`: gunicorn with the given workers, after fresh planner statistics on SQLite."""

import os

from django.core.management import call_command
from django.db import connection


def test_serve_execs_gunicorn_after_analyze(db, monkeypatch):
    started = {}

    def fake_execv(path, argv):
        started["argv"] = argv

    monkeypatch.setattr(os, "execv", fake_execv)
    monkeypatch.setattr(connection, "close", lambda: None)  # keep the test's transaction
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3")
    argv = started["argv"]
    assert argv[1:4] == ["-m", "gunicorn", "ntm.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'units_unit'")
            assert cursor.fetchone()[0] > 0
