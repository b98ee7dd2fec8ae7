"""Keeping the standard and merged communes on their pages, in Excel, the API and the summary."""

import io

from openpyxl import load_workbook
from rest_framework.test import APIClient

from ntm.reports.keeping import keeping_standard
from ntm.reports.selectors import progress_summary
from tests.reports.test_keeping import province  # noqa: F401  (the hand-built province)


def test_keeping_page_excel_api_and_summary_agree(province, units, users, client_for):  # noqa: F811
    a, b, c, d, e, f = province
    client = client_for(users.coordinator)
    page = client.get(f"/dossiers/keeping/?unit={units.bac_kan.pk}&year=2024").content.decode()
    assert f'data-code="{c.code}"' in page and f'data-code="{a.code}"' not in page
    assert "chưa đánh giá lại" in page
    got = client.get(f"/dossiers/keeping.xlsx?unit={units.bac_kan.pk}&year=2024")
    ws = load_workbook(io.BytesIO(got.content)).active
    table = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert [(r[0], r[7], r[9]) for r in table] == [
        (b.code, 1, "Có"),
        (c.code, 3, "Có"),
        (d.code, 0, "Chưa đánh giá lại"),
    ]
    assert table[0][8] == "TC2 Giao thông (từ 2024, bộ TEST-2021)"
    api = APIClient()
    api.force_authenticate(users.coordinator)
    data = api.get("/api/v1/keeping-standard/", {"unit": "06", "year": 2024}).json()
    expected = keeping_standard(unit=units.bac_kan, year=2024)
    assert data["communes"] == expected
    assert data["counts"] == {"slipping": {"ntm": 2}, "not_reassessed": {"ntm": 1}}
    summary = progress_summary(unit=units.bac_kan, year=2024).as_dict()
    assert summary["keeping_standard"] == expected
    api.force_authenticate(users.outsider)
    assert api.get("/api/v1/keeping-standard/", {"unit": "06", "year": 2024}).status_code == 404
    assert (
        client_for(users.outsider)
        .get(f"/dossiers/keeping/?unit={units.bac_kan.pk}&year=2024")
        .status_code
        == 404
    )


def test_merged_page_and_api(units, users, client_for):
    page = client_for(users.new_province).get("/dossiers/merged/").content.decode()
    assert f'data-code="{units.quan_ha_successor.code}"' in page
    assert "Xã Quân Hà" in page and "Chưa xã cũ nào đạt chuẩn NTM" in page
    api = APIClient()
    api.force_authenticate(users.new_province)
    data = api.get("/api/v1/merged-communes/", {"unit": "19", "year": 2026}).json()
    assert len(data["communes"]) == 77 and data["counts"] == {"all": 0, "some": 0, "none": 77}


def test_dossier_api_lists_status(dossier, users):
    api = APIClient()
    api.force_authenticate(users.coordinator)
    rows = api.get("/api/v1/dossiers/").json()["results"]
    assert [(r["unit_code"], r["status"]["complete"]) for r in rows] == [("02005", False)]
    assert rows[0]["status"]["missing"][0] == "Tờ trình đề nghị xét, công nhận"
    api.force_authenticate(users.outsider)
    assert api.get("/api/v1/dossiers/").json()["results"] == []
