"""One runner for every import: open → limits → parse → validate → atomic write → report.

The limits are checked here, once for all importers: the upload's size, then a streaming scan
of its cell parts that stops at the first limit (rows, cells, characters per cell; see
`limits`), then the exact length of every text cell once loaded. The importer's own service
then parses, validates and writes (all or nothing); the runner holds the transaction too, so a
dry run or a report with errors leaves nothing written whatever the service does.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.excel import MAX_IMPORT_BYTES, ImportReport, WorkbookError, open_workbook, workbook_opened
from ntm.imports.limits import check_cells, scan_workbook
from ntm.imports.registry import Importer, get
from ntm.lib.freshness import data_changed


class UnknownImporter(LookupError):
    pass


def _importer(which: str | Importer) -> Importer:
    if isinstance(which, Importer):
        return which
    found = get(which)
    if found is None:
        raise UnknownImporter(which)
    return found


def run_import(
    which: str | Importer,
    *,
    data: bytes,
    scope,
    user,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    **options,
) -> ImportReport:
    """Run one registered import on an uploaded workbook and return its report (never raises
    for bad input). `user=None` is the command line (full rights, recorded as the system)."""
    importer = _importer(which)
    report = ImportReport(dry_run=dry_run)
    if user is not None and not importer.may_use(user, scope):
        report.add(
            "-",
            0,
            "-",
            _("Tài khoản của bạn không được nhập “%(title)s”.") % {"title": importer.title},
        )
        return report
    try:
        if len(data) <= MAX_IMPORT_BYTES:
            scan_workbook(data, importer.limits)
        wb = open_workbook(data)
    except WorkbookError as exc:
        report.add("-", 0, "-", str(exc))
        return report
    long_cells = check_cells(wb, importer.limits)
    if long_cells:
        report.errors.extend(long_cells)
        return report
    kwargs = {"progress": progress} if progress is not None else {}
    with workbook_opened(data, wb), transaction.atomic():
        result = importer.run(
            data=data, scope=scope, user=user, dry_run=dry_run, **kwargs, **options
        )
        if result.errors or dry_run:
            transaction.set_rollback(True)
        else:
            data_changed()  # bulk writes send no signal: cached panels read anew after commit
    return result


def template_bytes(which: str | Importer, *, scope, **options) -> bytes:
    """The workbook to fill for one registered import. ValueError (a message for the user)
    when an option names nothing in the scope."""
    return _importer(which).template(scope=scope, **options)
