"""Malformed bodies to every API write: never a server error, and nothing written when the
answer is an error.

The operations are read from the OpenAPI schema the app serves (every POST, PUT and PATCH), so
a new write route is covered without editing this file; `test_every_write_is_covered` fails
when a path parameter has no object to point at. Each operation gets, as the province
coordinator of Bắc Kạn (token authentication):
- a fixed battery: text that is not JSON, JSON nested 100,000 deep, numbers beyond a float,
  integers of 5,000 digits, every JSON type at the top level, the wrong content type;
- hypothesis bodies: objects with the operation's fields (some left out, some unknown added)
  holding values of the wrong type, out of range, huge, negative, null, odd unicode, or
  plausible ones (ids of real objects in scope and out of it).
The status must be below 500, and when it is 400 or more, the row count of every table of the
project must be unchanged.
"""

import datetime
import json
import os
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from ntm.accounts.scope import system_scope
from ntm.assessments.services import assessment_get_or_create
from ntm.ocop import council as ocop_council
from ntm.ocop import services as ocop_services
from ntm.plans import services as plan_services
from ntm.plans.models import Metric, PlanStatus
from ntm.resources import services as resource_services
from ntm.resources.models import FundingSource
from tests.test_bad_input_imports import (  # noqa: F401  (an autouse fixture)
    _changed,
    _counts,
    _text_fits_its_column,
)

EXPLORE = os.environ.get("NTM_FUZZ_EXPLORE") == "1"
FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=not EXPLORE,
    database=None if not EXPLORE else settings.default.database,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
WRITES = ("post", "put", "patch")


def _schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return json.loads(response.content)


def _fields(schema: dict, operation: dict) -> list[str]:
    """The writable fields of an operation's JSON body, from its schema component."""
    content = (operation.get("requestBody") or {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    props = component.get("properties", {})
    return sorted(name for name, spec in props.items() if not spec.get("readOnly"))


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return _schema()


def _operations(schema: dict) -> list[tuple[str, str, list[str]]]:
    return [
        (method.upper(), path, _fields(schema, op))
        for path, ops in sorted(schema["paths"].items())
        for method, op in ops.items()
        if method in WRITES
    ]


@pytest.fixture
def world(users, units, small_set):
    """One object of each kind the write routes point at, in the coordinator's scope."""
    user = users.coordinator
    token = Token.objects.create(user=user)
    system = system_scope()
    assessment = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    plan = plan_services.plan_create(
        user=user,
        unit=units.bac_kan,
        number="125/KH-UBND",
        issued_on=datetime.date(2022, 2, 25),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch",
        year_from=2021,
        year_to=2025,
        status=PlanStatus.ACTIVE,
    )
    target = plan_services.target_create(
        plan=plan, user=user, metric=Metric.values[0], level="ntm", year=2023, value=10
    )
    entry, _created = plan_services.roadmap_save(
        plan=plan, user=user, unit=units.quan_ha, level="ntm", target_year=2024
    )
    task = plan_services.task_save(plan=plan, user=user, content="Làm đường", lead_agency="Sở GTVT")
    ocop_services.sheets_load()
    subject = ocop_services.subject_save(
        user=None, kind="cooperative", name="HTX Quân Hà", unit=units.quan_ha
    )
    product = ocop_services.product_save(
        user=None, name="Chè Quân Hà", subject=subject, group="do_uong", unit=units.quan_ha
    )
    source = FundingSource.objects.order_by("order", "code").first()
    funding, _created = resource_services.funding_save(
        scope=system,
        user=None,
        unit=units.quan_ha,
        year=2023,
        source=source,
        allocated=1_000_000,
        disbursed=0,
    )
    contribution, _created = resource_services.contribution_save(
        scope=system, user=None, unit=units.quan_ha, year=2023, cash=500_000
    )
    project = resource_services.project_save(
        scope=system, unit=units.quan_ha, year=2023, name="Đường thôn", amount=1_000_000
    )
    site = resource_services.model_site_save(
        scope=system,
        unit=units.quan_ha,
        kind=_model_kinds()[0],
        name="Vườn mẫu",
        year_recognised=2023,
    )
    activity = resource_services.activity_save(
        scope=system,
        unit=units.quan_ha,
        kind=_activity_kinds()[0],
        name="Tập huấn",
        date=datetime.date(2023, 5, 15),
        planned=30,
        actual=25,
    )
    scored = ocop_services.product_save(
        user=None, name="Rượu ngô", subject=subject, unit=units.quan_ha, classification="II.1.a"
    )
    rnd = ocop_services.round_save(
        user=None, unit=units.bac_kan, year=2026, number=2, held_on=datetime.date(2026, 12, 10)
    )
    ocop_council.council_set(user=user, round=rnd, members=[(user, "chair")])
    (evaluation,) = ocop_council.round_products_add(user=user, round=rnd, products=[scored])
    ids = {
        "assessments": assessment.pk,
        "ocop/rounds": rnd.pk,
        "ocop/evaluations": evaluation.pk,
        "criteria-sets": small_set.set.code,
        "plans": plan.pk,
        "plan-targets": target.pk,
        "roadmap": entry.pk,
        "plan-tasks": task.pk,
        "ocop/subjects": subject.pk,
        "ocop/products": product.pk,
        "fundings": funding.pk,
        "contributions": contribution.pk,
        "projects": project.pk,
        "model-sites": site.pk,
        "activities": activity.pk,
    }
    plausible = {
        "unit": [units.quan_ha.pk, units.bac_kan.pk, units.bach_thong.pk, units.lang_son.pk],
        "plan": [plan.pk],
        "parent": [target.pk],
        "subject": [subject.pk],
        "product": [product.pk],
        "source": [source.code],
        "year": [2023, 2021, 2025],
        "version": [assessment.version, 0, 1],
        "criteria_set": [small_set.set.code],
        "metric": list(Metric.values),
        "level": ["ntm", "advanced"],
        "value": [10, "12.5"],
        "kind": [*_model_kinds(), *_activity_kinds(), "cooperative", "household"],
        "group": ["do_uong"],
        "name": ["Tên mới"],
        "date": ["2023-06-01"],
        "issued_on": ["2023-06-01", "9999-12-31"],
        "stars": [3, 5],
        "number": ["1/QĐ"],
        "to_state": ["submitted", "approved"],
        "target_year": [2024],
        "values": [{small_set.i1.code: True, small_set.i2.code: "1e400"}],
        "manual": [{small_set.c1.code: {"met": True, "reason": ""}}],
        "code": ["BK-2021", ""],
        "content": ["Việc mới"],
        "lead_agency": ["Sở"],
        "username": ["coordinator"],
        "password": ["sai"],
        "planned": [30],
        "actual": [25],
        "amount": [1_000_000],
        "allocated": [2_000_000],
        "disbursed": [1_000_000],
        "land_m2": ["12.5"],
        "workdays": [10],
        "cash": [100_000],
        "materials_value": [0],
        "materials": ["Xi măng"],
        "note": ["Ghi chú"],
        "status": ["kept", "in_progress"],
        "deadline": ["2024-12-31"],
        "issuer": ["UBND tỉnh"],
        "year_recognised": [2023],
        "year_from": [2021],
        "year_to": [2025],
        "title": ["Kế hoạch mới"],
        "text": ["Tiến độ"],
        "reason": ["Lý do"],
        "organiser": ["Xã"],
        "measure": ["người"],
        "evaluation": [None],
        "base_year": [2020, None],
        "criterion": [None],
        "tax_code": ["4700123456"],
    }
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    return SimpleNamespace(client=client, ids=ids, plausible=plausible, user=user, counts=None)


def _model_kinds() -> list[str]:
    from ntm.resources.models import ModelKind

    return list(ModelKind.values)


def _activity_kinds() -> list[str]:
    from ntm.resources.models import ActivityKind

    return list(ActivityKind.values)


def _url(path: str, ids: dict) -> str:
    if "{" not in path:
        return path
    prefix = path.removeprefix("/api/v1/").split("/{", 1)[0]
    return re.sub(r"\{[^}]+\}", str(ids[prefix]), path)


# -- what every write must do ----------------------------------------------------------------


def send(world, method: str, url: str, body, content_type="application/json"):
    """Send a body (bytes/str as is, anything else as JSON); check the answer and the tables.

    The row counts are compared with those after the previous request (`world.counts`, taken
    afresh after a success), one count query per request."""
    if not isinstance(body, bytes | str):
        body = dumps(body)
    if world.counts is None:
        world.counts = _counts()
    response = world.client.generic(method, url, body, content_type=content_type)
    assert response.status_code < 500, (method, url, response.status_code, body[:300])
    after = _counts()
    if response.status_code >= 400:
        assert _changed(world.counts, after) == {}, (method, url, response.status_code, body[:300])
    world.counts = after
    return response


class Raw(str):
    """A JSON token written as is (numbers JSON allows but Python cannot hold: 1e400)."""


def dumps(value) -> str:
    """JSON text, with Raw values written as they are."""
    marks = {}

    def mark(v):
        if isinstance(v, Raw):
            key = f"__raw_{len(marks)}__"
            marks[key] = str(v)
            return key
        if isinstance(v, dict):
            return {str(k): mark(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [mark(x) for x in v]
        if isinstance(v, Decimal):
            return mark(Raw(str(v)))
        return v

    text = json.dumps(mark(value), ensure_ascii=False)
    for key, raw in marks.items():
        text = text.replace(f'"{key}"', raw)
    return text


NOT_JSON = [
    "",
    "{",
    "[1,",
    "{'unit': 1}",
    '{"unit": 1,}',
    '{"year": NaN}',
    '{"year": Infinity}',
    "\ufeff{}",
    '{"a": "\\ud800"}',
    "unit=1&year=2023",
    '{"year": ' + "9" * 5000 + "}",
]
DEEP = [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
]
TOP_LEVEL = [None, True, -1, Raw("1e400"), 10**30, "text", [], [{}], {"": None}]
CONTENT_TYPES = [
    "text/plain",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
    "application/json; charset=bz2_codec",
]


def test_every_write_is_covered(world, api_schema):
    """Every write route of the schema is sent to (an id exists for each path parameter)."""
    operations = _operations(api_schema)
    assert len(operations) >= 30, operations
    for _method, path, _fields in operations:
        assert _url(path, world.ids), path


def test_battery(world, api_schema):
    """The fixed battery: below 500, nothing written on an error. Bodies that are not JSON
    (parsed before any view code runs) go to every POST; JSON of every top-level type, and a
    plausible body under the wrong content types, go to every write."""
    failures = []
    for method, path, fields in _operations(api_schema):
        url = _url(path, world.ids)
        bodies = [dumps(v) for v in TOP_LEVEL] + ([*NOT_JSON, *DEEP] if method == "POST" else [])
        valid_looking = dumps({f: world.plausible.get(f, ["x"])[0] for f in fields})
        sends = [(b, "application/json") for b in bodies]
        sends += [(valid_looking, content_type) for content_type in CONTENT_TYPES]
        for body, content_type in sends:
            try:
                send(world, method, url, body, content_type)
            except AssertionError as exc:
                failures.append(str(exc)[:300])
            except Exception as exc:  # a server error raised through the test client
                failures.append(
                    f"{method} {path} {content_type} {body[:60]!r}: {exc.__class__.__name__}: {exc}"
                )
    assert not failures, "\n".join(failures)


# -- hypothesis bodies -------------------------------------------------------------------------

ODD = [
    "",
    " ",
    "Đạt",
    "\u200b",
    "\u202e",
    "a\u0301" * 50,
    "😀",
    "\U0010fffd",
    "=1+1",
    "2023-02-30",
    "31/12/2023",
    "9999-12-31",
    "0000-00-00",
    "-1",
    "1e400",
    "NaN",
    "true",
    "null",
    "[]",
    "{}",
    "x" * 10_001,
    "\x7f",
]
wrong = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 0, 1, 32767, 32768, 2**31, 2**63, 10**30]),
    st.sampled_from([Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("-0.0"), Raw("1.5e308")]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.recursive(
        st.none(),
        lambda c: st.lists(c, max_size=2) | st.dictionaries(st.text(max_size=3), c, max_size=2),
        max_leaves=20,
    ),
)


def bodies(world, fields: list[str]):
    """Objects with some of the operation's fields (plausible or wrong values) and unknown ones."""

    def value_for(field):
        plausible = world.plausible.get(field)
        if not plausible:
            return wrong
        return st.one_of(*[st.sampled_from(plausible)] * 3, wrong)

    known = st.one_of(  # every field (so that some bodies get past validation), or some
        st.fixed_dictionaries({f: value_for(f) for f in fields}),
        st.fixed_dictionaries({}, optional={f: value_for(f) for f in fields}),
    )
    unknown = st.dictionaries(
        st.sampled_from(["extra", "id", "pk", "__proto__", "unit_id", "Đ"]), wrong, max_size=2
    )
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


@pytest.fixture(scope="module")
def operation_names(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return [f"{m} {p}" for m, p, _f in _operations(_schema())]


def pytest_generate_tests(metafunc):
    if "operation" in metafunc.fixturenames:
        metafunc.parametrize("operation", _OPERATION_IDS)


# The write routes, listed here so that each gets its own test; `test_every_write_is_covered`
# checks this list against the schema.
_OPERATION_IDS = [
    "POST /api/v1/activities/",
    "PUT /api/v1/activities/{id}/",
    "PATCH /api/v1/activities/{id}/",
    "POST /api/v1/assessments/",
    "POST /api/v1/assessments/{id}/save/",
    "POST /api/v1/assessments/{id}/transition/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/contributions/",
    "PUT /api/v1/contributions/{id}/",
    "PATCH /api/v1/contributions/{id}/",
    "POST /api/v1/criteria-sets/{code}/clone/",
    "POST /api/v1/fundings/",
    "PUT /api/v1/fundings/{id}/",
    "PATCH /api/v1/fundings/{id}/",
    "POST /api/v1/model-sites/",
    "PUT /api/v1/model-sites/{id}/",
    "PATCH /api/v1/model-sites/{id}/",
    "POST /api/v1/ocop/certificates/",
    "PUT /api/v1/ocop/evaluations/{id}/sheet/",
    "POST /api/v1/ocop/rounds/{id}/close/",
    "POST /api/v1/ocop/rounds/{id}/council/",
    "POST /api/v1/ocop/rounds/{id}/products/",
    "POST /api/v1/ocop/products/",
    "PATCH /api/v1/ocop/products/{id}/",
    "POST /api/v1/ocop/subjects/",
    "PATCH /api/v1/ocop/subjects/{id}/",
    "POST /api/v1/plan-targets/",
    "PUT /api/v1/plan-targets/{id}/",
    "PATCH /api/v1/plan-targets/{id}/",
    "POST /api/v1/plan-tasks/",
    "PUT /api/v1/plan-tasks/{id}/",
    "PATCH /api/v1/plan-tasks/{id}/",
    "POST /api/v1/plan-tasks/{id}/progress/",
    "POST /api/v1/plans/",
    "PUT /api/v1/plans/{id}/",
    "PATCH /api/v1/plans/{id}/",
    "POST /api/v1/projects/",
    "PUT /api/v1/projects/{id}/",
    "PATCH /api/v1/projects/{id}/",
    "POST /api/v1/roadmap/",
    "PUT /api/v1/roadmap/{id}/",
    "PATCH /api/v1/roadmap/{id}/",
]


def test_the_list_matches_the_schema(operation_names):
    assert sorted(_OPERATION_IDS) == sorted(operation_names)


@FUZZ
@given(data=st.data())
def test_fuzzed_bodies(world, api_schema, operation, data):
    method, path = operation.split(" ", 1)
    fields = next(f for m, p, f in _operations(api_schema) if (m, p) == (method, path))
    body = data.draw(bodies(world, fields))
    send(world, method, _url(path, world.ids), body)


# -- regressions: the bugs these tests found, each pinned ----------------------------------------


def test_json_nested_too_deep_is_a_400(world):
    """Was: RecursionError out of DRF's JSON parser, a 500 on every write, the token endpoint
    (no login needed) included."""
    deep = "[" * 100_000 + "]" * 100_000
    anonymous = Client()
    response = anonymous.post("/api/v1/auth/token/", deep, content_type="application/json")
    assert response.status_code == 400
    response = send(world, "POST", "/api/v1/plans/", deep)
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_a_number_beyond_a_float_is_a_400(world):
    """Was: 1e400 read as infinity; a related-object id then raised OverflowError (500)."""
    for field in ("plan", "unit", "parent"):
        body = {"plan": world.ids["plans"], "metric": Metric.values[0], "year": 2023, "value": 5}
        body[field] = Raw("1e400")
        response = send(world, "POST", "/api/v1/plan-targets/", body)
        assert response.status_code == 400, (field, response.content)


def test_a_project_without_an_amount_takes_zero(world, units):
    """Was: the serializer leaves the amount out (the model has a default) and the service
    required it: TypeError, a 500."""
    body = {"unit": units.quan_ha.pk, "year": 2023, "name": "Nhà văn hóa thôn"}
    response = send(world, "POST", "/api/v1/projects/", body)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] in ("0", 0)
