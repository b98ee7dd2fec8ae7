"""Bắc Kạn's 2023 plan (125/KH-UBND of 28/2/2023) with the targets it published, for the demo:
17 more xã NTM, 6 xã NTM nâng cao, 100 thôn NTM, 14 criteria per xã on average, at least one
criterion more for every other xã."""

import datetime

from django.db import transaction

from ntm.assessments.demo_build import SAMPLE_NOTE
from ntm.plans.models import Plan, PlanStatus, Target
from ntm.units.models import Level, Unit

PLAN_2023 = {
    "number": "125/KH-UBND",
    "issued_on": datetime.date(2023, 2, 28),
    "issuer": "UBND tỉnh Bắc Kạn",
    "title": "Kế hoạch thực hiện các mục tiêu xây dựng nông thôn mới năm 2023 (dữ liệu mẫu)",
    # (metric, level, value) as the province published them for 2023
    "targets": [
        ("communes_new_at_level", "ntm", 17),
        ("communes_new_at_level", "advanced", 6),
        ("villages_ntm", "", 100),
        ("criteria_average", "", 14),
        ("criteria_added_min", "", 1),
    ],
}


@transaction.atomic
def demo_plan_ensure() -> int:
    """The plan and its targets; returns the number of records written (0 when present)."""
    province = Unit.objects.filter(level=Level.PROVINCE, code="06", valid_to__isnull=False).first()
    if province is None:
        return 0
    plan, created = Plan.objects.get_or_create(
        unit=province,
        number=PLAN_2023["number"],
        issued_on=PLAN_2023["issued_on"],
        defaults={
            "issuer": PLAN_2023["issuer"],
            "title": PLAN_2023["title"],
            "year_from": 2023,
            "year_to": 2023,
            "status": PlanStatus.ACTIVE,
        },
    )
    if not created:
        return 0
    Target.objects.bulk_create(
        Target(plan=plan, unit=province, metric=m, level=lv, year=2023, value=v, note=SAMPLE_NOTE)
        for m, lv, v in PLAN_2023["targets"]
    )
    return 1 + len(PLAN_2023["targets"])
