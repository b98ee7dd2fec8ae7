"""Shared data for the report tests: Bắc Kạn 2022-2023 with random results and recognitions."""

import datetime
import random

import pytest

from ntm.assessments.figures import figures_rebuild
from ntm.assessments.models import Assessment, CriterionResult, Recognition, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.units.models import Kind, Unit


@pytest.fixture
def dataset(units):
    """Bắc Kạn, 2022 and 2023, NTM-XA-2021: random results, a few communes left unassessed."""
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    criteria = list(cset.criteria.order_by("number"))
    communes = list(
        Unit.objects.filter(kind=Kind.COMMUNE, path__startswith=units.bac_kan.path).order_by("code")
    )
    rng = random.Random(2023)
    truth = {}  # (year, commune pk) -> set of criterion numbers met
    for year in (2022, 2023):
        for commune in communes:
            if rng.random() < 0.1:
                continue  # not assessed
            # Force ties at the band edges: 19, 15, 14, 10, 9, 5, 4 appear.
            k = rng.choice([19, 19, 18, 15, 14, 10, 9, 5, 4, 0, 12, 17])
            met = set(rng.sample(range(1, 20), k))
            truth[(year, commune.pk)] = met
            a = Assessment.objects.create(
                unit=commune,
                year=year,
                criteria_set=cset,
                state=State.APPROVED,
                criteria_met=len(met),
                meets_standard=len(met) == 19,
            )
            CriterionResult.objects.bulk_create(
                CriterionResult(
                    assessment=a, criterion=c, met=c.number in met, derived=c.number in met
                )
                for c in criteria
            )
    recognised_2022 = [
        c for c in communes if truth.get((2022, c.pk)) and len(truth[(2022, c.pk)]) == 19
    ]
    for c in recognised_2022:
        Recognition.objects.create(
            unit=c,
            level="ntm",
            criteria_set=cset,
            year=2022,
            decision_number=f"{c.code}/QĐ-UBND",
            decision_date=datetime.date(2022, 12, 20),
            override_reason="test",
        )
    recognised_2023 = [
        c
        for c in communes
        if truth.get((2023, c.pk)) and len(truth[(2023, c.pk)]) == 19 and c not in recognised_2022
    ]
    for c in recognised_2023:
        Recognition.objects.create(
            unit=c,
            level="ntm",
            criteria_set=cset,
            year=2023,
            decision_number=f"{c.code}/QĐ",
            decision_date=datetime.date(2023, 12, 15),
            override_reason="test",
        )
    revoked = recognised_2022[:1]
    for c in revoked:
        Recognition.objects.create(
            unit=c,
            level="ntm",
            criteria_set=cset,
            year=2023,
            action="revoked",
            decision_number=f"{c.code}/TH",
            decision_date=datetime.date(2023, 12, 28),
        )
    figures_rebuild()  # results were bulk-written after their assessments: no refresh saw them
    return {
        "cset": cset,
        "communes": communes,
        "truth": truth,
        "r2022": recognised_2022,
        "r2023": recognised_2023,
        "revoked": revoked,
    }
