"""Demo users of every role on the demo provinces (Bắc Kạn 06, Lạng Sơn 20)."""

from dataclasses import dataclass

from django.db import transaction

from ntm.accounts.models import Role, User
from ntm.units.models import Level, Unit

DEMO_PASSWORD = "ntm-demo-2025"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    level: int | None
    code: str | None
    current: bool
    full_name: str
    department: str = ""


DEMO_USERS = [
    DemoUser("admin", "", None, None, True, "Quản trị hệ thống"),
    DemoUser("trunguong", Role.NATIONAL_VIEWER, None, None, True, "Cán bộ VPĐP Trung ương"),
    DemoUser(
        "backan", Role.PROVINCE_COORDINATOR, Level.PROVINCE, "06", False, "VPĐP NTM tỉnh Bắc Kạn"
    ),
    DemoUser(
        "thainguyen",
        Role.PROVINCE_COORDINATOR,
        Level.PROVINCE,
        "19",
        True,
        "VPĐP NTM tỉnh Thái Nguyên",
    ),
    DemoUser(
        "langson", Role.PROVINCE_COORDINATOR, Level.PROVINCE, "20", True, "VPĐP NTM tỉnh Lạng Sơn"
    ),
    DemoUser(
        "sogtvt",
        Role.DEPARTMENT_OFFICER,
        Level.PROVINCE,
        "06",
        False,
        "Sở Giao thông vận tải Bắc Kạn",
        "Sở Giao thông vận tải",
    ),
    DemoUser(
        "bachthong", Role.DISTRICT_OFFICER, Level.DISTRICT, "063", False, "UBND huyện Bạch Thông"
    ),
    DemoUser("quanha", Role.COMMUNE_OFFICER, Level.COMMUNE, "02005", False, "UBND xã Quân Hà"),
    DemoUser("camgiang", Role.COMMUNE_OFFICER, Level.COMMUNE, "02008", True, "UBND xã Cẩm Giàng"),
]


def _unit(spec: DemoUser) -> Unit | None:
    if spec.level is None:
        return None
    qs = Unit.objects.filter(level=spec.level, code=spec.code)
    qs = qs.filter(valid_to__isnull=True) if spec.current else qs.filter(valid_to__isnull=False)
    return qs.first()


@transaction.atomic
def demo_users_ensure() -> list[tuple[DemoUser, bool]]:
    """Create the demo users that do not exist yet; existing users are left as they are."""
    result = []
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            result.append((spec, False))
            continue
        unit = _unit(spec)
        if spec.level is not None and unit is None:
            continue
        user = User(
            username=spec.username,
            first_name=spec.full_name,
            role=spec.role,
            unit=unit,
            department=spec.department,
            is_staff=spec.username == "admin",
            is_superuser=spec.username == "admin",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        result.append((spec, True))
    return result
