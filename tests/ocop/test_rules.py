"""Scoring sheets, stars, councils and validity: rules as data, checked at their edges."""

import datetime
from decimal import Decimal

import pytest

from ntm.ocop import rules, services
from ntm.ocop.models import ScoringSheet
from ntm.ocop.services import OcopDataError, OcopError

D = datetime.date


def test_shipped_sheets_parts_and_lines(sheets):
    old, new = sheets["OCOP-1048-2019"], sheets["OCOP-148-2023"]
    assert {p["code"]: p["max"] for p in old.parts} == {"A": 35, "B": 25, "C": 40}
    assert {p["code"]: p["max"] for p in new.parts} == {"A": 40, "B": 25, "C": 35}
    for sheet in (old, new):
        assert sheet.max_total == 100
        assert sheet.certified_min_stars == 3
        # No detailed lines could be sourced: one line per part, marked as set by the province.
        assert {(line.code, line.status) for line in sheet.lines.all()} == {
            ("A", "set_by_province"),
            ("B", "set_by_province"),
            ("C", "set_by_province"),
        }
    assert services.sheets_load() and ScoringSheet.objects.count() == 3  # idempotent


@pytest.mark.parametrize(
    "total, stars",
    [
        ("0", 1),
        ("29.99", 1),
        ("30", 2),
        ("49.99", 2),
        ("50", 3),
        ("69.99", 3),
        ("70", 4),
        ("89.99", 4),
        ("90", 5),
        ("100", 5),
    ],
)
def test_star_boundaries(sheets, total, stars):
    for sheet in sheets.values():
        assert sheet.stars_for(Decimal(total)) == stars


def test_sheet_version_by_date(sheets):
    assert services.sheet_for(D(2023, 2, 23)).code == "OCOP-1048-2019"
    assert services.sheet_for(D(2023, 2, 24)).code == "OCOP-148-2023"
    assert services.sheet_for(D(2025, 9, 1)).code == "OCOP-148-2023"
    with pytest.raises(OcopError):
        services.sheet_for(D(2018, 1, 1))


def test_council_level_by_date():
    before, after = D(2025, 7, 5), D(2025, 7, 6)
    assert [rules.council_level(before, s) for s in (3, 4, 5)] == [
        "district",
        "province",
        "central",
    ]
    assert [rules.council_level(after, s) for s in (3, 4, 5)] == [
        "province",
        "province",
        "ministry",
    ]
    assert rules.council_period(before)["dossier_check"] == ""
    assert rules.council_period(after)["dossier_check"] == "commune"
    assert rules.council_level(after, 2) == ""


def test_round_shows_the_councils_of_its_date(units, sheets, round_for):
    old = round_for(units.bac_kan, D(2025, 7, 5))
    new = round_for(units.bac_kan, D(2025, 7, 6), number=2)
    assert [c["level"] for c in old.councils] == ["district", "province", "central"]
    assert old.dossier_check_label == ""
    assert [c["level"] for c in new.councils] == ["province", "province", "ministry"]
    assert new.dossier_check_label == "cấp xã"


@pytest.mark.parametrize(
    "issued, last_valid",
    [
        (D(2023, 3, 15), D(2026, 3, 14)),
        (D(2024, 2, 29), D(2027, 2, 28)),
        (D(2022, 1, 1), D(2024, 12, 31)),
        (D(2023, 8, 31), D(2026, 8, 30)),
    ],
)
def test_validity_is_36_months_minus_one_day(issued, last_valid):
    assert rules.certificate_valid_to(issued) == last_valid


def test_sheet_data_is_checked():
    data = services.shipped_sheets()["OCOP-148-2023"]
    services.validate_sheet_data(data)
    bad = {**data, "lines": [{**data["lines"][0], "max": 41}, *data["lines"][1:]]}
    with pytest.raises(OcopDataError):
        services.validate_sheet_data(bad)
    gap = {
        **data,
        "star_bands": [b if b["stars"] != 4 else {**b, "min": 71} for b in data["star_bands"]],
    }
    with pytest.raises(OcopDataError):
        services.validate_sheet_data(gap)


def test_six_groups_from_148():
    assert [name for _c, name in rules.group_choices()] == [
        "Thực phẩm",
        "Đồ uống",
        "Dược liệu và sản phẩm từ dược liệu",
        "Thủ công mỹ nghệ",
        "Sinh vật cảnh",
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
    ]
