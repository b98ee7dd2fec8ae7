"""Backup and restore of the whole system: the database and the uploaded files in one archive.

`ntm backup [-o FILE]` calls `backup_create`; `ntm restore FILE [--yes]` calls
`backup_inspect`, asks, then `backup_restore`.

The archive (format "ntm-backup", version 1) is a gzip-compressed tar file whose members are,
in this order:

- ``manifest.json`` — first, so that reading it does not unpack the rest: ``format``,
  ``format_version``, ``engine`` ("sqlite" or "postgresql"), ``created_at`` (ISO 8601, UTC),
  ``versions`` (ntm, Django, Python, database server, pg_dump), ``migrations``
  (``{app: [applied migration names]}``), ``counts`` (``{"app.Model": rows}`` for every table
  of the ntm apps), ``database`` (``{name, size, sha256}``) and ``media``
  (``[{path, size, sha256}]``).
- ``database.sqlite3`` (SQLite) — a consistent copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``) in one step: one read snapshot, so the server keeps running
  and writing (WAL) while it is taken. The copy is a single file (journal_mode=DELETE) that
  passed ``PRAGMA integrity_check``; the counts and migrations are read from it.
- ``database.pgdump`` (PostgreSQL) — ``pg_dump --format=custom`` run in a snapshot exported by a
  REPEATABLE READ transaction, the same one in which the counts and migrations are read.
- ``media/<path>`` — every file under MEDIA_ROOT (evidence, decision scans, product photos).

The archive is written to a temporary file beside FILE, flushed to disk, then renamed: FILE is
either what it was before or a complete backup.

A restore refuses, before touching anything: a file that is not such an archive, a newer
format, a backup of the other engine, a backup whose database has migrations this code does not
know (made by a newer version), and any member whose sha256 is not the manifest's. SQLite is
restored with the backup API into the live file (the page-level copy goes through SQLite's own
locking and WAL, so no file is swapped under a running server); PostgreSQL with
``pg_restore --clean --if-exists --no-owner --single-transaction`` (all or nothing), after
dropping the tables the backup does not have (left by later migrations). MEDIA_ROOT's files are
replaced by the backup's (unpacked and checked first in a hidden folder inside MEDIA_ROOT, then
moved in by renames, so a shared-storage mount works too). The counts are compared with
the manifest at the end.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "ntm-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The tables shown before a restore asks for confirmation.
MAIN_TABLES = [
    "units.Unit",
    "accounts.User",
    "assessments.Assessment",
    "assessments.IndicatorValue",
    "assessments.Recognition",
    "assessments.Evidence",
    "plans.Plan",
    "ocop.Product",
    "resources.Funding",
]
_CHUNK = 1 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message (Vietnamese) says what and where."""


@dataclass
class BackupInfo:
    """A backup file whose manifest was read and checked against this installation."""

    path: Path
    manifest: dict

    @property
    def engine(self) -> str:
        return self.manifest["engine"]

    @property
    def created_at(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.manifest["created_at"])

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest["counts"]

    @property
    def media(self) -> list[dict]:
        return self.manifest["media"]


@dataclass
class RestoreResult:
    info: BackupInfo
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)  # label -> (want, got)
    pending_migrations: list[str] = field(default_factory=list)


def _silent(message: str) -> None:
    pass


# -- what this installation is ---------------------------------------------------------------


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


# -- files ------------------------------------------------------------------------------------


class _HashingReader:
    """Reads a file for tarfile while computing its sha256 (and reporting the bytes read)."""

    def __init__(self, fileobj, on_bytes: Callable[[int], None] | None = None):
        self.fileobj = fileobj
        self.sha256 = hashlib.sha256()
        self.on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.fileobj.read(size)
        self.sha256.update(data)
        if self.on_bytes is not None:
            self.on_bytes(len(data))
        return data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files() -> list[dict]:
    root = _media_root()
    if not root.is_dir():
        return []
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if not (folder == str(root) and d.startswith(STAGING_PREFIX))
        )
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                files.append({"path": path.relative_to(root).as_posix(), "size": None})
    for item in files:
        path = root / item["path"]
        item["size"] = path.stat().st_size
        item["sha256"] = _sha256(path)
    return files


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _percent_reporter(total: int, label: str, progress: Progress) -> Callable[[int], None]:
    """Reports `label` at every 10 % of `total` bytes (only for files worth it)."""
    state = {"done": 0, "next": 10}

    def step(n: int) -> None:
        state["done"] += n
        if total < 20_000_000:
            return
        percent = state["done"] * 100 // total
        if percent >= state["next"]:
            progress(f"  {label}: {percent}%")
            state["next"] = percent // 10 * 10 + 10

    return step


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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


# -- backup -----------------------------------------------------------------------------------


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


def _add_file(tar, name: str, path: Path, size: int, on_bytes=None) -> str:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o644
    with open(path, "rb") as f:
        reader = _HashingReader(f, on_bytes)
        tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def default_backup_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"ntm-{current_engine()}-{stamp}.tar.gz"


def backup_create(*, output: Path, progress: Progress = _silent) -> BackupInfo:
    """Write a backup of the database and MEDIA_ROOT to `output` (atomically; see module doc)."""
    engine = current_engine()
    output = Path(output).absolute()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            _("Không tạo được thư mục %(dir)s: %(reason)s")
            % {"dir": output.parent, "reason": exc.strerror}
        ) from exc
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".ntm-backup-", dir=output.parent) as work:
        db_file = Path(work) / DATABASE_MEMBER[engine]
        described = (_sqlite_copy if engine == "sqlite" else _pg_copy)(db_file, progress)
        db_size = db_file.stat().st_size
        progress(_("Tính tổng kiểm tra và liệt kê tệp tải lên (%(dir)s)…") % {"dir": _media_root()})
        media = _media_files()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "engine": engine,
            "created_at": timezone.now().astimezone(datetime.UTC).isoformat(),
            "versions": {
                "ntm": _package_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                **described["versions"],
            },
            "migrations": described["migrations"],
            "counts": described["counts"],
            "database": {
                "name": DATABASE_MEMBER[engine],
                "size": db_size,
                "sha256": _sha256(db_file),
            },
            "media": media,
        }
        progress(
            _("Ghi tệp nén: CSDL %(size)s, %(files)s tệp tải lên…")
            % {"size": _mb(db_size), "files": len(media)}
        )
        fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
                    tar.addfile(info, io.BytesIO(data))
                    _add_file(
                        tar,
                        DATABASE_MEMBER[engine],
                        db_file,
                        db_size,
                        _percent_reporter(db_size, _("nén CSDL"), progress),
                    )
                    root = _media_root()
                    for n, item in enumerate(media, start=1):
                        _add_media(tar, root, item)
                        if n % 500 == 0:
                            progress(
                                "  "
                                + _("tệp tải lên: %(n)s/%(total)s") % {"n": n, "total": len(media)}
                            )
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, output)
            _fsync_dir(output.parent)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise BackupError(
                    _("Không ghi được %(path)s: %(reason)s")
                    % {"path": output, "reason": exc.strerror or exc}
                ) from exc
            raise
    size = output.stat().st_size
    progress(
        _("Đã sao lưu vào %(path)s (%(size)s, %(seconds).1f s).")
        % {"path": output, "size": _mb(size), "seconds": time.perf_counter() - started}
    )
    return BackupInfo(output, manifest)


def _add_media(tar, root: Path, item: dict) -> None:
    path = root / item["path"]
    changed = _("Tệp tải lên %(path)s thay đổi hoặc bị xóa trong lúc sao lưu; hãy chạy lại.") % {
        "path": path
    }
    try:
        digest = _add_file(tar, MEDIA_PREFIX + item["path"], path, item["size"])
    except (FileNotFoundError, tarfile.TarError) as exc:
        raise BackupError(changed) from exc
    except OSError as exc:
        if exc.errno is not None:
            raise  # writing the archive failed (disk full...): reported by backup_create
        raise BackupError(changed) from exc  # tarfile: "unexpected end of data" (shrunk)
    if digest != item["sha256"]:
        raise BackupError(changed)


def _package_version() -> str:
    try:
        return metadata.version("ntm")
    except metadata.PackageNotFoundError:
        return "?"


# -- reading a backup -------------------------------------------------------------------------


def _not_a_backup(path: Path, detail: str) -> BackupError:
    return BackupError(
        _("%(path)s không phải bản sao lưu của NTM (%(detail)s).")
        % {"path": path, "detail": detail}
    )


def _read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise BackupError(_("Không có tệp %(path)s.") % {"path": path})
    try:
        with tarfile.open(path, "r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise _not_a_backup(path, _("thiếu manifest.json ở đầu tệp"))
            manifest = json.loads(tar.extractfile(first).read().decode())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _not_a_backup(path, _("không đọc được tệp nén: %(e)s") % {"e": exc}) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _not_a_backup(path, _("manifest.json hỏng")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_backup(path, _("manifest.json không đúng định dạng"))
    needed = ("format_version", "engine", "created_at", "migrations", "counts", "database", "media")
    missing = [key for key in needed if key not in manifest]
    if missing:
        raise _not_a_backup(path, _("manifest.json thiếu %(keys)s") % {"keys": ", ".join(missing)})
    shapes = {"migrations": dict, "counts": dict, "database": dict, "media": list}
    wrong = [key for key, kind in shapes.items() if not isinstance(manifest[key], kind)]
    database = manifest["database"]
    if not wrong and database.get("name") != DATABASE_MEMBER.get(manifest["engine"]):
        wrong.append("database.name")
    if not wrong and not all(
        isinstance(m, dict) and isinstance(m.get("path"), str) and "sha256" in m
        for m in manifest["media"]
    ):
        wrong.append("media")
    if wrong:
        raise _not_a_backup(path, _("manifest.json sai ở %(keys)s") % {"keys": ", ".join(wrong)})
    return manifest


def backup_inspect(path: Path) -> BackupInfo:
    """Read a backup's manifest and check that it can be restored here (nothing is changed)."""
    path = Path(path)
    manifest = _read_manifest(path)
    version = manifest["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _(
                "%(path)s có định dạng sao lưu phiên bản %(version)s; phần mềm này chỉ đọc đến "
                "phiên bản %(supported)s. Hãy cập nhật phần mềm trước khi khôi phục."
            )
            % {"path": path, "version": version, "supported": FORMAT_VERSION}
        )
    engine = current_engine()
    if manifest["engine"] != engine:
        raise BackupError(
            _(
                "%(path)s là bản sao lưu %(theirs)s, còn CSDL đang cấu hình (DATABASE_URL) là "
                "%(ours)s: chỉ khôi phục được vào cùng loại CSDL. Đặt DATABASE_URL trỏ tới một "
                "CSDL %(theirs)s rồi chạy lại."
            )
            % {
                "path": path,
                "theirs": ENGINE_LABELS.get(manifest["engine"], manifest["engine"]),
                "ours": ENGINE_LABELS[engine],
            }
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        shown = ", ".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")
        raise BackupError(
            _(
                "%(path)s được tạo bởi phiên bản phần mềm mới hơn: CSDL trong đó có %(n)s "
                "migration mà mã nguồn này không có (%(names)s). Hãy cập nhật phần mềm rồi "
                "khôi phục."
            )
            % {"path": path, "n": len(unknown), "names": shown}
        )
    return BackupInfo(path, manifest)


# -- restore ----------------------------------------------------------------------------------


def _member_target(name: str, db_name: str, work: Path, media_dir: Path) -> Path | None:
    """Where a member is unpacked; None for a name no backup holds (or one escaping its dir)."""
    if name == db_name:
        return work / db_name
    if not name.startswith(MEDIA_PREFIX):
        return None
    rel = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if not rel.parts or rel.is_absolute() or any(p in ("", ".", "..") for p in rel.parts):
        return None
    return media_dir.joinpath(*rel.parts)


def _unpack(info: BackupInfo, work: Path, media_dir: Path, progress: Progress) -> Path:
    """Unpack the database into `work` and the media into `media_dir`, checking every sha256."""
    manifest = info.manifest
    db = manifest["database"]
    expected = {db["name"]: db["sha256"]}
    expected.update({MEDIA_PREFIX + m["path"]: m["sha256"] for m in manifest["media"]})
    seen = set()
    progress(_("Giải nén và kiểm tra tổng kiểm tra (sha256)…"))
    try:
        with tarfile.open(info.path, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST:
                    continue
                target = _member_target(member.name, db["name"], work, media_dir)
                if target is None or not member.isfile() or member.name not in expected:
                    raise BackupError(
                        _("Bản sao lưu có mục lạ “%(name)s”; không khôi phục.")
                        % {"name": member.name}
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                report = (
                    _percent_reporter(member.size, _("giải nén CSDL"), progress)
                    if member.name == db["name"]
                    else None
                )
                with tar.extractfile(member) as src, open(target, "wb") as out:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        if report:
                            report(len(chunk))
                if digest.hexdigest() != expected[member.name]:
                    raise BackupError(
                        _(
                            "Tổng kiểm tra sha256 của “%(name)s” trong %(path)s không khớp "
                            "manifest: tệp sao lưu đã hỏng hoặc bị sửa; không khôi phục."
                        )
                        % {"name": member.name, "path": info.path}
                    )
                seen.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _("Không giải nén được %(path)s: %(e)s (tệp sao lưu cắt cụt, hỏng, hoặc đĩa đầy).")
            % {"path": info.path, "e": exc}
        ) from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _("Bản sao lưu thiếu %(n)s mục ghi trong manifest (%(names)s); không khôi phục.")
            % {"n": len(missing), "names": ", ".join(missing[:5])}
        )
    return work / db["name"]


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


STAGING_PREFIX = ".ntm-"  # our working folders inside MEDIA_ROOT; never backed up


def _swap_media(unpacked: Path, media_root: Path) -> None:
    """Put the unpacked files in place of MEDIA_ROOT's, entry by entry with renames inside
    MEDIA_ROOT (so that it works when MEDIA_ROOT is a mount point of shared storage)."""
    old = media_root / f"{STAGING_PREFIX}old-{os.getpid()}-{int(time.time())}"
    old.mkdir()
    for entry in list(media_root.iterdir()):
        if not entry.name.startswith(STAGING_PREFIX):
            os.replace(entry, old / entry.name)
    for entry in list(unpacked.iterdir()):
        os.replace(entry, media_root / entry.name)
    shutil.rmtree(old, ignore_errors=True)


def backup_restore(*, path: Path, progress: Progress = _silent) -> RestoreResult:
    """Replace the configured database and MEDIA_ROOT by the backup's (see the module doc)."""
    info = backup_inspect(path)
    started = time.perf_counter()
    media_root = _media_root().absolute()
    media_root.mkdir(parents=True, exist_ok=True)
    work_parent = Path(settings.DATA_DIR)
    work_parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=".ntm-restore-", dir=work_parent) as work,
        tempfile.TemporaryDirectory(prefix=f"{STAGING_PREFIX}restore-", dir=media_root) as staging,
    ):
        db_file = _unpack(info, Path(work), Path(staging), progress)
        if info.engine == "sqlite":
            _sqlite_restore(db_file, progress)
        else:
            _pg_restore(db_file, info, progress)
        progress(_("Thay các tệp tải lên trong %(dir)s…") % {"dir": media_root})
        _swap_media(Path(staging), media_root)
    progress(_("Đối chiếu số bản ghi với manifest…"))
    counts = live_counts()
    mismatches = {
        label: (want, counts.get(label, 0))
        for label, want in info.counts.items()
        if counts.get(label, 0) != want
    }
    result = RestoreResult(info, counts, mismatches, _pending_migrations())
    progress(_("Khôi phục xong trong %(s).1f s.") % {"s": time.perf_counter() - started})
    return result
