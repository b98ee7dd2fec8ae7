"""The province opens a commune's recognition dossier, uploads the missing document, decides."""

import datetime

import pytest

from ntm.accounts.models import Role
from ntm.assessments.models import State
from ntm.assessments.services import (
    ManualResult,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.dossiers.models import Dossier
from ntm.dossiers.services import document_add, dossier_create, survey_record
from ntm.units.models import Level, Unit
from ntm.units.services import units_load
from tests.conftest import TEST_PASSWORD, UserFactory, _set
from tests.dossiers.conftest import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossier(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    units_load(province_codes=["06"])
    province = Unit.objects.get(level=Level.PROVINCE, code="06", valid_to__isnull=False)
    quan_ha = Unit.objects.get(level=Level.COMMUNE, code="02005", valid_to__isnull=False)
    coordinator = UserFactory(
        username="vpdp", role=Role.PROVINCE_COORDINATOR, unit=province, is_superuser=False
    )
    cset = _set("E2E-2021", "region", 2021, 2025, 2)
    criteria = [cset.criteria.create(number=n, name=f"Tiêu chí {n}") for n in (1, 2)]
    a = assessment_get_or_create(unit=quan_ha, year=2023, criteria_set=cset)
    a = assessment_save(
        assessment=a,
        user=coordinator,
        version=a.version,
        manual={c.pk: ManualResult(True, "biên bản thẩm định") for c in criteria},
    )
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=coordinator, to_state=state)
    d = dossier_create(unit=quan_ha, criteria_set=cset, year=2023)
    for kind in (
        "to_trinh",
        "bao_cao_ket_qua",
        "bien_ban_tham_dinh",
        "ket_qua_hai_long",
        "no_dong_xdcb",
    ):
        document_add(dossier=d, kind=kind, title="", file=pdf(f"{kind}.pdf"))
    survey_record(
        dossier=d,
        date=datetime.date(2023, 10, 5),
        method="meeting",
        respondents=350,
        share_satisfied="97.5",
    )
    return d


def test_province_uploads_the_missing_document_and_decides(
    page, live_server, login, dossier, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("vpdp", TEST_PASSWORD)
    page.goto(f"{live_server.url}/dossiers/?year=2023")
    page.click("#dossiers a:has-text('Xã Quân Hà')")
    assert "Thiếu: Ý kiến của Ủy ban Mặt trận Tổ quốc." in page.text_content("#problems")
    missing = tmp_path / "y-kien-mttq.pdf"
    missing.write_bytes(b"%PDF-1.4\n% y kien MTTQ\n")
    page.select_option("#document-form select[name=kind]", "y_kien_mttq")
    page.fill("#document-form input[name=title]", "Văn bản 15/MTTQ-BTT")
    page.set_input_files("#document-form input[name=file]", str(missing))
    page.click("#document-form button[type=submit]")
    assert "Hồ sơ đủ thành phần." in page.text_content("#complete")
    assert "Văn bản 15/MTTQ-BTT" in page.text_content("#checklist tr[data-kind=y_kien_mttq]")
    page.fill("#decide-form input[name=decision_number]", "2345/QĐ-UBND")
    page.fill("#decide-form input[name=decision_date]", "20/12/2023")
    page.fill("#decide-form input[name=signer]", "Chủ tịch UBND tỉnh")
    page.click("#decide-form button[type=submit]")
    assert "Đã ghi quyết định 2345/QĐ-UBND." in page.text_content(".msg")
    assert "2345/QĐ-UBND" in page.text_content("#dossier-status")
    page.screenshot(path="test-results/dossier-decided.png", full_page=False)
    d = Dossier.objects.get(pk=dossier.pk)
    assert d.recognition.decision_number == "2345/QĐ-UBND"
    assert d.decision_reason == "" and d.problems_at_decision == []
