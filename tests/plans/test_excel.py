import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from ntm.accounts.scope import scope_for, system_scope
from ntm.plans import services
from ntm.plans.excel import plans_import, plans_template
from ntm.plans.models import RoadmapEntry, Target, Task, TaskNote

from .conftest import ROADMAP_HEADER, TARGET_HEADER, TASK_HEADER, xlsx


def _state():
    return (
        list(Target.objects.order_by("pk").values_list("pk", "value", "note", "parent_id")),
        list(RoadmapEntry.objects.order_by("pk").values_list("pk", "target_year")),
        list(Task.objects.order_by("pk").values_list("pk", "content", "status")),
        TaskNote.objects.count(),
        Target.history.count() + RoadmapEntry.history.count() + Task.history.count(),
    )


@pytest.fixture
def good_file(plan, units, bk):
    return xlsx(
        {
            "HuongDan": [["Mã kế hoạch (ID)", plan.pk]],
            "ChiTieu": [
                TARGET_HEADER,
                [
                    "Số xã đạt chuẩn mới trong năm",
                    "Đạt chuẩn nông thôn mới",
                    None,
                    units.bach_thong.code,
                    "",
                    2023,
                    2,
                    None,
                    None,
                ],
                [
                    "Số xã đạt chuẩn mới trong năm",
                    "NTM",
                    None,
                    "06",
                    "Bắc Kạn",
                    2023,
                    9,
                    None,
                    "+9 xã",
                ],
                ["Bình quân số tiêu chí đạt/xã", None, None, "06", None, 2023, "13,5", None, None],
                ["ocop_products_by_stars", None, 3, "06", None, 2023, 10, None, None],
                [
                    "Thu nhập bình quân đầu người (số lần so với năm gốc)",
                    None,
                    None,
                    "06",
                    None,
                    2025,
                    1.5,
                    2020,
                    None,
                ],
            ],
            "LoTrinh": [
                ROADMAP_HEADER,
                [bk.communes[0].code, "", "NTM", 2023],
                [bk.communes[1].code, "", "Nâng cao", 2025],
            ],
            "NhiemVu": [
                TASK_HEADER,
                [
                    None,
                    "Tuyên truyền",
                    "Tổ chức hội nghị",
                    "Sở NN&PTNT",
                    "UBND huyện",
                    "30/06/2023",
                    "Đang thực hiện",
                    "Đã tổ chức 2 hội nghị",
                ],
            ],
        }
    )


def test_import_writes_targets_allocations_roadmap_and_tasks(plan, users, units, bk, good_file):
    report = plans_import(
        plan=plan, data=good_file, scope=scope_for(users.coordinator), user=users.coordinator
    )
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (8, 0)  # 5 targets, 2 roadmap rows, 1 task
    top = Target.objects.get(plan=plan, metric="communes_new_at_level", unit=units.bac_kan)
    alloc = Target.objects.get(plan=plan, metric="communes_new_at_level", unit=units.bach_thong)
    assert top.value == 9 and top.note == "+9 xã" and alloc.parent == top and alloc.level == "ntm"
    assert Target.objects.get(metric="criteria_average").value == Decimal("13.50")
    assert Target.objects.get(metric="ocop_products_by_stars").stars == 3
    assert Target.objects.get(metric="income_multiple").base_year == 2020
    assert set(RoadmapEntry.objects.values_list("unit__code", "level", "target_year")) == {
        (bk.communes[0].code, "ntm", 2023),
        (bk.communes[1].code, "advanced", 2025),
    }
    task = Task.objects.get()
    assert (task.status, task.deadline, task.notes.get().text) == (
        "in_progress",
        datetime.date(2023, 6, 30),
        "Đã tổ chức 2 hội nghị",
    )
    assert top.history.first().history_user == users.coordinator


def test_the_template_imports_back_unchanged(plan, users, good_file):
    plans_import(plan=plan, data=good_file, scope=system_scope(), user=None)
    before = _state()
    data = plans_template(plan)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:5] == ["HuongDan", "KeHoach", "ChiTieu", "LoTrinh", "NhiemVu"]
    assert wb["ChiTieu"].max_row == 6 and wb["LoTrinh"].max_row == 3 and wb["NhiemVu"].max_row == 2
    report = plans_import(plan=plan, data=data, scope=system_scope(), user=None)
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert _state() == before


def test_dry_run_writes_nothing(plan, users, good_file):
    before = _state()
    report = plans_import(
        plan=plan,
        data=good_file,
        scope=scope_for(users.coordinator),
        user=users.coordinator,
        dry_run=True,
    )
    assert report.ok and report.dry_run and report.created == 8
    assert _state() == before


def test_every_kind_of_error_is_reported_and_nothing_written(plan, users, units, bk):
    c = users.coordinator
    top = services.target_create(plan=plan, user=c, metric="villages_ntm", year=2023, value=10)
    services.target_create(plan=plan, user=c, parent=top, unit=units.ba_be, value=4)
    before = _state()
    data = xlsx(
        {
            "HuongDan": [["Mã kế hoạch (ID)", plan.pk]],
            "ChiTieu": [
                TARGET_HEADER,
                ["Số cây xanh", None, None, "06", None, 2023, 5, None, None],  # 2: unknown metric
                [
                    "communes_new_at_level",
                    "Rất cao",
                    None,
                    "06",
                    None,
                    2023,
                    5,
                    None,
                    None,
                ],  # 3: bad level
                ["villages_ntm", None, None, "06", None, 2023, "=A1", None, None],  # 4: formula
                ["villages_ntm", None, None, "", None, 2023, 5, None, None],  # 5: blank unit
                ["villages_ntm", None, None, "99999", None, 2023, 5, None, None],  # 6: unknown unit
                [
                    "criteria_average",
                    None,
                    None,
                    "06",
                    None,
                    2030,
                    13,
                    None,
                    None,
                ],  # 7: year outside plan
                [
                    "villages_ntm",
                    None,
                    None,
                    units.bach_thong.code,
                    None,
                    2023,
                    7,
                    None,
                    None,
                ],  # 8: 4 + 7 > 10
                [
                    "communes_new_at_level",
                    None,
                    None,
                    "06",
                    None,
                    2023,
                    5,
                    None,
                    None,
                ],  # 9: level missing
                [
                    "villages_ntm",
                    None,
                    None,
                    "06",
                    None,
                    2023,
                    "mười",
                    None,
                    None,
                ],  # 10: not a number
            ],
            "LoTrinh": [
                ROADMAP_HEADER,
                [units.bach_thong.code, "", "NTM", 2023],
                [units.lang_son_commune.code, "", "NTM", 2023],
                [bk.communes[0].code, "", "NTM", 2031],
            ],
            "NhiemVu": [
                TASK_HEADER,
                [999999, "", "Nội dung", "Sở", None, None, None, None],
                [None, "", "Nội dung", "", None, None, None, None],
                [None, "", "Nội dung", "Sở", None, "31/02/2023", None, None],
            ],
        }
    )
    report = plans_import(plan=plan, data=data, scope=scope_for(c), user=c)
    got = [(e.sheet, e.row, e.column) for e in report.errors]
    assert got == [
        ("ChiTieu", 2, "A"),
        ("ChiTieu", 3, "B"),
        ("ChiTieu", 4, "G"),
        ("ChiTieu", 5, "D"),
        ("ChiTieu", 6, "D"),
        ("ChiTieu", 7, "F"),
        ("ChiTieu", 8, "G"),
        ("ChiTieu", 9, "B"),
        ("ChiTieu", 10, "G"),
        ("LoTrinh", 2, "A"),
        ("LoTrinh", 3, "A"),
        ("LoTrinh", 4, "D"),
        ("NhiemVu", 2, "A"),
        ("NhiemVu", 3, "D"),
        ("NhiemVu", 4, "F"),
    ], [str(e) for e in report.errors]
    messages = {(e.sheet, e.row): e.message for e in report.errors}
    assert "công thức" in messages[("ChiTieu", 4)]
    assert "không được để trống" in messages[("ChiTieu", 5)]
    assert "99999" in messages[("ChiTieu", 6)]
    assert "ngoài giai đoạn" in messages[("ChiTieu", 7)]
    assert "vượt chỉ tiêu" in messages[("ChiTieu", 8)] and "tối đa 6" in messages[("ChiTieu", 8)]
    assert "không phải là số" in messages[("ChiTieu", 10)]
    assert "không có" in messages[("LoTrinh", 3)].lower()
    assert "mã 999999" in messages[("NhiemVu", 2)]
    assert str(report.errors[0]).startswith("Trang ChiTieu, dòng 2, cột A:")
    assert _state() == before


def test_a_file_of_another_plan_or_not_a_workbook_is_refused(plan, users):
    before = _state()
    report = plans_import(
        plan=plan,
        data=xlsx(
            {
                "HuongDan": [["Mã kế hoạch (ID)", plan.pk + 1]],
                "ChiTieu": [TARGET_HEADER, ["villages_ntm", None, None, "06", None, 2023, 1]],
            }
        ),
        scope=system_scope(),
        user=None,
    )
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("HuongDan", 1, "B")]
    report = plans_import(plan=plan, data=b"not a workbook", scope=system_scope(), user=None)
    assert not report.ok and "Không đọc được tệp Excel" in report.errors[0].message
    report = plans_import(
        plan=plan, data=xlsx({"ChiTieu": [["Chỉ tiêu", "Năm"]]}), scope=system_scope(), user=None
    )
    assert "Thiếu cột" in report.errors[0].message and report.errors[0].row == 1
    assert _state() == before


def test_no_import_into_another_provinces_plan_or_by_readers(plan, users, good_file):
    before = _state()
    for user in (users.outsider, users.national, users.department, users.commune):
        report = plans_import(plan=plan, data=good_file, scope=scope_for(user), user=user)
        assert not report.ok and "không có quyền" in report.errors[0].message
    assert _state() == before


def test_commands(plan, tmp_path, good_file):
    path = tmp_path / "kh.xlsx"
    path.write_bytes(good_file)
    out = io.StringIO()
    call_command("plan", "import", "--plan-id", str(plan.pk), str(path), "--dry-run", stdout=out)
    assert "chạy thử" in out.getvalue() and Target.objects.count() == 0
    call_command("plan", "import", "--plan-id", str(plan.pk), str(path), stdout=out)
    assert Target.objects.count() == 5
    template = tmp_path / "mau.xlsx"
    call_command("plan", "template", "--plan-id", str(plan.pk), "-o", str(template), stdout=out)
    assert load_workbook(template)["ChiTieu"].max_row == 6
    with pytest.raises(CommandError, match="Không có kế hoạch"):
        call_command("plan", "template", "--plan-id", "987654", "-o", str(template))
