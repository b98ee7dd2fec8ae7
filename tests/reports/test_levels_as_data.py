"""Adding a recognition level is a data change only: a fixture file with one made-up commune level
("modern"), a set and a recognition at that level, and the level shows up in the summary, its
JSON (API), the annual report, the plan forms and the national dashboard — no code, no migration."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from ntm.assessments.recognitions import RecognitionError, recognition_record
from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.plans.forms import RoadmapForm
from ntm.reports.annual import annual_report, national_report
from ntm.reports.document import Paragraph
from ntm.reports.selectors import progress_summary

EXTRA = Path(__file__).parent / "data" / "recognition_levels_extra.json"


def _modern_set() -> CriteriaSet:
    cset = CriteriaSet(
        code="TEST-XA-MODERN",
        name="Bộ thử nghiệm",
        decision_number="TEST",
        period_start=2021,
        period_end=2025,
        applies_to="commune",
        level="modern",
        threshold_basis="none",
        bands=[{"label": "0", "min": 0, "max": 0}],
    )
    cset.full_clean()  # the level is checked against the data file
    cset.save()
    return cset


def _recognise(unit, cset):
    return recognition_record(
        unit=unit,
        level="modern",
        criteria_set=cset,
        year=2023,
        action="recognised",
        decision_number="99/QĐ-UBND",
        decision_date=datetime.date(2023, 12, 20),
        override_reason="kiểm thử mức mới",
    )


@pytest.fixture
def extra_levels(settings, units):
    criteria_load(codes=["NTM-XA-2021"])  # the set in force: the summary counts under it
    settings.NTM_RECOGNITION_LEVELS_FILE = str(EXTRA)
    yield
    recognition_levels._cached.cache_clear()


def test_the_shipped_file_does_not_know_the_made_up_level(units):
    assert "modern" not in recognition_levels.codes()
    with pytest.raises(ValidationError):
        _modern_set()


def test_a_made_up_level_from_a_fixture_reaches_the_summary(units, users, extra_levels):
    assert recognition_levels.commune_levels() == ["ntm", "advanced", "modern", "model"]
    cset = _modern_set()
    commune = units.ba_be_commune
    _recognise(commune, cset)

    summary = progress_summary(unit=units.bac_kan, year=2023)
    assert summary.recognised_total == {"modern": 1}
    assert summary.recognised_new == {"modern": 1}
    data = summary.as_dict()
    assert data["recognition_levels"] == [
        {"code": "modern", "label": "Xã nông thôn mới thử nghiệm", "unit_level": "commune"}
    ]

    api = APIClient()
    api.force_authenticate(users.coordinator)
    body = api.get("/api/v1/reports/summary/", {"unit": "06", "year": 2023}).json()
    assert body["recognised_total"] == {"modern": 1}
    assert body["recognition_levels"][0]["code"] == "modern"


def test_the_annual_report_and_forms_name_the_new_level(units, extra_levels):
    _recognise(units.ba_be_commune, _modern_set())

    report = annual_report(unit=units.bac_kan, year=2023)
    texts = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    assert any(
        "có 1 xã đạt chuẩn nông thôn mới thử nghiệm được công nhận mới" in t for t in texts
    ), texts
    table = next(t for t in report.tables() if t.key == "cong_nhan")
    assert table.rows[1][:4] == ["Xã nông thôn mới thử nghiệm", 1, 0, 1]

    national = next(t for t in national_report(year=2023).tables() if t.key == "tinh")
    assert "Xã NTM thử nghiệm (lũy kế)" in national.columns
    column = national.columns.index("Xã NTM thử nghiệm (lũy kế)")
    assert national.total[column] == 1

    form = RoadmapForm(data={"unit_code": "x", "level": "modern", "target_year": 2024})
    form.is_valid()
    assert "level" not in form.errors
    assert ("modern", "Xã nông thôn mới thử nghiệm") in form.fields["level"].choices


def test_an_unknown_level_is_refused_when_recording(units, extra_levels):
    cset = CriteriaSet.objects.create(
        code="TEST-XA-X",
        name="x",
        decision_number="TEST",
        period_start=2021,
        period_end=2025,
        applies_to="commune",
        level="ntm",
        threshold_basis="none",
        bands=[],
    )
    with pytest.raises(RecognitionError, match="Mức công nhận không hợp lệ"):
        recognition_record(
            unit=units.ba_be_commune,
            level="smart",
            criteria_set=cset,
            year=2023,
            action="recognised",
            decision_number="1/QĐ",
            decision_date=datetime.date(2023, 12, 20),
            override_reason="x",
        )


def test_the_dashboards_show_the_new_level(units, users, client_for, extra_levels):
    _recognise(units.ba_be_commune, _modern_set())
    national = client_for(users.national).get("/?year=2023&sort=-modern").content.decode()
    assert 'sort=modern">NTM thử nghiệm</a></th>' in national  # a column, sortable
    row = national[national.index('data-code="06"') :]
    row = row[: row.index("</tr>")]
    assert row.endswith('<td class="num">0</td><td class="num">1</td><td class="num">0</td>')
    province = client_for(users.coordinator).get("/?year=2023").content.decode()
    assert "1 xã NTM thử nghiệm" in province  # the recognised KPI's second line
