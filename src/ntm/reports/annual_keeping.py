"""The annual report's section on keeping the standard (giữ chuẩn): the figures of
`reports.keeping`, as the dashboard and the API show them."""

from django.utils.translation import gettext as _

from ntm.reports.annual_text import _n, level_noun
from ntm.reports.document import Heading, Paragraph, Table
from ntm.reports.keeping import keeping_counts
from ntm.reports.selectors import Summary


def _lost(row: dict) -> str:
    return "; ".join(
        _("%(c)s %(name)s (từ %(since)s)")
        % {"c": x["criterion"], "name": x["name"], "since": x["since"]}
        for x in row["lost"]
    )


def _keeping_section(s: Summary, number: int, plans) -> list:
    rows = s.keeping_standard
    blocks: list = [Heading(_("%(n)s. Giữ chuẩn nông thôn mới") % {"n": number}, 2)]
    if not rows:
        blocks.append(
            Paragraph(
                _(
                    "Đến 31/12/%(year)s, các xã đã được công nhận đều giữ chuẩn theo kết quả "
                    "đánh giá đã phê duyệt và đã được đánh giá lại trong năm."
                )
                % {"year": s.year}
            )
        )
        return blocks
    counts = keeping_counts(rows)
    parts = [
        _("%(n)s %(noun)s không còn đạt đủ tiêu chí") % {"n": _n(n), "noun": level_noun(level)}
        for level, n in counts["slipping"].items()
    ]
    not_reassessed = sum(counts["not_reassessed"].values())
    text = _("Năm %(year)s") % {"year": s.year}
    text += ": " + (", ".join(parts) if parts else _("không có xã nào không còn đạt tiêu chí"))
    if not_reassessed:
        text += _("; %(n)s xã chưa được đánh giá lại trong năm") % {"n": _n(not_reassessed)}
    blocks.append(Paragraph(text + "."))
    blocks.append(
        Table(
            key="giu_chuan",
            title=_("Xã đã công nhận cần củng cố, giữ chuẩn"),
            columns=[
                _("TT"),
                _("Xã"),
                _("Mức"),
                _("Quyết định"),
                _("Tiêu chí không còn đạt (từ năm)"),
                _("Đánh giá lại"),
            ],
            rows=[
                [
                    i,
                    f"{r['name']}, {r['parent']}" if r["parent"] else r["name"],
                    r["level_label"],
                    r["decision_number"] or "",
                    _lost(r),
                    _("Có") if r["reassessed"] else _("Chưa đánh giá lại"),
                ]
                for i, r in enumerate(rows, start=1)
            ],
            unit_note=_("Đơn vị tính: xã"),
        )
    )
    return blocks
