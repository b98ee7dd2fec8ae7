"""The summary's cached panels (ntm.lib.freshness): a hit spares their queries, and every kind of
committed write to their tables is seen by the next read."""

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from ntm.accounts.scope import system_scope
from ntm.lib.freshness import data_changed, data_version
from ntm.reports.selectors import progress_summary
from ntm.resources import services
from ntm.resources.models import Funding, FundingSource

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


@pytest.mark.django_db(transaction=True)  # real commits: the version changes on commit
def test_a_committed_save_delete_and_bulk_write_are_seen_at_once(units, panel_cache):
    assert _allocated(units.bac_kan) == 0
    funding = _fund(units.quan_ha, 1_000)
    assert _allocated(units.bac_kan) == 1_000
    with transaction.atomic():
        Funding.objects.filter(pk=funding.pk).update(allocated=F("allocated") + 1)
        data_changed()  # what a bulk write (an import, a council's close) calls itself
        assert _allocated(units.bac_kan) == 1_000  # not committed: the old version still
    assert _allocated(units.bac_kan) == 1_001
    services.funding_delete(scope=system_scope(), funding=funding)
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
