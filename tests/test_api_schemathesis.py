"""Schemathesis against the OpenAPI schema the app serves: every operation, a few generated
requests each, as the province coordinator of Bắc Kạn (token), in-process through the WSGI
application (no server). No answer may be a server error.

The requests run inside pytest-django's per-test transaction (the `db` fixture): the WSGI
handler's `close_old_connections` is disconnected for the module, as Django's test client
does, so that the handler does not close the connection holding that transaction.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from ntm.wsgi import application

EXPLORE = os.environ.get("NTM_FUZZ_EXPLORE") == "1"
config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 5, "deterministic": not EXPLORE},
        # The coverage phase sends dozens of boundary cases per operation: too slow for CI.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)
SENT: list[tuple[str, str, int]] = []  # (method, path template, status) of every request
TESTED: set[tuple[str, str]] = set()


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _requests_were_sent():
    """Guard against a setup that silently sends nothing: where API cases ran in this process,
    requests were sent, and when every operation ran here (not split by xdist), each of them
    sent some. (xdist may give this process none of the API cases: nothing to check then.)"""
    yield
    if TESTED:
        assert SENT, "schemathesis sent no request"
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    if operations == TESTED:
        assert {(m, p) for m, p, _s in SENT} == operations
    print(f"schemathesis: {len(SENT)} requests to {len(TESTED)} operations")


def test_every_operation_is_tested():
    """The schema lists the API's operations (a broken schema would test nothing)."""
    methods = {op.ok().method.upper() for op in schema.get_all_operations()}
    assert len(list(schema.get_all_operations())) >= 80
    assert methods >= {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def token(users):
    return Token.objects.create(user=users.coordinator).key


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api(case, token, small_set):
    TESTED.add((case.method.upper(), case.operation.path))
    response = case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
    SENT.append((case.method.upper(), case.operation.path, response.status_code))
