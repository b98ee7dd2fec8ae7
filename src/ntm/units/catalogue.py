"""Reads the official unit lists shipped by the `vietnamadminunits` package (MIT).

Two lists: the 63-province three-level list in force until 30/6/2025 and the 34-province
two-level list from 1/7/2025, with the package's old -> new mapping. This module only reads
and reshapes them into plain records; `services.units_load` writes them.
"""

import datetime
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from vietnamadminunits.database import query

from ntm.units.models import REORGANISATION_DATE, Kind, Level

LEGACY_END = REORGANISATION_DATE - datetime.timedelta(days=1)
SOURCE_LEGACY = "vietnamadminunits: danh mục 63 tỉnh (đến 30/6/2025)"
SOURCE_2025 = "vietnamadminunits: danh mục 34 tỉnh (từ 1/7/2025)"

_PROVINCE_KIND = {"Tỉnh": Kind.PROVINCE, "Thành phố": Kind.CITY_CENTRAL}
_DISTRICT_KIND = {
    "Huyện": Kind.RURAL_DISTRICT,
    "Quận": Kind.URBAN_DISTRICT,
    "Thị xã": Kind.TOWN,
    "Thành phố": Kind.CITY,
}
_WARD_KIND = {
    "Xã": Kind.COMMUNE,
    "Phường": Kind.WARD,
    "Thị trấn": Kind.TOWNLET,
    "Đặc khu": Kind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class UnitRecord:
    level: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_key: tuple | None
    latitude: float | None
    longitude: float | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    source: str

    @property
    def key(self) -> tuple:
        return (self.level, self.code, self.valid_to)


@dataclass
class Catalogue:
    units: list[UnitRecord] = field(default_factory=list)
    # (old unit key, new unit key, is_default, split)
    links: list[tuple[tuple, tuple, bool, bool]] = field(default_factory=list)


def _province_kind(full_name: str) -> str:
    return _PROVINCE_KIND["Thành phố" if full_name.startswith("Thành phố") else "Tỉnh"]


def _province_prefix(full_name: str) -> str:
    return "Thành phố" if full_name.startswith("Thành phố") else "Tỉnh"


@cache
def _mapping() -> dict:
    text = (
        resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text("utf-8")
    )
    return json.loads(text)


@cache
def province_regions() -> tuple[dict[str, str], str]:
    """Legacy province code -> region code (the 7 regions of 318/QĐ-TTg), and the data's source."""
    text = resources.files("ntm.units").joinpath("data/regions.json").read_text("utf-8")
    data = json.loads(text)
    regions = {
        code: region for region, item in data["regions"].items() for code in item["provinces"]
    }
    return regions, data["source_short"]


@cache
def legacy_province_codes() -> dict[str, str]:
    rows = query("SELECT DISTINCT provinceCode, provinceShort FROM admin_units_legacy")
    return {r["provinceCode"]: r["provinceShort"] for r in rows}


def _in_clause(codes: list[str]) -> str:
    # Codes were checked against legacy_province_codes(): digits only, safe to inline.
    return ",".join(f"'{c}'" for c in codes)


def read_catalogue(province_codes: list[str] | None) -> Catalogue:
    """Records for the given legacy provinces (None = all) and the new provinces absorbing them."""
    where = f" WHERE provinceCode IN ({_in_clause(province_codes)})" if province_codes else ""
    legacy = query(f"SELECT * FROM admin_units_legacy{where} ORDER BY wardCode")
    mapping = _mapping()
    old_province_keys = {r["provinceKey"] for r in legacy}
    new_province_keys = [
        new_key
        for new_key, old_keys in mapping["DICT_PROVINCE"].items()
        if old_province_keys.intersection(old_keys)
    ]
    keys_sql = ",".join(f"'{k}'" for k in new_province_keys if k.isalnum())
    current = query(
        f"SELECT * FROM admin_units WHERE provinceKey IN ({keys_sql}) ORDER BY wardCode"
    )

    cat = Catalogue()
    seen: set[tuple] = set()
    old_by_full_key: dict[str, tuple] = {}
    old_province_by_key: dict[str, tuple] = {}

    def add(record: UnitRecord) -> None:
        if record.key not in seen:
            seen.add(record.key)
            cat.units.append(record)

    for r in legacy:
        province, district = _legacy_province_district(r)
        add(province)
        add(district)
        old_province_by_key[r["provinceKey"]] = province.key
        full_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        if r["wardCode"] is None:  # island districts without communes
            old_by_full_key[full_key] = district.key
            continue
        ward = _legacy_ward(r, district)
        add(ward)
        old_by_full_key[full_key] = ward.key

    new_by_key: dict[tuple[str, str], tuple] = {}
    new_province_by_key: dict[str, tuple] = {}
    for r in current:
        province, ward = _current_records(r)
        add(province)
        add(ward)
        new_province_by_key[r["provinceKey"]] = province.key
        new_by_key[(r["provinceKey"], r["wardKey"])] = ward.key

    cat.links += _links(
        mapping,
        new_province_keys,
        old_province_by_key,
        new_province_by_key,
        old_by_full_key,
        new_by_key,
    )
    return cat


def _legacy_province_district(r: dict) -> tuple[UnitRecord, UnitRecord]:
    prefix = _province_prefix(r["province"])
    province = UnitRecord(
        Level.PROVINCE,
        r["provinceCode"],
        f"{prefix} {r['provinceShort']}",
        r["provinceShort"],
        _province_kind(r["province"]),
        None,
        r["provinceLat"],
        r["provinceLon"],
        None,
        LEGACY_END,
        SOURCE_LEGACY,
    )
    district = UnitRecord(
        Level.DISTRICT,
        r["districtCode"],
        f"{r['districtType']} {r['districtShort']}",
        r["districtShort"],
        _DISTRICT_KIND[r["districtType"]],
        province.key,
        r["districtLat"],
        r["districtLon"],
        None,
        LEGACY_END,
        SOURCE_LEGACY,
    )
    return province, district


def _legacy_ward(r: dict, district: UnitRecord) -> UnitRecord:
    return UnitRecord(
        Level.COMMUNE,
        r["wardCode"],
        f"{r['wardType']} {r['wardShort']}",
        r["wardShort"],
        _WARD_KIND[r["wardType"]],
        district.key,
        r["wardLat"],
        r["wardLon"],
        None,
        LEGACY_END,
        SOURCE_LEGACY,
    )


def _current_records(r: dict) -> tuple[UnitRecord, UnitRecord]:
    prefix = _province_prefix(r["province"])
    province = UnitRecord(
        Level.PROVINCE,
        r["provinceCode"],
        f"{prefix} {r['provinceShort']}",
        r["provinceShort"],
        _province_kind(r["province"]),
        None,
        r["provinceLat"],
        r["provinceLon"],
        REORGANISATION_DATE,
        None,
        SOURCE_2025,
    )
    ward = UnitRecord(
        Level.COMMUNE,
        r["wardCode"],
        f"{r['wardType']} {r['wardShort']}",
        r["wardShort"],
        _WARD_KIND[r["wardType"]],
        province.key,
        r["wardLat"],
        r["wardLon"],
        REORGANISATION_DATE,
        None,
        SOURCE_2025,
    )
    return province, ward


def _links(
    mapping,
    new_province_keys,
    old_province_by_key,
    new_province_by_key,
    old_by_full_key,
    new_by_key,
) -> list[tuple]:
    """(old key, new key, is the default successor, was divided) for every province and commune
    of the 2025 reorganisation, from the mapping's three dictionaries."""
    links = []
    for new_key in new_province_keys:
        for old_key in mapping["DICT_PROVINCE"][new_key]:
            if old_key in old_province_by_key:
                links.append(
                    (old_province_by_key[old_key], new_province_by_key[new_key], True, False)
                )
        for new_ward, old_full_keys in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"][new_key].items():
            for old_full in old_full_keys:
                if old_full in old_by_full_key:
                    links.append(
                        (old_by_full_key[old_full], new_by_key[(new_key, new_ward)], True, False)
                    )
        divided = mapping["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {})
        for old_full, parts in divided.items():
            if old_full not in old_by_full_key:
                continue
            for part in parts:
                links.append(
                    (
                        old_by_full_key[old_full],
                        new_by_key[(new_key, part["newWardKey"])],
                        bool(part["isDefaultNewWard"]),
                        True,
                    )
                )
    return links
