"""The upload limits of the import runner, timed on the two workbooks of issue 13:

- a ~200 KB workbook whose one shared string is 190 MB long (it compresses to nothing);
- a ~9 MB workbook of 99,000 rows × 49 cells.

Both must be refused with a clear message, the first without reading it whole, the second in
well under 5 s. Run alone: `NTM_TESTING=1 PYTHONPATH=src python bench/limits.py` (no database
is touched: the refusal comes before any query); `bench/run.py limits` reports it in the table.
"""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(sheet_xml: bytes, strings: list[bytes], *, name: str = "KetQua") -> bytes:
    """A minimal .xlsx: one sheet (its XML given) and the shared strings."""
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">'
    ).encode()
    shared += b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK.format(name=name))
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def _sheet(rows: list[bytes]) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
    return head + b"".join(rows) + b"</sheetData></worksheet>"


def one_huge_cell(size: int = 190 * 1024 * 1024) -> bytes:
    row = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return workbook(_sheet([row]), [b"a" * size])


def many_rows(rows: int = 99_000, columns: int = 49) -> bytes:
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1).encode() for i in range(columns)]
    out = []
    for r in range(1, rows + 1):
        rb = str(r).encode()
        cells = b"".join(b'<c r="' + letter + rb + b'"><v>1</v></c>' for letter in letters)
        out.append(b'<row r="' + rb + b'">' + cells + b"</row>")
    return workbook(_sheet(out), [])


REFUSE_CODE = """
import resource, sys, time
import django
django.setup()
from ntm.accounts.scope import system_scope
from ntm.imports.runner import run_import
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = run_import("assessments", data=data, scope=system_scope(), user=None)
elapsed = time.perf_counter() - started
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
if report.ok:
    sys.exit("the runner did not refuse the workbook")
print(str(report.errors[0]), file=sys.stderr)
print(elapsed, grown)
"""


def _refuse(path: Path, env: dict) -> tuple[float, float, str]:
    """(seconds, MB of peak memory added, the message) of the runner refusing the file, in a
    fresh process (so that building the file does not count)."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "ntm.settings"}
    done = subprocess.run(
        [sys.executable, "-c", REFUSE_CODE, str(path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, grown = (float(x) for x in done.stdout.split())
    return seconds, grown, done.stderr.strip().splitlines()[-1]


def measure(env: dict, tmp: Path) -> list[tuple[str, float, float | None]]:
    rows = []
    for label, target, build in (
        ("one 190 MB cell", 1.0, one_huge_cell),
        ("99,000 rows × 49 cells", 5.0, many_rows),
    ):
        path = tmp / "limits.xlsx"
        path.write_bytes(build())
        size = path.stat().st_size
        seconds, grown, message = _refuse(path, env)
        path.unlink()
        shown = f"{size / 1024:.0f} KB" if size < 1_048_576 else f"{size / 1_048_576:.1f} MB"
        rows += [
            (f"refuse a {shown} workbook of {label}", seconds, target),
            (f"  peak memory growth while refusing it (MB): {message[:60]}…", grown, None),
        ]
    return rows


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for label, value, target in measure(dict(os.environ), Path(tmp)):
            print(f"{label:<100} {value:8.3f} {'-' if target is None else target}")
