"""Fill an assessments template as a province sends it back: every indicator and criterion of
every commune, with a reason for each criterion. Shared by `make bench` and tests/test_faults.py.

Which indicator is yes/no is read from the template itself (its Có/Không drop-down), so the
filler follows the criteria data when an indicator changes kind."""

from pathlib import Path


def _yes_no_columns(ws) -> set[int]:
    from openpyxl.utils.cell import range_boundaries

    columns: set[int] = set()
    for validation in ws.data_validations.dataValidation:
        if validation.type != "list" or "Có" not in (validation.formula1 or ""):
            continue
        for cells in str(validation.sqref).split():
            first, _, last, _ = range_boundaries(cells)
            columns.update(range(first, last + 1))
    return columns


def fill_assessments(template: Path, filled: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(template)
    values, results = wb["ChiTieu"], wb["KetQua"]
    headers = {cell.column: cell.value for cell in values[1]}
    yes_no = _yes_no_columns(values)
    for n, row in enumerate(values.iter_rows(min_row=3, min_col=4)):
        for cell in row:
            if headers[cell.column] == "Phiên bản":  # hidden: left as the template has it
                continue
            if cell.column in yes_no:
                cell.value = "Có" if n % 7 else "Không"
            else:
                cell.value = f"{60 + n % 40},5"
    headers = {cell.column: str(cell.value) for cell in results[1]}
    for n, row in enumerate(results.iter_rows(min_row=3, min_col=4)):
        for i, cell in enumerate(row):
            if headers[cell.column].startswith("TC"):
                cell.value = "Chưa đạt" if (i + n) % 6 == 0 else "Đạt"
            elif headers[cell.column].startswith("Lý do"):
                cell.value = "Biên bản thẩm định của huyện"
    wb.save(filled)
