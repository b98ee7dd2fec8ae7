"""The numbered sections of part I of the annual report: plan targets, recognitions, criteria, OCOP,
resources, tasks. Each takes the summary, its number and the unit's plans and returns blocks."""

from decimal import Decimal

from django.utils.translation import gettext as _

from ntm.criteria import levels as recognition_levels
from ntm.lib.dates import year_end
from ntm.ocop.wording import round_paragraph, round_rows
from ntm.plans.models import OVERDUE, Task, TaskStatus
from ntm.reports.annual_text import (
    _money,
    _n,
    average_sentence,
    bands_sentence,
    level_noun,
    target_figure,
    target_label,
    target_verdict,
)
from ntm.reports.charts import Bar
from ntm.reports.document import Chart, Heading, Paragraph, Table, percent
from ntm.reports.selectors import Summary
from ntm.resources.models import ModelKind


def _plan_section(s: Summary, number: int, plans) -> list:
    blocks: list = [Heading(_("%(n)s. Kết quả thực hiện các chỉ tiêu kế hoạch") % {"n": number}, 2)]
    targets = [t for t in s.targets if not t["is_allocation"]] or s.targets
    if not targets:
        blocks.append(
            Paragraph(
                _("Chưa có chỉ tiêu kế hoạch năm %(year)s của đơn vị trong hệ thống.")
                % {"year": s.year}
            )
        )
        return blocks
    for t in targets:
        blocks.append(Paragraph(f"- {target_label(t)} ({t['plan']}): {t['wording']}."))
    blocks.append(
        Table(
            key="chi_tieu",
            title=_("Kết quả thực hiện chỉ tiêu kế hoạch năm %(year)s") % {"year": s.year},
            columns=[
                _("TT"),
                _("Chỉ tiêu"),
                _("Kế hoạch số"),
                _("Kế hoạch"),
                _("Thực hiện"),
                _("Tỷ lệ (%)"),
                _("Đánh giá"),
            ],
            rows=[
                [
                    i,
                    target_label(t),
                    t["plan"],
                    target_figure(t, t["target"]),
                    target_figure(t, t["actual"]),
                    percent(t["actual"], t["target"], 0),
                    target_verdict(t),
                ]
                for i, t in enumerate(targets, start=1)
            ],
        )
    )
    return blocks


def _recognition_section(s: Summary, number: int, plans) -> list:
    blocks: list = [Heading(_("%(n)s. Công nhận đạt chuẩn") % {"n": number}, 2)]
    levels = [
        lv
        for lv in recognition_levels.codes()
        if lv in s.recognised_total or lv in s.recognised_new or lv in s.revoked
    ]
    if recognition_levels.NTM not in levels:  # always said, even when it is 0
        levels.insert(0, recognition_levels.NTM)
    commune_levels = recognition_levels.commune_levels()
    for level in levels:
        new, total = s.recognised_new.get(level, 0), s.recognised_total.get(level, 0)
        text = _(
            "Năm %(year)s có %(new)s %(noun)s được công nhận mới; đến 31/12/%(year)s có "
            "%(total)s %(noun)s"
        ) % {"year": s.year, "new": _n(new), "total": _n(total), "noun": level_noun(level)}
        if level in commune_levels and s.communes_total:
            text += _(" (%(p)s%% tổng số xã)") % {"p": _n(percent(total, s.communes_total))}
        if s.revoked.get(level):
            text += _("; %(n)s quyết định thu hồi công nhận") % {"n": _n(s.revoked[level])}
        blocks.append(Paragraph(text + "."))
    blocks.append(_recognition_table(s, levels, commune_levels))
    blocks += _recognition_followups(s)
    return blocks


def _recognition_table(s: Summary, levels: list[str], commune_levels: list[str]) -> Table:
    return Table(
        key="cong_nhan",
        title=_("Số đơn vị được công nhận đạt chuẩn năm %(year)s") % {"year": s.year},
        columns=[
            _("Mức đạt chuẩn"),
            _("Công nhận mới trong năm"),
            _("Thu hồi trong năm"),
            _("Lũy kế đến 31/12"),
            _("Tỷ lệ trên tổng số xã (%)"),
        ],
        rows=[
            [
                recognition_levels.label(lv),
                s.recognised_new.get(lv, 0),
                s.revoked.get(lv, 0),
                s.recognised_total.get(lv, 0),
                percent(s.recognised_total.get(lv, 0), s.communes_total)
                if lv in commune_levels
                else None,
            ]
            for lv in levels
        ],
        unit_note=_("Đơn vị tính: xã; thôn, huyện theo mức"),
    )


def _recognition_followups(s: Summary) -> list:
    """Units without a recognised xã, xã that fell below, xã behind the roadmap."""
    blocks = []
    if s.subunits_without_recognition:
        blocks.append(
            Paragraph(
                _("Còn %(n)s đơn vị chưa có xã đạt chuẩn nông thôn mới: %(names)s.")
                % {
                    "n": _n(len(s.subunits_without_recognition)),
                    "names": ", ".join(u["name"] for u in s.subunits_without_recognition),
                }
            )
        )
    if s.fell_below:
        blocks.append(
            Paragraph(
                _(
                    "%(n)s xã đã được công nhận nhưng năm %(year)s chưa đạt đủ tiêu chí, cần củng "
                    "cố: %(names)s."
                )
                % {
                    "n": _n(len(s.fell_below)),
                    "year": s.year,
                    "names": ", ".join(u["name"] for u in s.fell_below),
                }
            )
        )
    if s.behind_roadmap:
        blocks.append(
            Paragraph(
                _("%(n)s xã chậm so với lộ trình: %(names)s.")
                % {
                    "n": _n(len(s.behind_roadmap)),
                    "names": ", ".join(
                        f"{r['name']} ({level_noun(r['level'])}, {r['target_year']})"
                        for r in s.behind_roadmap
                    ),
                }
            )
        )
    return blocks


def _criteria_section(s: Summary, number: int, plans) -> list:
    cset = s.criteria_set
    blocks: list = [Heading(_("%(n)s. Kết quả thực hiện Bộ tiêu chí") % {"n": number}, 2)]
    if cset is None:
        blocks.append(
            Paragraph(_("Không có bộ tiêu chí xã áp dụng cho năm %(year)s.") % {"year": s.year})
        )
        return blocks
    blocks.append(
        Paragraph(
            _(
                "Bộ tiêu chí áp dụng: %(name)s (%(decision)s). Số xã: %(total)s; số xã đã có kết "
                "quả đánh giá: %(assessed)s."
            )
            % {
                "name": cset.name,
                "decision": cset.decision_number,
                "total": _n(s.communes_total),
                "assessed": _n(s.communes_assessed),
            }
            + " "
            + s.basis_text()
        )
    )
    if not s.communes_assessed:
        blocks.append(
            Paragraph(_("Chưa có xã nào có kết quả đánh giá năm %(year)s.") % {"year": s.year})
        )
        return blocks
    blocks.append(Paragraph(average_sentence(s) + " " + bands_sentence(s) + "."))
    blocks += _bands_blocks(s)
    blocks += _attainment_blocks(s)
    if s.subunits:
        blocks.append(_subunits_table(s))
    return blocks


def _bands_blocks(s: Summary) -> list:
    blocks: list = []
    blocks.append(
        Table(
            key="nhom_tieu_chi",
            title=_("Số xã theo số tiêu chí đạt"),
            columns=[_("Số tiêu chí đạt"), _("Số xã"), _("Tỷ lệ (%)")],
            rows=[[label, n, percent(n, s.communes_assessed)] for label, n in s.bands.items()],
            total=[
                _("Tổng"),
                sum(s.bands.values()),
                percent(sum(s.bands.values()), s.communes_assessed),
            ],
            unit_note=_("Đơn vị tính: xã"),
        )
    )
    blocks.append(
        Chart(
            "chart_bands",
            _("Số xã theo số tiêu chí đạt"),
            [Bar(label, n) for label, n in s.bands.items()],
        )
    )
    return blocks


def _attainment_blocks(s: Summary) -> list:
    """Communes meeting each criterion (a table and a chart), and the criteria fewest meet."""
    blocks: list = []
    blocks.append(
        Table(
            key="tieu_chi",
            title=_("Số xã đạt từng tiêu chí"),
            columns=[
                _("Tiêu chí"),
                _("Tên tiêu chí"),
                _("Số xã đạt"),
                _("Số xã chưa đạt"),
                _("Tỷ lệ đạt (%)"),
            ],
            rows=[
                [
                    a["criterion"],
                    a["name"],
                    a["met"],
                    a["not_met"],
                    percent(a["met"], s.communes_assessed),
                ]
                for a in s.criteria_attainment
            ],
            unit_note=_("Đơn vị tính: xã"),
        )
    )
    blocks.append(
        Chart(
            "chart_criteria",
            _("Số xã đạt từng tiêu chí"),
            [Bar(a["criterion"], a["met"], title=a["name"]) for a in s.criteria_attainment],
            max_value=s.communes_assessed,
        )
    )
    if s.criteria_holding_back:
        blocks.append(
            Paragraph(
                _("Các tiêu chí có ít xã đạt nhất: %(list)s.")
                % {
                    "list": "; ".join(
                        _("%(name)s (%(met)s/%(total)s xã)")
                        % {"name": a["name"], "met": _n(a["met"]), "total": _n(s.communes_assessed)}
                        for a in s.criteria_holding_back
                    )
                }
            )
        )
    return blocks


def _subunits_table(s: Summary) -> Table:
    return Table(
        key="don_vi",
        title=_("Kết quả theo đơn vị trực thuộc"),
        columns=[
            _("Mã"),
            _("Đơn vị"),
            _("Số xã"),
            _("Đã đánh giá"),
            _("Bình quân tiêu chí/xã"),
            _("Xã đạt chuẩn NTM (lũy kế)"),
        ],
        rows=[
            [
                u["code"],
                u["name"],
                u["communes"],
                u["assessed"],
                None
                if u["criteria_met_average"] is None
                else Decimal(str(u["criteria_met_average"])).quantize(Decimal("0.01")),
                u["recognised"],
            ]
            for u in s.subunits
        ],
        total=[
            None,
            _("Tổng"),
            sum(u["communes"] for u in s.subunits),
            sum(u["assessed"] for u in s.subunits),
            s.criteria_met_average,
            sum(u["recognised"] for u in s.subunits),
        ],
    )


def _ocop_section(s: Summary, number: int, plans) -> list:
    o = s.ocop
    blocks: list = [Heading(_("%(n)s. Chương trình OCOP") % {"n": number}, 2)]
    new_total = sum(o["certified_new"].values())
    standing_stars = ", ".join(
        _("%(n)s sản phẩm %(s)s sao") % {"n": _n(o["standing"][k]), "s": k}
        for k in sorted(o["standing"], reverse=True)
    )
    blocks.append(
        Paragraph(
            _(
                "Năm %(year)s có %(evaluated)s sản phẩm tham gia đánh giá, phân hạng; %(new)s sản "
                "phẩm được công nhận mới, %(re)s sản phẩm được cấp lại, %(up)s sản phẩm nâng hạng "
                "sao, %(down)s sản phẩm hạ hạng. Đến 31/12/%(year)s có %(standing)s sản phẩm OCOP "
                "còn hiệu lực, gồm %(stars)s; %(expiring)s sản phẩm hết hạn chứng nhận trong 6 "
                "tháng tới."
            )
            % {
                "year": s.year,
                "evaluated": _n(o["evaluated"]),
                "new": _n(new_total),
                "re": _n(o["recertified"]),
                "up": _n(o["upgraded"]),
                "down": _n(o["downgraded"]),
                "standing": _n(o["standing_total"]),
                "stars": standing_stars,
                "expiring": _n(o.get("expiring_6_months", 0)),
            }
        )
    )
    if "round" in o:  # the figures per round year (ntm.ocop.selectors._round_figures)
        blocks.append(Paragraph(round_paragraph(o, s.year)))
        columns, rows, total = round_rows(o)
        title = _("Kết quả đánh giá, phân hạng OCOP các đợt năm %(y)s") % {"y": s.year}
        blocks.append(Table(key="ocop_dot", title=title, columns=columns, rows=rows, total=total))
    stars = sorted(o["standing"], reverse=True)
    blocks.append(
        Table(
            key="ocop",
            title=_("Sản phẩm OCOP theo hạng sao"),
            columns=[_("Hạng sao"), _("Công nhận mới trong năm"), _("Còn hiệu lực đến 31/12")],
            rows=[
                [_("%(s)s sao") % {"s": k}, o["certified_new"].get(k, 0), o["standing"][k]]
                for k in stars
            ],
            total=[_("Tổng"), new_total, o["standing_total"]],
            unit_note=_("Đơn vị tính: sản phẩm"),
        )
    )
    return blocks


def _resources_section(s: Summary, number: int, plans) -> list:
    c, m = s.contributions, s.models
    blocks: list = [
        Heading(_("%(n)s. Nguồn lực, huy động đóng góp, mô hình và hoạt động") % {"n": number}, 2)
    ]
    blocks += _funding_blocks(s)
    if c["units"]:
        blocks.append(
            Paragraph(
                _(
                    "Nhân dân hiến %(land)s m² đất, đóng góp %(days)s ngày công, %(cash)s tiền mặt "
                    "và vật tư trị giá %(materials)s."
                )
                % {
                    "land": _n(c["land_m2"].quantize(Decimal(1))),
                    "days": _n(c["workdays"]),
                    "cash": _money(c["cash"]),
                    "materials": _money(c["materials_value"]),
                }
            )
        )
    else:
        blocks.append(
            Paragraph(_("Chưa có số liệu đóng góp của cộng đồng năm %(year)s.") % {"year": s.year})
        )
    if m["total"]:
        blocks.append(
            Paragraph(
                _("Duy trì %(total)s mô hình: %(list)s.")
                % {
                    "total": _n(m["total"]),
                    "list": "; ".join(
                        f"{ModelKind(k).label}: {_n(n)}" for k, n in m["by_kind"].items() if n
                    ),
                }
            )
        )
    blocks += _activities_blocks(s)
    return blocks


def _funding_blocks(s: Summary) -> list:
    r = s.resources
    blocks: list = []
    if r["sources"]:
        blocks.append(
            Paragraph(
                _(
                    "Tổng kế hoạch vốn %(alloc)s, đã giải ngân %(disb)s (%(rate)s%%); vốn cộng "
                    "đồng đóng góp chiếm %(share)s%% kế hoạch vốn."
                )
                % {
                    "alloc": _money(r["allocated"]),
                    "disb": _money(r["disbursed"]),
                    "rate": _n(percent(r["disbursed"], r["allocated"])),
                    "share": _n(percent(r["community"]["allocated"], r["allocated"])),
                }
            )
        )
        blocks.append(
            Table(
                key="nguon_von",
                title=_("Nguồn vốn thực hiện Chương trình năm %(year)s") % {"year": s.year},
                columns=[_("Nguồn vốn"), _("Kế hoạch vốn"), _("Giải ngân"), _("Tỷ lệ (%)")],
                rows=[
                    [
                        src["name"],
                        src["allocated"],
                        src["disbursed"],
                        percent(src["disbursed"], src["allocated"]),
                    ]
                    for src in r["sources"]
                ],
                total=[
                    _("Tổng"),
                    r["allocated"],
                    r["disbursed"],
                    percent(r["disbursed"], r["allocated"]),
                ],
                unit_note=_("Đơn vị tính: đồng"),
            )
        )
    else:
        blocks.append(Paragraph(_("Chưa có số liệu nguồn vốn năm %(year)s.") % {"year": s.year}))
    return blocks


def _activities_blocks(s: Summary) -> list:
    a = s.activities
    blocks: list = []
    if a["count"]:
        rows = [
            [g["label"], g["count"], g["planned"], g["actual"], percent(g["actual"], g["planned"])]
            for g in a["by_kind"]
        ]
        p = a["participants"]
        if p["count"]:
            blocks.append(
                Paragraph(
                    _(
                        "Tổ chức %(count)s hoạt động với %(actual)s người tham gia, đạt %(p)s%% kế "
                        "hoạch."
                    )
                    % {
                        "count": _n(p["count"]),
                        "actual": _n(p["actual"]),
                        "p": _n(percent(p["actual"], p["planned"], 0)),
                    }
                )
            )
        blocks.append(
            Table(
                key="hoat_dong",
                title=_("Hoạt động năm %(year)s") % {"year": s.year},
                columns=[
                    _("Loại hoạt động"),
                    _("Số hoạt động"),
                    _("Kế hoạch"),
                    _("Thực hiện"),
                    _("Tỷ lệ (%)"),
                ],
                rows=rows,
            )
        )
    return blocks


def _tasks_section(s: Summary, number: int, plans) -> list:
    blocks: list = [Heading(_("%(n)s. Thực hiện nhiệm vụ, giải pháp") % {"n": number}, 2)]
    tasks = list(
        Task.objects.filter(plan__in=plans)
        .select_related("plan")
        .order_by("plan_id", "group", "deadline", "pk")
    )
    if not tasks:
        blocks.append(
            Paragraph(
                _("Chưa có nhiệm vụ của kế hoạch năm %(year)s trong hệ thống.") % {"year": s.year}
            )
        )
        return blocks
    day = year_end(s.year)
    statuses = [t.status_on(day) for t in tasks]
    done = sum(1 for st in statuses if st == TaskStatus.DONE)
    overdue = sum(1 for st in statuses if st == OVERDUE)
    blocks.append(
        Paragraph(
            _(
                "Kế hoạch giao %(n)s nhiệm vụ: %(done)s nhiệm vụ hoàn thành, %(overdue)s "
                "nhiệm vụ quá hạn đến 31/12/%(year)s."
            )
            % {"n": _n(len(tasks)), "done": _n(done), "overdue": _n(overdue), "year": s.year}
        )
    )
    blocks.append(
        Table(
            key="nhiem_vu",
            title=_("Nhiệm vụ của kế hoạch"),
            columns=[
                _("TT"),
                _("Nhóm nhiệm vụ"),
                _("Nội dung"),
                _("Cơ quan chủ trì"),
                _("Thời hạn"),
                _("Trạng thái"),
            ],
            rows=[
                [i, t.group, t.content, t.lead_agency, t.deadline, t.status_label_on(day)]
                for i, t in enumerate(tasks, start=1)
            ],
        )
    )
    return blocks
