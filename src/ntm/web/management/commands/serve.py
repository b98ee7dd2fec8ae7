import contextlib
import ctypes
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from ntm.lib.freshness import forget_cached


def sqlite_analyze() -> bool:
    """Fresh planner statistics for a SQLite database (PostgreSQL's autovacuum keeps its own).

    Without them SQLite filters a subtree of units through the `level` index (every commune of
    the country) instead of the `path` index: ~15 ms instead of ~0.5 ms a query, dozens of
    queries a dashboard. Sampling 1000 rows an index takes ~30 ms on the national dataset.
    """
    if connection.vendor != "sqlite":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
    except DatabaseError:  # no database yet, or locked: serve anyway, as before
        return False
    finally:
        connection.close()  # not inherited by gunicorn
    return True


def static_sources_fingerprint() -> str:
    """A digest of every static source file (path, size, modification time) and the storage
    that collects them: equal digests mean the collected files are already up to date."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def collect_static(stdout) -> None:
    """Copy the static files to STATIC_ROOT, with the manifest that pages look their files up
    in: without them every page, the login page too, answers 500. Compressing ~40 MB of
    files takes about a minute of CPU, so it is skipped when no source changed since the last
    collection (a fingerprint kept beside the files)."""
    mark = Path(settings.STATIC_ROOT) / ".ntm-sources"
    fingerprint = static_sources_fingerprint()
    if mark.is_file() and mark.read_text() == fingerprint:
        stdout.write(f"Tệp tĩnh: {settings.STATIC_ROOT} (không đổi)")
        return
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
    except Exception as exc:  # one clear line instead of a traceback, then no server
        raise CommandError(
            f"Không chép được tệp tĩnh vào {settings.STATIC_ROOT} ({exc}); "
            "chạy `ntm collectstatic --noinput` để xem chi tiết."
        ) from exc
    mark.write_text(fingerprint)
    stdout.write(f"Tệp tĩnh: {settings.STATIC_ROOT}")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """The worker ends when gunicorn (the process `serve` becomes) ends (Linux prctl)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker(stdout):
    """The background-jobs worker beside gunicorn, when jobs go through the database queue
    (NTM_WORKER=0: run `ntm db_worker` elsewhere, e.g. on one machine of several)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.endswith("DatabaseBackend") or os.environ.get("NTM_WORKER", "1") == "0":
        return None
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "ntm.cli", "db_worker", "--interval", "1"],
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads yet in this process
    )
    stdout.write(f"Việc chạy nền: tiến trình {worker.pid}")
    return worker


class Command(BaseCommand):
    help = "Serve the application with gunicorn (production server)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("NTM_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("NTM_WORKERS", "3")))
        parser.add_argument("--timeout", type=int, default=120)

    def handle(self, *args, bind, workers, timeout, **options):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "ntm.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "*",
        ]
        collect_static(self.stdout)
        sqlite_analyze()
        with contextlib.suppress(DatabaseError):  # no database yet: serve anyway, as before
            forget_cached()  # whatever wrote the database while no server ran sent no version
        connection.close()  # not inherited by gunicorn
        start_worker(self.stdout)
        self.stdout.write(f"NTM: http://{bind}/ ({workers} workers)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
