from types import SimpleNamespace

import pytest

from ntm.accounts.scope import system_scope
from ntm.resources.models import FundingSource


@pytest.fixture
def sources(db):
    return SimpleNamespace(**{s.code: s for s in FundingSource.objects.all()})


@pytest.fixture
def system():
    return system_scope()
