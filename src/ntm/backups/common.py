"""What the backup modules share: the archive's constants, the error, the described backup, and
file helpers (hashing while reading, the list of uploaded files, progress in percent)."""

import contextlib
import datetime
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

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


STAGING_PREFIX = ".ntm-"  # our working folders inside MEDIA_ROOT; never backed up


def _silent(message: str) -> None:
    pass


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
