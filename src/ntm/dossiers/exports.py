"""Excel tables for follow-up: keeping the standard, merged communes."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ntm.excel import workbook_bytes, write_table


def _lost_text(lost: list[dict]) -> str:
    return "; ".join(
        _("%(c)s %(name)s (từ %(since)s, bộ %(set)s)")
        % {"c": x["criterion"], "name": x["name"], "since": x["since"], "set": x["criteria_set"]}
        for x in lost
    )


def keeping_xlsx(rows: list[dict], *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "GiuChuan"
    headers = [
        _("Mã xã"),
        _("Tên xã"),
        _("Huyện (cũ)"),
        _("Mức công nhận"),
        _("Quyết định"),
        _("Ngày quyết định"),
        _("Bộ tiêu chí công nhận"),
        _("Số tiêu chí không còn đạt"),
        _("Tiêu chí không còn đạt (từ năm)"),
        _("Đánh giá lại trong năm"),
    ]
    write_table(
        ws,
        headers,
        (
            [
                r["code"],
                r["name"],
                r["parent"],
                r["level_label"],
                r["decision_number"] or "",
                r["decision_date"] or "",
                r["recognised_set"] or "",
                len(r["lost"]),
                _lost_text(r["lost"]),
                _("Có") if r["reassessed"] else _("Chưa đánh giá lại"),
            ]
            for r in rows
        ),
        widths={2: 24, 3: 24, 9: 60},
    )
    ws.oddHeader.center.text = title
    return workbook_bytes(wb)
