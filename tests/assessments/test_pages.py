from ntm.assessments.models import State
from ntm.assessments.services import assessment_get_or_create


def test_matrix_shows_each_commune_and_its_count(units, users, client_for, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    from ntm.assessments.services import assessment_save

    assessment_save(
        assessment=a,
        user=users.commune,
        version=a.version,
        values={small_set.i1.pk: True, small_set.i2.pk: 90},
    )
    body = (
        client_for(users.coordinator)
        .get("/assessments/matrix/?year=2023&set=TEST-2021")
        .content.decode()
    )
    assert body.count("<tr>") >= 95  # one row per xã of Bắc Kạn in 2023 (+ header)
    assert "Xã Quân Hà" in body and "95 xã, 1 xã đã có kết quả" in body
    filtered = (
        client_for(users.coordinator)
        .get(f"/assessments/matrix/?year=2023&set=TEST-2021&district={units.bach_thong.pk}")
        .content.decode()
    )
    assert "Xã Quân Hà" in filtered and units.ba_be_commune.name not in filtered


def test_matrix_queries_do_not_grow_with_communes(
    units, users, client_for, small_set, django_assert_max_num_queries
):
    for commune in units.bach_thong.children.filter(kind="xa")[:10]:
        assessment_get_or_create(unit=commune, year=2023, criteria_set=small_set.set)
    client = client_for(users.coordinator)
    with django_assert_max_num_queries(12):
        client.get("/assessments/matrix/?year=2023&set=TEST-2021")


def test_form_saves_values_and_shows_history(units, users, client_for, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    client = client_for(users.commune)
    response = client.post(
        f"/assessments/{a.pk}/",
        {
            "version": a.version,
            f"b_{small_set.i1.pk}": "1",
            f"v_{small_set.i2.pk}": "72,5",
            f"v_{small_set.i3.pk}": "90",
            f"m_{small_set.c1.pk}": "",
            f"r_{small_set.c1.pk}": "",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Đã lưu" in body and "3/3" in body and "Đạt chuẩn" in body
    assert "Chỉ tiêu 2.1" in body  # the history table names what changed
    stale = client.post(
        f"/assessments/{a.pk}/", {"version": a.version, f"v_{small_set.i2.pk}": "10"}, follow=True
    )
    assert "người khác sửa" in stale.content.decode()


def test_form_takes_appraisal_results_and_pages_say_which_is_which(
    units, users, client_for, small_set
):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    client = client_for(users.coordinator)
    post = {
        "version": a.version,
        f"v_{small_set.i2.pk}": "50",  # TC2 derived: not met (70 in TDMNPB)
        f"m_{small_set.c1.pk}": "1",  # no indicator value: the appraisal result
        f"r_{small_set.c1.pk}": "",
        f"m_{small_set.c2.pk}": "1",  # against the indicators: needs a reason
        f"r_{small_set.c2.pk}": "Đường mới hoàn thành sau kỳ số liệu",
    }
    body = client.post(f"/assessments/{a.pk}/", post, follow=True).content.decode()
    assert "Đã lưu" in body and "2/3" in body
    assert "kind-appraisal" in body and "Kết quả thẩm định" in body
    assert "kind-override" in body and "Nhập tay có lý do" in body
    assert "cách có kết quả</td><td>Chưa xác định</td><td>Kết quả thẩm định" in body.replace(
        "TC1 · ", ""
    )  # the history names the kind of each result
    matrix = client.get("/assessments/matrix/?year=2023&set=TEST-2021").content.decode()
    assert matrix.count("kind-appraisal") == 1 and matrix.count("kind-override") == 1
    assert "Nhập tay có lý do: Đường mới hoàn thành sau kỳ số liệu" in matrix
    a.refresh_from_db()
    post = {"version": a.version, f"m_{small_set.c2.pk}": "1", f"r_{small_set.c2.pk}": " "}
    body = client.post(f"/assessments/{a.pk}/", post, follow=True).content.decode()
    assert "TC2 ghi Đạt nhưng các chỉ tiêu cho kết quả Chưa đạt" in body


def test_transition_buttons_follow_the_role(units, users, client_for, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    body = client_for(users.commune).get(f"/assessments/{a.pk}/").content.decode()
    assert "Chuyển: Xã đã gửi" in body
    body = client_for(users.national).get(f"/assessments/{a.pk}/").content.decode()
    assert "Chuyển:" not in body and "disabled" in body


def test_evidence_upload_checks_type_and_content(
    units, users, client_for, small_set, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    client = client_for(users.commune)
    fake = SimpleUploadedFile(
        "bien-ban.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    body = client.post(
        f"/assessments/{a.pk}/evidence/", {"title": "Biên bản", "file": fake}, follow=True
    ).content.decode()
    assert "không đúng với đuôi" in body
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    assert (
        "Chỉ nhận tệp"
        in client.post(
            f"/assessments/{a.pk}/evidence/", {"title": "x", "file": exe}, follow=True
        ).content.decode()
    )
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    body = client.post(
        f"/assessments/{a.pk}/evidence/", {"title": "Biên bản họp", "file": pdf}, follow=True
    ).content.decode()
    assert "Biên bản họp" in body
    item = a.evidence.get()
    download = client.get(f"/assessments/{a.pk}/evidence/{item.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert (
        client_for(users.outsider).get(f"/assessments/{a.pk}/evidence/{item.pk}/").status_code
        == 404
    )


def test_locked_assessment_cannot_be_saved_from_the_form(units, users, client_for, small_set):
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    a.state = State.APPROVED
    a.save()
    body = (
        client_for(users.coordinator)
        .post(
            f"/assessments/{a.pk}/",
            {"version": a.version, f"v_{small_set.i2.pk}": "10"},
            follow=True,
        )
        .content.decode()
    )
    assert "khóa" in body
    assert not a.values.exists()


def test_criteria_pages(users, client_for, units):
    from ntm.criteria.models import CriteriaSet
    from ntm.criteria.services import criteria_load

    criteria_load(codes=["NTM-XA-2021"])
    national = CriteriaSet.objects.get(code="NTM-XA-2021")
    client = client_for(users.coordinator)
    assert "NTM-XA-2021" in client.get("/criteria/").content.decode()
    body = client.get(f"/criteria/{national.pk}/").content.decode()
    assert "318/QĐ-TTg" in body and "do tỉnh quy định" in body and "Sao chép" in body
    response = client.post(
        f"/criteria/{national.pk}/clone/", {"code": "BK-NTM", "name": "Bộ Bắc Kạn"}, follow=True
    )
    clone = CriteriaSet.objects.get(code="BK-NTM")
    assert "Đã tạo bộ tiêu chí BK-NTM" in response.content.decode()
    criterion = clone.criteria.get(number=2)
    client.post(
        f"/criteria/{clone.pk}/indicators/",
        {
            "criterion": criterion.pk,
            "code": "2.9",
            "name": "Tỷ lệ km đường trục thôn được cứng hóa",
            "kind": "number",
            "operator": ">=",
            "unit": "%",
        },
    )
    indicator = criterion.indicators.get(code="2.9")
    client.post(
        f"/criteria/{clone.pk}/indicators/{indicator.pk}/thresholds/",
        {"basis": "TDMNPB", "value": "70"},
    )
    assert indicator.thresholds.get().value == 70
    # A commune officer sees the set but cannot edit it.
    assert (
        client_for(users.commune)
        .post(f"/criteria/{clone.pk}/indicators/", {"criterion": criterion.pk})
        .status_code
        == 403
    )
