"""Villages (thôn) for the demo, on the communes of their time: the thôn of Xã Quân Hà (Bạch
Thông, Bắc Kạn) until 30/6/2025 and of the new Xã Cẩm Giàng (Thái Nguyên) from 1/7/2025. Names
are sample names, marked as such in the unit's source."""

import datetime

from django.db import transaction

from ntm.units.models import Kind, Level, Unit
from ntm.units.services import village_create

SOURCE = "Dữ liệu mẫu"
VILLAGES = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5"]


@transaction.atomic
def demo_villages_ensure() -> int:
    """Write the sample villages once; returns the number written."""
    if Unit.objects.filter(level=Level.VILLAGE).exists():
        return 0
    written = 0
    old = Unit.objects.filter(level=Level.COMMUNE, code="02005", valid_to__isnull=False).first()
    if old is not None:
        for n, name in enumerate(VILLAGES[:4], start=1):
            Unit.objects.create(
                code=f"{old.code}.{n:03d}", name=name, short_name=name, kind=Kind.VILLAGE,
                level=Level.VILLAGE, parent=old, valid_to=datetime.date(2025, 6, 30),
                source=SOURCE,
            )  # fmt: skip
            written += 1
    new = Unit.objects.filter(level=Level.COMMUNE, code="02008", valid_to__isnull=True).first()
    if new is not None:
        for name in VILLAGES:
            village = village_create(commune=new, name=name)
            Unit.objects.filter(pk=village.pk).update(
                source=SOURCE, valid_from=datetime.date(2025, 7, 1)
            )
            written += 1
    return written
