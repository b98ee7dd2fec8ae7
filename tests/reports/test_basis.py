"""Official figures count approved results only; provisional ones say so with their coverage."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ntm.assessments.models import Assessment, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.reports.annual import annual_report
from ntm.reports.selectors import APPROVED, PROVISIONAL, progress_summary
from ntm.reports.word import report_docx
from ntm.reports.workbook import report_workbook
from ntm.units.models import Kind, Unit
from tests.reports.test_annual import _docx_text


@pytest.fixture
def draft_2024(units):
    """2023: three approved xã of Bắc Kạn (12, 13, 14 criteria). 2024: one approved xã (13) and
    Quân Hà's draft with 18 — the draft must not move any official figure."""
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    others = list(
        Unit.objects.filter(kind=Kind.COMMUNE, path__startswith=units.bac_kan.path)
        .exclude(pk=units.quan_ha.pk)
        .filter(valid_to__isnull=False)
        .order_by("code")[:3]
    )
    for commune, met in zip(others, (12, 13, 14), strict=True):
        Assessment.objects.create(
            unit=commune, year=2023, criteria_set=cset, state=State.APPROVED, criteria_met=met
        )
    Assessment.objects.create(
        unit=others[0], year=2024, criteria_set=cset, state=State.APPROVED, criteria_met=13
    )
    draft = Assessment.objects.create(
        unit=units.quan_ha, year=2024, criteria_set=cset, state=State.DRAFT, criteria_met=18
    )
    return draft


def test_default_summary_counts_approved_only_and_says_so(units, draft_2024):
    s = progress_summary(unit=units.bac_kan, year=2024)
    assert s.basis == APPROVED
    assert (s.communes_assessed, s.communes_approved, s.communes_pending) == (1, 1, 1)
    assert str(s.criteria_met_average) == "13.00"
    assert str(s.criteria_met_average_provisional) == "15.50"
    assert str(s.criteria_met_average_previous) == "13.00"  # 2023, approved too
    assert s.criteria_met_average_change == 0
    assert s.coverage_text() == "1/95 xã đã phê duyệt; 1 xã có kết quả chưa phê duyệt, không tính"
    assert "Số liệu chính thức" in s.basis_text()
    assert s.change_basis_text() == "cùng tính trên kết quả đã phê duyệt của hai năm"

    p = progress_summary(unit=units.bac_kan, year=2024, basis=PROVISIONAL)
    assert p.basis == PROVISIONAL and p.communes_assessed == 2
    assert str(p.criteria_met_average) == "15.50"
    assert p.coverage_text() == "1/95 xã đã phê duyệt; 1 xã tạm tính"
    assert p.as_dict()["basis"] == "provisional" and p.as_dict()["communes_approved"] == 1


def test_a_draft_never_reaches_the_annual_report(units, users, client_for, draft_2024):
    report = annual_report(unit=units.bac_kan, year=2024)
    text = _docx_text(report_docx(report))
    assert "Bình quân đạt 13,00 tiêu chí/xã, không đổi so với năm 2023" in text
    assert "15,50" not in text
    assert "1/95 xã đã phê duyệt; 1 xã có kết quả chưa phê duyệt, không tính" in text
    sheets = load_workbook(io.BytesIO(report_workbook(report)))
    cells = {str(c.value) for ws in sheets for row in ws.iter_rows() for c in row if c.value}
    assert "15.5" not in cells and "13" in cells
    printed = client_for(users.coordinator).get(
        "/reports/annual/", {"unit": units.bac_kan.pk, "year": 2024}
    )
    body = printed.content.decode()
    assert printed.status_code == 200 and "13,00 tiêu chí/xã" in body and "15,50" not in body


def test_a_draft_never_reaches_the_public_pages(units, draft_2024):
    from django.test import Client

    public = Client()
    province = public.get(f"/public/{units.bac_kan.pk}/?year=2024").content.decode()
    assert 'id="public-average">13<' in province and "1/95 xã đã phê duyệt" in province
    commune = public.get(f"/public/{units.quan_ha.pk}/?year=2024").content.decode()
    assert "Chưa có kết quả đánh giá đã phê duyệt" in commune and "18/19" not in commune


def test_api_and_command_default_to_approved(units, users, draft_2024, capsys):
    api = APIClient()
    api.force_authenticate(users.coordinator)
    url = "/api/v1/reports/summary/"
    data = api.get(url, {"unit": "06", "year": 2024}).json()
    assert data["basis"] == "approved" and data["communes_assessed"] == 1
    assert data["communes_approved"] == 1 and data["criteria_met_average"] == 13.0
    working = api.get(url, {"unit": "06", "year": 2024, "basis": "provisional"}).json()
    assert working["basis"] == "provisional" and working["criteria_met_average"] == 15.5
    assert api.get(url, {"unit": "06", "year": 2024, "basis": "x"}).status_code == 400

    call_command("report", "summary", "--unit", "06", "--year", "2024", "--format", "json")
    official = json.loads(capsys.readouterr().out)
    assert official["basis"] == "approved" and official["criteria_met_average"] == 13.0
    call_command(
        "report", "summary", "--unit", "06", "--year", "2024", "--format", "json", "--provisional"
    )
    provisional = json.loads(capsys.readouterr().out)
    assert provisional["basis"] == "provisional" and provisional["communes_assessed"] == 2
    call_command("report", "summary", "--unit", "06", "--year", "2024", "--provisional")
    assert "Số liệu tạm tính" in capsys.readouterr().out


def test_approving_changes_the_official_dashboard_figure(units, users, client_for, draft_2024):
    client = client_for(users.coordinator)
    url = f"/?unit={units.bac_kan.pk}&year=2024"
    before = client.get(url).content.decode()
    assert 'id="kpi-average">13<' in before
    assert "Tạm tính: 15,5 tiêu chí/xã — 1/95 xã đã phê duyệt; 1 xã tạm tính" in before
    working = client.get(url + "&basis=provisional").content.decode()
    assert 'id="kpi-average">15,5<' in working and "Số liệu tạm tính" in working
    draft_2024.state = State.APPROVED
    draft_2024.save()  # a save refreshes the kept figures (a bare UPDATE would not)
    after = client.get(url).content.decode()
    assert 'id="kpi-average">15,5<' in after and 'id="kpi-provisional"' not in after
    assert "2/95 xã đã phê duyệt" in after
