"""The summary's cached panels (ntm.lib.freshness): a hit spares their queries, and every kind of
committed write to their tables is seen by the next read."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from ntm.accounts.scope import system_scope
from ntm.assessments.recognitions import recognition_record
from ntm.criteria.models import CriteriaSet
from ntm.lib.freshness import data_changed, data_version
from ntm.reports.selectors import national_summary, progress_summary
from ntm.resources import services
from ntm.resources.models import Funding, FundingSource
from ntm.units.models import Unit

YEAR = 2024


@pytest.fixture
def panel_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "figures": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-freshness",
        },
    }
    caches["figures"].clear()
    yield caches["figures"]
    caches["figures"].clear()


def _allocated(unit):
    return progress_summary(unit=unit, year=YEAR).resources["allocated"]


def _fund(unit, amount):
    return services.funding_save(
        scope=system_scope(),
        user=None,
        unit=unit,
        year=YEAR,
        source=FundingSource.objects.get(code="ntm_central"),
        allocated=amount,
        disbursed=0,
    )[0]


def _queries(unit) -> int:
    with CaptureQueriesContext(connection) as captured:
        progress_summary(unit=unit, year=YEAR)
    return len(captured.captured_queries)


def test_a_hit_spares_the_panels_queries(units, panel_cache):
    first = _queries(units.bac_kan)
    assert _queries(units.bac_kan) <= first - 6  # the five resource queries and OCOP's
    assert _queries(units.bach_thong) == first  # another unit: its own entry


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write, then what its commit runs (the test's own transaction never commits)."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            result = write()
        connection.run_on_commit.clear()  # committed: nothing is pending any more
        return result

    return run


def test_a_committed_save_delete_and_bulk_write_are_seen_at_once(units, panel_cache, commit):
    assert _allocated(units.bac_kan) == 0
    funding = commit(lambda: _fund(units.quan_ha, 1_000))
    assert _allocated(units.bac_kan) == 1_000

    def bulk():
        Funding.objects.filter(pk=funding.pk).update(allocated=F("allocated") + 1)
        data_changed()  # what a bulk write (an import, a council's close) calls itself
        assert _allocated(units.bac_kan) == 1_000  # not committed: the old version still

    commit(bulk)
    assert _allocated(units.bac_kan) == 1_001
    commit(lambda: services.funding_delete(scope=system_scope(), funding=funding))
    assert _allocated(units.bac_kan) == 0


def test_the_version_changes_once_per_transaction_when_it_commits(
    units, panel_cache, django_capture_on_commit_callbacks
):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        _fund(units.quan_ha, 5)
        _fund(units.quan_ha, 6)
        _fund(units.ba_be_commune, 7)
    assert len(callbacks) == 1
    assert data_version() == before  # nothing committed yet
    callbacks[0]()
    assert data_version() != before


def test_the_national_table_sees_a_decision_and_a_unit_change_at_once(
    units, panel_cache, small_set, commit
):
    """The national table keeps its xã counts and decisions per data version (the figures of
    the results are never kept): a recognition recorded, or a xã that ends, shows at once."""
    CriteriaSet.objects.filter(pk=small_set.set.pk).update(period_start=2023, period_end=2023)

    def bac_kan():
        return next(r for r in national_summary(year=2023) if r["id"] == units.bac_kan.pk)

    before = bac_kan()
    assert before["recognised_total"] == {}
    commit(
        lambda: recognition_record(
            unit=units.quan_ha,
            level="ntm",
            criteria_set=small_set.set,
            year=2023,
            action="recognised",
            decision_number="7/QĐ-UBND",
            decision_date=datetime.date(2023, 12, 20),
            override_reason="Quyết định cũ, hồ sơ giấy",
            user=None,
        )
    )
    assert bac_kan()["recognised_total"] == {"ntm": 1}
    commune = Unit.objects.get(pk=units.quan_ha.pk)
    commune.valid_to = datetime.date(2023, 6, 30)
    commit(commune.save)
    after = bac_kan()
    assert after["communes"] == before["communes"] - 1
    assert after["recognised_total"] == {}


def test_a_restored_backup_forgets_every_kept_value(
    db, panel_cache, monkeypatch, settings, tmp_path
):
    """A restore replaces the database under the cache (no signal is sent): nothing kept before
    it is read after it."""
    from types import SimpleNamespace

    from ntm.backups import archive

    settings.DATA_DIR, settings.MEDIA_ROOT = tmp_path, tmp_path / "media"
    info = SimpleNamespace(engine="sqlite", counts={})
    monkeypatch.setattr(archive, "backup_inspect", lambda path: info)
    monkeypatch.setattr(archive, "_unpack", lambda *args: tmp_path / "db.sqlite3")
    monkeypatch.setattr(archive, "_sqlite_restore", lambda *args: None)
    monkeypatch.setattr(archive, "_swap_media", lambda *args: None)
    monkeypatch.setattr(archive, "live_counts", lambda: {})
    monkeypatch.setattr(archive, "_pending_migrations", lambda: [])
    panel_cache.set("resources:1:2024:2026-12-08:0", {"allocated": 1})
    archive.backup_restore(path=tmp_path / "ntm.tar.gz")
    assert panel_cache.get("resources:1:2024:2026-12-08:0") is None
