import io, time
from openpyxl import load_workbook
from ntm.accounts.scope import system_scope
from ntm.assessments.excel import SHEET_RESULTS, SHEET_VALUES, assessments_import, assessments_template
from ntm.criteria.models import CriteriaSet
from ntm.criteria.services import criteria_load

def _filled(template, shift):
    wb = load_workbook(io.BytesIO(template))
    for n, row in enumerate(wb[SHEET_VALUES].iter_rows(min_row=3, min_col=4)):
        for cell in row:
            header = wb[SHEET_VALUES].cell(1, cell.column).value
            cell.value = (60 + (n + shift) % 40) if header in ("3.1", "5.1", "10.1") else ("Có" if (n+shift) % 3 else "Không")
    for n, row in enumerate(wb[SHEET_RESULTS].iter_rows(min_row=3, min_col=4)):
        for i, cell in enumerate(row):
            cell.value = "Chưa đạt" if (i + n + shift) % 5 == 0 else "Đạt"
    out = io.BytesIO(); wb.save(out); return out.getvalue()

def test_prof(units):
    criteria_load(codes=["NTM-XA-2021"])
    cset = CriteriaSet.objects.get(code="NTM-XA-2021")
    template = assessments_template(scope=system_scope(), unit=units.bac_kan, year=2023, criteria_set=cset)
    import cProfile, pstats
    for shift in (0, 1, 1):
        data = _filled(template, shift)
        t = time.perf_counter()
        pr = cProfile.Profile()
        pass
        r = assessments_import(data=data, scope=system_scope(), user=None)
        pr.disable()
        if False:
            s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(30); print(s.getvalue())
        print(shift, r.ok, r.created, r.updated, round(time.perf_counter() - t, 2))
    t = time.perf_counter()
    r = assessments_import(data=data, scope=system_scope(), user=None, state="approved")
    print("approve", r.ok, r.errors[:2], r.created, r.updated, round(time.perf_counter() - t, 2))
