"""“Việc cần làm”: what waits for the signed-in user, as a registry of item sources.

A source is one function `(user, scope) -> QuerySet | list` per kind of work, with a label and a
way to describe one item. Another app adds its kind of work with one line, e.g.

    inbox.register("dossiers", _("Hồ sơ chờ thẩm tra"), dossiers_waiting, describe=dossier_item)

The inbox page lists every source's items; the navigation shows their total (fetched after the
page loads, so no page pays for it).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ntm.accounts.models import Role
from ntm.accounts.scope import Scope
from ntm.assessments.models import (
    Assessment,
    Recognition,
    RecognitionAction,
    State,
    StateChange,
)
from ntm.assessments.workflow import TRANSITIONS
from ntm.units.models import Level

ITEMS_SHOWN = 50
FORWARD = [State.DRAFT, State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED]


@dataclass(frozen=True)
class Item:
    title: str
    detail: str
    url: str
    when: datetime.date | None = None


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    items: Callable  # (user, scope) -> QuerySet | list
    describe: Callable  # (record) -> Item


SOURCES: dict[str, Source] = {}


def register(key: str, label, items: Callable, *, describe: Callable) -> None:
    """Add (or replace) a kind of work; the order of registration is the order on the page."""
    SOURCES[key] = Source(key, label, items, describe)


@dataclass
class Section:
    key: str
    label: str
    count: int
    items: list[Item]


def _count(found) -> int:
    return found.count() if isinstance(found, QuerySet) else len(found)


def inbox_sections(user, scope: Scope) -> list[Section]:
    """Every source's count and first items for this user; sources with nothing are left out."""
    sections = []
    for source in SOURCES.values():
        found = source.items(user, scope)
        count = _count(found)
        if count:
            shown = [source.describe(r) for r in found[:ITEMS_SHOWN]]
            sections.append(Section(source.key, str(source.label), count, shown))
    return sections


def inbox_counts(user, scope: Scope) -> dict[str, int]:
    return {key: _count(source.items(user, scope)) for key, source in SOURCES.items()}


# -- assessments --------------------------------------------------------------------------------


def _forward_states_for(role: str) -> set[str]:
    """The states from which this role moves a result forward (check, appraise, approve)."""
    return {
        frm
        for (frm, to), roles in TRANSITIONS.items()
        if role in roles and frm != State.DRAFT and FORWARD.index(to) > FORWARD.index(frm)
    }


def results_waiting(user, scope: Scope) -> QuerySet:
    """Results submitted to this user's level: a district checks what its communes sent; the
    province appraises what districts checked (or communes with no district sent) and approves
    what it appraised."""
    role = Role.PROVINCE_COORDINATOR if user.is_superuser else user.role
    states = _forward_states_for(role)
    if not states:
        return Assessment.objects.none()
    condition = Q(state__in=states - {State.SUBMITTED})
    if State.SUBMITTED in states:
        if role == Role.DISTRICT_OFFICER:
            condition |= Q(state=State.SUBMITTED, unit__parent__level=Level.DISTRICT)
        else:  # the province: only what no district checks first
            condition |= Q(state=State.SUBMITTED) & ~Q(unit__parent__level=Level.DISTRICT)
    return (
        scope.filter(Assessment.objects.filter(condition), field="unit")
        .select_related("unit", "criteria_set")
        .order_by("updated_at", "pk")
    )


def results_returned(user, scope: Scope) -> QuerySet:
    """Drafts sent back with a reason, for the commune (or district) that must correct them."""
    if user.role not in (Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER):
        return Assessment.objects.none()
    returned = StateChange.objects.filter(assessment=OuterRef("pk"), to_state=State.DRAFT).exclude(
        from_state=State.DRAFT
    )
    return (
        scope.filter(Assessment.objects.filter(state=State.DRAFT), field="unit")
        .filter(Exists(returned))
        .select_related("unit", "criteria_set")
        .order_by("-updated_at", "pk")
    )


def _assessment_item(a: Assessment) -> Item:
    return Item(
        title=f"{a.unit.name} — {a.year}",
        detail=f"{State(a.state).label} · {a.criteria_set.code} · "
        + _("%(n)s tiêu chí đạt") % {"n": a.criteria_met},
        url=reverse("assessments:detail", args=[a.pk]),
        when=a.updated_at.date() if a.updated_at else None,
    )


def recognitions_to_decide(user, scope: Scope) -> QuerySet:
    """Approved results meeting every criterion of a commune that does not hold that level yet."""
    if not (user.is_superuser or user.role == Role.PROVINCE_COORDINATOR):
        return Assessment.objects.none()
    held = Recognition.objects.filter(
        unit=OuterRef("unit"),
        level=OuterRef("criteria_set__level"),
        action=RecognitionAction.RECOGNISED,
    )
    return (
        scope.filter(
            Assessment.objects.filter(state=State.APPROVED, meets_standard=True), field="unit"
        )
        .exclude(Exists(held))
        .select_related("unit", "criteria_set")
        .order_by("-year", "unit__code")
    )


def _recognition_item(a: Assessment) -> Item:
    return Item(
        title=f"{a.unit.name} — {a.year}",
        detail=_("Đạt đủ tiêu chí (%(set)s), chưa có quyết định công nhận")
        % {"set": a.criteria_set.code},
        url=reverse("assessments:recognitions") + f"?year={a.year}",
    )


# -- OCOP ---------------------------------------------------------------------------------------


def ocop_to_score(user, scope: Scope):
    """Products of a round this user's council organises that have no score yet."""
    from ntm.ocop.models import Evaluation, Score
    from ntm.ocop.selectors import council_units, evaluations_visible

    if not (user.is_superuser or user.role in (Role.PROVINCE_COORDINATOR, Role.DISTRICT_OFFICER)):
        return Evaluation.objects.none()
    units = [u.pk for u in council_units(user)]
    scored = Score.objects.filter(evaluation=OuterRef("pk"))
    return (
        evaluations_visible(scope)
        .filter(round__unit_id__in=units)
        .exclude(Exists(scored))
        .order_by("round__held_on", "pk")
    )


def _evaluation_item(e) -> Item:
    return Item(
        title=e.product.name,
        detail=str(e.round),
        url=reverse("ocop:round_detail", args=[e.round_id]),
        when=e.round.held_on,
    )


def certificates_expiring(user, scope: Scope):
    from ntm.ocop.selectors import expiring

    if user.role == Role.COMMUNE_OFFICER and not user.is_superuser:
        return []
    return expiring(day=datetime.date.today(), months=6, scope=scope).select_related("product")


def _certificate_item(c) -> Item:
    return Item(
        title=c.product.name,
        detail=_("%(stars)s★, hết hạn %(day)s")
        % {"stars": c.stars, "day": c.valid_to.strftime("%d/%m/%Y")},
        url=reverse("ocop:product_detail", args=[c.product_id]),
        when=c.valid_to,
    )


register(
    "results_waiting",
    gettext_lazy("Kết quả đánh giá chờ tôi kiểm tra, thẩm định, phê duyệt"),
    results_waiting,
    describe=_assessment_item,
)
register(
    "results_returned",
    gettext_lazy("Kết quả bị trả lại cần sửa"),
    results_returned,
    describe=_assessment_item,
)
register(
    "recognitions",
    gettext_lazy("Xã đạt đủ tiêu chí chờ quyết định công nhận"),
    recognitions_to_decide,
    describe=_recognition_item,
)
register(
    "ocop_scoring",
    gettext_lazy("Sản phẩm OCOP chờ chấm điểm"),
    ocop_to_score,
    describe=_evaluation_item,
)
register(
    "ocop_expiring",
    gettext_lazy("Giấy chứng nhận OCOP hết hạn trong 6 tháng"),
    certificates_expiring,
    describe=_certificate_item,
)
