import pytest
from openpyxl import Workbook, load_workbook

from ntm.accounts.scope import scope_for
from ntm.excel import workbook_bytes
from ntm.units.models import AttributeKind, Kind, Level, Unit
from ntm.units.services import (
    VILLAGE_HEADERS,
    UnitAttributeError,
    VillageError,
    attribute_set,
    village_create,
    villages_import,
    villages_template,
)


def _workbook(rows, headers=VILLAGE_HEADERS, sheet="Thon"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    return workbook_bytes(wb)


def test_village_gets_a_code_under_its_commune(units, users):
    new_commune = units.quan_ha_successor
    village = village_create(commune=new_commune, name="Thôn Nà Pài", user=users.new_commune)
    assert village.level == Level.VILLAGE
    assert village.code == f"{new_commune.code}.001"
    assert village.path.startswith(new_commune.path)
    assert village.history.first().history_user == users.new_commune
    second = village_create(commune=new_commune, name="Bản Chang", kind=Kind.HAMLET)
    assert second.code.endswith(".002")


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "không được để trống"), ("   ", "không được để trống"), ("thôn nà pài", "đã có thôn")],
)
def test_village_refused_with_clear_reason(units, name, message):
    village_create(commune=units.quan_ha_successor, name="Thôn Nà Pài")
    with pytest.raises(VillageError, match=message):
        village_create(commune=units.quan_ha_successor, name=name)


def test_village_cannot_go_under_a_district_or_an_ended_commune(units):
    with pytest.raises(VillageError, match="cấp xã"):
        village_create(commune=units.bach_thong, name="Thôn A")
    with pytest.raises(VillageError, match="hết hiệu lực"):
        village_create(commune=units.quan_ha, name="Thôn A")


def test_villages_import_writes_all_rows(units, users):
    code = units.quan_ha_successor.code
    data = _workbook([[code, "", "Thôn Một", "Thôn", None], [code, "", "Bản Hai", "Bản", "X-02"]])
    report = villages_import(
        data=data, scope=scope_for(users.new_province), user=users.new_province
    )
    assert report.ok, report.errors
    assert report.created == 2
    assert Unit.objects.get(code="X-02").kind == Kind.HAMLET


def test_villages_import_lists_every_error_and_writes_nothing(units, users):
    code = units.quan_ha_successor.code
    data = _workbook(
        [
            [code, "", "Thôn Một", "Thôn", None],
            ["99999", "", "Thôn Hai", "Thôn", None],  # unknown commune
            [units.lang_son_commune.code, "", "Thôn Ba", "Thôn", None],  # not current, out of scope
            [code, "", "", "Thôn", None],  # empty name
            [code, "", "Thôn Bốn", "Làng", None],  # wrong kind
            [code, "", "thôn một", "Thôn", None],  # duplicate in file
            [code, "", "=1+1", "Thôn", None],  # formula
        ]
    )
    before = Unit.objects.filter(level=Level.VILLAGE).count()
    report = villages_import(data=data, scope=scope_for(users.new_province))
    cells = {(e.row, e.column) for e in report.errors}
    assert {(3, "A"), (4, "A"), (5, "C"), (6, "D"), (7, "C"), (8, "C")} <= cells
    assert all(e.sheet == "Thon" for e in report.errors)
    assert "Trang Thon, dòng 3, cột A" in str(report.errors[0])
    assert Unit.objects.filter(level=Level.VILLAGE).count() == before


def test_villages_import_refuses_a_file_that_is_not_excel(users):
    report = villages_import(data=b"not a zip", scope=scope_for(users.coordinator))
    assert not report.ok
    assert "Không đọc được tệp Excel" in report.errors[0].message


def test_villages_import_refuses_wrong_sheet_and_headers(users):
    assert (
        "Không có trang"
        in villages_import(data=_workbook([], sheet="Sheet1"), scope=scope_for(users.coordinator))
        .errors[0]
        .message
    )
    assert (
        "Dòng tiêu đề"
        in villages_import(
            data=_workbook([], headers=["a", "b"]), scope=scope_for(users.coordinator)
        )
        .errors[0]
        .message
    )


def test_dry_run_validates_without_writing(units, users):
    data = _workbook([[units.quan_ha_successor.code, "", "Thôn Một", "Thôn", None]])
    report = villages_import(data=data, scope=scope_for(users.new_province), dry_run=True)
    assert report.ok and report.created == 0
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()


def test_template_lists_current_communes_in_scope(units, users):
    wb = load_workbook(
        __import__("io").BytesIO(villages_template(scope=scope_for(users.new_province)))
    )
    ws = wb["Thon"]
    assert [c.value for c in ws[1]] == VILLAGE_HEADERS
    codes = {row[0].value for row in ws.iter_rows(min_row=2)}
    assert units.quan_ha_successor.code in codes
    assert units.quan_ha.code not in codes or units.quan_ha.code == units.quan_ha_successor.code
    assert ws.freeze_panes == "A2"


def test_attribute_values_are_checked(units):
    with pytest.raises(UnitAttributeError, match="TDMNPB"):
        attribute_set(
            unit=units.bac_kan, kind=AttributeKind.REGION, value="X", valid_from_year=2021
        )
    with pytest.raises(UnitAttributeError, match="Năm kết thúc"):
        attribute_set(
            unit=units.bac_kan,
            kind=AttributeKind.COMMUNE_GROUP,
            value="1",
            valid_from_year=2026,
            valid_to_year=2025,
        )


def test_attribute_update_keeps_history(units, users):
    attribute_set(unit=units.quan_ha, kind=AttributeKind.BORDER, value="no", valid_from_year=2021)
    attr = attribute_set(
        unit=units.quan_ha,
        kind=AttributeKind.BORDER,
        value="yes",
        valid_from_year=2021,
        user=users.coordinator,
    )
    assert [h.value for h in attr.history.order_by("history_date")] == ["no", "yes"]
    assert attr.history.first().history_user == users.coordinator
