"""The import pages made from the registry: the list of every import the user may run (with
its template and page), and the upload page of imports that have no page of their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.excel import XLSX
from ntm.imports.forms import FORMS, ImportForm
from ntm.imports.registry import get, importers
from ntm.imports.runner import run_import, template_bytes
from ntm.jobs.import_jobs import import_job_start, runs_in_background


def _usable(request, name: str):
    importer = get(name)
    if importer is None or importer.page:
        raise Http404
    scope = scope_for(request.user)
    if not importer.may_use(request.user, scope):
        raise PermissionDenied
    return importer, scope


def _url(name: str) -> str:
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:  # a page that needs an object (a plan): reached from that object
        return ""


@login_required
@require_safe
def index(request):
    scope = scope_for(request.user)
    rows = []
    for importer in importers():
        if not importer.may_use(request.user, scope):
            continue
        page = _url(importer.page) if importer.page else reverse(f"imports:{importer.name}")
        template = (
            reverse(f"imports:{importer.name}_template")
            if not importer.page and not importer.template_options
            else _url(importer.template_page or importer.page)
        )
        rows.append({"importer": importer, "page": page, "template": template})
    return render(request, "imports/index.html", {"rows": rows})


@login_required
def upload(request, name: str):
    importer, scope = _usable(request, name)
    form_class = FORMS.get(name, ImportForm)
    form = form_class(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        if runs_in_background(len(data)):
            job = import_job_start(
                importer=importer,
                data=data,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options=form.options(),
            )
            return redirect("jobs:detail", pk=job.pk)
        report = run_import(
            importer,
            data=data,
            scope=scope,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            **form.options(),
        )
        if report.ok and not report.dry_run:
            messages.success(
                request,
                _("Đã nhập: %(c)s %(noun)s mới, %(u)s cập nhật.")
                % {"c": report.created, "u": report.updated, "noun": importer.noun},
            )
    context = {"importer": importer, "form": form, "report": report}
    return render(request, "imports/upload.html", context)


@login_required
@require_safe
def template_download(request, name: str):
    importer, scope = _usable(request, name)
    response = HttpResponse(template_bytes(importer, scope=scope), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{importer.name}.xlsx"'
    return response
