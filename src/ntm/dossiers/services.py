"""Writes of recognition dossiers: open one, add a document, record a survey, decide."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.assessments.models import Recognition, RecognitionAction
from ntm.assessments.recognitions import RecognitionError, recognition_record
from ntm.criteria.models import CriteriaSet
from ntm.dossiers.checklists import item_codes
from ntm.dossiers.models import (
    Dossier,
    DossierDocument,
    SatisfactionSurvey,
    SatisfactionThreshold,
    SurveyMethod,
)
from ntm.units.models import Unit


class DossierError(ValueError):
    """A write the rules refuse, with a Vietnamese message."""


def _require_writer(user, unit: Unit) -> None:
    if user is None:
        return  # the command line and other trusted callers
    if not scope_for(user).can_write_to(unit):
        raise PermissionDenied


def dossier_create(
    *,
    unit: Unit,
    criteria_set: CriteriaSet,
    year: int,
    deadline: datetime.date | None = None,
    user=None,
) -> Dossier:
    _require_writer(user, unit)
    if unit.level != 3 and criteria_set.applies_to == "commune":
        raise DossierError(_("Hồ sơ công nhận theo bộ tiêu chí xã chỉ lập cho xã."))
    if not criteria_set.period_start <= year <= criteria_set.period_end:
        raise DossierError(
            _("Bộ %(code)s không áp dụng cho năm %(year)s.")
            % {"code": criteria_set.code, "year": year}
        )
    try:
        with transaction.atomic():
            return Dossier.objects.create(
                unit=unit,
                level=criteria_set.level,
                year=year,
                criteria_set=criteria_set,
                deadline=deadline,
                created_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise DossierError(
            _("%(unit)s đã có hồ sơ mức này năm %(year)s.") % {"unit": unit.name, "year": year}
        ) from exc


def document_add(
    *, dossier: Dossier, kind: str, title: str, file, published: bool = False, user=None
) -> DossierDocument:
    """Add a document (the caller has checked the file: extension, size, first bytes)."""
    _require_writer(user, dossier.unit)
    if dossier.recognition_id is not None:
        raise DossierError(_("Hồ sơ đã có quyết định; không thêm văn bản."))
    if kind not in item_codes(dossier.criteria_set):
        raise DossierError(
            _("Thành phần hồ sơ “%(kind)s” không có trong danh mục.") % {"kind": kind}
        )
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=kind,
        title=(title or "").strip() or item_codes(dossier.criteria_set)[kind],
        file=file,
        published=published,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )


def _share(value, label: str) -> Decimal:
    try:
        share = Decimal(str(value).replace(",", "."))
    except ArithmeticError as exc:
        raise DossierError(_("%(label)s phải là một số.") % {"label": label}) from exc
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
        raise DossierError(_("%(label)s phải từ 0 đến 100.") % {"label": label})
    return share.quantize(Decimal("0.01"))


def survey_record(
    *,
    dossier: Dossier,
    date: datetime.date,
    method: str,
    respondents: int,
    share_satisfied,
    villages: list[dict] | None = None,
    user=None,
) -> SatisfactionSurvey:
    """Record a survey of residents' satisfaction; villages: [{name, respondents, share_satisfied}]."""
    _require_writer(user, dossier.unit)
    if method not in SurveyMethod.values:
        raise DossierError(_("Hình thức lấy ý kiến không hợp lệ."))
    if respondents is None or int(respondents) <= 0:
        raise DossierError(_("Số người được hỏi phải lớn hơn 0."))
    rows = []
    for row in villages or []:
        name = str(row.get("name", "")).strip()
        if not name:
            raise DossierError(_("Thiếu tên thôn trong kết quả theo thôn."))
        rows.append(
            {
                "name": name,
                "respondents": int(row.get("respondents") or 0),
                "share_satisfied": str(_share(row.get("share_satisfied"), name)),
            }
        )
    return SatisfactionSurvey.objects.create(
        dossier=dossier,
        date=date,
        method=method,
        respondents=int(respondents),
        share_satisfied=_share(share_satisfied, _("Tỷ lệ hài lòng")),
        villages=rows,
        recorded_by=user if getattr(user, "pk", None) else None,
    )


def threshold_set(
    *, criteria_set: CriteriaSet, province: Unit, min_share, source: str, user=None
) -> SatisfactionThreshold:
    """The province's own minimum share of satisfied residents for a set (law gives none)."""
    if user is not None and not (
        user.is_superuser
        or (user.role == Role.PROVINCE_COORDINATOR and scope_for(user).can_write_to(province))
    ):
        raise PermissionDenied
    if not (source or "").strip():
        raise DossierError(_("Ghi căn cứ (văn bản của tỉnh) của ngưỡng hài lòng."))
    row, _created = SatisfactionThreshold.objects.update_or_create(
        criteria_set=criteria_set,
        province=province,
        defaults={"min_share": _share(min_share, _("Ngưỡng")), "source": source.strip()},
    )
    return row


def dossier_decide(
    *,
    dossier: Dossier,
    decision_number: str,
    decision_date: datetime.date,
    signer: str = "",
    file=None,
    reason: str = "",
    user=None,
) -> Recognition:
    """The province recognises the unit on this dossier. The recognition rules apply (see
    assessments.recognitions) plus the dossier's: complete, or a recorded reason."""
    if dossier.recognition_id is not None:
        raise RecognitionError(_("Hồ sơ này đã có quyết định."), "dossier")
    with transaction.atomic():
        recognition = recognition_record(
            unit=dossier.unit,
            level=dossier.level,
            criteria_set=dossier.criteria_set,
            year=dossier.year,
            action=RecognitionAction.RECOGNISED,
            decision_number=decision_number,
            decision_date=decision_date,
            signer=signer,
            file=file,
            override_reason=reason,
            user=user,
        )
    dossier.refresh_from_db()
    return recognition
