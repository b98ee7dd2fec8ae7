"""Base fixtures: the real units of Bắc Kạn (06) and Lạng Sơn (20), users of every role."""

from decimal import Decimal
from types import SimpleNamespace

import factory
import pytest
from django.test import Client

from ntm.accounts.models import Role, User
from ntm.criteria.models import CriteriaSet, Criterion, Indicator, Threshold
from ntm.units.models import Level, Unit
from ntm.units.services import units_load

TEST_PASSWORD = "Kiem-tra-2025!"
TEST_PROVINCES = ["06", "20"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 at full strength costs ~0.4 s per user; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real units once per test database; each test then runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        units_load(province_codes=TEST_PROVINCES)


def _legacy(level, code):
    return Unit.objects.get(level=level, code=code, valid_to__isnull=False)


def _current(level, code):
    return Unit.objects.get(level=level, code=code, valid_to__isnull=True)


@pytest.fixture
def units(db):
    """Named units for tests. Legacy = until 30/6/2025; current = from 1/7/2025."""
    quan_ha = _legacy(Level.COMMUNE, "02005")
    return SimpleNamespace(
        bac_kan=_legacy(Level.PROVINCE, "06"),
        lang_son=_legacy(Level.PROVINCE, "20"),
        thai_nguyen=_current(Level.PROVINCE, "19"),
        lang_son_new=_current(Level.PROVINCE, "20"),
        bach_thong=_legacy(Level.DISTRICT, "063"),
        ba_be=_legacy(Level.DISTRICT, "061"),
        quan_ha=quan_ha,
        quan_ha_successor=quan_ha.successor_links.get(is_default=True).new,
        ba_be_commune=Unit.objects.filter(parent__code="061", kind="xa").order_by("code").first(),
        lang_son_commune=Unit.objects.filter(
            parent__parent__code="20", parent__valid_to__isnull=False, kind="xa"
        )
        .order_by("code")
        .first(),
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


@pytest.fixture
def make_user(db):
    def make(role="", unit=None, **kwargs):
        return UserFactory(role=role, unit=unit, **kwargs)

    return make


@pytest.fixture
def users(units, make_user):
    """One user of each role in Bắc Kạn, plus an outsider province coordinator in Lạng Sơn."""
    return SimpleNamespace(
        admin=make_user(username="admin", is_superuser=True, is_staff=True),
        national=make_user(Role.NATIONAL_VIEWER, None, username="national"),
        coordinator=make_user(Role.PROVINCE_COORDINATOR, units.bac_kan, username="coordinator"),
        department=make_user(
            Role.DEPARTMENT_OFFICER,
            units.bac_kan,
            username="department",
            department="Sở Giao thông vận tải",
        ),
        district=make_user(Role.DISTRICT_OFFICER, units.bach_thong, username="district"),
        commune=make_user(Role.COMMUNE_OFFICER, units.quan_ha, username="commune"),
        new_commune=make_user(
            Role.COMMUNE_OFFICER, units.quan_ha_successor, username="new_commune"
        ),
        new_province=make_user(
            Role.PROVINCE_COORDINATOR, units.thai_nguyen, username="new_province"
        ),
        outsider=make_user(Role.PROVINCE_COORDINATOR, units.lang_son, username="outsider"),
        no_unit=make_user(Role.COMMUNE_OFFICER, None, username="no_unit"),
    )


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _set(code, basis, start, end, n):
    bands = [{"label": str(n), "min": n, "max": n}, {"label": f"<{n}", "min": 0, "max": n - 1}]
    return CriteriaSet.objects.create(
        code=code,
        name=code,
        decision_number="TEST",
        period_start=start,
        period_end=end,
        applies_to="commune",
        level="ntm",
        threshold_basis=basis,
        bands=bands,
    )


@pytest.fixture
def small_set(db):
    """Three criteria: a yes/no one, a number by region (TC2, owned by transport), a range (TC3)."""
    cset = _set("TEST-2021", "region", 2021, 2025, 3)
    c1 = Criterion.objects.create(criteria_set=cset, number=1, name="Quy hoạch")
    c2 = Criterion.objects.create(
        criteria_set=cset, number=2, name="Giao thông", department="Sở Giao thông vận tải"
    )
    c3 = Criterion.objects.create(criteria_set=cset, number=3, name="Thủy lợi")
    i1 = Indicator.objects.create(
        criterion=c1, code="1.1", name="Có quy hoạch", kind="boolean", status="national"
    )
    i2 = Indicator.objects.create(
        criterion=c2,
        code="2.1",
        name="Tỷ lệ đường được cứng hóa",
        kind="number",
        operator=">=",
        unit="%",
        status="national",
    )
    Threshold.objects.create(indicator=i2, basis="TDMNPB", value=Decimal("70"))
    Threshold.objects.create(indicator=i2, basis="*", value=Decimal("90"))
    i3 = Indicator.objects.create(
        criterion=c3,
        code="3.1",
        name="Tỷ lệ diện tích tưới",
        kind="number",
        operator="between",
        status="national",
    )
    Threshold.objects.create(indicator=i3, basis="*", value=Decimal("80"), value_max=Decimal("100"))
    return SimpleNamespace(set=cset, c1=c1, c2=c2, c3=c3, i1=i1, i2=i2, i3=i3)


@pytest.fixture
def group_set(db):
    """A 2026-style set: one number criterion with thresholds by commune group."""
    cset = _set("TEST-2026", "commune_group", 2026, 2030, 1)
    c1 = Criterion.objects.create(criteria_set=cset, number=1, name="Hạ tầng")
    i1 = Indicator.objects.create(
        criterion=c1, code="1.1", name="Tỷ lệ", kind="number", operator=">=", status="national"
    )
    for group, value in (("1", "90"), ("2", "80"), ("3", "70")):
        Threshold.objects.create(indicator=i1, basis=group, value=Decimal(value))
    return SimpleNamespace(set=cset, c1=c1, i1=i1)
