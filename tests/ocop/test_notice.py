"""The notice letter for certificates that expire within 30 days (Word), one letter per commune or
per subject, linked from the expiry calendar.

Hand-made case, on 01/06/2026: certificates valid to 06/06 (Ba Bể commune, 3★), 11/06 (Quân Hà,
4★), 26/06 (Quân Hà, 3★) are in the 30-day list; one valid to 16/07 (45 days) is not; one valid to
13/06 but revoked on 01/05 is not.
"""

import datetime
import io

import pytest
from docx import Document

from ntm.accounts.scope import system_scope
from ntm.ocop import notice, rules, selectors, services

DAY = datetime.date(2026, 6, 1)


def _issued_for(valid_to: datetime.date) -> datetime.date:
    """The decision date whose certificate is valid to the given day (the rule of the data)."""
    day = valid_to - datetime.timedelta(days=3 * 365 + 30)
    while rules.certificate_valid_to(day) < valid_to:
        day += datetime.timedelta(days=1)
    assert rules.certificate_valid_to(day) == valid_to
    return day


@pytest.fixture
def expiring(ocop, units):
    other = services.subject_save(
        user=None, kind="cooperative", name="HTX Bành Trạch", unit=units.ba_be_commune
    )
    made = {}
    for name, subject, unit, stars, valid_to, number in (
        ("Miến dong", other, units.ba_be_commune, 3, datetime.date(2026, 6, 6), "12/QĐ-UBND"),
        ("Chè Quân Hà", ocop.coop, units.quan_ha, 4, datetime.date(2026, 6, 11), "34/QĐ-UBND"),
        ("Gạo nếp Quân Hà", ocop.coop, units.quan_ha, 3, datetime.date(2026, 6, 26), "56/QĐ-UBND"),
        ("Mật ong Quân Hà", ocop.coop, units.quan_ha, 3, datetime.date(2026, 7, 16), "78/QĐ-UBND"),
        ("Măng khô", ocop.coop, units.quan_ha, 3, datetime.date(2026, 6, 13), "90/QĐ-UBND"),
    ):
        product = (
            services.product_save(
                user=None, name=name, subject=subject, group="thuc_pham", unit=unit
            )
            if name not in ("Chè Quân Hà", "Gạo nếp Quân Hà")
            else getattr(ocop, "tea" if name == "Chè Quân Hà" else "rice")
        )
        made[name] = services.certificate_issue(
            user=None, product=product, number=number, issued_on=_issued_for(valid_to), stars=stars
        )
    services.certificate_revoke(
        user=None,
        certificate=made["Măng khô"],
        number="5/QĐ-UBND",
        revoked_on=datetime.date(2026, 5, 1),
        reason="Không duy trì điều kiện sản xuất",
    )
    return made


def _letters(data: bytes):
    doc = Document(io.BytesIO(data))
    grids = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    rows = [[[c.text for c in r.cells] for r in t.rows[1:]] for t in grids]
    addressed = [p.text for p in doc.paragraphs if p.text.startswith("Kính gửi:")]
    heads = ["\n".join(c.text for c in t.rows[0].cells) for t in doc.tables if t not in grids]
    return addressed, rows, heads, "\n".join(p.text for p in doc.paragraphs)


def test_one_letter_per_commune(expiring, units):
    certificates = selectors.expiry_calendar(day=DAY, days=30, scope=system_scope())
    data = notice.notice_docx(list(certificates), day=DAY, days=30, sender=units.bac_kan)
    addressed, rows, heads, text = _letters(data)
    assert addressed == [
        "Kính gửi: Ủy ban nhân dân xã Bành Trạch.",
        "Kính gửi: Ủy ban nhân dân xã Quân Hà.",
    ]
    issued = {name: c.issued_on.strftime("%d/%m/%Y") for name, c in expiring.items()}
    assert rows == [
        [["1", "Miến dong", "HTX Bành Trạch", "3★", f"12/QĐ-UBND ngày {issued['Miến dong']}", "06/06/2026"]],
        [
            ["1", "Chè Quân Hà", "HTX Quân Hà", "4★", f"34/QĐ-UBND ngày {issued['Chè Quân Hà']}", "11/06/2026"],
            ["2", "Gạo nếp Quân Hà", "HTX Quân Hà", "3★", f"56/QĐ-UBND ngày {issued['Gạo nếp Quân Hà']}", "26/06/2026"],
        ],
    ]  # fmt: skip
    assert "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN" in heads[0]
    assert "Bắc Kạn, ngày 01 tháng 06 năm 2026" in heads[0]
    assert "V/v thông báo giấy chứng nhận sản phẩm OCOP sắp hết hiệu lực" in heads[0]
    assert "hết hiệu lực trong 30 ngày tới (tính từ 01/06/2026)" in text
    assert "Mật ong" not in text and "Măng khô" not in text


def test_one_letter_per_subject(expiring, units):
    certificates = selectors.expiry_calendar(day=DAY, days=30, scope=system_scope())
    data = notice.notice_docx(
        list(certificates), day=DAY, days=30, sender=units.bac_kan, by=notice.BY_SUBJECT
    )
    addressed, rows, _heads, _text = _letters(data)
    assert addressed == ["Kính gửi: HTX Bành Trạch.", "Kính gửi: HTX Quân Hà."]
    assert [[(r[1], r[2]) for r in letter] for letter in rows] == [
        [("Miến dong", "Xã Bành Trạch")],
        [("Chè Quân Hà", "Xã Quân Hà"), ("Gạo nếp Quân Hà", "Xã Quân Hà")],
    ]


def test_the_page_links_the_letter_and_it_keeps_to_the_scope(ocop, users, client_for):
    today = datetime.date.today()
    services.certificate_issue(
        user=None,
        product=ocop.tea,
        number="7/QĐ-UBND",
        issued_on=_issued_for(today + datetime.timedelta(days=10)),
        stars=4,
    )
    page = client_for(users.coordinator).get("/ocop/manage/expiry/").content.decode()
    assert "/ocop/manage/expiry/notice.docx" in page
    assert "/ocop/manage/expiry/notice.docx?by=subject" in page
    response = client_for(users.coordinator).get("/ocop/manage/expiry/notice.docx")
    assert response.status_code == 200
    addressed, rows, _heads, _text = _letters(response.content)
    assert addressed == ["Kính gửi: Ủy ban nhân dân xã Quân Hà."]
    assert [r[1] for r in rows[0]] == ["Chè Quân Hà"]
    outside = client_for(users.outsider).get("/ocop/manage/expiry/notice.docx")
    addressed, rows, _heads, text = _letters(outside.content)
    assert addressed == ["Kính gửi: Các đơn vị có liên quan."] and rows == [[]]
    assert "Chè Quân Hà" not in text
