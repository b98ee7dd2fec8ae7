"""The archive: `backup_create` writes it, `backup_inspect` reads and checks its manifest,
`backup_restore` unpacks and checks every member, then restores the database and MEDIA_ROOT."""

import datetime
import hashlib
import io
import json
import os
import platform
import shutil
import tarfile
import tempfile
import time
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.backups.common import (
    _CHUNK,
    DATABASE_MEMBER,
    ENGINE_LABELS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    STAGING_PREFIX,
    BackupError,
    BackupInfo,
    Progress,
    RestoreResult,
    _fsync_dir,
    _HashingReader,
    _mb,
    _media_files,
    _media_root,
    _percent_reporter,
    _sha256,
    _silent,
)
from ntm.backups.database import (
    _pending_migrations,
    _pg_copy,
    _pg_restore,
    _sqlite_copy,
    _sqlite_restore,
    _unknown_migrations,
    current_engine,
    live_counts,
)
from ntm.lib.freshness import forget_cached


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
        manifest = _manifest(engine, described, db_file, db_size, media)
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


def _manifest(engine: str, described: dict, db_file: Path, db_size: int, media: list) -> dict:
    """What the archive holds, written first in it (format, versions, migrations, checksums)."""
    return {
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
    if not result.pending_migrations:  # an older backup: `ntm migrate` first, then the server
        forget_cached()  # the database was replaced under the cache: nothing kept still holds
    progress(_("Khôi phục xong trong %(s).1f s.") % {"s": time.perf_counter() - started})
    return result
