"""Reads of recognition dossiers: what a dossier holds, what it lacks, the satisfaction check."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from ntm.dossiers.checklists import checklist_for, item_codes, shipped_satisfaction
from ntm.dossiers.models import Dossier, DossierDocument, SatisfactionSurvey, SatisfactionThreshold
from ntm.units.paths import province_id_of


@dataclass
class DossierStatus:
    dossier: Dossier
    checklist: dict | None
    items: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    survey: SatisfactionSurvey | None = None
    threshold: Decimal | None = None
    threshold_source: str = ""
    satisfaction_ok: bool | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "checklist": self.checklist["id"] if self.checklist else None,
            "items": [
                {
                    "code": i["code"],
                    "name": i["name"],
                    "required": i["required"],
                    "source": i.get("source", ""),
                    "documents": len(i["documents"]),
                }
                for i in self.items
            ],
            "missing": self.missing,
            "survey": None
            if self.survey is None
            else {
                "date": self.survey.date.isoformat(),
                "method": self.survey.method,
                "respondents": self.survey.respondents,
                "share_satisfied": float(self.survey.share_satisfied),
                "villages": self.survey.villages,
            },
            "satisfaction_threshold": None if self.threshold is None else float(self.threshold),
            "satisfaction_threshold_source": self.threshold_source,
            "satisfaction_ok": self.satisfaction_ok,
            "problems": self.problems,
            "complete": self.complete,
        }


def satisfaction_threshold(dossier: Dossier) -> tuple[Decimal | None, str]:
    """The share the set requires: the shipped, sourced value; else the province's own value
    for the set (or the national set it was cloned from); else None (not yet set)."""
    value, source = shipped_satisfaction(dossier.criteria_set)
    if value is not None:
        return value, source
    set_ids = []
    cset = dossier.criteria_set
    while cset is not None and cset.pk not in set_ids:
        set_ids.append(cset.pk)
        cset = cset.based_on
    rows = {
        t.criteria_set_id: t
        for t in SatisfactionThreshold.objects.filter(
            criteria_set_id__in=set_ids, province_id=province_id_of(dossier.unit.path)
        )
    }
    for set_id in set_ids:
        if set_id in rows:
            return rows[set_id].min_share, rows[set_id].source
    return None, source


def dossier_status(dossier: Dossier) -> DossierStatus:
    """The checklist with the documents under each item, what is missing and why the dossier
    is not complete. Uses prefetched documents and surveys when the caller loaded them."""
    checklist = checklist_for(dossier.criteria_set)
    status = DossierStatus(dossier=dossier, checklist=checklist)
    documents = list(dossier.documents.all())
    for item in checklist["items"] if checklist else []:
        docs = [d for d in documents if d.kind == item["code"]]
        status.items.append({**item, "documents": docs})
        if item["required"] and not docs:
            status.missing.append(item["name"])
            status.problems.append(_("Thiếu: %(name)s.") % {"name": item["name"]})
    surveys = list(dossier.surveys.all())
    status.survey = max(surveys, key=lambda s: (s.date, s.pk), default=None)
    status.threshold, status.threshold_source = satisfaction_threshold(dossier)
    if status.survey is None:
        status.problems.append(_("Chưa có kết quả lấy ý kiến sự hài lòng của người dân."))
    elif status.threshold is not None:
        status.satisfaction_ok = status.survey.share_satisfied >= status.threshold
        if not status.satisfaction_ok:
            status.problems.append(
                _("Tỷ lệ người dân hài lòng %(share)s%% thấp hơn mức yêu cầu %(min)s%%.")
                % {"share": status.survey.share_satisfied, "min": status.threshold}
            )
    return status


def dossiers_visible(scope, year: int | None = None) -> QuerySet:
    qs = scope.filter(Dossier.objects.all(), field="unit")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related(
        "unit", "unit__parent", "criteria_set", "criteria_set__based_on", "recognition"
    ).prefetch_related(
        Prefetch("documents", queryset=DossierDocument.objects.order_by("pk")), "surveys"
    )


def dossier_for(*, unit, level: str, year: int) -> Dossier | None:
    return (
        Dossier.objects.filter(unit=unit, level=level, year=year)
        .select_related("unit", "criteria_set", "criteria_set__based_on")
        .first()
    )


def public_documents(unit) -> list[dict]:
    """Which documents the unit's dossiers hold, for the public page: names always, a file
    only when published."""
    rows = (
        DossierDocument.objects.filter(dossier__unit=unit)
        .select_related("dossier", "dossier__criteria_set")
        .order_by("-dossier__year", "dossier__level", "kind", "pk")
    )
    names: dict[int, dict[str, str]] = {}
    for d in rows:
        if d.dossier.criteria_set_id not in names:
            names[d.dossier.criteria_set_id] = item_codes(d.dossier.criteria_set)
    return [
        {
            "year": d.dossier.year,
            "level": d.dossier.get_level_display(),
            # the checklist's name of the document, never the title a user typed
            "title": names[d.dossier.criteria_set_id].get(d.kind, d.kind),
            "kind": d.kind,
            "published": d.published,
            "pk": d.pk,
        }
        for d in rows
    ]
