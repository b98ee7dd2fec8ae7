"""OCOP figures in words, for the documents and pages that report them (one wording everywhere)."""

from django.utils.translation import gettext as _


def _n(value) -> str:
    return f"{int(value):,}".replace(",", ".")


def _by_stars(counts: dict) -> str:
    parts = [
        _("%(n)s sản phẩm %(s)s sao") % {"n": _n(n), "s": s}
        for s, n in sorted(counts.items(), reverse=True)
        if n
    ]
    return ", ".join(parts) if parts else _("không có")


def round_paragraph(figures: dict, year: int) -> str:
    """The round figures of a year as provinces publish them: evaluated, re-certified ("cấp
    lại"), new by stars, below 3★; provisional while a round with a council is still open."""
    r = figures["round"]
    text = _(
        "Các đợt đánh giá, phân hạng năm %(y)s (kể cả hội đồng họp, quyết định ban hành đầu năm "
        "sau): %(n)s sản phẩm được đánh giá; %(re)s sản phẩm đủ điều kiện cấp lại (%(re_s)s); "
        "%(new)s sản phẩm đủ điều kiện công nhận mới (%(new_s)s); %(below)s sản phẩm chưa đạt 3 "
        "sao."
    ) % {
        "y": year,
        "n": _n(r["evaluated"]),
        "re": _n(r["recertified_total"]),
        "re_s": _by_stars(r["recertified"]),
        "new": _n(r["new_total"]),
        "new_s": _by_stars(r["new"]),
        "below": _n(r["below_3"]),
    }
    if r["provisional"]:
        text += " " + _("Số liệu tạm thời: %(p)s sản phẩm thuộc đợt hội đồng chưa kết thúc.") % {
            "p": _n(r["provisional"])
        }
    return text


def round_rows(figures: dict) -> tuple[list[str], list[list], list]:
    """(columns, rows, total) of the round table: re-certified, new and below 3★ by stars."""
    r = figures["round"]
    stars = sorted(r["new"])
    columns = [_("Kết quả đánh giá"), *(_("%(s)s sao") % {"s": s} for s in stars), _("Tổng")]
    rows = [
        [_("Cấp lại"), *(r["recertified"][s] for s in stars), r["recertified_total"]],
        [_("Công nhận mới"), *(r["new"][s] for s in stars), r["new_total"]],
        [_("Chưa đạt 3 sao"), *(None for _s in stars), r["below_3"]],
    ]
    return columns, rows, [_("Số sản phẩm được đánh giá"), *(None for _s in stars), r["evaluated"]]
