"""The kinds of background work: each turns a job's parameters into an outcome (a result file,
a message, details). Named by dotted path and imported only when a job runs, so that starting
the site loads no spreadsheet or Word library."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outcome:
    data: bytes = b""  # no file: the page shows the message and details only
    filename: str = ""
    content_type: str = ""
    message: str = ""
    details: list = field(default_factory=list)
    failed: bool = False  # ran to the end but refused (an import with errors)


KINDS: dict[str, str] = {
    "report_docx": "ntm.jobs.report_jobs.report_docx_job",
    "report_pdf": "ntm.jobs.report_jobs.report_pdf_job",
    "report_xlsx": "ntm.jobs.report_jobs.report_xlsx_job",
    "import": "ntm.jobs.import_jobs.import_job",
}


def get(name: str) -> Callable | None:
    """The function running a kind of job: (job, progress) -> Outcome."""
    path = KINDS.get(name)
    return import_string(path) if path else None
