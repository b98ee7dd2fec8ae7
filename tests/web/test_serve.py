"""`ntm serve`: gunicorn with the given workers, after collecting the static files and fresh
planner statistics on SQLite; and a fresh clone's `ntm migrate && ntm serve` answers 200."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection

NTM = str(Path(sys.executable).with_name("ntm"))


def test_serve_execs_gunicorn_after_analyze(db, monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    started = {}

    def fake_execv(path, argv):
        started["argv"] = argv

    monkeypatch.setattr(os, "execv", fake_execv)
    monkeypatch.setattr(connection, "close", lambda: None)  # keep the test's transaction
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3")
    assert (tmp_path / "static" / "web").is_dir()  # collected before gunicorn starts
    argv = started["argv"]
    assert argv[1:4] == ["-m", "gunicorn", "ntm.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'units_unit'")
            assert cursor.fetchone()[0] > 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not Path(NTM).exists(), reason="the ntm console script is not installed")
def test_a_fresh_clone_migrates_and_serves_the_login_page(tmp_path):
    """No data directory yet, DEBUG off: `ntm migrate` creates it, `ntm serve` collects the
    static files itself, and the login page answers 200 (not 500 for a missing manifest)."""
    data_dir = tmp_path / "not" / "there" / "yet"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NTM_TESTING", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        NTM_DATA_DIR=str(data_dir),
        SECRET_KEY="fresh-clone-test-key",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    subprocess.run([NTM, "migrate", "-v0"], env=env, check=True, cwd=tmp_path, timeout=600)
    assert (data_dir / "ntm.sqlite3").is_file()
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [NTM, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status = None
        for _attempt in range(600):  # wait for gunicorn (collectstatic runs first)
            try:
                status = _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_static_files_are_collected_again_only_when_a_source_changed(
    db, monkeypatch, settings, tmp_path
):
    from ntm.web.management.commands import serve

    settings.STATIC_ROOT = tmp_path / "static"
    calls = []
    real = serve.call_command
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: (calls.append(a), real(*a, **k)))
    out = type("Out", (), {"lines": [], "write": lambda self, line: self.lines.append(line)})()
    serve.collect_static(out)
    serve.collect_static(out)
    assert len(calls) == 1 and out.lines[-1].endswith("(không đổi)")

    source = tmp_path / "extra"
    (source / "web").mkdir(parents=True)
    (source / "web" / "new.css").write_text("body{}")
    settings.STATICFILES_DIRS = [str(source)]
    finders.get_finder.cache_clear()
    try:
        serve.collect_static(out)
    finally:
        finders.get_finder.cache_clear()
    assert len(calls) == 2 and (tmp_path / "static" / "web" / "new.css").is_file()


def test_serve_starts_the_background_worker_with_the_database_queue(
    db, monkeypatch, settings, tmp_path
):
    from ntm.web.management.commands import serve

    settings.STATIC_ROOT = tmp_path / "static"
    started = []
    monkeypatch.setattr(os, "execv", lambda path, argv: None)
    monkeypatch.setattr(connection, "close", lambda: None)
    monkeypatch.setattr(
        serve.subprocess,
        "Popen",
        lambda argv, **kw: started.append(argv) or type("P", (), {"pid": 7})(),
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("serve", "--bind", "127.0.0.1:8124")
    assert started and started[0][-3:] == ["db_worker", "--interval", "1"]

    started.clear()
    monkeypatch.setenv("NTM_WORKER", "0")
    call_command("serve", "--bind", "127.0.0.1:8124")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.delenv("NTM_WORKER")
    call_command("serve", "--bind", "127.0.0.1:8124")
    assert started == []
