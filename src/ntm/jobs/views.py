"""The pages of background work: its progress (polled by a small script), its result, and the
list of recent jobs in the user's scope."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.jobs.models import Job
from ntm.jobs.progress import read_progress
from ntm.jobs.selectors import jobs_visible
from ntm.lib.params import int_param


def _job(request, pk: int) -> Job:
    job = jobs_visible(scope_for(request.user)).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _state(job: Job) -> dict:
    if job.status == Job.Status.RUNNING and (live := read_progress(job.pk)):
        job.done, job.total = live["done"], live["total"]
        job.message = live["message"] or job.message
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "finished": job.finished,
        "reload": bool(job.details),  # the page lists them: the script reloads it once done
        "download": reverse("jobs:download", args=[job.pk])
        if job.status == Job.Status.DONE and job.result
        else "",
    }


@login_required
@require_safe
def job_list(request):
    jobs = jobs_visible(scope_for(request.user))
    page = Paginator(jobs, 20).get_page(int_param(request.GET.get("page")) or 1)
    return render(request, "jobs/list.html", {"page": page})


@login_required
@require_safe
def job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "jobs/detail.html", {"job": job, "state": _state(job)})


@login_required
@require_safe
def job_status(request, pk: int):
    return JsonResponse(_state(_job(request, pk)))


@login_required
@require_safe
def job_download(request, pk: int):
    job = _job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=job.result_type or "application/octet-stream",
    )
