"""Background jobs: the annual report started from the dashboard, its progress page, status
JSON and download, in the user's scope only; a failing job says why."""

import io

import pytest
from django.urls import reverse

from ntm.jobs import kinds
from ntm.jobs.models import Job
from ntm.jobs.progress import Progress, clear_progress, read_progress
from ntm.jobs.services import job_start


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _start(client, unit=None, fmt="docx", year=2023):
    query = f"year={year}" + (f"&unit={unit.pk}" if unit is not None else "")
    return client.post(reverse("jobs:report"), {"format": fmt, "query": query})


def test_a_province_report_runs_in_the_background_and_is_downloaded(
    units, users, client_for, media
):
    client = client_for(users.coordinator)
    response = _start(client, units.bac_kan)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.user == users.coordinator
    assert job.unit == units.bac_kan and job.params == {"year": 2023, "set": ""}
    assert job.title == "Báo cáo năm 2023 — Tỉnh Bắc Kạn (Word)"

    page = client.get(response.url).content.decode()
    assert 'id="job-progress"' in page and "100%" in page and "Đã xong" in page
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["finished"] and state["percent"] == 100
    assert state["download"] == reverse("jobs:download", args=[job.pk])

    download = client.get(state["download"])
    body = b"".join(download.streaming_content)
    assert body[:2] == b"PK" and "bao-cao-ntm-06-2023.docx" in download["Content-Disposition"]
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "Bắc Kạn" in text


def test_the_national_report_needs_a_national_user(units, users, client_for, media):
    assert _start(client_for(users.coordinator), None, "xlsx").status_code == 403
    response = _start(client_for(users.national), None, "xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and job.unit is None and job.status == Job.Status.DONE
    assert job.result_name == "bao-cao-ntm-ca-nuoc-2023-bieu.xlsx"
    # a coordinator does not see the national job
    assert (
        client_for(users.coordinator).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    )


def test_bad_requests_are_refused_and_write_nothing(units, users, client_for, media):
    client = client_for(users.coordinator)
    assert _start(client, units.bac_kan, fmt="exe").status_code == 400
    assert _start(client, units.lang_son).status_code == 404  # outside the scope
    assert client.get(reverse("jobs:report")).status_code == 405
    assert not Job.objects.exists()


def test_jobs_of_another_scope_are_not_found(units, users, client_for, media):
    _start(client_for(users.coordinator), units.bac_kan)
    job = Job.objects.get()
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        url = reverse(name, args=[job.pk])
        assert client_for(users.outsider).get(url).status_code == 404, name
        assert client_for(users.commune).get(url).status_code == 404, name  # province's job
        assert client_for(users.department).get(url).status_code == 200, name  # same province
    listing = client_for(users.outsider).get(reverse("jobs:list")).content.decode()
    assert job.title not in listing and "Chưa có việc chạy nền" in listing
    assert job.title in client_for(users.department).get(reverse("jobs:list")).content.decode()


def broken_job(job, progress):
    progress(1, 4)
    raise RuntimeError("LibreOffice đã dừng")


def test_a_failing_job_says_why_and_has_nothing_to_download(
    units, users, client_for, media, monkeypatch
):
    monkeypatch.setitem(kinds.KINDS, "broken", "tests.jobs.test_jobs.broken_job")
    job = job_start(kind="broken", title="Hỏng", user=users.coordinator, unit=units.bac_kan)
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.message == "Không hoàn thành: LibreOffice đã dừng"
    assert (job.done, job.total, job.percent) == (1, 4, 25)
    client = client_for(users.coordinator)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["download"] == ""


def test_progress_is_written_at_most_twice_a_second_but_always_at_the_end(
    units, users, client_for, media, monkeypatch
):
    """Inside a transaction (an import's, or this test's) the progress goes to its file, which
    the status page reads while the job runs."""
    job = Job.objects.create(
        kind="x", title="x", user=users.coordinator, unit=units.bac_kan, status="running"
    )
    clock = iter([10.0, 10.1, 10.2, 10.7, 10.8])
    monkeypatch.setattr("ntm.jobs.progress.monotonic", lambda: next(clock))
    progress = Progress(job)
    progress(1, 10, "Đang ghi")  # written (first)
    progress(2, 10)  # skipped (0.1 s later)
    progress(3, 10)  # skipped
    assert read_progress(job.pk) == {"done": 1, "total": 10, "message": "Đang ghi"}
    state = client_for(users.coordinator).get(reverse("jobs:status", args=[job.pk])).json()
    assert (state["percent"], state["message"], state["finished"]) == (10, "Đang ghi", False)
    progress(4)  # 0.7 s after the first write
    assert read_progress(job.pk)["done"] == 4
    progress(10, 10)  # the end is always written
    assert read_progress(job.pk)["done"] == 10
    clear_progress(job.pk)
    assert read_progress(job.pk) is None


def test_the_dashboard_offers_the_background_report(units, users, client_for, media):
    page = client_for(users.national).get("/?year=2023").content.decode()
    assert 'action="/jobs/report/"' in page and 'value="docx"' in page
