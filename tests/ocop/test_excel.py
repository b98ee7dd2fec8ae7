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
    assert wb.sheetnames == ["ChuThe", "SanPham", "DiemSo", "QuyetDinh", "DanhMuc"]
    assert wb["DanhMuc"].sheet_state == "hidden"
    assert wb["SanPham"]["A2"].value == "Chè xanh Bạch Thông"
    assert ocop_template(scope=system_scope())[:2] == b"PK"


def test_template_lists_come_from_a_hidden_sheet_and_codes_are_text(units, ocop):
    wb = load_workbook(io.BytesIO(ocop_template(scope=system_scope())))
    lists = wb["DanhMuc"]
    kinds = [c.value for c in lists["A"][1:] if c.value]
    assert "Hộ sản xuất, kinh doanh" in kinds  # one value, not split at its comma
    formulas = {str(dv.sqref): dv.formula1 for dv in wb["ChuThe"].data_validations.dataValidation}
    assert formulas == {"B2:B1000": f"=DanhMuc!$A$2:$A${len(kinds) + 1}"}
    product_lists = {
        str(dv.sqref): dv.formula1 for dv in wb["SanPham"].data_validations.dataValidation
    }
    assert product_lists["E2:E1000"] == "=DanhMuc!$C$2:$C$27"  # the 26 leaves of Phụ lục I
    assert wb["ChuThe"]["C2"].number_format == "@" and wb["SanPham"]["C5"].number_format == "@"
    assert wb["DiemSo"]["A2"].number_format == "@"


def test_household_alias_numeric_code_classification_and_stars(units, ocop):
    wb = _book(
        subjects=[["Hộ ông Ba", "Hộ kinh doanh", 2005, "", "", "", "", ""]],  # 02005 as a number
        products=[["Mật ong Ba", "Hộ ông Ba", "02005", "", "", "", ""]],
        decisions=[
            ["Mật ong Ba", "Hộ ông Ba", "9/QĐ-UBND", "01/03/2024", "UBND tỉnh", "3★", None, None],
        ],
    )
    wb = load_workbook(io.BytesIO(wb))
    ws = wb["SanPham"]
    ws.cell(row=1, column=8, value="Loại sản phẩm")
    ws.cell(
        row=2,
        column=8,
        value="I.2.b Thực phẩm thô, sơ chế — Mật ong, mật khác và nông sản thực phẩm khác",
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = ocop_import(data=buf.getvalue(), scope=system_scope(), user=None)
    assert report.ok, [str(e) for e in report.errors]
    subject = Subject.objects.get(name="Hộ ông Ba")
    assert subject.kind == "household" and subject.unit.code == "02005"
    product = Product.objects.get(name="Mật ong Ba")
    assert (product.classification, product.group) == ("I.2.b", "thuc_pham")
    assert Certificate.objects.get(product=product).stars == 3


def test_bad_stars_name_their_column(units, ocop):
    wb = _book(
        decisions=[
            ["Chè Quân Hà", "HTX Quân Hà", "9/QĐ-UBND", "01/03/2024", "", "ba sao", None, None]
        ]
    )
    report = ocop_import(data=wb, scope=system_scope(), user=None)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("QuyetDinh", 2, "F")]
    assert "3 sao" in report.errors[0].message
