import io

from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from ntm.accounts.scope import system_scope
from ntm.ocop.excel import ocop_import, ocop_template
from ntm.ocop.models import Certificate, Evaluation, EvaluationRound, Product, Subject


def _book(subjects=(), products=(), scores=(), decisions=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "ChuThe"
    ws.append(
        [
            "Tên chủ thể",
            "Loại hình",
            "Mã xã",
            "Địa chỉ",
            "Mã số thuế",
            "Người đại diện",
            "Điện thoại",
            "Email",
        ]
    )
    for row in subjects:
        ws.append(row)
    ws = wb.create_sheet("SanPham")
    ws.append(
        [
            "Tên sản phẩm",
            "Tên chủ thể",
            "Mã xã sản xuất",
            "Nhóm",
            "Giai đoạn",
            "Mã truy xuất",
            "Mô tả",
        ]
    )
    for row in products:
        ws.append(row)
    ws = wb.create_sheet("DiemSo")
    ws.append(
        [
            "Mã đơn vị tổ chức",
            "Năm",
            "Đợt",
            "Ngày đánh giá",
            "Tên sản phẩm",
            "Tên chủ thể",
            "Điểm A",
            "Điểm B",
            "Điểm C",
            "Đề xuất",
        ]
    )
    for row in scores:
        ws.append(row)
    ws = wb.create_sheet("QuyetDinh")
    ws.append(
        [
            "Tên sản phẩm",
            "Tên chủ thể",
            "Số quyết định",
            "Ngày quyết định",
            "Cơ quan ban hành",
            "Số sao",
            "Năm đợt",
            "Đợt",
        ]
    )
    for row in decisions:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = dict(
    subjects=[
        [
            "HTX Chè Bạch Thông",
            "Hợp tác xã",
            "02005",
            "Thôn Nà Pài",
            "4700111222",
            "Lý Văn B",
            "0911",
            None,
        ]
    ],
    products=[
        [
            "Chè xanh Bạch Thông",
            "HTX Chè Bạch Thông",
            "02005",
            "Đồ uống",
            "Đánh giá, phân hạng",
            None,
            None,
        ]
    ],
    scores=[
        [
            "063",
            2024,
            1,
            "10/09/2024",
            "Chè xanh Bạch Thông",
            "HTX Chè Bạch Thông",
            30,
            "20,5",
            22,
            "Đề nghị 4 sao",
        ]
    ],
    decisions=[
        [
            "Chè xanh Bạch Thông",
            "HTX Chè Bạch Thông",
            "123/QĐ-UBND",
            "01/10/2024",
            "UBND tỉnh Bắc Kạn",
            4,
            2024,
            1,
        ]
    ],
)


def test_import_writes_everything(units, sheets):
    report = ocop_import(data=_book(**GOOD), scope=system_scope(), user=None)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 4
    ev = Evaluation.objects.get()
    assert str(ev.total) == "72.50" and ev.stars == 4 and ev.round.unit == units.bach_thong
    cert = Certificate.objects.get()
    assert cert.evaluation == ev and cert.outcome == "new"
    # Imported again: subjects and products are updated, a second decision is refused.
    again = ocop_import(data=_book(**{**GOOD, "decisions": []}), scope=system_scope(), user=None)
    assert again.ok and again.updated == 3 and again.created == 0


def test_import_errors_write_nothing(units, sheets):
    bad = {
        **GOOD,
        "scores": [
            [
                "063",
                2024,
                1,
                "10/09/2024",
                "Chè xanh Bạch Thông",
                "HTX Chè Bạch Thông",
                41,
                20,
                22,
                None,
            ]
        ],
        "decisions": [
            [
                "Chè xanh Bạch Thông",
                "HTX Chè Bạch Thông",
                "123/QĐ-UBND",
                "31/02/2024",
                None,
                4,
                None,
                None,
            ]
        ],
    }
    report = ocop_import(data=_book(**bad), scope=system_scope(), user=None)
    assert not report.ok
    messages = [(e.sheet, e.row, e.column) for e in report.errors]
    assert ("DiemSo", 2, "G") in messages and ("QuyetDinh", 2, "D") in messages
    assert "vượt điểm tối đa 40" in str(report.errors[0])
    assert not Subject.objects.exists() and not Product.objects.exists()
    assert not EvaluationRound.objects.exists() and not Certificate.objects.exists()
    wrong = {**GOOD, "subjects": [["X", "Công ty", "99999", None, None, None, None, None]]}
    report = ocop_import(data=_book(**wrong), scope=system_scope(), user=None)
    assert {(e.sheet, e.column) for e in report.errors} >= {
        ("ChuThe", "B"),
        ("ChuThe", "C"),
    } or len(report.errors) >= 1
    assert not Subject.objects.exists()


def test_dry_run_and_outsider_scope(units, users, sheets):
    from ntm.accounts.scope import scope_for

    report = ocop_import(data=_book(**GOOD), scope=system_scope(), user=None, dry_run=True)
    assert report.ok and report.created == 4 and not Subject.objects.exists()
    report = ocop_import(data=_book(**GOOD), scope=scope_for(users.outsider), user=users.outsider)
    assert not report.ok and not Subject.objects.exists()


def test_cli_template_and_import(units, sheets, tmp_path):
    path = tmp_path / "ocop.xlsx"
    path.write_bytes(_book(**GOOD))
    call_command("ocop", "import", str(path), "--dry-run")
    assert not Subject.objects.exists()
    call_command("ocop", "import", str(path))
    assert Certificate.objects.count() == 1
    out = tmp_path / "mau.xlsx"
    call_command("ocop", "template", "-o", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["ChuThe", "SanPham", "DiemSo", "QuyetDinh"]
    assert wb["SanPham"]["A2"].value == "Chè xanh Bạch Thông"
    assert ocop_template(scope=system_scope())[:2] == b"PK"
