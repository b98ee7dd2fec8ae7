"""Resources for the demo, on the units of each record's year.

Published: Lạng Sơn spent 2.445 tỷ đồng on the programme in 2020 (split by source not published:
recorded under "Nguồn vốn khác" at the province), the community giving the equivalent of about 70
tỷ đồng; Bắc Kạn's people gave 177.165 m² of land, 27.955 workdays and more than 1,5 tỷ đồng from
2021 to October 2023 (recorded at the province for 2023, the year of the report). Everything else
is sample data: commune funding by source for Bắc Kạn 2023 and the valuation rates (a province
sets its own; the sample rates are marked as such).
"""

import random
from decimal import Decimal

from django.db import transaction

from ntm.resources.models import Contribution, ConversionRate, Funding, FundingSource
from ntm.resources.services import funding_sources_load
from ntm.units.models import Kind, Level, Unit

BILLION = Decimal(10) ** 9
SAMPLE_RATE = "Mức mẫu để minh họa (không phải văn bản của tỉnh)"


def _legacy(level, code) -> Unit | None:
    return Unit.objects.filter(level=level, code=code, valid_to__isnull=False).first()


def _published(sources) -> int:
    written = 0
    lang_son, bac_kan = _legacy(Level.PROVINCE, "20"), _legacy(Level.PROVINCE, "06")
    if lang_son is not None:
        Funding.objects.create(
            unit=lang_son, year=2020, source=sources["other"], allocated=2445 * BILLION,
            disbursed=2445 * BILLION,
            note="Tổng nguồn vốn thực hiện Chương trình năm 2020 (tỉnh công bố; không tách theo nguồn).",
        )  # fmt: skip
        written += 1
    if bac_kan is not None:
        Contribution.objects.create(
            unit=bac_kan, year=2023, land_m2=Decimal("177165"), workdays=27955,
            cash=Decimal("1.5") * BILLION,
            materials="Lũy kế 2021 - 10/2023 tỉnh công bố (tiền mặt: hơn 1,5 tỷ đồng).",
        )  # fmt: skip
        written += 1
    return written


def _sample(sources, rng: random.Random) -> int:
    bac_kan = _legacy(Level.PROVINCE, "06")
    if bac_kan is None:
        return 0
    communes = Unit.objects.filter(
        level=Level.COMMUNE, kind=Kind.COMMUNE, path__startswith=bac_kan.path
    ).order_by("code")[:24]
    rows = []
    for unit in communes:
        for code in ("ntm_central", "province_budget", "integrated", "community_cash"):
            allocated = Decimal(rng.randrange(200, 3000)) * 10**6
            share = Decimal(rng.randrange(55, 101)) / 100
            rows.append(
                Funding(
                    unit=unit,
                    year=2023,
                    source=sources[code],
                    allocated=allocated,
                    disbursed=(allocated * share).quantize(Decimal(1)),
                    note="Dữ liệu mẫu.",
                )  # fmt: skip
            )
    Funding.objects.bulk_create(rows)
    rates = [
        ConversionRate(
            province=bac_kan,
            year=2023,
            land_per_m2=Decimal(50000),
            workday=Decimal(200000),
            decision=SAMPLE_RATE,
        )  # fmt: skip
    ]
    lang_son = _legacy(Level.PROVINCE, "20")
    if lang_son is not None:
        rates.append(
            ConversionRate(
                province=lang_son,
                year=2020,
                land_per_m2=Decimal(40000),
                workday=Decimal(150000),
                decision=SAMPLE_RATE,
            )  # fmt: skip
        )
    ConversionRate.objects.bulk_create(rates)
    return len(rows) + len(rates)


@transaction.atomic
def demo_resources_ensure() -> int:
    """Write the resources demo once; returns the number of records written."""
    if Funding.objects.exists() or Contribution.objects.exists():
        return 0
    funding_sources_load()
    sources = {s.code: s for s in FundingSource.objects.all()}
    return _published(sources) + _sample(sources, random.Random(263))
