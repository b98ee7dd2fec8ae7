"""The annexes of the annual report: criteria per commune, recognition decisions, OCOP products."""

from django.utils.translation import gettext as _

from ntm.accounts.scope import system_scope
from ntm.assessments.models import Recognition, RecognitionAction
from ntm.assessments.selectors import assessment_matrix
from ntm.criteria import levels as recognition_levels
from ntm.lib.dates import year_end
from ntm.ocop.selectors import standing
from ntm.reports.document import Annex, Paragraph, Table
from ntm.reports.selectors import Summary
from ntm.units.models import within_q


def _annexes(s: Summary) -> list[Annex]:
    annexes = []
    if s.criteria_set is not None and s.communes_assessed:
        annexes.append(_criteria_annex(s))
    annexes.append(_recognitions_annex(s))
    annexes.append(_ocop_annex(s))
    return annexes


def _criteria_annex(s: Summary) -> Annex:
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
    return Annex(
        _("Phụ lục 01. Kết quả thực hiện tiêu chí của các xã năm %(year)s") % {"year": s.year},
        [
            Paragraph(_("Đánh dấu x: tiêu chí đạt; ô trống: chưa đạt; —: chưa có kết quả.")),
            Table(
                key="phu_luc_xa",
                title=_("Kết quả tiêu chí theo xã"),
                columns=[_("TT"), _("Xã"), _("Thuộc"), *codes, _("Số tiêu chí đạt")],
                rows=rows,
                landscape=True,
            ),
        ],
    )


def _recognitions_annex(s: Summary) -> Annex:
    recognitions = list(
        Recognition.objects.filter(within_q(s.unit), year=s.year)
        .select_related("unit", "unit__parent")
        .order_by("decision_date", "unit__code", "pk")
    )
    return Annex(
        _("Phụ lục 02. Danh sách đơn vị được công nhận, thu hồi năm %(year)s") % {"year": s.year},
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
                        recognition_levels.label(r.level),
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


def _ocop_annex(s: Summary) -> Annex:
    certificates = list(
        standing(day=year_end(s.year), unit=s.unit).order_by("-stars", "product__name")
    )
    return Annex(
        _("Phụ lục 03. Danh sách sản phẩm OCOP còn hiệu lực đến 31/12/%(year)s") % {"year": s.year},
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
