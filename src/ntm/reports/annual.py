"""The annual report of a scope (province, district, commune, or the nation) as document blocks.

Every number comes from the summary selectors (`progress_summary`, `national_summary`), the
same call the dashboard makes, so the report and the dashboard always agree. The sentences are
generated from those figures; the parts only people can write (difficulties, proposals) are
placeholders the office fills in before signing. Callers check scope before calling.

This module holds the frame and the two entry points; the sections of part I are in
`annual_sections`, the annexes in `annual_annexes`, shared wording in `annual_text`.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext as _

from ntm.criteria import levels as recognition_levels
from ntm.criteria.models import CriteriaSet
from ntm.ocop.selectors import ocop_figures
from ntm.plans.models import Plan, PlanStatus
from ntm.reports.annual_annexes import _annexes
from ntm.reports.annual_keeping import _keeping_section
from ntm.reports.annual_sections import (
    _criteria_section,
    _ocop_section,
    _plan_section,
    _recognition_section,
    _resources_section,
    _tasks_section,
)
from ntm.reports.annual_text import _n, level_noun, level_short
from ntm.reports.charts import Bar
from ntm.reports.document import Chart, Heading, Paragraph, Report, Table, percent
from ntm.reports.selectors import DEFAULT_BASIS, national_summary, progress_summary
from ntm.units.models import Level, Unit
from ntm.units.paths import province_id_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_filename(report, suffix: str) -> str:
    """The download name of a report: bao-cao-ntm-<unit code or ca-nuoc>-<year><suffix>."""
    scope = report.scope_code or "ca-nuoc"
    return f"bao-cao-ntm-{scope}-{report.year}{suffix}"


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


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
        _keeping_section,
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


# -- the nation ------------------------------------------------------------------------------


def national_report(
    *, year: int, issued_on: datetime.date | None = None, basis: str = DEFAULT_BASIS
) -> Report:
    """Every province side by side, from `national_summary` (the national dashboard's figures)."""
    rows = national_summary(year=year, basis=basis)
    report = _frame(None, year, issued_on)
    figures = _national_figures(rows)
    report.has_data = bool(figures.assessed or any(figures.totals.values()))
    report.blocks.append(Heading(_("I. KẾT QUẢ THỰC HIỆN NĂM %(year)s") % {"year": year}))
    report.blocks.append(Heading(_("1. Bộ tiêu chí và công nhận đạt chuẩn"), 2))
    report.blocks += _national_paragraphs(rows, figures, year, report.has_data)
    report.blocks.append(_national_table(rows, figures))
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


def _national_figures(rows: list[dict]) -> SimpleNamespace:
    """The country's totals: communes, assessed, the average criteria met, and per commune level
    (criteria.levels) the communes recognised in the year and held at its end."""
    assessed = sum(r["assessed"] for r in rows)
    met_sum = sum(
        (Decimal(str(r["criteria_met_average"])) * r["assessed"])
        for r in rows
        if r["criteria_met_average"] is not None
    )
    levels = recognition_levels.commune_levels()
    return SimpleNamespace(
        communes=sum(r["communes"] for r in rows),
        assessed=assessed,
        average=(met_sum / assessed).quantize(Decimal("0.01")) if assessed else None,
        levels=levels,
        totals={lv: sum(r["recognised_total"].get(lv, 0) for r in rows) for lv in levels},
        new={lv: sum(r["recognised_new"].get(lv, 0) for r in rows) for lv in levels},
    )


def _national_paragraphs(rows: list[dict], f: SimpleNamespace, year: int, has_data: bool) -> list:
    blocks = []
    if not has_data:
        blocks.append(
            Paragraph(
                _(
                    "Năm %(year)s chưa có tỉnh nào có số liệu đánh giá hoặc "
                    "công nhận trong hệ thống."
                )
                % {"year": year}
            )
        )
    blocks.append(
        Paragraph(
            _(
                "Cả nước có %(provinces)s tỉnh, thành phố với %(communes)s xã; %(assessed)s xã đã "
                "có kết quả đánh giá, bình quân %(avg)s tiêu chí/xã."
            )
            % {
                "provinces": _n(len(rows)),
                "communes": _n(f.communes),
                "assessed": _n(f.assessed),
                "avg": _n(f.average, 2),
            }
        )
    )
    for level in f.levels:
        if f.totals[level] or f.new[level]:
            blocks.append(
                Paragraph(
                    _(
                        "Năm %(year)s có %(new)s %(noun)s được công nhận mới; đến 31/12/%(year)s có "
                        "%(total)s %(noun)s (%(p)s%% tổng số xã)."
                    )
                    % {
                        "year": year,
                        "new": _n(f.new[level]),
                        "total": _n(f.totals[level]),
                        "noun": level_noun(level),
                        "p": _n(percent(f.totals[level], f.communes)),
                    }
                )
            )
    base = recognition_levels.NTM
    without = [r["name"] for r in rows if r["communes"] and not r["recognised_total"].get(base)]
    if without and has_data:
        blocks.append(
            Paragraph(
                _("%(n)s tỉnh chưa có xã đạt chuẩn nông thôn mới trong hệ thống: %(names)s.")
                % {"n": _n(len(without)), "names": ", ".join(without)}
            )
        )
    return blocks


def _national_table(rows: list[dict], f: SimpleNamespace) -> Table:
    base = recognition_levels.NTM
    return Table(
        key="tinh",
        title=_("Kết quả theo tỉnh, thành phố"),
        columns=[
            _("Mã"),
            _("Tỉnh, thành phố"),
            _("Số xã"),
            _("Đã đánh giá"),
            _("Bình quân tiêu chí/xã"),
            _("Xã đạt chuẩn NTM mới"),
            *(_("Xã %(level)s (lũy kế)") % {"level": level_short(lv)} for lv in f.levels),
        ],
        rows=[
            [
                r["code"],
                r["name"],
                r["communes"],
                r["assessed"],
                r["criteria_met_average"],
                r["recognised_new"].get(base, 0),
                *(r["recognised_total"].get(lv, 0) for lv in f.levels),
            ]
            for r in rows
        ],
        total=[
            None,
            _("Cả nước"),
            f.communes,
            f.assessed,
            f.average,
            f.new[base],
            *(f.totals[lv] for lv in f.levels),
        ],
        landscape=True,
    )
