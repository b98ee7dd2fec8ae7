from decimal import Decimal
from types import SimpleNamespace

import pytest

from ntm.criteria.models import CriteriaSet, Criterion, Indicator, Threshold


def _set(code, basis, start, end, n):
    bands = [{"label": str(n), "min": n, "max": n}, {"label": f"<{n}", "min": 0, "max": n - 1}]
    return CriteriaSet.objects.create(
        code=code, name=code, decision_number="TEST", period_start=start, period_end=end,
        applies_to="commune", level="ntm", threshold_basis=basis, bands=bands,
    )  # fmt: skip


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
        criterion=c2, code="2.1", name="Tỷ lệ đường được cứng hóa", kind="number", operator=">=",
        unit="%", status="national",
    )  # fmt: skip
    Threshold.objects.create(indicator=i2, basis="TDMNPB", value=Decimal("70"))
    Threshold.objects.create(indicator=i2, basis="*", value=Decimal("90"))
    i3 = Indicator.objects.create(
        criterion=c3, code="3.1", name="Tỷ lệ diện tích tưới", kind="number", operator="between",
        status="national",
    )  # fmt: skip
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
