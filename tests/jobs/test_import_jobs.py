"""Large uploads are imported by a background job: the page hands the workbook over and shows
the job; the job runs the same runner (all or nothing) and lists errors and notes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ntm.assessments.excel.common import SHEET_RESULTS
from ntm.assessments.models import Assessment, State
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load
from ntm.jobs.import_jobs import _decode, _encode
from ntm.jobs.models import Job
from tests.assessments.test_appraisal_import import _appraisal_workbook, _hand_count

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def background(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NTM_BACKGROUND_IMPORT_BYTES = 1000  # every real workbook is "large"
    criteria_load(codes=["NTM-XA-2021"])
    return CriteriaSet.objects.get(code="NTM-XA-2021")


def _post(client, data: bytes, **fields):
    upload = SimpleUploadedFile("ket-qua.xlsx", data, content_type=XLSX)
    return client.post(reverse("assessments:import"), {"file": upload, **fields})


def test_a_large_workbook_is_imported_by_a_job_with_its_page(
    units, users, client_for, background, tmp_path
):
    data = _appraisal_workbook(background, units)
    client = client_for(users.coordinator)
    response = _post(client, data, approved="on")
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "import" and job.status == Job.Status.DONE, job.message
    assert job.message == "Đã nhập: 95 kết quả đánh giá mới, 0 cập nhật."
    assert job.params["options"] == {"state": "approved"}
    assert not job.source  # the upload is not kept after the run
    assert not list((tmp_path / "jobs" / "sources").rglob("*.xlsx"))
    stored = dict(
        Assessment.objects.filter(year=2023, state=State.APPROVED).values_list(
            "unit__code", "criteria_met"
        )
    )
    assert stored == _hand_count(data)
    page = client.get(response.url).content.decode()
    assert "Đã xong" in page and "Đã nhập: 95" in page


def test_a_job_with_errors_writes_nothing_and_lists_them(units, users, client_for, background):
    data = _appraisal_workbook(background, units)
    wb = load_workbook(__import__("io").BytesIO(data))
    wb[SHEET_RESULTS].cell(3, 4).value = "Có lẽ"  # neither Đạt nor Chưa đạt
    out = __import__("io").BytesIO()
    wb.save(out)
    client = client_for(users.coordinator)
    response = _post(client, out.getvalue())
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Không nhập: 1 lỗi")
    assert not Assessment.objects.exists()
    error = job.details[0]
    assert (error["kind"], error["sheet"], error["row"], error["column"]) == (
        "error",
        SHEET_RESULTS,
        3,
        "D",
    )
    page = client.get(response.url).content.decode()
    assert 'id="job-details"' in page and "Có lẽ" in page


def test_a_small_workbook_is_still_imported_in_the_request(units, users, client_for, background):
    from django.test import override_settings

    data = _appraisal_workbook(background, units)
    with override_settings(NTM_BACKGROUND_IMPORT_BYTES=10_000_000):
        response = _post(client_for(users.coordinator), data, dry_run="on")
    assert response.status_code == 200 and not Job.objects.exists()


def test_options_with_dates_survive_the_queue():
    options = {"history_before": datetime.date(2016, 1, 1), "state": "approved"}
    assert _decode(_encode(options)) == options
