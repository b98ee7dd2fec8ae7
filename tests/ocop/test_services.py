import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ntm.ocop import services
from ntm.ocop.models import Evaluation, Outcome, Score
from ntm.ocop.services import OcopError

D = datetime.date


def test_scores_derive_total_and_stars(units, ocop, round_for):
    rnd = round_for(units.bach_thong, D(2024, 9, 10))
    ev = services.evaluation_save(
        user=None, round=rnd, product=ocop.tea, scores={"A": "30,5", "B": 20, "C": Decimal("19.5")}
    )
    assert ev.sheet.code == "OCOP-148-2023"
    assert ev.total == Decimal("70.00") and ev.stars == 4
    assert ev.council_level == "province"
    # Entered again: the scores are replaced, not added.
    ev = services.evaluation_save(
        user=None, round=rnd, product=ocop.tea, scores={"A": 30, "B": 10, "C": 9.99}
    )
    assert ev.total == Decimal("49.99") and ev.stars == 2
    assert Evaluation.objects.count() == 1 and Score.objects.count() == 3


def test_a_line_above_its_maximum_is_refused(units, ocop, round_for):
    rnd = round_for(units.bach_thong, D(2024, 9, 10))
    with pytest.raises(OcopError) as exc:
        services.evaluation_save(
            user=None, round=rnd, product=ocop.tea, scores={"A": "40.01", "B": 0, "C": 0}
        )
    assert exc.value.field == "line_A" and "40" in str(exc.value)
    # Under the 2019 sheet part A was worth 35: 36 is refused there, though valid in 2024.
    old = round_for(units.bach_thong, D(2022, 9, 10))
    with pytest.raises(OcopError):
        services.evaluation_save(
            user=None, round=old, product=ocop.tea, scores={"A": 36, "B": 0, "C": 0}
        )
    for bad in (
        {"A": -1, "B": 0, "C": 0},
        {"A": 1, "B": 0},
        {"A": 1, "B": 0, "C": 0, "D": 1},
        {"A": "x", "B": 0, "C": 0},
        {"A": "1.005", "B": 0, "C": 0},
    ):
        with pytest.raises(OcopError):
            services.evaluation_save(user=None, round=rnd, product=ocop.tea, scores=bad)
    assert not Evaluation.objects.exists() and not Score.objects.exists()


def test_product_outside_the_rounds_area_is_refused(units, ocop, round_for):
    rnd = round_for(units.ba_be, D(2024, 9, 10))
    with pytest.raises(OcopError):
        services.evaluation_save(
            user=None, round=rnd, product=ocop.tea, scores={"A": 1, "B": 1, "C": 1}
        )


def test_certificate_outcomes_on_re_evaluation(units, ocop, round_for, score):
    r1 = round_for(units.bach_thong, D(2021, 9, 1))
    e1 = score(r1, ocop.tea, Decimal(60))
    c1 = services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="10/QĐ-UBND",
        issued_on=D(2021, 10, 1),
        stars=3,
        evaluation=e1,
    )
    assert c1.outcome == Outcome.NEW and c1.valid_to == D(2024, 9, 30)
    r2 = round_for(units.bac_kan, D(2024, 8, 1))
    e2 = score(r2, ocop.tea, Decimal(75))
    assert services.evaluation_outcome(e2) == Outcome.UPGRADED
    c2 = services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="20/QĐ-UBND",
        issued_on=D(2024, 9, 1),
        stars=4,
        evaluation=e2,
    )
    assert c2.outcome == Outcome.UPGRADED and c2.previous == c1
    r3 = round_for(units.bac_kan, D(2027, 6, 1))
    assert services.evaluation_outcome(score(r3, ocop.tea, Decimal(40))) == Outcome.NOT_KEPT
    e4 = score(r3, ocop.tea, Decimal(55))
    assert services.evaluation_outcome(e4) == Outcome.DOWNGRADED
    c3 = services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="30/QĐ-UBND",
        issued_on=D(2027, 7, 1),
        stars=3,
        evaluation=e4,
    )
    assert c3.outcome == Outcome.DOWNGRADED
    # c3 is valid through 30/6/2030; a decision on 2/7/2030, after it lapsed, is still "cấp lại"
    # as provinces count it (the product held a certificate before), not a new product.
    c4 = services.certificate_issue(
        user=None, product=ocop.tea, number="40/QĐ-UBND", issued_on=D(2030, 7, 2), stars=3
    )
    assert c4.outcome == Outcome.RECERTIFIED and c4.previous == c3
    c5 = services.certificate_issue(
        user=None, product=ocop.tea, number="41/QĐ-UBND", issued_on=D(2033, 6, 30), stars=3
    )
    assert c5.outcome == Outcome.RECERTIFIED


def test_certificate_rules(units, ocop, round_for, score):
    rnd = round_for(units.bach_thong, D(2024, 9, 10))
    ev = score(rnd, ocop.tea, Decimal("69.99"))
    with pytest.raises(OcopError):  # more stars than scored
        services.certificate_issue(
            user=None,
            product=ocop.tea,
            number="1/QĐ",
            issued_on=D(2024, 10, 1),
            stars=4,
            evaluation=ev,
        )
    with pytest.raises(OcopError):  # 2 stars are not certified
        services.certificate_issue(
            user=None, product=ocop.tea, number="1/QĐ", issued_on=D(2024, 10, 1), stars=2
        )
    with pytest.raises(OcopError):  # before the evaluation
        services.certificate_issue(
            user=None,
            product=ocop.tea,
            number="1/QĐ",
            issued_on=D(2024, 9, 1),
            stars=3,
            evaluation=ev,
        )
    with pytest.raises(OcopError):  # another product's evaluation
        services.certificate_issue(
            user=None,
            product=ocop.rice,
            number="1/QĐ",
            issued_on=D(2024, 10, 1),
            stars=3,
            evaluation=ev,
        )


def test_rights(units, users, ocop, round_for):
    # A commune officer keeps the products of their commune but does not sit on councils.
    services.product_save(
        user=users.commune,
        name="Măng khô",
        subject=ocop.coop,
        group="thuc_pham",
        unit=units.quan_ha,
    )
    with pytest.raises(PermissionDenied):
        round_for(units.bach_thong, D(2024, 9, 1), user=users.commune)
    round_for(units.bach_thong, D(2024, 9, 1), user=users.district)
    for who in (users.national, users.department, users.outsider):
        with pytest.raises(PermissionDenied):
            services.product_save(
                user=who, name="X", subject=ocop.coop, group="thuc_pham", unit=units.quan_ha
            )
    with pytest.raises(OcopError):
        services.product_save(
            user=None, name="X", subject=ocop.coop, group="banh_keo", unit=units.quan_ha
        )
    with pytest.raises(OcopError):
        services.subject_save(user=None, kind="cooperative", name="HTX Quân Hà", unit=units.quan_ha)
