"""The database side of backups: what this installation is (engine, migrations, row counts), the
PostgreSQL client tools, and the copy and restore of each engine (SQLite backup API, pg_dump and
pg_restore)."""

import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from django.apps import apps
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from ntm.backups.common import DATABASE_MEMBER, BackupError, BackupInfo, Progress, _mb


def current_engine() -> str:
    engine = connection.vendor
    if engine not in DATABASE_MEMBER:
        raise BackupError(
            _("Sao lưu chỉ hỗ trợ SQLite và PostgreSQL; CSDL đang cấu hình là %(engine)s.")
            % {"engine": engine}
        )
    return engine


def database_label() -> str:
    """Where the configured database is, for messages (never the password)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return _("tệp SQLite %(name)s") % {"name": db["NAME"]}
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    return _("CSDL PostgreSQL %(where)s") % {"where": where}


def _model_tables() -> dict[str, str]:
    """label -> table of every concrete model of the ntm apps (with their history tables)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_config.name.startswith("ntm.") and meta.managed and not meta.proxy:
            tables[meta.label] = meta.db_table
    return dict(sorted(tables.items()))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_state(cursor, present: set[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Applied migrations and row counts, through a DB-API cursor of the database to describe."""
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in present:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    counts = {}
    for label, table in _model_tables().items():
        if table in present:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - our table names
            counts[label] = cursor.fetchone()[0]
    return migrations, counts


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations applied in a backup that this code does not have (the backup is newer)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.replacements.values():
        known.update(migration.replaces)
    installed = {config.label for config in apps.get_app_configs()}
    return [
        f"{app}.{name}"
        for app, names in sorted(applied.items())
        if app in installed
        for name in names
        if (app, name) not in known
    ]


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards]


def live_counts() -> dict[str, int]:
    """Row counts of the ntm tables in the configured database, as in a manifest."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        return _read_state(cursor, present)[1]


# -- PostgreSQL tools -------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "Không tìm thấy lệnh %(tool)s. Cài gói máy khách PostgreSQL cùng phiên bản chính "
                "với máy chủ (Debian/Ubuntu: apt install postgresql-client) rồi chạy lại."
            )
            % {"tool": name}
        )
    return path


def _tool_version(path: str) -> tuple[int, str]:
    """(major, full) of `pg_dump --version` / `pg_restore --version`."""
    done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\)\s*(\d+)(\.\d+)*", done.stdout)
    if done.returncode != 0 or match is None:
        raise BackupError(
            _("Không đọc được phiên bản của %(tool)s: %(out)s")
            % {"tool": path, "out": (done.stdout + done.stderr).strip()}
        )
    return int(match.group(1)), match.group(0).lstrip(") ").strip()


def _pg_env() -> dict[str, str]:
    """The libpq environment of the configured database (PGPASSWORD, never on a command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run_tool(argv: list[str], what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise BackupError(
            _("%(what)s thất bại (mã thoát %(code)s):\n%(stderr)s")
            % {"what": what, "code": done.returncode, "stderr": tail}
        )
    return done


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


# -- copy -------------------------------------------------------------------------------------


def _sqlite_copy(dest: Path, progress: Progress) -> dict:
    """Copy the live SQLite database into `dest` in one snapshot; describe it."""
    connection.ensure_connection()
    source = connection.connection
    progress(_("Sao chép CSDL SQLite bằng API sao lưu trực tuyến…"))
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # one step: one consistent read snapshot; writers go on (WAL)
        target.execute("PRAGMA journal_mode=DELETE")  # a single, self-contained file
        progress(_("Kiểm tra tính toàn vẹn của bản sao (PRAGMA integrity_check)…"))
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(
                _("Bản sao CSDL không toàn vẹn (%(detail)s); CSDL đang chạy có thể bị hỏng.")
                % {"detail": check}
            )
        cursor = target.cursor()
        present = {
            row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        migrations, counts = _read_state(cursor, present)
        version = sqlite3.sqlite_version
    except sqlite3.Error as exc:
        raise BackupError(
            _("Không sao chép được CSDL SQLite vào %(path)s: %(e)s") % {"path": dest, "e": exc}
        ) from exc
    finally:
        target.close()
    return {"migrations": migrations, "counts": counts, "versions": {"database": version}}


def _pg_copy(dest: Path, progress: Progress) -> dict:
    """pg_dump of the configured database in one exported snapshot; describe the same snapshot."""
    import psycopg

    tool = _pg_tool("pg_dump")
    tool_major, tool_version = _tool_version(tool)
    server_major = _server_major()
    if tool_major < server_major:
        raise BackupError(
            _(
                "pg_dump phiên bản %(tool)s cũ hơn máy chủ PostgreSQL %(server)s; cài "
                "postgresql-client-%(server)s (hoặc mới hơn) rồi chạy lại."
            )
            % {"tool": tool_major, "server": server_major}
        )
    raw = psycopg.connect(**connection.get_connection_params())
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            present = {row[0] for row in cursor.fetchall()}
            migrations, counts = _read_state(cursor, present)
            progress(_("Chạy pg_dump %(version)s (định dạng custom)…") % {"version": tool_version})
            started = time.perf_counter()
            _run_tool(
                [
                    tool,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={dest}",
                ],
                "pg_dump",
            )
            progress(
                _("pg_dump xong: %(size)s trong %(seconds).1f s.")
                % {"size": _mb(dest.stat().st_size), "seconds": time.perf_counter() - started}
            )
    finally:
        raw.rollback()
        raw.close()
    return {
        "migrations": migrations,
        "counts": counts,
        "versions": {"database": server_version, "pg_dump": tool_version},
    }


# -- restore ----------------------------------------------------------------------------------


def _sqlite_restore(db_file: Path, progress: Progress) -> None:
    source = sqlite3.connect(db_file)
    try:
        progress(_("Kiểm tra tính toàn vẹn của CSDL trong bản sao lưu…"))
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(
                _("CSDL trong bản sao lưu không toàn vẹn (%(detail)s); không khôi phục.")
                % {"detail": check}
            )
        total = source.execute("PRAGMA page_count").fetchone()[0]
        name = connection.settings_dict["NAME"]
        if isinstance(name, str | Path) and not str(name).startswith((":memory:", "file:")):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        connections.close_all()
        connection.ensure_connection()
        progress(
            _("Chép vào CSDL đang dùng (%(target)s) bằng API sao lưu…")
            % {"target": database_label()}
        )
        state = {"next": 25}

        def report(status, remaining, pages):
            percent = (pages - remaining) * 100 // max(pages, 1)
            if percent >= state["next"] and remaining:
                progress(f"  {percent}%")
                state["next"] = percent // 25 * 25 + 25

        try:
            # The destination stays locked from the first step to the last: no one sees half.
            source.backup(connection.connection, pages=max(1024, total // 20), progress=report)
        except sqlite3.Error as exc:
            raise BackupError(
                _(
                    "Không ghi được vào %(target)s (%(e)s). Hãy dừng máy chủ (ntm serve) và "
                    "các lệnh ntm khác đang chạy rồi khôi phục lại."
                )
                % {"target": database_label(), "e": exc}
            ) from exc
    finally:
        source.close()
        connections.close_all()


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


def _pg_restore(dump: Path, info: BackupInfo, progress: Progress) -> None:
    tool = _pg_tool("pg_restore")
    tool_major, _full = _tool_version(tool)
    dumped_with = str(info.manifest.get("versions", {}).get("pg_dump", "0"))
    dumped_major = int(re.match(r"\d+", dumped_with).group(0)) if dumped_with[:1].isdigit() else 0
    if tool_major < dumped_major:
        raise BackupError(
            _(
                "pg_restore phiên bản %(tool)s cũ hơn pg_dump %(dump)s đã tạo bản sao lưu; cài "
                "postgresql-client-%(dump)s (hoặc mới hơn) rồi chạy lại."
            )
            % {"tool": tool_major, "dump": dumped_major}
        )
    listing = _run_tool([tool, "--list", str(dump)], "pg_restore --list").stdout
    in_dump = {m.group(2) for m in map(_TOC_TABLE.match, listing.splitlines()) if m}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        present = {row[0] for row in cursor.fetchall()}
    # Tables of this code's models created by migrations made after the backup: pg_restore
    # --clean would leave them, and `ntm migrate` would then fail to create them again. Tables
    # that are no model's are left alone.
    extra = sorted((present & set(connection.introspection.django_table_names())) - in_dump)
    if extra:
        progress(
            _("Xóa %(n)s bảng không có trong bản sao lưu (của migration mới hơn)…")
            % {"n": len(extra)}
        )
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(map(_quote, extra)) + " CASCADE")
    connections.close_all()
    progress(
        _(
            "Chạy pg_restore vào %(target)s (một giao dịch: hoặc xong hết, hoặc không đổi gì; "
            "nếu chờ lâu, hãy dừng máy chủ ntm serve)…"
        )
        % {"target": database_label()}
    )
    started = time.perf_counter()
    _run_tool(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "pg_restore",
    )
    progress(_("pg_restore xong trong %(s).1f s.") % {"s": time.perf_counter() - started})
