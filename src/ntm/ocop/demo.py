"""OCOP data for the demo.

Bắc Kạn (on the units before 1/7/2025): the four products Decision 231/QĐ-UBND of 7/2/2024
certified 4 stars for 2023, as the province published them (three health supplements of Công ty
Cổ phần Công nghệ dược liệu Bắc Hà, thành phố Bắc Kạn; gạo nếp Tài of Hợp tác xã Yến Dương, Ba
Bể); their certificates run to 6/2/2027, so they show as expiring soon. A few sample 3-star
products with certificates of 2021 (expired) and 2023. The ward of Bắc Hà and every sample
product are not published: marked as sample.

Thái Nguyên (from 1/7/2025): a 2026 provincial round with a council and sample products of Xã
Cẩm Giàng, open for scoring.
"""

import datetime

from django.db import transaction

from ntm.accounts.models import User
from ntm.ocop import council, services
from ntm.ocop.models import Certificate, EvaluationRound, Product
from ntm.ocop.sheets import product_sheets_load
from ntm.units.models import Kind, Level, Unit

SAMPLE = "Dữ liệu mẫu."
DECISION_2023 = ("231/QĐ-UBND", datetime.date(2024, 2, 7), "UBND tỉnh Bắc Kạn")
PUBLISHED_4_STARS = [  # (subject, kind, commune: (district code, kind), product, classification)
    (
        "Công ty Cổ phần Công nghệ dược liệu Bắc Hà",
        "enterprise",
        ("058", Kind.WARD),
        [
            "Thực phẩm bảo vệ sức khỏe Vicumax + Nano Curcumin",
            "Thực phẩm bảo vệ sức khỏe Vicumax plus Nano Curcumin",
            "Thực phẩm bảo vệ sức khỏe Vicumax plus tam thất tiêu đen Nano Curcumin",
        ],
        "III.1",
    ),
    ("Hợp tác xã Yến Dương", "cooperative", "Xã Yến Dương", ["Gạo nếp Tài"], "I.2.a"),
]
SAMPLE_3_STARS = [  # (product, classification, decision number, date)
    ("Miến dong (mẫu)", "I.3.c", "MẪU-OCOP-01/QĐ-UBND", datetime.date(2021, 3, 15)),
    ("Mật ong (mẫu)", "I.2.b", "MẪU-OCOP-01/QĐ-UBND", datetime.date(2021, 3, 15)),
    ("Chè shan tuyết (mẫu)", "I.5.a", "MẪU-OCOP-02/QĐ-UBND", datetime.date(2023, 12, 20)),
    ("Tinh dầu quế (mẫu)", "III.3", "MẪU-OCOP-02/QĐ-UBND", datetime.date(2023, 12, 20)),
]


def _legacy(**filters) -> Unit | None:
    return Unit.objects.filter(valid_to__isnull=False, **filters).order_by("code").first()


def _commune(where) -> Unit | None:
    if isinstance(where, str):
        return _legacy(level=Level.COMMUNE, name=where)
    district = _legacy(level=Level.DISTRICT, code=where[0])
    return _legacy(level=Level.COMMUNE, parent=district, kind=where[1]) if district else None


def _bac_kan() -> int:
    written = 0
    number, day, issuer = DECISION_2023
    for name, kind, where, products, code in PUBLISHED_4_STARS:
        unit = _commune(where)
        if unit is None:
            continue
        subject = services.subject_save(user=None, kind=kind, name=name, unit=unit)
        for product_name in products:
            product = services.product_save(
                user=None, name=product_name, subject=subject, unit=unit, classification=code,
                description="Sản phẩm đạt 4 sao năm 2023 (QĐ 231/QĐ-UBND ngày 7/2/2024); "
                "địa bàn xã/phường là mẫu.",
            )  # fmt: skip
            services.certificate_issue(
                user=None, product=product, number=number, issued_on=day, stars=4, issuer=issuer
            )
            written += 1
    communes = list(
        Unit.objects.filter(
            level=Level.COMMUNE,
            kind=Kind.COMMUNE,
            valid_to__isnull=False,
            path__startswith=_legacy(level=Level.PROVINCE, code="06").path,
        ).order_by("code")[:40:10]
    )
    for (name, code, number, day), unit in zip(SAMPLE_3_STARS, communes, strict=False):
        subject = services.subject_save(
            user=None, kind="cooperative", name=f"Hợp tác xã mẫu {unit.short_name}", unit=unit
        )
        product = services.product_save(
            user=None, name=name, subject=subject, unit=unit, classification=code,
            description=SAMPLE,
        )  # fmt: skip
        services.certificate_issue(
            user=None, product=product, number=number, issued_on=day, stars=3,
            issuer="UBND tỉnh Bắc Kạn",
        )  # fmt: skip
        written += 1
    return written


def _thai_nguyen() -> int:
    province = Unit.objects.filter(level=Level.PROVINCE, code="19", valid_to__isnull=True).first()
    chair = User.objects.filter(username="thainguyen").first()
    commune = Unit.objects.filter(level=Level.COMMUNE, code="02008", valid_to__isnull=True).first()
    if province is None or chair is None or commune is None:
        return 0
    subject = services.subject_save(
        user=None, kind="cooperative", name="Hợp tác xã mẫu Cẩm Giàng", unit=commune
    )
    products = [
        services.product_save(
            user=None,
            name=name,
            subject=subject,
            unit=commune,
            classification=code,
            description=SAMPLE,
        )  # fmt: skip
        for name, code in (("Gạo bao thai (mẫu)", "I.2.a"), ("Miến dong (mẫu)", "I.3.c"))
    ]
    rnd = services.round_save(
        user=None, unit=province, year=2026, number=1, held_on=datetime.date(2026, 11, 20),
        note="Đợt đánh giá mẫu.",
    )  # fmt: skip
    council.council_set(user=None, round=rnd, members=[(chair, "chair")])
    council.round_products_add(user=None, round=rnd, products=products)
    return len(products) + 1


@transaction.atomic
def demo_ocop_ensure() -> int:
    """Write the OCOP demo once; returns the number of products and rounds written."""
    if Product.objects.exists() or EvaluationRound.objects.exists() or Certificate.objects.exists():
        return 0
    sets = {s.code: s for s in services.sheets_load()}
    product_sheets_load(sets["OCOP-26-2026"])
    return _bac_kan() + _thai_nguyen()
