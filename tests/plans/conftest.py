import datetime
import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.plans import services
from ntm.plans.models import PlanStatus
from ntm.units.models import Kind, Unit


@pytest.fixture
def cset(db):
    criteria_load(codes=["NTM-XA-2021"])
    return CriteriaSet.objects.get(code="NTM-XA-2021")


@pytest.fixture
def plan(units, users):
    """Bắc Kạn's 2021-2025 plan, active."""
    return services.plan_create(
        user=users.coordinator,
        unit=units.bac_kan,
        number="125/KH-UBND",
        issued_on=datetime.date(2022, 2, 25),
        issuer="UBND tỉnh Bắc Kạn",
        title="Kế hoạch thực hiện Chương trình MTQG xây dựng nông thôn mới năm 2022",
        year_from=2021,
        year_to=2025,
        status=PlanStatus.ACTIVE,
    )


@pytest.fixture
def bk(units):
    """Bắc Kạn's xã (legacy), and the districts, by code."""
    communes = list(
        Unit.objects.filter(
            kind=Kind.COMMUNE, path__startswith=units.bac_kan.path, valid_to__isnull=False
        ).order_by("code")
    )
    return SimpleNamespace(
        communes=communes,
        bach_thong_communes=[c for c in communes if c.parent_id == units.bach_thong.pk],
        ba_be_communes=[c for c in communes if c.parent_id == units.ba_be.pk],
    )


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook from {sheet: rows (the first is the header)}."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TARGET_HEADER = [
    "Chỉ tiêu",
    "Mức",
    "Số sao",
    "Mã đơn vị",
    "Tên đơn vị",
    "Năm",
    "Giá trị",
    "Năm gốc",
    "Ghi chú",
]
ROADMAP_HEADER = ["Mã xã", "Tên xã", "Mức", "Năm"]
TASK_HEADER = [
    "ID",
    "Nhóm nhiệm vụ",
    "Nội dung",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời hạn",
    "Trạng thái",
    "Ghi chú tiến độ mới",
]
