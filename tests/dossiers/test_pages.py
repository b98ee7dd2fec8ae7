import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ntm.dossiers.checklists import item_codes
from ntm.dossiers.models import Dossier, DossierDocument
from ntm.dossiers.services import document_add, survey_record
from tests.dossiers.conftest import pdf


def _complete_but(dossier, user, missing):
    for item in (
        "to_trinh",
        "bao_cao_ket_qua",
        "bien_ban_tham_dinh",
        "y_kien_mttq",
        "ket_qua_hai_long",
        "no_dong_xdcb",
    ):
        if item != missing:
            document_add(dossier=dossier, kind=item, title="", file=pdf(), user=user)
    survey_record(
        dossier=dossier,
        date=datetime.date(2023, 10, 1),
        method="meeting",
        respondents=300,
        share_satisfied="96",
        user=user,
    )


def test_create_list_and_detail(client_for, users, units, small_set, media):
    client = client_for(users.commune)
    response = client.post(
        reverse("dossiers:list"),
        {
            "unit_code": "02005",
            "criteria_set": small_set.set.code,
            "year": 2023,
            "deadline": "30/11/2023",
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dossiers:detail", args=[dossier.pk]
    )
    assert dossier.unit == units.quan_ha and dossier.deadline == datetime.date(2023, 11, 30)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Thiếu: Tờ trình đề nghị xét, công nhận." in page
    assert 'id="decide-form"' not in page  # the commune does not decide
    listing = client.get(reverse("dossiers:list") + "?year=2023").content.decode()
    assert "Xã Quân Hà" in listing and "Thiếu 7 mục" in listing


def test_upload_keeps_the_file_checks(client_for, users, dossier):
    client = client_for(users.commune)
    url = reverse("dossiers:document_upload", args=[dossier.pk])
    bad = SimpleUploadedFile("to-trinh.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url, {"kind": "to_trinh", "title": "", "file": bad}, follow=True)
    assert "Nội dung tệp không đúng với đuôi .pdf." in response.content.decode()
    exe = SimpleUploadedFile("to-trinh.exe", b"%PDF-1.4")
    client.post(url, {"kind": "to_trinh", "file": exe})
    assert not DossierDocument.objects.exists()
    client.post(url, {"kind": "to_trinh", "title": "Tờ trình 5/TTr", "file": pdf()})
    doc = DossierDocument.objects.get()
    assert doc.title == "Tờ trình 5/TTr"
    got = client.get(reverse("dossiers:document_download", args=[dossier.pk, doc.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")


def test_outsider_sees_nothing(client_for, users, dossier):
    client = client_for(users.outsider)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    response = client.post(reverse("dossiers:decide", args=[dossier.pk]), {})
    assert response.status_code == 404


def test_province_decides_with_reason_only_when_incomplete(client_for, users, dossier, approved):
    _complete_but(dossier, users.commune, "y_kien_mttq")
    client = client_for(users.coordinator)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="decide-form"' in page and "Hồ sơ chưa đủ" in page
    url = reverse("dossiers:decide", args=[dossier.pk])
    data = {"decision_number": "77/QĐ-UBND", "decision_date": "20/12/2023"}
    page = client.post(url, data, follow=True).content.decode()
    assert "Thiếu: Ý kiến của Ủy ban Mặt trận Tổ quốc." in page
    dossier.refresh_from_db()
    assert dossier.recognition is None
    client.post(url, {**data, "reason": "MTTQ gửi ý kiến bằng điện thoại, văn bản bổ sung sau"})
    dossier.refresh_from_db()
    assert dossier.recognition.decision_number == "77/QĐ-UBND"
    assert dossier.decision_reason.startswith("MTTQ gửi ý kiến")


def test_public_document_only_when_published(client, users, dossier):
    hidden = document_add(
        dossier=dossier, kind="to_trinh", title="", file=pdf(), user=users.commune
    )
    shown = document_add(
        dossier=dossier,
        kind="bao_cao_ket_qua",
        title="",
        file=pdf(),
        published=True,
        user=users.commune,
    )
    assert client.get(reverse("dossiers:public_document", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("dossiers:public_document", args=[shown.pk])).status_code == 200


def test_public_page_lists_documents(client, users, dossier):
    document_add(
        dossier=dossier, kind="to_trinh", title="Tờ trình 12/TTr", file=pdf(), user=users.commune
    )
    shown = document_add(
        dossier=dossier,
        kind="bao_cao_ket_qua",
        title="Báo cáo 3/BC",
        file=pdf(),
        published=True,
        user=users.commune,
    )
    body = client.get(
        reverse("public-unit", args=[dossier.unit.pk]) + "?year=2023"
    ).content.decode()
    assert "Tờ trình 12/TTr" not in body and "Báo cáo 3/BC" not in body  # typed titles stay private
    assert (
        item_codes(dossier.criteria_set)["to_trinh"] in body and "chưa công khai nội dung" in body
    )
    assert reverse("dossiers:public_document", args=[shown.pk]) in body
    assert f"/dossiers/{dossier.pk}/documents/" not in body  # no private download link


def test_unit_page_of_a_merged_commune_shows_predecessors(units, users, client_for):
    body = (
        client_for(users.new_province)
        .get(reverse("units:detail", args=[units.quan_ha_successor.pk]))
        .content.decode()
    )
    assert 'id="merged-panel"' in body and "Chưa xã cũ nào đạt chuẩn NTM" in body
    body = (
        client_for(users.coordinator)
        .get(reverse("units:detail", args=[units.quan_ha.pk]))
        .content.decode()
    )
    assert 'id="merged-panel"' not in body


def test_dashboard_has_the_keeping_panel(users, client_for):
    body = client_for(users.coordinator).get("/?year=2023").content.decode()
    assert 'id="keeping-standard"' in body
