"""The merged-commune table on the shipped units: Bắc Kạn's communes → Thái Nguyên (1/7/2025)."""

import datetime

from ntm.assessments.models import Recognition
from ntm.reports.merged import merged_communes, merged_counts, merged_of_commune
from ntm.units.models import Unit, UnitLink

D = datetime.date


def _old(code):
    return Unit.objects.get(code=code, level=3, valid_to__isnull=False)


def _recognise(unit, small_set, level="ntm", action="recognised", day=None, n="1"):
    day = day or D(2022, 12, 20)
    Recognition.objects.create(
        unit=unit,
        level=level,
        criteria_set=small_set.set,
        year=day.year,
        action=action,
        decision_number=f"{n}/QĐ-{unit.code}",
        decision_date=day,
    )


def test_thai_nguyen_table(units, small_set, django_assert_max_num_queries):
    cam_giang = units.quan_ha_successor  # Quân Hà, Nguyên Phúc, Cẩm Giàng, Mỹ Thanh → Cẩm Giàng
    for old in cam_giang.predecessor_links.all():
        _recognise(old.old, small_set)
    _recognise(_old("01849"), small_set)  # Dương Quang → Phong Quang (with Đôn Phong)
    _recognise(_old("01984"), small_set, day=D(2021, 12, 1))
    _recognise(_old("01984"), small_set, action="revoked", day=D(2024, 6, 1), n="2")
    # Recognised after 30/6/2025: not a predecessor's standing.
    _recognise(_old("01858"), small_set, day=D(2025, 8, 1))

    with django_assert_max_num_queries(5):
        rows = merged_communes(unit=units.thai_nguyen)
    assert len(rows) == 77  # the xã of Thái Nguyên formed from Bắc Kạn's communes
    links = UnitLink.objects.filter(
        new__path__startswith=units.thai_nguyen.path, new__kind="xa", new__level=3
    )
    assert sum(len(r["predecessors"]) for r in rows) == links.count() > 77
    by_code = {r["code"]: r for r in rows}
    row = by_code[cam_giang.code]
    assert sorted(p["name"] for p in row["predecessors"]) == [
        "Xã Cẩm Giàng",
        "Xã Mỹ Thanh",
        "Xã Nguyên Phúc",
        "Xã Quân Hà",
    ]
    assert (row["standing"], row["predecessors_ntm"], row["predecessor_communes"]) == ("all", 4, 4)
    phong_quang = by_code["01849"]
    assert [(p["name"], p["levels"]) for p in phong_quang["predecessors"]] == [
        ("Xã Dương Quang", ["ntm"]),
        ("Xã Đôn Phong", []),
    ]
    assert phong_quang["standing"] == "some"
    assert by_code["01864"]["standing"] == "none"  # Bằng Thành: recognised only after 1/7/2025
    assert merged_counts(rows) == {"all": 1, "some": 1, "none": 75}
    assert merged_of_commune(cam_giang)["code"] == cam_giang.code
    assert merged_of_commune(units.quan_ha) is None
