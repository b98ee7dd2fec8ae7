"""Assessments to and from Excel: the template, the import and the export that reads back in.

Modules by role: `common` (sheets, labels, the set as the workbook sees it), `template`
(template and export), `reader` (guide, grids, communes), `validator` (what each row asks,
what is refused; `_typed_result` is the reason rule), `writer` (bulk write with history),
`importer` (the whole import in one transaction).

Layout (the same in the template and the export, so that an export imports unchanged):
- "KetQua": Mã xã, Tên xã, Huyện, then TC1…TCn (Đạt / Chưa đạt), then "Lý do TC1"…"Lý do TCn"
  (the reason of a manual result); the export adds the number of criteria met, the standard and
  the state. Row 1 holds the codes, row 2 the names.
- "ChiTieu": Mã xã, Tên xã, Huyện, then one column per indicator (header = its code, e.g.
  "2.1"; row 2 = name and unit). Yes/no indicators take Có / Không, the others a number.
- Both end with a hidden, locked column "Phiên bản": the version of each stored assessment
  when the file was made (blank: none stored).
- "HuongDan": the criteria set code and the year (the import reads them there) and how to fill.

The import checks the whole workbook before writing anything and writes in one transaction.
A blank cell leaves the stored value as it is. A criterion result typed in "KetQua" is a manual
result only when the indicators do not give it (they give the other result, or none) and the
row gives a reason in "Lý do TCn"; without a reason it is an error, as on the page
(`services.assessment_save`). A typed result equal to what the indicators give, or repeating
what the stored values gave before the file changed them, is not a manual result. A row that
would change an assessment whose version is not the file's is an error (someone saved it since
the file was made). Rows, values and results are written in bulk with their history; each
assessment touched is then recomputed by `services.assessment_recompute`, and
`state="approved"` moves it through the workflow with `services.assessment_transition`, as the
pages do.
"""

from ntm.assessments.excel.common import (
    SHEET_GUIDE,
    SHEET_RESULTS,
    SHEET_VALUES,
    SYSTEM_USERNAME,
    AssessmentExcelError,
    SystemUserError,
)
from ntm.assessments.excel.importer import assessments_import
from ntm.assessments.excel.template import assessments_export, assessments_template
from ntm.assessments.excel.writer import system_user

__all__ = [
    "SHEET_GUIDE",
    "SHEET_RESULTS",
    "SHEET_VALUES",
    "SYSTEM_USERNAME",
    "AssessmentExcelError",
    "SystemUserError",
    "assessments_export",
    "assessments_import",
    "assessments_template",
    "system_user",
]
