import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from ntm.assessments.models import Recognition
from ntm.assessments.recognitions import RecognitionError, recognition_record
from ntm.dossiers.checklists import checklist_for, item_codes
from ntm.dossiers.models import Dossier
from ntm.dossiers.selectors import dossier_status, public_documents
from ntm.dossiers.services import (
    DossierError,
    document_add,
    dossier_create,
    dossier_decide,
    survey_record,
    threshold_set,
)
from tests.dossiers.conftest import pdf

D = datetime.date
REQUIRED_2021 = [
    "to_trinh",
    "bao_cao_ket_qua",
    "bien_ban_tham_dinh",
    "y_kien_mttq",
    "ket_qua_hai_long",
    "no_dong_xdcb",
]


def _fill(dossier, user, skip=()):
    for code in REQUIRED_2021:
        if code not in skip:
            document_add(dossier=dossier, kind=code, title="", file=pdf(f"{code}.pdf"), user=user)


def _survey(dossier, user, share="95"):
    return survey_record(
        dossier=dossier,
        date=D(2023, 10, 1),
        method="questionnaire",
        respondents=400,
        share_satisfied=share,
        villages=[{"name": "Nà Pài", "respondents": 80, "share_satisfied": "91,5"}],
        user=user,
    )


def test_checklist_is_data_with_sources(small_set):
    checklist = checklist_for(small_set.set)
    assert checklist["id"] == "xa-2021"
    assert "18/2022/QĐ-TTg" in checklist["decision"]
    assert [i["code"] for i in checklist["items"] if i["required"]] == REQUIRED_2021
    assert all(i["source"] for i in checklist["items"])
    # The law as sourced gives no commune satisfaction number: the province sets it.
    assert checklist["satisfaction"]["min_share"] is None


def test_status_lists_what_is_missing(dossier, users):
    _fill(dossier, users.commune, skip=("y_kien_mttq",))
    status = dossier_status(dossier)
    assert status.missing == ["Ý kiến của Ủy ban Mặt trận Tổ quốc"]
    assert status.problems == [
        "Thiếu: Ý kiến của Ủy ban Mặt trận Tổ quốc.",
        "Chưa có kết quả lấy ý kiến sự hài lòng của người dân.",
    ]
    assert not status.complete
    _survey(dossier, users.commune)
    document_add(dossier=dossier, kind="y_kien_mttq", title="", file=pdf(), user=users.commune)
    status = dossier_status(dossier)
    assert status.complete and status.satisfaction_ok is None  # no threshold set yet
    assert status.survey.villages == [
        {"name": "Nà Pài", "respondents": 80, "share_satisfied": "91.50"}
    ]


def test_province_threshold_applies(dossier, users, units, small_set):
    _fill(dossier, users.commune)
    _survey(dossier, users.commune, share="85")
    with pytest.raises(PermissionDenied):
        threshold_set(
            criteria_set=small_set.set,
            province=units.bac_kan,
            min_share=90,
            source="x",
            user=users.commune,
        )
    threshold_set(
        criteria_set=small_set.set,
        province=units.bac_kan,
        min_share="90",
        source="Quyết định 1/QĐ-UBND tỉnh",
        user=users.coordinator,
    )
    status = dossier_status(dossier)
    assert status.threshold == Decimal("90.00")
    assert status.threshold_source == "Quyết định 1/QĐ-UBND tỉnh"
    assert status.satisfaction_ok is False
    assert status.problems == ["Tỷ lệ người dân hài lòng 85.00% thấp hơn mức yêu cầu 90.00%."]


def test_missing_document_blocks_decision_without_reason(dossier, users, approved):
    _fill(dossier, users.commune, skip=("bien_ban_tham_dinh",))
    _survey(dossier, users.commune)
    with pytest.raises(RecognitionError) as exc:
        dossier_decide(
            dossier=dossier,
            decision_number="100/QĐ-UBND",
            decision_date=D(2023, 12, 20),
            user=users.coordinator,
        )
    assert exc.value.field == "override_reason"
    assert "Thiếu: Biên bản / báo cáo thẩm định" in str(exc.value)
    assert not Recognition.objects.exists()
    recognition = dossier_decide(
        dossier=dossier,
        decision_number="100/QĐ-UBND",
        decision_date=D(2023, 12, 20),
        reason="Biên bản gửi bổ sung sau",
        user=users.coordinator,
    )
    dossier.refresh_from_db()
    assert dossier.recognition == recognition
    assert dossier.decision_reason == "Biên bản gửi bổ sung sau"
    assert dossier.problems_at_decision == [
        "Thiếu: Biên bản / báo cáo thẩm định mức độ đạt chuẩn các tiêu chí."
    ]


def test_complete_dossier_is_decided_and_linked(dossier, users, approved):
    _fill(dossier, users.commune)
    _survey(dossier, users.commune)
    with pytest.raises(PermissionDenied):  # the commune cannot decide
        dossier_decide(
            dossier=dossier,
            decision_number="1/QĐ",
            decision_date=D(2023, 12, 1),
            user=users.commune,
        )
    recognition = dossier_decide(
        dossier=dossier,
        decision_number="1/QĐ",
        decision_date=D(2023, 12, 1),
        user=users.coordinator,
    )
    dossier.refresh_from_db()
    assert recognition.dossier == dossier
    assert recognition.override_reason == ""
    assert dossier.problems_at_decision == [] and dossier.decision_reason == ""
    with pytest.raises(DossierError):
        document_add(dossier=dossier, kind="khac", title="x", file=pdf(), user=users.commune)
    with pytest.raises(RecognitionError):
        dossier_decide(
            dossier=dossier,
            decision_number="2/QĐ",
            decision_date=D(2023, 12, 2),
            user=users.coordinator,
        )


def test_recognitions_recorded_elsewhere_are_checked_too(
    dossier, users, small_set, units, approved
):
    with pytest.raises(RecognitionError) as exc:
        recognition_record(
            unit=units.quan_ha,
            level="ntm",
            criteria_set=small_set.set,
            year=2023,
            action="recognised",
            decision_number="9/QĐ",
            decision_date=D(2023, 12, 1),
            override_reason="",
            user=users.coordinator,
        )
    assert str(exc.value).startswith("Hồ sơ công nhận của Xã Quân Hà chưa đủ: Thiếu: Tờ trình")
    # A commune with no dossier keeps the old rules only (past decisions are imported as such).
    other = units.ba_be_commune
    recognition_record(
        unit=other,
        level="ntm",
        criteria_set=small_set.set,
        year=2023,
        action="recognised",
        decision_number="9/QĐ",
        decision_date=D(2023, 12, 1),
        override_reason="Quyết định cũ",
        user=users.coordinator,
    )
    assert not Dossier.objects.filter(unit=other).exists()


def test_writes_keep_scope_and_rules(dossier, users, units, small_set):
    with pytest.raises(PermissionDenied):
        dossier_create(
            unit=units.quan_ha, criteria_set=small_set.set, year=2024, user=users.outsider
        )
    with pytest.raises(DossierError):
        dossier_create(unit=units.quan_ha, criteria_set=small_set.set, year=2023)
    with pytest.raises(DossierError):
        dossier_create(unit=units.quan_ha, criteria_set=small_set.set, year=2030)
    with pytest.raises(DossierError):
        document_add(dossier=dossier, kind="nope", title="", file=pdf(), user=users.commune)
    with pytest.raises(DossierError):
        _survey(dossier, users.commune, share="120")
    assert set(item_codes(small_set.set)) >= set(REQUIRED_2021)


def test_public_documents_list_names_not_files(dossier, users):
    document_add(
        dossier=dossier, kind="to_trinh", title="Tờ trình 12/TTr", file=pdf(), user=users.commune
    )
    document_add(
        dossier=dossier,
        kind="bao_cao_ket_qua",
        title="Báo cáo",
        file=pdf(),
        published=True,
        user=users.commune,
    )
    rows = public_documents(dossier.unit)
    names = item_codes(dossier.criteria_set)
    # the public sees the checklist's name of each document, never the title a user typed
    assert [(r["title"], r["published"]) for r in rows] == [
        (names["bao_cao_ket_qua"], True),
        (names["to_trinh"], False),
    ]
