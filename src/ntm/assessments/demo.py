"""Sample results for the demo, rebuilt from figures Bắc Kạn published for 2023.

The province reported for 2023: 29 xã met all 19 criteria, 5 met 15-18, 33 met 10-14 and 28 met
5-9; 12,81 criteria per xã on average, up 0,36 on 2022. Which commune had which result was not
published, so the demo spreads those counts over the 95 xã at random (seeded). Every record says
so in its notes and reasons: these are not the communes' real results.
"""

import datetime
import random

from django.db import transaction

from ntm.assessments import figures
from ntm.assessments.models import Assessment, CriterionResult, Recognition, State
from ntm.criteria.models import CriteriaSet
from ntm.units.models import Kind, Level, Unit

SAMPLE_NOTE = (
    "Dữ liệu mẫu dựng từ số liệu tổng hợp tỉnh đã công bố; không phải kết quả thật của xã."
)
PUBLISHED_2023 = {
    "bands": [(19, 19, 29), (15, 18, 5), (10, 14, 33), (5, 9, 28)],
    "average": "12.81",
}
AVERAGE_2022 = "12.45"  # 12,81 - 0,36


def _spread(bands, total: int, rng: random.Random) -> list[int]:
    """Criteria-met counts, within each band, adding up to `total`."""
    values = [low for low, _high, n in bands for _ in range(n)]
    highs = [high for _low, high, n in bands for _ in range(n)]
    remaining = total - sum(values)
    while remaining > 0:
        i = rng.randrange(len(values))
        if values[i] < highs[i]:
            values[i] += 1
            remaining -= 1
    rng.shuffle(values)
    return values


def _write(communes, year: int, counts: list[int], cset: CriteriaSet, rng: random.Random) -> None:
    criteria = list(cset.criteria.order_by("number"))
    for commune, k in zip(communes, counts, strict=True):
        met = set(rng.sample([c.number for c in criteria], k))
        a = Assessment.objects.create(
            unit=commune,
            year=year,
            criteria_set=cset,
            state=State.APPROVED,
            notes=SAMPLE_NOTE,
            criteria_met=k,
            meets_standard=k == len(criteria),
        )
        CriterionResult.objects.bulk_create(
            CriterionResult(
                assessment=a,
                criterion=c,
                manual=c.number in met,
                met=c.number in met,
                manual_reason="Dữ liệu mẫu",
            )
            for c in criteria
        )


@transaction.atomic
def demo_results_ensure() -> int:
    """Write the sample 2022 and 2023 results of Bắc Kạn once; returns the number written."""
    cset = CriteriaSet.objects.filter(code="NTM-XA-2021").first()
    province = Unit.objects.filter(level=Level.PROVINCE, code="06", valid_to__isnull=False).first()
    if cset is None or province is None:
        return 0
    communes = list(
        Unit.objects.filter(
            level=Level.COMMUNE, kind=Kind.COMMUNE, path__startswith=province.path
        ).order_by("code")
    )
    if Assessment.objects.filter(unit__in=communes, year__in=(2022, 2023)).exists():
        return 0
    rng = random.Random(2023)
    n = len(communes)
    counts_2023 = _spread(PUBLISHED_2023["bands"], round(float(PUBLISHED_2023["average"]) * n), rng)
    counts_2022 = list(counts_2023)
    for _ in range(sum(counts_2023) - round(float(AVERAGE_2022) * n)):
        candidates = [i for i, v in enumerate(counts_2022) if v > 0]
        counts_2022[rng.choice(candidates)] -= 1
    with figures.deferred():  # the results are written after their assessments
        _write(communes, 2022, counts_2022, cset, rng)
        _write(communes, 2023, counts_2023, cset, rng)
    return 2 * n


# -- the 2023 plan and its results -------------------------------------------------------------

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
RECOGNISED_2023 = {"ntm": 5, "advanced": 2}  # published: 5/17 xã NTM, 2/6 xã NTM nâng cao
NO_NTM_DISTRICTS = ("060", "062")  # Pác Nặm and Ngân Sơn had no NTM commune (published)


@transaction.atomic
def demo_plan_ensure() -> int:
    """Bắc Kạn's 2023 plan with its published targets, and decisions matching the published
    results (5 xã NTM, 2 xã NTM nâng cao) on communes chosen at random among those meeting all
    criteria in the sample results. Returns the number of records written (0 when present)."""
    from ntm.plans.models import Plan, PlanStatus, Target

    cset = CriteriaSet.objects.filter(code="NTM-XA-2021").first()
    province = Unit.objects.filter(level=Level.PROVINCE, code="06", valid_to__isnull=False).first()
    if cset is None or province is None:
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
    for metric, level, value in PLAN_2023["targets"]:
        Target.objects.create(
            plan=plan,
            unit=province,
            metric=metric,
            level=level,
            year=2023,
            value=value,
            note=SAMPLE_NOTE,
        )
    written = 1 + len(PLAN_2023["targets"])
    candidates = list(
        Assessment.objects.filter(
            unit__path__startswith=province.path,
            year=2023,
            criteria_set=cset,
            meets_standard=True,
        )
        .exclude(unit__parent__code__in=NO_NTM_DISTRICTS)
        .select_related("unit")
        .order_by("unit__code")
    )
    rng = random.Random(125)
    chosen = rng.sample(candidates, min(len(candidates), sum(RECOGNISED_2023.values())))
    for n, assessment in enumerate(chosen, start=1):
        level = "ntm" if n <= RECOGNISED_2023["ntm"] else "advanced"
        Recognition.objects.create(
            unit=assessment.unit,
            level=level,
            criteria_set=cset,
            year=2023,
            decision_number=f"MẪU-{n:02d}/QĐ-UBND",
            decision_date=datetime.date(2023, 12, 29),
            signer="(mẫu)",
            override_reason=SAMPLE_NOTE,
        )
        written += 1
    return written
