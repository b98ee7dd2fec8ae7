"""`ntm backup` / `ntm restore` (ntm.backups).

The round trip runs the real commands in subprocesses against a scratch database of the engine
the suite runs on (tests/scratch_db.py); the refusals are checked in-process on hand-made
archives, before anything is touched.
"""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from ntm import backups
from ntm.backups import archive, database
from tests.scratch_db import scratch_database

ADD_DATA = """
import datetime
from django.core.files.base import ContentFile
from ntm.accounts.scope import system_scope
from ntm.assessments.models import Assessment, Evidence
from ntm.assessments.recognitions import recognition_record
from ntm.criteria.models import CriteriaSet
from ntm.ocop import rules
from ntm.ocop.services import product_save, subject_save
from ntm.resources.models import FundingSource
from ntm.resources.services import funding_save
from ntm.units.models import Level, Unit

cset = CriteriaSet.objects.get(code="NTM-XA-2021")
met = list(Assessment.objects.filter(year=2023, criteria_set=cset, meets_standard=True,
                                     unit__recognitions__isnull=True)
           .select_related("unit").order_by("unit__code")[:3])
for i, a in enumerate(met):
    recognition_record(
        unit=a.unit, level=cset.level, criteria_set=cset, year=2023, action="recognised",
        decision_number=f"{100 + i}/QĐ-UBND", decision_date=datetime.date(2023, 12, 20),
        signer="Chủ tịch UBND tỉnh",
    )
commune = met[0].unit
subject = subject_save(user=None, kind="cooperative", name="HTX Chè Shan tuyết", unit=commune)
product_save(user=None, name="Chè Shan tuyết Bắc Kạn", subject=subject,
             group=rules.group_choices()[0][0], unit=commune)
province = Unit.objects.get(level=Level.PROVINCE, code="06", valid_to__isnull=False)
source = FundingSource.objects.order_by("order", "code").first()
funding_save(scope=system_scope(), user=None, unit=province, year=2023, source=source,
             allocated=1_000_000_000, disbursed=800_000_000)
evidence = Evidence.objects.create(assessment=met[0], title="Biên bản thẩm định",
                                   file=ContentFile("Biên bản số 12".encode(), name="bien-ban.pdf"))
extra = evidence.file.name
"""

MUTATE = """
from ntm.assessments.models import Assessment, Evidence, Recognition
from ntm.ocop.models import Certificate, EvaluationRound, Product
from ntm.resources.models import Funding

Recognition.objects.all().delete()
for e in Evidence.objects.all():
    e.file.delete(save=False)
    e.delete()
Certificate.objects.all().delete()
EvaluationRound.objects.all().delete()
Product.objects.all().delete()
Funding.objects.update(disbursed=1)
gone = Assessment.objects.filter(year=2023).order_by("unit__code")[:10]
Assessment.objects.filter(pk__in=[a.pk for a in gone]).delete()
"""


@pytest.mark.slow
def test_backup_restore_round_trip(tmp_path):
    with scratch_database(tmp_path) as db:
        before = db.state(ADD_DATA)
        evidence, summary, counts = before["extra"], before["summary"], before["counts"]
        assert summary["recognised_new"] and summary["resources"], summary
        # the demo's 10 OCOP products (ocop/demo.py) and the one added here
        assert counts["ocop.Product"] == 11 and counts["assessments.Evidence"] == 1
        media = db.data_dir / "media"
        assert (media / evidence).read_text() == "Biên bản số 12"

        archive = tmp_path / "sao-luu" / "ntm.tar.gz"
        done = db.ntm("backup", "-o", archive)
        assert "Đã sao lưu vào" in done.stdout
        assert not list(archive.parent.glob(".*")), "temporary files left beside the backup"
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("manifest.json"))
        assert names[0] == "manifest.json"
        assert f"media/{evidence}" in names
        assert manifest["engine"] == db.engine
        assert {k: v for k, v in counts.items() if k in manifest["counts"]} == manifest["counts"]
        assert manifest["counts"]["assessments.Assessment"] == counts["assessments.Assessment"]

        changed = db.state(MUTATE)
        (media / "la.txt").write_text("tệp tải lên sau khi sao lưu")
        assert changed["summary"] != summary
        assert changed["counts"] != counts
        assert not (media / evidence).exists()

        done = db.ntm("restore", archive, "--yes")
        assert "Khôi phục xong" in done.stdout, done.stdout
        after = db.state()
        assert after["summary"] == summary
        assert after["counts"] == counts
        assert (media / evidence).read_text() == "Biên bản số 12"
        assert not (media / "la.txt").exists()
        assert db.integrity_check() == "ok"


# -- refusals, checked in-process before anything is touched ---------------------------------


def _archive(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes) -> dict:
    import hashlib

    engine = changes.get("engine", connection.vendor)
    db_name = backups.DATABASE_MEMBER[engine]
    manifest = {
        "format": backups.FORMAT,
        "format_version": backups.FORMAT_VERSION,
        "engine": engine,
        "created_at": "2025-01-02T03:04:05+00:00",
        "versions": {"ntm": "0.1.0"},
        "migrations": {"units": ["0001_initial"]},
        "counts": {"units.Unit": 0},
        "database": {"name": db_name, "size": 4, "sha256": hashlib.sha256(b"data").hexdigest()},
        "media": [],
    }
    manifest.update(changes)
    return manifest


def test_restore_refuses_the_other_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = _archive(tmp_path / "b.tar.gz", _manifest(engine=other), {})
    with pytest.raises(backups.BackupError) as exc:
        backups.backup_inspect(path)
    message = str(exc.value)
    assert backups.ENGINE_LABELS[other] in message and "cùng loại CSDL" in message


def test_restore_refuses_a_backup_of_newer_code(tmp_path):
    manifest = _manifest(migrations={"assessments": ["0001_initial", "9999_from_the_future"]})
    path = _archive(tmp_path / "b.tar.gz", manifest, {})
    with pytest.raises(backups.BackupError, match="assessments.9999_from_the_future"):
        backups.backup_inspect(path)


def test_restore_refuses_a_newer_format_and_a_file_that_is_no_backup(tmp_path):
    newer = _archive(tmp_path / "b.tar.gz", _manifest(format_version=99), {})
    with pytest.raises(backups.BackupError, match="phiên bản 99"):
        backups.backup_inspect(newer)
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"PK\x03\x04 not a tar")
    with pytest.raises(backups.BackupError, match="không phải bản sao lưu"):
        backups.backup_inspect(junk)
    with pytest.raises(backups.BackupError, match="Không có tệp"):
        backups.backup_inspect(tmp_path / "missing.tar.gz")


def test_restore_refuses_a_damaged_member_before_touching_anything(tmp_path, monkeypatch, settings):
    manifest = _manifest()
    db_name = manifest["database"]["name"]
    damaged = _archive(tmp_path / "b.tar.gz", manifest, {db_name: b"DATA"})
    touched = []
    monkeypatch.setattr(archive, "_sqlite_restore", lambda *a: touched.append("db"))
    monkeypatch.setattr(archive, "_pg_restore", lambda *a: touched.append("db"))
    monkeypatch.setattr(archive, "_swap_media", lambda *a: touched.append("media"))
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    with pytest.raises(backups.BackupError, match="sha256"):
        backups.backup_restore(path=damaged)
    escaping = _archive(
        tmp_path / "c.tar.gz", manifest, {db_name: b"data", "media/../../etc/x": b"x"}
    )
    with pytest.raises(backups.BackupError, match="mục lạ"):
        backups.backup_restore(path=escaping)
    assert touched == []
    assert list((tmp_path / "data" / "media").iterdir()) == []  # no staging folder left
    assert not (tmp_path / "etc").exists()


def test_restore_asks_for_confirmation(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    path = _archive(tmp_path / "b.tar.gz", _manifest(), {})
    restored = []
    monkeypatch.setattr(
        "ntm.web.management.commands.restore.backup_restore", lambda **kw: restored.append(kw)
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("c\n"))  # not a terminal
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path), stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "không")
    with pytest.raises(CommandError, match="Đã hủy"):
        call_command("restore", str(path), stdout=io.StringIO())
    assert restored == []


def test_a_manifest_cannot_send_files_elsewhere(tmp_path):
    path = _archive(tmp_path / "b.tar.gz", _manifest(database={"name": "../../x"}), {})
    with pytest.raises(backups.BackupError, match="database.name"):
        backups.backup_inspect(path)


def test_missing_postgresql_tools_are_named(monkeypatch):
    monkeypatch.setattr(database.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="Không tìm thấy lệnh pg_dump"):
        database._pg_tool("pg_dump")
