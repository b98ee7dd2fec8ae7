"""The annual report of a scope (province, district, commune, or the nation) as document blocks.

Every number comes from the summary selectors (`progress_summary`, `national_summary`), the
same call the dashboard makes, so the report and the dashboard always agree. The sentences are
generated from those figures; the parts only people can write (difficulties, proposals) are
placeholders the office fills in before signing. Callers check scope before calling.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.assessments.models import Recognition, RecognitionAction
from ntm.assessments.selectors import assessment_matrix
from ntm.criteria.models import CriteriaSet, RecognitionLevel
from ntm.ocop.selectors import ocop_figures, standing
from ntm.plans.models import METRICS, OVERDUE, Plan, PlanStatus, Task, TaskStatus
from ntm.reports.charts import Bar
from ntm.reports.document import Annex, Chart, Heading, Paragraph, Report, Table, percent
from ntm.reports.formatting import vi_number
from ntm.reports.selectors import (
    DEFAULT_BASIS,
    Summary,
    national_summary,
    progress_summary,
    year_end,
)
from ntm.resources.models import ModelKind
from ntm.units.models import Level, Unit
from ntm.units.paths import province_id_of

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
COMMUNE_LEVELS = ("ntm", "advanced", "model")


def level_noun(level: str) -> str:
    return {
        "ntm": _("xã đạt chuẩn nông thôn mới"),
        "advanced": _("xã đạt chuẩn nông thôn mới nâng cao"),
        "model": _("xã đạt chuẩn nông thôn mới kiểu mẫu"),
        "village_ntm": _("thôn đạt chuẩn nông thôn mới"),
        "district_ntm": _("huyện đạt chuẩn nông thôn mới"),
    }.get(level, level)


def _n(value, places: int | None = None) -> str:
    return vi_number(value, places)


def _money(value) -> str:
    """Đồng as 'triệu đồng' text with one decimal (1.500.000.000 → 1.500,0 triệu đồng)."""
    return _("%(n)s triệu đồng") % {"n": _n(Decimal(value) / Decimal(1_000_000), 1)}


# -- the header and the frame --------------------------------------------------------------


def _frame(unit: Unit | None, year: int, issued_on: datetime.date | None) -> Report:
    issued_on = issued_on or datetime.date.today()
    if unit is None:
        return Report(
            year=year,
            scope_code="",
            scope_name=_("cả nước"),
            issuer_parent=_("BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"),
            issuer=_("VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI TRUNG ƯƠNG"),
            number=_("Số:        /BC-VPĐP"),
            place=_("Hà Nội"),
            issued_on=issued_on,
            title=_("BÁO CÁO"),
            subtitle=_(
                "Kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới "
                "năm %(year)s trên phạm vi cả nước"
            )
            % {"year": year},
            recipients=[
                _("Ban Chỉ đạo Trung ương các Chương trình MTQG (để b/c);"),
                _("Bộ Nông nghiệp và Môi trường (để b/c);"),
                _("UBND các tỉnh, thành phố;"),
                _("Lưu: VT, VPĐP."),
            ],
            signer_title=_("CHÁNH VĂN PHÒNG"),
        )
    province = Unit.objects.filter(pk=province_id_of(unit.path)).first()
    place = (province or unit).short_name
    if unit.level == Level.PROVINCE:
        parent, issuer = (
            _("UBND %(name)s") % {"name": unit.name.upper()},
            _("VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI"),
        )
        number, signer = _("Số:        /BC-VPĐP"), _("CHÁNH VĂN PHÒNG")
        recipients = [
            _("Văn phòng Điều phối nông thôn mới Trung ương (để b/c);"),
            _("UBND tỉnh (để b/c);"),
            _("Các sở, ban, ngành thành viên;"),
            _("UBND các huyện, thành phố;"),
            _("Lưu: VT, VPĐP."),
        ]
    else:
        parent, issuer = "", _("UBND %(name)s") % {"name": unit.name.upper()}
        number, signer = _("Số:        /BC-UBND"), _("TM. ỦY BAN NHÂN DÂN")
        recipients = [_("Văn phòng Điều phối nông thôn mới tỉnh (để b/c);"), _("Lưu: VT.")]
    return Report(
        year=year,
        scope_code=unit.code,
        scope_name=unit.name,
        issuer_parent=parent,
        issuer=issuer,
        number=number,
        place=place,
        issued_on=issued_on,
        title=_("BÁO CÁO"),
        subtitle=_(
            "Kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới "
            "năm %(year)s trên địa bàn %(unit)s"
        )
        % {"year": year, "unit": _lower_kind(unit)},
        recipients=recipients,
        signer_title=signer,
    )


def _lower_kind(unit: Unit) -> str:
    """'Tỉnh Bắc Kạn' → 'tỉnh Bắc Kạn' (inside a sentence)."""
    return unit.name[:1].lower() + unit.name[1:]


def _placeholders(report: Report, start: int) -> None:
    report.blocks += [
        Heading(_("%(n)s. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN") % {"n": ROMAN[start]}),
        Paragraph(
            _(
                "[Văn phòng Điều phối bổ sung: những tồn tại, hạn chế trong năm và nguyên "
                "nhân chủ quan, khách quan.]"
            ),
            placeholder=True,
        ),
        Heading(
            _("%(n)s. NHIỆM VỤ, GIẢI PHÁP NĂM %(year)s")
            % {"n": ROMAN[start + 1], "year": report.year + 1}
        ),
        Paragraph(
            _("[Văn phòng Điều phối bổ sung: mục tiêu, nhiệm vụ và giải pháp trọng tâm năm sau.]"),
            placeholder=True,
        ),
        Heading(_("%(n)s. ĐỀ XUẤT, KIẾN NGHỊ") % {"n": ROMAN[start + 2]}),
        Paragraph(
            _("[Văn phòng Điều phối bổ sung: đề xuất, kiến nghị với cấp trên.]"), placeholder=True
        ),
    ]


# -- a province, district or commune -----------------------------------------------------------


def annual_report(
    *,
    unit: Unit | None,
    year: int,
    criteria_set: CriteriaSet | None = None,
    issued_on: datetime.date | None = None,
    basis: str = DEFAULT_BASIS,
) -> Report:
    """The report of a unit for a year; `unit=None` gives the national report."""
    if unit is None:
        return national_report(year=year, issued_on=issued_on, basis=basis)
    summary = progress_summary(unit=unit, year=year, criteria_set=criteria_set, basis=basis)
    report = _frame(unit, year, issued_on)
    report.has_data = bool(
        summary.communes_assessed
        or summary.recognised_total
        or summary.ocop.get("evaluated")
        or summary.ocop.get("standing_total")
        or summary.targets
        or summary.resources.get("allocated")
    )
    plans = _plans(unit, year)
    report.blocks.append(Paragraph(_intro(unit, year, plans)))
    if not report.has_data:
        report.blocks.append(
            Paragraph(
                _(
                    "Năm %(year)s chưa có số liệu đánh giá, công nhận, OCOP hay nguồn lực nào của "
                    "%(unit)s được ghi nhận trong hệ thống. Báo cáo sẽ có số liệu khi các đơn vị "
                    "nhập kết quả."
                )
                % {"year": year, "unit": _lower_kind(unit)}
            )
        )
    report.blocks.append(Heading(_("I. KẾT QUẢ THỰC HIỆN NĂM %(year)s") % {"year": year}))
    sections = [
        _plan_section,
        _recognition_section,
        _criteria_section,
        _ocop_section,
        _resources_section,
        _tasks_section,
    ]
    for number, section in enumerate(sections, start=1):
        report.blocks += section(summary, number, plans)
    _placeholders(report, 1)
    report.annexes = _annexes(summary)
    return report


def _plans(unit: Unit, year: int) -> list[Plan]:
    return list(
        Plan.objects.filter(
            unit=unit, status=PlanStatus.ACTIVE, year_from__lte=year, year_to__gte=year
        ).order_by("issued_on", "pk")
    )


def _intro(unit: Unit, year: int, plans: list[Plan]) -> str:
    if plans:
        cited = "; ".join(
            _("Kế hoạch số %(number)s ngày %(date)s của %(issuer)s")
            % {"number": p.number, "date": p.issued_on.strftime("%d/%m/%Y"), "issuer": p.issuer}
            for p in plans
        )
        return _(
            "Thực hiện %(plans)s, kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông "
            "thôn mới năm %(year)s trên địa bàn %(unit)s như sau:"
        ) % {"plans": cited, "year": year, "unit": _lower_kind(unit)}
    return _(
        "Kết quả thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm %(year)s "
        "trên địa bàn %(unit)s, tổng hợp từ số liệu các đơn vị đã nhập trong hệ thống, như sau:"
    ) % {"year": year, "unit": _lower_kind(unit)}


def target_label(t: dict) -> str:
    label = t["metric_label"]
    if t.get("level"):
        label += " — " + str(RecognitionLevel(t["level"]).label)
    if t.get("stars"):
        label += " — " + _("%(n)s sao") % {"n": t["stars"]}
    return label


def target_figure(t: dict, value):
    """A target or actual figure with the decimals its metric shows (17 xã, 12,81 tiêu chí)."""
    if value is None:
        return None
    places = METRICS[t["metric"]].places
    if not places:
        return int(Decimal(value).to_integral_value(ROUND_HALF_UP))
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def target_verdict(t: dict) -> str:
    if t["actual"] is None:
        return _("Chưa có số liệu")
    if t["actual"] > t["target"]:
        return _("Vượt kế hoạch")
    if t["actual"] == t["target"]:
        return _("Đạt kế hoạch")
    return _("Chưa đạt kế hoạch")


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
        for lv in RecognitionLevel.values
        if lv in s.recognised_total or lv in s.recognised_new or lv in s.revoked
    ]
    if "ntm" not in levels:  # always said, even when it is 0
        levels.insert(0, "ntm")
    for level in levels:
        new, total = s.recognised_new.get(level, 0), s.recognised_total.get(level, 0)
        text = _(
            "Năm %(year)s có %(new)s %(noun)s được công nhận mới; đến 31/12/%(year)s có "
            "%(total)s %(noun)s"
        ) % {"year": s.year, "new": _n(new), "total": _n(total), "noun": level_noun(level)}
        if level in COMMUNE_LEVELS and s.communes_total:
            text += _(" (%(p)s%% tổng số xã)") % {"p": _n(percent(total, s.communes_total))}
        if s.revoked.get(level):
            text += _("; %(n)s quyết định thu hồi công nhận") % {"n": _n(s.revoked[level])}
        blocks.append(Paragraph(text + "."))
    blocks.append(
        Table(
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
                    str(RecognitionLevel(lv).label),
                    s.recognised_new.get(lv, 0),
                    s.revoked.get(lv, 0),
                    s.recognised_total.get(lv, 0),
                    percent(s.recognised_total.get(lv, 0), s.communes_total)
                    if lv in COMMUNE_LEVELS
                    else None,
                ]
                for lv in levels
            ],
            unit_note=_("Đơn vị tính: xã; thôn, huyện theo mức"),
        )
    )
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


def bands_sentence(s: Summary) -> str:
    return "; ".join(
        _("%(n)s xã đạt %(band)s tiêu chí") % {"n": _n(n), "band": _band_words(label)}
        for label, n in s.bands.items()
        if n
    )


def _band_words(label: str) -> str:
    if label.startswith("<"):
        return _("dưới %(n)s") % {"n": label[1:]}
    return label.replace("-", " - ")


def average_sentence(s: Summary) -> str:
    text = _("Bình quân đạt %(avg)s tiêu chí/xã") % {"avg": _n(s.criteria_met_average, 2)}
    change = s.criteria_met_average_change
    if change is not None:
        if change > 0:
            text += _(", tăng %(n)s tiêu chí so với năm %(year)s")
        elif change < 0:
            text += _(", giảm %(n)s tiêu chí so với năm %(year)s")
        else:
            text += _(", không đổi so với năm %(year)s")
        text = text % {"n": _n(abs(change), 2), "year": s.year - 1}
        text += " (" + s.change_basis_text() + ")"
    return text + "."


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
    if s.subunits:
        blocks.append(
            Table(
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
        )
    return blocks


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
    r, c, m, a = s.resources, s.contributions, s.models, s.activities
    blocks: list = [
        Heading(_("%(n)s. Nguồn lực, huy động đóng góp, mô hình và hoạt động") % {"n": number}, 2)
    ]
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


# -- annexes -----------------------------------------------------------------------------------


def _annexes(s: Summary) -> list[Annex]:
    annexes = []
    if s.criteria_set is not None and s.communes_assessed:
        matrix = assessment_matrix(
            system_scope(), under=s.unit, year=s.year, criteria_set=s.criteria_set
        )
        codes = [c.code.replace("TC", "") for c in matrix.criteria]
        rows = []
        for i, row in enumerate(matrix.rows, start=1):
            cells = [None if cell is None else bool(cell.met) for cell in row.cells]
            met = row.assessment.criteria_met if row.assessment else None
            rows.append(
                [i, row.unit.name, row.unit.parent.name if row.unit.parent else "", *cells, met]
            )
        annexes.append(
            Annex(
                _("Phụ lục 01. Kết quả thực hiện tiêu chí của các xã năm %(year)s")
                % {"year": s.year},
                [
                    Paragraph(
                        _("Đánh dấu x: tiêu chí đạt; ô trống: chưa đạt; —: chưa có kết quả.")
                    ),
                    Table(
                        key="phu_luc_xa",
                        title=_("Kết quả tiêu chí theo xã"),
                        columns=[_("TT"), _("Xã"), _("Thuộc"), *codes, _("Số tiêu chí đạt")],
                        rows=rows,
                        landscape=True,
                    ),
                ],
            )
        )
    recognitions = list(
        Recognition.objects.filter(unit__path__startswith=s.unit.path, year=s.year)
        .select_related("unit", "unit__parent")
        .order_by("decision_date", "unit__code", "pk")
    )
    annexes.append(
        Annex(
            _("Phụ lục 02. Danh sách đơn vị được công nhận, thu hồi năm %(year)s")
            % {"year": s.year},
            [
                Table(
                    key="phu_luc_cong_nhan",
                    title=_("Quyết định công nhận, thu hồi"),
                    columns=[
                        _("TT"),
                        _("Đơn vị"),
                        _("Thuộc"),
                        _("Mức"),
                        _("Hình thức"),
                        _("Số quyết định"),
                        _("Ngày quyết định"),
                    ],
                    rows=[
                        [
                            i,
                            r.unit.name,
                            r.unit.parent.name if r.unit.parent else "",
                            str(RecognitionLevel(r.level).label),
                            _("Công nhận")
                            if r.action == RecognitionAction.RECOGNISED
                            else _("Thu hồi"),
                            r.decision_number,
                            r.decision_date,
                        ]
                        for i, r in enumerate(recognitions, start=1)
                    ],
                )
            ]
            if recognitions
            else [Paragraph(_("Không có quyết định công nhận, thu hồi trong năm."))],
        )
    )
    certificates = list(
        standing(day=year_end(s.year), unit=s.unit).order_by("-stars", "product__name")
    )
    annexes.append(
        Annex(
            _("Phụ lục 03. Danh sách sản phẩm OCOP còn hiệu lực đến 31/12/%(year)s")
            % {"year": s.year},
            [
                Table(
                    key="phu_luc_ocop",
                    title=_("Sản phẩm OCOP"),
                    columns=[
                        _("TT"),
                        _("Sản phẩm"),
                        _("Chủ thể"),
                        _("Địa bàn"),
                        _("Hạng sao"),
                        _("Quyết định"),
                        _("Hiệu lực đến"),
                    ],
                    rows=[
                        [
                            i,
                            c.product.name,
                            c.product.subject.name,
                            c.product.unit.name,
                            c.stars,
                            c.number,
                            c.valid_to,
                        ]
                        for i, c in enumerate(certificates, start=1)
                    ],
                )
            ]
            if certificates
            else [Paragraph(_("Không có sản phẩm OCOP còn hiệu lực."))],
        )
    )
    return annexes


# -- the nation ------------------------------------------------------------------------------


def national_report(
    *, year: int, issued_on: datetime.date | None = None, basis: str = DEFAULT_BASIS
) -> Report:
    """Every province side by side, from `national_summary` (the national dashboard's figures)."""
    rows = national_summary(year=year, basis=basis)
    report = _frame(None, year, issued_on)
    communes = sum(r["communes"] for r in rows)
    assessed = sum(r["assessed"] for r in rows)
    met_sum = sum(
        (Decimal(str(r["criteria_met_average"])) * r["assessed"])
        for r in rows
        if r["criteria_met_average"] is not None
    )
    average = (met_sum / assessed).quantize(Decimal("0.01")) if assessed else None
    totals = {lv: sum(r["recognised_total"].get(lv, 0) for r in rows) for lv in COMMUNE_LEVELS}
    new = {lv: sum(r["recognised_new"].get(lv, 0) for r in rows) for lv in COMMUNE_LEVELS}
    report.has_data = bool(assessed or any(totals.values()))
    report.blocks.append(Heading(_("I. KẾT QUẢ THỰC HIỆN NĂM %(year)s") % {"year": year}))
    report.blocks.append(Heading(_("1. Bộ tiêu chí và công nhận đạt chuẩn"), 2))
    if not report.has_data:
        report.blocks.append(
            Paragraph(
                _(
                    "Năm %(year)s chưa có tỉnh nào có số liệu đánh giá hoặc "
                    "công nhận trong hệ thống."
                )
                % {"year": year}
            )
        )
    report.blocks.append(
        Paragraph(
            _(
                "Cả nước có %(provinces)s tỉnh, thành phố với %(communes)s xã; %(assessed)s xã đã "
                "có kết quả đánh giá, bình quân %(avg)s tiêu chí/xã."
            )
            % {
                "provinces": _n(len(rows)),
                "communes": _n(communes),
                "assessed": _n(assessed),
                "avg": _n(average, 2),
            }
        )
    )
    for level in COMMUNE_LEVELS:
        if totals[level] or new[level]:
            report.blocks.append(
                Paragraph(
                    _(
                        "Năm %(year)s có %(new)s %(noun)s được công nhận mới; đến 31/12/%(year)s có "
                        "%(total)s %(noun)s (%(p)s%% tổng số xã)."
                    )
                    % {
                        "year": year,
                        "new": _n(new[level]),
                        "total": _n(totals[level]),
                        "noun": level_noun(level),
                        "p": _n(percent(totals[level], communes)),
                    }
                )
            )
    without = [r["name"] for r in rows if r["communes"] and not r["recognised_total"].get("ntm")]
    if without and report.has_data:
        report.blocks.append(
            Paragraph(
                _("%(n)s tỉnh chưa có xã đạt chuẩn nông thôn mới trong hệ thống: %(names)s.")
                % {"n": _n(len(without)), "names": ", ".join(without)}
            )
        )
    report.blocks.append(
        Table(
            key="tinh",
            title=_("Kết quả theo tỉnh, thành phố"),
            columns=[
                _("Mã"),
                _("Tỉnh, thành phố"),
                _("Số xã"),
                _("Đã đánh giá"),
                _("Bình quân tiêu chí/xã"),
                _("Xã đạt chuẩn NTM mới"),
                _("Xã đạt chuẩn NTM (lũy kế)"),
                _("Xã NTM nâng cao (lũy kế)"),
                _("Xã NTM kiểu mẫu (lũy kế)"),
            ],
            rows=[
                [
                    r["code"],
                    r["name"],
                    r["communes"],
                    r["assessed"],
                    r["criteria_met_average"],
                    r["recognised_new"].get("ntm", 0),
                    r["recognised_total"].get("ntm", 0),
                    r["recognised_total"].get("advanced", 0),
                    r["recognised_total"].get("model", 0),
                ]
                for r in rows
            ],
            total=[
                None,
                _("Cả nước"),
                communes,
                assessed,
                average,
                new["ntm"],
                totals["ntm"],
                totals["advanced"],
                totals["model"],
            ],
            landscape=True,
        )
    )
    ranked = sorted(
        (r for r in rows if r["criteria_met_average"] is not None),
        key=lambda r: (-r["criteria_met_average"], r["code"]),
    )
    if ranked:
        report.blocks.append(
            Chart(
                "chart_provinces",
                _("Bình quân tiêu chí/xã theo tỉnh"),
                [Bar(r["short_name"], float(r["criteria_met_average"])) for r in ranked[:30]],
            )
        )
    ocop = SimpleNamespace(ocop=ocop_figures(unit=None, year=year), year=year)
    report.blocks += _ocop_section(ocop, 2, [])
    _placeholders(report, 1)
    return report
