import datetime
import random

from ntm.ocop import selectors, services
from ntm.ocop.models import Certificate
from ntm.reports.selectors import progress_summary

D = datetime.date


def _independent(day, unit_path=""):
    """Count by hand: per product the latest certificate on or before the day, if still valid."""
    latest = {}
    for c in Certificate.objects.select_related("product__unit").order_by("issued_on", "pk"):
        if c.issued_on <= day and c.product.unit.path.startswith(unit_path):
            latest[c.product_id] = c
    out = {"3": 0, "4": 0, "5": 0}
    for c in latest.values():
        if c.valid_to >= day:
            out[str(c.stars)] += 1
    return out


def _many(units, ocop):
    rng = random.Random(5)
    products = [ocop.tea, ocop.rice, ocop.anise]
    for i in range(9):
        products.append(
            services.product_save(
                user=None,
                name=f"Sản phẩm {i}",
                subject=ocop.coop,
                group="thuc_pham",
                unit=units.quan_ha,
            )
        )
    for n, product in enumerate(products):
        day = D(2019, 9, 1) + datetime.timedelta(days=rng.randrange(0, 900))
        for k in range(rng.randrange(1, 4)):
            services.certificate_issue(
                user=None,
                product=product,
                number=f"{n}-{k}/QĐ-UBND",
                issued_on=day,
                stars=rng.choice((3, 4, 5)),
            )
            day += datetime.timedelta(days=rng.choice((400, 1095, 1096, 1300)))
    return products


def test_standing_counts_equal_an_independent_count(units, ocop):
    _many(units, ocop)
    days = [
        D(2019, 1, 1),
        D(2020, 12, 31),
        D(2022, 6, 30),
        D(2023, 12, 31),
        D(2025, 12, 31),
        D(2027, 1, 1),
        D(2030, 1, 1),
    ]
    days += [c.valid_to for c in Certificate.objects.all()]
    days += [c.valid_to + datetime.timedelta(days=1) for c in Certificate.objects.all()]
    for day in days:
        assert selectors.standing_counts(day=day)["by_stars"] == _independent(day), day
        assert selectors.standing_counts(day=day, unit=units.bac_kan)["by_stars"] == _independent(
            day, units.bac_kan.path
        ), day


def test_expired_is_not_counted_at_exactly_36_months(units, ocop):
    services.certificate_issue(
        user=None, product=ocop.tea, number="1/QĐ-UBND", issued_on=D(2023, 3, 15), stars=4
    )
    assert selectors.standing_counts(day=D(2026, 3, 14))["total"] == 1
    assert selectors.standing_counts(day=D(2026, 3, 15))["total"] == 0
    assert selectors.expiring(day=D(2025, 9, 14), months=6).count() == 1
    assert selectors.expiring(day=D(2025, 9, 13), months=6).count() == 0


def test_standing_by_group_and_subunit(units, ocop):
    for product, stars in ((ocop.tea, 4), (ocop.rice, 3), (ocop.anise, 5)):
        services.certificate_issue(
            user=None, product=product, number="1/QĐ-UBND", issued_on=D(2024, 5, 1), stars=stars
        )
    counts = selectors.standing_counts(day=D(2024, 12, 31), unit=units.bac_kan)
    assert counts == {
        "by_stars": {"3": 1, "4": 1, "5": 0},
        "by_group": {"do_uong": 1, "thuc_pham": 1},
        "total": 2,
    }
    rows = selectors.standing_by_subunit(day=D(2024, 12, 31), unit=units.bac_kan)
    assert [(r["code"], r["total"]) for r in rows] == [(units.bach_thong.code, 2)]


def test_summary_has_the_ocop_key(units, ocop, round_for, score):
    rnd = round_for(units.bach_thong, D(2024, 9, 1))
    e1, e2 = score(rnd, ocop.tea, 72), score(rnd, ocop.rice, 55)
    services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="5/QĐ-UBND",
        issued_on=D(2024, 10, 1),
        stars=4,
        evaluation=e1,
    )
    services.certificate_issue(
        user=None, product=ocop.rice, number="6/QĐ-UBND", issued_on=D(2021, 10, 1), stars=3
    )
    services.certificate_issue(
        user=None,
        product=ocop.rice,
        number="7/QĐ-UBND",
        issued_on=D(2024, 9, 30),
        stars=3,
        evaluation=e2,
    )
    services.certificate_issue(
        user=None, product=ocop.anise, number="8/QĐ-UBND", issued_on=D(2024, 10, 1), stars=5
    )
    figures = progress_summary(unit=units.bac_kan, year=2024).as_dict()["ocop"]
    assert figures == {
        "evaluated": 2,
        "certified_new": {"3": 0, "4": 1, "5": 0},
        "recertified": 1,
        "upgraded": 0,
        "downgraded": 0,
        "standing": {"3": 1, "4": 1, "5": 0},
        "standing_total": 2,
        "expiring_6_months": 0,
        "round": {
            "evaluated": 2,
            "recertified": {"3": 1, "4": 0, "5": 0},
            "recertified_total": 1,
            "new": {"3": 0, "4": 1, "5": 0},
            "new_total": 1,
            "below_3": 0,
            "provisional": 0,
        },
    }
    assert progress_summary(unit=units.bach_thong, year=2024).ocop["standing_total"] == 2
    assert progress_summary(unit=units.ba_be, year=2024).ocop["standing_total"] == 0
    assert progress_summary(unit=units.bac_kan, year=2023).ocop["standing"] == {
        "3": 1,
        "4": 0,
        "5": 0,
    }


def test_summary_figures_agree_with_the_standing_selector(
    units, ocop, django_assert_max_num_queries
):
    _many(units, ocop)
    for year in range(2019, 2031):
        end = D(year, 12, 31)
        with django_assert_max_num_queries(3):
            figures = selectors.ocop_figures(unit=units.bac_kan, year=year)
        counts = selectors.standing_counts(day=end, unit=units.bac_kan)
        assert figures["standing"] == counts["by_stars"] == _independent(end, units.bac_kan.path)
        assert figures["standing_total"] == counts["total"]
        assert (
            figures["expiring_6_months"]
            == selectors.expiring(day=end, months=6, unit=units.bac_kan).count()
        )


def test_plan_targets_for_ocop_products_use_the_new_certificates(
    units, users, ocop, round_for, score
):
    from decimal import Decimal

    from ntm.criteria.services import criteria_load
    from ntm.plans import services as plan_services
    from ntm.plans.models import PlanStatus
    from ntm.reports.selectors import progress_summary

    criteria_load(codes=["NTM-XA-2021"])
    plan = plan_services.plan_create(
        user=users.coordinator,
        unit=units.bac_kan,
        number="1/KH-UBND",
        issued_on=D(2024, 2, 1),
        issuer="UBND tỉnh",
        title="Kế hoạch OCOP 2024",
        year_from=2024,
        year_to=2024,
        status=PlanStatus.ACTIVE,
    )
    plan_services.target_create(
        plan=plan,
        user=users.coordinator,
        metric="ocop_products_by_stars",
        stars=4,
        year=2024,
        value=Decimal(2),
    )
    rnd = round_for(units.bach_thong, D(2024, 9, 1))
    e1 = score(rnd, ocop.tea, 72)
    services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="5/QĐ-UBND",
        issued_on=D(2024, 10, 1),
        stars=4,
        evaluation=e1,
    )
    target = next(
        t
        for t in progress_summary(unit=units.bac_kan, year=2024).targets
        if t["metric"] == "ocop_products_by_stars"
    )
    assert target["actual"] == 1 and target["target"] == 2
