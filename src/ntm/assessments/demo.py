"""Sample results for the demo, rebuilt from figures the provinces published.

Bắc Kạn, 2023 (year-end conference, 12/3/2024): 29 xã met all 19 criteria, 5 met 15-18, 33 met
10-14 and 28 met 5-9; 12,81 criteria per xã on average, up 0,36 on 2022; 5 of 17 planned xã
recognised NTM and 2 of 6 NTM nâng cao; on the NTM nâng cao set 4 xã met 19 criteria, 1 met
10-14, 9 met 5-9 and 9 fewer than 5, 7,6 criteria per xã. Pác Nặm and Ngân Sơn had no NTM xã.

Lạng Sơn, 2020 (conference of 25/2/2021): 16 more xã recognised NTM, 65 in all; 4 xã NTM nâng
cao; 12,97 criteria per xã, up 1,43 on 2019; in Lộc Bình Yên Khoái, Hữu Khánh, Đồng Bục, Tú
Đoạn, Khuất Xá and Tú Mịch met all 19 criteria.

Which commune had which result was not published (except those six), so the demo spreads the
counts over the communes at random (seeded): every record says so in its notes. Decisions of
years with results are backed by an approved result meeting the set; earlier ones are recorded
as a history import (no result on record), as a province does at go-live.
"""

import datetime
import random

from django.db import transaction

from ntm.assessments.demo_build import (
    SAMPLE_NOTE,
    SAMPLE_NOTE_UNPUBLISHED,
    Row,
    SetWriter,
    earlier,
    order_for,
    spread,
)
from ntm.assessments.models import Assessment, State
from ntm.assessments.recognitions import recognition_record
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.units.models import Kind, Level, Unit

HISTORY_REASON = (
    "Dữ liệu mẫu: quyết định trước năm có kết quả đánh giá trên hệ thống (nạp lịch sử)."
)

BAC_KAN = {
    "bands_2023": [(19, 19, 29), (15, 18, 5), (10, 14, 33), (5, 9, 28)],
    "average_2023": "12.81",
    "average_2022": "12.45",  # 12,81 - 0,36
    "recognised_2023": {"ntm": 5, "advanced": 2},
    "advanced_bands_2023": [(19, 19, 4), (10, 14, 1), (5, 9, 9), (0, 4, 9)],
    "advanced_average_2023": "7.6",
    "no_ntm_districts": ("060", "062"),  # Pác Nặm, Ngân Sơn
}
BAC_KAN_EARLIER_NTM = 23  # the xã scored on the NTM nâng cao set in 2023 (4+1+9+9)
LANG_SON = {
    "average_2020": "12.97",
    "average_2019": "11.54",  # 12,97 - 1,43
    "ntm_total_2020": 65,
    "ntm_new_2020": 16,
    "advanced_2020": 4,
    "loc_binh_all_19": ["06541", "06550", "06553", "06562", "06565", "06547"],
}


def _communes(province_code: str) -> list[Unit]:
    province = Unit.objects.filter(
        level=Level.PROVINCE, code=province_code, valid_to__isnull=False
    ).first()
    if province is None:
        return []
    return list(
        Unit.objects.filter(
            level=Level.COMMUNE, kind=Kind.COMMUNE, path__startswith=province.path
        ).order_by("code")
    )


def _total(average: str, n: int) -> int:
    return round(float(average) * n)


def _rows(communes, year, counts, orders, notes=SAMPLE_NOTE) -> list[Row]:
    return [
        Row(unit=c, year=year, met=set(orders[c.pk][:k]), notes=notes)
        for c, k in zip(communes, counts, strict=True)
    ]


def _record(unit, level, cset, year, number, day, *, history=False) -> None:
    recognition_record(
        unit=unit,
        level=level,
        criteria_set=cset,
        year=year,
        action="recognised",
        decision_number=number,
        decision_date=day,
        signer="(mẫu)",
        history_reason=HISTORY_REASON if history else "",
    )


def _sets(*codes) -> dict[str, CriteriaSet]:
    found = {s.code: s for s in CriteriaSet.objects.filter(code__in=codes)}
    return found if len(found) == len(codes) else {}


def _bac_kan_groups(communes, rng):
    """Positions of the xã NTM before 2023, recognised in 2023, and the others."""
    eligible = [
        i
        for i, c in enumerate(communes)
        if c.path.split("/")[2] not in _district_ids(BAC_KAN["no_ntm_districts"])
    ]
    chosen = rng.sample(eligible, BAC_KAN_EARLIER_NTM + BAC_KAN["recognised_2023"]["ntm"] + 1)
    return chosen[:BAC_KAN_EARLIER_NTM], chosen[BAC_KAN_EARLIER_NTM:-1], chosen[-1]


def _district_ids(codes) -> set[str]:
    return {
        str(pk)
        for pk in Unit.objects.filter(
            level=Level.DISTRICT, code__in=codes, valid_to__isnull=False
        ).values_list("pk", flat=True)
    }


def _bac_kan(sets, rng) -> int:
    communes = _communes("06")
    if not communes:
        return 0
    n = len(communes)
    prior, new, extra = _bac_kan_groups(communes, rng)
    at_19 = [*prior, *new, extra]
    others = spread(BAC_KAN["bands_2023"][1:], _total(BAC_KAN["average_2023"], n) - 29 * 19, rng)
    rng.shuffle(others)
    rest = iter(others)
    counts_2023 = [19 if i in at_19 else next(rest) for i in range(n)]
    counts_2022 = earlier(
        counts_2023, _total(BAC_KAN["average_2022"], n), keep=prior, drop=[*new, extra], rng=rng
    )
    writer = SetWriter(sets["NTM-XA-2021"])
    orders = {c.pk: order_for(writer.numbers, rng) for c in communes}
    writer.write(_rows(communes, 2022, counts_2022, orders), rng)
    writer.write(_rows(communes, 2023, counts_2023, orders), rng)
    # The NTM nâng cao set, 2023: the xã recognised NTM before.
    advanced = spread(BAC_KAN["advanced_bands_2023"], 175, rng)  # 175/23 = 7,6
    nc = SetWriter(sets["NTM-XA-NC-2021"])
    nc_communes = [communes[i] for i in prior]
    nc_orders = {c.pk: order_for(nc.numbers, rng) for c in nc_communes}
    nc.write(_rows(nc_communes, 2023, advanced, nc_orders), rng)
    # Decisions: 4 of the earlier xã in 2022 (results on record), the rest before (history).
    for k, i in enumerate(prior):
        if k < 4:
            year, cset, history = 2022, sets["NTM-XA-2021"], False
        else:
            year = 2016 + k % 6
            cset, history = sets["NTM-XA-2016" if year <= 2020 else "NTM-XA-2021"], True
        day = datetime.date(year, 12, 20)
        _record(communes[i], "ntm", cset, year, f"MẪU-{k + 1:02d}/QĐ-UBND", day, history=history)
    for k, i in enumerate(new):
        _record(communes[i], "ntm", sets["NTM-XA-2021"], 2023, f"MẪU-{k + 31:02d}/QĐ-UBND", _DAY_BK)
    for k, c in enumerate(nc_communes[j] for j, v in enumerate(advanced) if v == 19):
        if k < BAC_KAN["recognised_2023"]["advanced"]:
            _record(c, "advanced", sets["NTM-XA-NC-2021"], 2023, f"MẪU-{k + 41}/QĐ-UBND", _DAY_BK)
    return 2 * n + len(nc_communes)


_DAY_BK = datetime.date(2023, 12, 29)
_DAY_LS = datetime.date(2020, 12, 28)


def _lang_son(sets, rng) -> int:
    communes = _communes("20")
    if not communes:
        return 0
    n = len(communes)
    named = {c.code for c in communes} & set(LANG_SON["loc_binh_all_19"])
    named_pos = [i for i, c in enumerate(communes) if c.code in named]
    pool = [i for i in range(n) if i not in named_pos]
    held = [*named_pos, *rng.sample(pool, LANG_SON["ntm_total_2020"] - len(named_pos))]
    rng.shuffle(held)
    new = held[: LANG_SON["ntm_new_2020"]]
    prior = held[LANG_SON["ntm_new_2020"] :]
    total_2020 = _total(LANG_SON["average_2020"], n)
    others = spread([(4, 18, n - len(held))], total_2020 - 19 * len(held), rng)
    rng.shuffle(others)
    rest = iter(others)
    counts_2020 = [19 if i in held else next(rest) for i in range(n)]
    counts_2019 = earlier(
        counts_2020, _total(LANG_SON["average_2019"], n), keep=prior, drop=new, rng=rng
    )
    writer = SetWriter(sets["NTM-XA-2016"])
    orders = {c.pk: order_for(writer.numbers, rng) for c in communes}
    writer.write(_rows(communes, 2019, counts_2019, orders), rng)
    writer.write(_rows(communes, 2020, counts_2020, orders), rng)
    # NTM nâng cao (2018-2020 set) in 2020: the 4 recognised and 8 others of the earlier xã.
    nc = SetWriter(sets["NTM-XA-NC-2018"])
    nc_communes = [communes[i] for i in prior[:12]]
    nc_counts = [19] * LANG_SON["advanced_2020"] + [rng.randint(9, 17) for _ in range(8)]
    nc_orders = {c.pk: order_for(nc.numbers, rng) for c in nc_communes}
    nc.write(_rows(nc_communes, 2020, nc_counts, nc_orders, SAMPLE_NOTE_UNPUBLISHED), rng)
    for k, i in enumerate(prior):  # 2019 decisions are backed by 2019 results; earlier: history
        year = 2019 if k < 12 else 2016 + k % 3
        day = datetime.date(year, 12, 20)
        _record(
            communes[i], "ntm", sets["NTM-XA-2016"], year, f"MẪU-{k + 1:03d}/QĐ-UBND", day,
            history=year < 2019,
        )  # fmt: skip
    for k, i in enumerate(new):
        _record(communes[i], "ntm", sets["NTM-XA-2016"], 2020, f"MẪU-{k + 101}/QĐ-UBND", _DAY_LS)
    for k, c in enumerate(nc_communes[: LANG_SON["advanced_2020"]]):
        _record(c, "advanced", sets["NTM-XA-NC-2018"], 2020, f"MẪU-{k + 131}/QĐ-UBND", _DAY_LS)
    return 2 * n + len(nc_communes)


@transaction.atomic
def demo_results_ensure() -> int:
    """Write the sample results and decisions of Bắc Kạn (2022-2023) and Lạng Sơn (2019-2020)
    once; returns the number of results written (0 when they are there)."""
    codes = ("NTM-XA-2016", "NTM-XA-2021", "NTM-XA-NC-2018", "NTM-XA-NC-2021")
    if not _sets(*codes):
        criteria_load(codes=list(codes))
    sets = _sets(*codes)
    written = 0
    bk = _communes("06")
    if bk and not Assessment.objects.filter(unit__in=bk, year__in=(2022, 2023)).exists():
        written += _bac_kan(sets, random.Random(2023))
    ls = _communes("20")
    if ls and not Assessment.objects.filter(unit__in=ls, year__in=(2019, 2020)).exists():
        written += _lang_son(sets, random.Random(2020))
    return written


# -- the current map: Thái Nguyên from 1/7/2025 --------------------------------------------

CURRENT_COMMUNE = "02008"  # Xã Cẩm Giàng (Quân Hà, Nguyên Phúc, Cẩm Giàng, Mỹ Thanh merged)
CURRENT_RESULTS_2026 = 36


@transaction.atomic
def demo_current_ensure() -> int:
    """2026 results on the 2026 set for some xã of the new Thái Nguyên (approved), and a draft
    of Xã Cẩm Giàng; returns the number written (0 when they are there)."""
    cset = CriteriaSet.objects.filter(code="NTM-XA-2026").first()
    province = Unit.objects.filter(level=Level.PROVINCE, code="19", valid_to__isnull=True).first()
    if cset is None:
        criteria_load(codes=["NTM-XA-2026"])
        cset = CriteriaSet.objects.filter(code="NTM-XA-2026").first()
    if province is None:
        return 0
    communes = list(
        Unit.objects.filter(
            level=Level.COMMUNE, kind=Kind.COMMUNE, path__startswith=province.path
        ).order_by("code")
    )
    if Assessment.objects.filter(unit__in=communes, year=2026).exists():
        return 0
    rng = random.Random(2026)
    own = next((c for c in communes if c.code == CURRENT_COMMUNE), None)
    others = rng.sample([c for c in communes if c != own], CURRENT_RESULTS_2026)
    others.sort(key=lambda c: c.code)
    writer = SetWriter(cset)
    counts = [rng.choice((3, 4, 5, 6, 6, 7, 7, 8, 8, 9, 10)) for _ in others]
    orders = {c.pk: order_for(writer.numbers, rng) for c in others}
    rows = _rows(others, 2026, counts, orders, SAMPLE_NOTE_UNPUBLISHED)
    if own is not None:
        order = order_for(writer.numbers, rng)
        rows.append(
            Row(
                unit=own,
                year=2026,
                met=set(order[:5]),
                state=State.DRAFT,
                undecided=set(order[7:]),
                notes=SAMPLE_NOTE_UNPUBLISHED,
            )
        )
    writer.write(rows, rng)
    return len(rows)
