"""The access matrix: every URL pattern and API route × every role × an object inside and one
outside the user's scope × every method. Nothing outside may be seen or changed; read-only
roles change nothing anywhere; anonymous users reach only the public routes.

The routes come from the URL resolver and their classification in tests/test_routes_scope.py
(PUBLIC / OBJECT_ROUTES / SCOPED_PAGES), so a new route is tried as soon as it is classified
(an object route naming an object the worlds below lack, a public route with parameters or a
page only some roles open fails with a message saying which table to complete).
Two worlds are built once per module (inside a transaction rolled back at the end; every test
runs in its own savepoint):

- INSIDE: Quân Hà commune, Bạch Thông district, Bắc Kạn province (the users' own units);
- OUTSIDE: a commune, its district and the province of Lạng Sơn (nobody's unit here).

Each world holds one object of every kind an object route names. Private texts (draft notes,
a household's name, plan titles, resource names...) carry the world's private marker; objects
of district level carry `<tag>-HUYEN` so that a commune officer's pages can be checked for them.

Methods: GET, HEAD (where GET is refused: it must be refused alike), OPTIONS on the API, then
POST naming this world's objects and commune, and again the other world's (pages without
parameters also: this world's district, and the two worlds mixed), PUT naming the other world,
PATCH (fields changed in place) and DELETE. Pages without parameters are
read with the parameters of a unit the role sees (strict) or, outside, with three sets of
parameters naming the other world's units and objects (answered 403/404 or without its data).

Expected outcomes are the tables below (EXPECTED, SEES, READ_ONLY_AREAS, PAGE_GET), written
from the rules of accounts/scope.py (a user sees the subtree of their unit, a provincial
criteria set is seen in its whole province, national viewers read everything, superusers write
everything) and of the services (who may write plans, OCOP, council data, criteria,
attributes, recognitions, rates, workflow steps, which department owns which criterion).

Writes are checked with a snapshot of every protected row (all columns, so versions and
updated-at stamps too): after every write that was not refused outright (401/403/404/405 or
the login redirect) and once more after all methods of a test. The last tests show that the
matrix fails when the scope or a write rule is broken.
"""

import datetime
import json
import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import NoReverseMatch, get_resolver, resolve, reverse

from ntm.accounts.models import Role, User
from ntm.assessments.models import (
    Assessment,
    CriterionResult,
    Evidence,
    IndicatorValue,
    Recognition,
    StateChange,
)
from ntm.assessments.services import (
    ManualResult,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.models import CriteriaSet, Criterion, Indicator, Threshold
from ntm.criteria.services import criteria_load, criteria_set_clone, threshold_save
from ntm.dossiers.models import Dossier, DossierDocument, SatisfactionSurvey, SatisfactionThreshold
from ntm.jobs.models import Job
from ntm.ocop.models import Certificate, Evaluation, EvaluationRound, Product, Score, Subject
from ntm.plans.models import Plan, RoadmapEntry, Target, Task, TaskNote
from ntm.resources.models import (
    Activity,
    Contribution,
    ConversionRate,
    Funding,
    FundingSource,
    ModelSite,
    Project,
)
from ntm.units.models import Level, Unit, UnitAttribute
from ntm.units.services import attribute_set
from tests.conftest import _legacy
from tests.test_routes_scope import OBJECT_ROUTES, PUBLIC, SCOPED_PAGES, _walk

DEPARTMENT = "Sở Giao thông vận tải"
YEAR = 2023

# -- the tables ------------------------------------------------------------------------------

# The matrix in one table: role -> where -> (reads, writes). Anonymous users have no inside;
# for national viewers and superusers everything is inside (they are tried on one world each).
# reads:  "login"   every non-public route sends to the login page (the API: 401/403);
#         "all"     every object of the world is read (200 where the route shows it);
#         "scope"   the objects SEES[role] lists (200), 403/404 for the others;
#         "none"    403/404/405 for every object, and no text of the world in any answer.
# writes: "login"   as reads;
#         "refused" 400/403/405 (a page may answer PUT like a GET), nothing changes anywhere;
#         "scope"   no 5xx; nothing changes outside the role's unit, nor in the role's
#                   READ_ONLY_AREAS inside it; 403/404/405 on the objects it does not see;
#         "denied"  403/404/405 on every object route; nothing outside the role's unit changes;
#         "any"     no 5xx (superusers write everywhere).
SCOPED = {"inside": ("scope", "scope"), "outside": ("none", "denied")}
EXPECTED = {
    "anonymous": {"outside": ("login", "login")},
    "national": {"outside": ("all", "refused")},
    "admin": {"inside": ("all", "any")},
    "coordinator": SCOPED,
    "department": SCOPED,
    "district": SCOPED,
    "commune": SCOPED,
}
ROLES = list(EXPECTED)
SCOPED_ROLES = {role for role, cases in EXPECTED.items() if cases is SCOPED}
SEES_OUTSIDE = {r for r, cases in EXPECTED.items() if any(c[0] == "all" for c in cases.values())}

# The level of the unit that decides who sees an object named by an OBJECT_ROUTES builder
# (the attribute it reads from the world). "province_set": a provincial criteria set, seen by
# every user of its province (criteria.selectors.criteria_sets_visible).
LEVEL_OF = {
    "unit": "commune",
    "assessment": "commune",
    "evidence": "commune",
    "recognition": "commune",
    "cset": "province_set",
    "indicator": "province_set",
    "plan": "district",
    "target": "district",
    "roadmap": "district",
    "task": "district",
    "funding": "commune",
    "contribution": "commune",
    "project": "commune",
    "model_site": "commune",
    "activity": "commune",
    "ocop_subject": "commune",
    "ocop_product": "commune",
    "ocop_evaluation": "commune",
    "ocop_certificate": "commune",
    "ocop_round": "district",
    "dossier": "commune",
    "dossier_document": "commune",
    "job": "province",
}
ALL_LEVELS = {"commune", "district", "province", "province_set"}

# What each role sees of the INSIDE world (scope.py: the subtree of the user's unit).
SEES = {
    "anonymous": set(),
    "national": ALL_LEVELS,
    "admin": ALL_LEVELS,
    "coordinator": ALL_LEVELS,  # Bắc Kạn
    "department": ALL_LEVELS,  # Bắc Kạn
    "district": {"commune", "district", "province_set"},  # Bạch Thông
    "commune": {"commune", "province_set"},  # Quân Hà
}

# Areas of data, and the areas each writing role may NOT change even inside its own unit:
# - plans: province coordinators, district officers for district-level plans (plans.services);
# - ocop_products: coordinators, district and commune officers (ocop.services);
# - ocop_council (rounds, scores, decisions): coordinators and district officers (ocop.services);
# - criteria: coordinators of the province (criteria.views);
# - unit_attributes: coordinators (units.views); recognitions: coordinators (assessments.views);
# - rates: coordinators (resources.services.rate_save);
# - assessment_state: the workflow table has no step for department officers;
# - foreign_criteria: a department officer edits only the criteria of their department
#   (assessments.services.can_edit).
AREAS = {
    "units",
    "unit_attributes",
    "criteria",
    "assessments",
    "assessment_state",
    "foreign_criteria",
    "recognitions",
    "plans",
    "ocop_products",
    "ocop_council",
    "resources",
    "rates",
    "dossiers",
}
READ_ONLY_AREAS = {
    "admin": set(),
    "coordinator": set(),
    "department": {
        "plans",
        "ocop_products",
        "ocop_council",
        "assessment_state",
        "foreign_criteria",
        "criteria",
        "unit_attributes",
        "recognitions",
        "rates",
    },
    "district": {"criteria", "unit_attributes", "recognitions", "rates"},
    "commune": {"plans", "ocop_council", "criteria", "unit_attributes", "recognitions", "rates"},
    "national": AREAS,
    "anonymous": AREAS,
}

# What a GET of a (non-API) page does. READ: shows data to whoever sees it; POST_ONLY: 405;
# an area name (or "writer": any role that writes): a form, 403 for those who may not write it;
# a set of roles: a page only they read (403 for the others).
READ, POST_ONLY = "read", "post_only"
PAGE_GET = {
    "units:detail": READ,
    "units:village_add": POST_ONLY,
    "units:attribute_add": POST_ONLY,
    "units:villages_import": "writer",
    "units:villages_template": "writer",
    "units:history": "unit_attributes",
    "units:history_template": "unit_attributes",
    "criteria:detail": READ,
    "criteria:clone": POST_ONLY,
    "criteria:period": POST_ONLY,
    "criteria:indicator_add": POST_ONLY,
    "criteria:threshold_add": POST_ONLY,
    "assessments:detail": READ,
    "assessments:transition": POST_ONLY,
    "assessments:evidence_upload": POST_ONLY,
    "assessments:evidence_download": READ,
    "assessments:open": POST_ONLY,
    "assessments:template": "writer",
    "assessments:import": "writer",
    "plans:detail": READ,
    "plans:template": READ,
    "plans:delete": POST_ONLY,
    "plans:target_delete": POST_ONLY,
    "plans:roadmap_delete": POST_ONLY,
    "plans:task_progress": POST_ONLY,
    "plans:edit": "plans",
    "plans:target_add": "plans",
    "plans:target_edit": "plans",
    "plans:roadmap_add": "plans",
    "plans:task_add": "plans",
    "plans:task_edit": "plans",
    "plans:import": "plans",
    "plans:create": "plans",
    "plans:new_template": "plans",
    "plans:new_import": "plans",
    "resources:delete": POST_ONLY,
    "resources:import": "writer",
    "ocop:subject_detail": READ,
    "ocop:product_detail": READ,
    "ocop:round_detail": READ,
    "ocop:subject_edit": "ocop_products",
    "ocop:product_edit": "ocop_products",
    "ocop:subject_create": "ocop_products",
    "ocop:product_create": "ocop_products",
    "ocop:import": "ocop_products",
    "ocop:certificate_add": "ocop_council",
    "ocop:round_create": "ocop_council",
    "ocop:round_council": POST_ONLY,
    "ocop:round_products": POST_ONLY,
    "ocop:round_close": POST_ONLY,
    "ocop:certificate_revoke": "ocop_council",
    "ocop:evaluation_score": frozenset(),  # only the round's council members (none here)
    "ocop:evaluation_sheet_docx": READ,  # the printable sheet (parts only in these worlds)
    "ocop:evaluation_sheet_pdf": READ,
    "ocop:evaluation_sheet_xlsx": frozenset(),  # the member's own Excel sheet (no members here)
    "ocop:sheet_import": frozenset({"admin"}),  # members of an open council (none here)
    "ocop:sheet_corrections": frozenset({"admin", "coordinator"}),  # sheets.can_correct
    "ocop:expiry_notice": READ,
    "jobs:detail": READ,
    "jobs:status": READ,
    "jobs:download": READ,
    "jobs:report": POST_ONLY,
    "audit": frozenset({"admin", "national", "coordinator"}),  # web.audit_views.AUDIT_ROLES
    "boundaries": frozenset({"admin", "coordinator"}),  # web.boundary_views
    "dossiers:detail": READ,
    "dossiers:document_download": READ,
    "dossiers:document_upload": POST_ONLY,
    "dossiers:survey_add": POST_ONLY,
    "dossiers:threshold": POST_ONLY,
    "dossiers:decide": POST_ONLY,
    "imports:recognitions": "recognitions",
    "imports:recognitions_template": "recognitions",
}

# API views that answer only with parameters: the query for a role's own unit.
API_QUERY = {
    "api-report-summary": "?unit={code}&year=2023",
    "api-resources-figures": "?unit={code}&year=2023",
    "api-keeping-standard": "?unit={code}&year=2023",
    "api-merged-communes": "?unit={code}&year=2023",
}

# Public routes with path parameters: which object of a world they show.
PUBLIC_KWARGS = {
    "public-unit": lambda w: {"pk": w.unit.pk},
    "ocop:public_product": lambda w: {"pk": w.ocop_product.pk},
    "public-ocop-product-detail": lambda w: {"product_id": w.ocop_product.pk},
    "funding-source-detail": lambda w: {"pk": w.funding.source_id},
    "media-ocop-photo": lambda w: {"name": w.ocop_product.photo.name.removeprefix("ocop/")},
    "dossiers:public_document": lambda w: {"document_pk": w.dossier_document.pk},
    "ocop-product-sheet-detail": lambda w: {"pk": 1},
}
# Public routes answer these to a GET (logout and the token want a POST, set_language and
# logout redirect; the API root and the funding sources, no user data, still ask for a login).
PUBLIC_GET = {200, 302, 405}
PUBLIC_GET_EXTRA = {
    "api-root": {401, 403},
    "funding-source-list": {401, 403},
    "funding-source-detail": {401, 403},
    "ocop-product-sheet-list": {401, 403},
    "ocop-product-sheet-detail": {401, 403, 404},  # legal data; not loaded in these worlds
}

DENIED = {403, 404, 405}
REFUSED = {401, 403, 404, 405}  # refused before any work: no snapshot needed after these


# -- the routes ------------------------------------------------------------------------------


def _route_names() -> list[str]:
    names = {
        name
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:") and "format" not in pattern
    }
    return sorted(names)


ROUTES = _route_names()


class _Anything:
    def __getattr__(self, name):
        return 1


class _Recorder:
    """Stands for a world in an OBJECT_ROUTES builder and records which objects it names."""

    def __init__(self):
        self.used = []

    def __getattr__(self, name):
        self.used.append(name)
        return _Anything()


def _route_objects(name: str) -> list[str]:
    """The world's objects an object route names, the route's own object last."""
    recorder = _Recorder()
    OBJECT_ROUTES[name](recorder)
    unknown = [a for a in recorder.used if a not in LEVEL_OF]
    assert not unknown, (
        f"{name} names {unknown}: build it in build_world() and give its level in LEVEL_OF "
        f"({__name__})"
    )
    return recorder.used


def _kind(name: str) -> str:
    if name in PUBLIC:
        return "public"
    if name in OBJECT_ROUTES:
        return "object"
    if name in SCOPED_PAGES:
        return "scoped"
    pytest.fail(f"{name} is not classified in tests/test_routes_scope.py")


def _get_semantics(name: str, url: str) -> str:
    """READ, POST_ONLY or the area a form writes."""
    if url.startswith("/api/"):
        actions = getattr(resolve(url).func, "actions", None)
        if actions is not None and "get" not in actions:
            return POST_ONLY
        return READ
    return PAGE_GET.get(name, READ)


# -- the worlds ------------------------------------------------------------------------------


def build_world(*, tag: str, private: str, province: Unit, district: Unit, commune: Unit, admin):
    """One object of every kind the routes name, in the given commune/district/province."""
    from ntm.accounts.scope import system_scope
    from ntm.ocop import services as ocop
    from ntm.plans import services as plans
    from ntm.resources import services as res

    national = CriteriaSet.objects.get(code="NTM-XA-2021")
    cset = criteria_set_clone(
        source=national, province=province, code=f"{tag}-2021", name=f"Bộ tiêu chí {tag}"
    )
    indicator = Indicator.objects.filter(criterion__criteria_set=cset, kind="number").first()
    threshold_save(indicator=indicator, basis="*", value=50)
    attribute_set(unit=commune, kind="border", value="no", valid_from_year=2021, source=tag)
    assessment = assessment_get_or_create(unit=commune, year=YEAR, criteria_set=national)
    # Every criterion decided by hand, so that the workflow's next step is possible; one value;
    # submitted and sent back once (two state changes).
    manual = {c.pk: ManualResult(True, f"{private} lý do") for c in national.criteria.all()}
    number = Indicator.objects.filter(criterion__criteria_set=national, kind="number").first()
    assessment = assessment_save(
        assessment=assessment,
        user=admin,
        version=assessment.version,
        manual=manual,
        values={number.pk: 55},
        notes=f"{private} ghi chú bản nháp",
    )
    for state, reason in (("submitted", ""), ("draft", f"{private} trả lại")):
        assessment = assessment_transition(
            assessment=assessment, user=admin, to_state=state, reason=reason
        )
    foreign = (
        Indicator.objects.filter(criterion__criteria_set=national, kind="boolean")
        .exclude(criterion__department=DEPARTMENT)
        .order_by("pk")
        .first()
    )
    evidence = Evidence.objects.create(
        assessment=assessment,
        title=f"Biên bản {private}",
        file=ContentFile(b"%PDF-1.4", name=f"bb-{tag}.pdf"),
    )
    recognition = Recognition.objects.create(
        unit=commune,
        level="ntm",
        criteria_set=national,
        year=YEAR,
        decision_number=f"1/QĐ-{tag}",
        decision_date=datetime.date(YEAR, 12, 30),
        override_reason=f"{private} kiểm thử",
    )
    plan = plans.plan_create(
        user=None,
        unit=district,
        number=f"77/KH-{tag}-HUYEN",
        issued_on=datetime.date(YEAR, 3, 1),
        issuer=f"UBND {tag}-HUYEN",
        title=f"Kế hoạch {private} {tag}-HUYEN",
        year_from=YEAR,
        year_to=YEAR,
        status="active",
    )
    target = plans.target_create(
        plan=plan, user=None, metric="villages_ntm", year=YEAR, value=7, note=f"{tag}-HUYEN"
    )
    roadmap, _created = plans.roadmap_save(
        plan=plan, user=None, unit=commune, level="ntm", target_year=YEAR
    )
    task = plans.task_save(
        plan=plan, user=None, content=f"Nhiệm vụ {private} {tag}-HUYEN", lead_agency=f"Phòng {tag}"
    )
    plans.task_progress(task=task, user=None, text=f"Tiến độ {private} {tag}-HUYEN")
    ocop.sheets_load()
    subject = ocop.subject_save(
        user=None,
        kind="household",
        name=f"Hộ {private}",
        unit=commune,
        tax_code="4900999999",
        representative=f"Ông {private}",
        phone="0912000111",
    )
    product = ocop.product_save(
        user=None, name=f"Hồi {tag}-OCOP", subject=subject, group="thuc_pham", unit=commune
    )
    product.photo.save(f"mx-{tag.lower()}.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    Product.objects.filter(pk=product.pk).update(photo=product.photo.name)
    ocop_round = ocop.round_save(
        user=None,
        unit=district,
        year=2024,
        number=9,
        held_on=datetime.date(2024, 9, 1),
        note=f"{tag}-HUYEN",
    )
    evaluation = ocop.evaluation_save(
        user=None, round=ocop_round, product=product, scores={"A": 30, "B": 20, "C": 25}
    )
    certificate = ocop.certificate_issue(
        user=None,
        product=product,
        number=f"99/QĐ-{tag}",
        issued_on=datetime.date(2024, 10, 1),
        stars=4,
        evaluation=evaluation,
    )
    rs = system_scope()
    funding, _c = res.funding_save(
        scope=rs,
        user=None,
        unit=commune,
        year=YEAR,
        source=FundingSource.objects.get(code="ntm_central"),
        allocated=777,
        disbursed=7,
        note=f"{private} vốn",
    )
    contribution, _c = res.contribution_save(
        scope=rs,
        user=None,
        unit=commune,
        year=YEAR,
        land_m2=5,
        workdays=5,
        cash=5,
        materials=f"{private} hiện vật",
    )
    res.rate_save(
        scope=rs,
        province=province,
        year=YEAR,
        land_per_m2=1000,
        workday=200000,
        decision=f"5/QĐ-{tag}",
    )
    project = res.project_save(
        scope=rs, unit=commune, year=YEAR, name=f"Công trình {private}", amount=1
    )
    model_site = res.model_site_save(
        scope=rs,
        unit=commune,
        kind="green_clean",
        name=f"Mô hình {private}",
        year_recognised=YEAR,
    )
    activity = res.activity_save(
        scope=rs,
        unit=commune,
        kind="training",
        name=f"Lớp {private}",
        date=datetime.date(YEAR, 5, 1),
        planned=10,
        actual=9,
    )
    dossier = Dossier.objects.create(unit=commune, level="ntm", year=YEAR, criteria_set=national)
    dossier_document = DossierDocument.objects.create(
        dossier=dossier,
        kind="to_trinh",
        title=f"Tờ trình {private}",
        file=ContentFile(b"%PDF-1.4", name=f"tt-{tag}.pdf"),
        published=True,  # the public route serves published documents only
    )
    SatisfactionSurvey.objects.create(
        dossier=dossier,
        date=datetime.date(YEAR, 10, 1),
        method="meeting",
        respondents=10,
        share_satisfied=95,
        villages=[{"name": private, "respondents": 10, "share_satisfied": "95"}],
    )
    SatisfactionThreshold.objects.create(
        criteria_set=national, province=province, min_share=80, source=f"QĐ {private}"
    )
    job = Job.objects.create(
        kind="report_docx",
        title=f"Báo cáo {private}",
        unit=province,
        params={"year": YEAR},
        status="done",
        result=ContentFile(f"PK {private}".encode(), name=f"bc-{tag}.docx"),
        result_name=f"bc-{tag}.docx",
    )
    return SimpleNamespace(
        job=job,
        dossier=dossier,
        dossier_document=dossier_document,
        tag=tag,
        private=private,
        province=province,
        district=district,
        unit=commune,
        cset=cset,
        indicator=indicator,
        assessment=assessment,
        foreign_indicator=foreign,
        evidence=evidence,
        recognition=recognition,
        plan=plan,
        target=target,
        roadmap=roadmap,
        task=task,
        ocop_subject=subject,
        ocop_product=product,
        ocop_round=ocop_round,
        ocop_evaluation=evaluation,
        ocop_certificate=certificate,
        funding=funding,
        contribution=contribution,
        project=project,
        model_site=model_site,
        activity=activity,
    )


def _make_users(inside) -> dict:
    def user(name, role="", unit=None, **extra):
        return User.objects.create(username=f"mx-{name}", role=role, unit=unit, **extra)

    return {
        "admin": user("admin", is_superuser=True, is_staff=True),
        "national": user("national", Role.NATIONAL_VIEWER),
        "coordinator": user("coordinator", Role.PROVINCE_COORDINATOR, inside.province),
        "department": user(
            "department", Role.DEPARTMENT_OFFICER, inside.province, department=DEPARTMENT
        ),
        "district": user("district", Role.DISTRICT_OFFICER, inside.district),
        "commune": user("commune", Role.COMMUNE_OFFICER, inside.unit),
    }


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both worlds and the users, built once; rolled back when the module is done."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("matrix-media")))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            criteria_load(codes=["NTM-XA-2021"])
            quan_ha = _legacy(Level.COMMUNE, "02005")
            lang_son_commune = (
                Unit.objects.filter(
                    parent__parent__code="20", parent__valid_to__isnull=False, kind="xa"
                )
                .order_by("code")
                .first()
            )
            admin = User.objects.create(username="mx-builder", is_superuser=True)
            inside = build_world(
                tag="MXBK",
                private="TRONGPHAMVI-5c2e",
                province=_legacy(Level.PROVINCE, "06"),
                district=quan_ha.parent,
                commune=quan_ha,
                admin=admin,
            )
            outside = build_world(
                tag="MXLS",
                private="NGOAIPHAMVI-7f3a",
                province=_legacy(Level.PROVINCE, "20"),
                district=lang_son_commune.parent,
                commune=lang_son_commune,
                admin=admin,
            )
            assert inside.district.code == "063", "Quân Hà lies in Bạch Thông"
            users = _make_users(inside)
            data = SimpleNamespace(inside=inside, outside=outside, users=users, before={})
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            raise
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    media.disable()


# -- snapshots -------------------------------------------------------------------------------

# (area, model, the path to the unit that owns a row). Every row outside a role's unit is
# protected; inside it, the rows of the role's READ_ONLY_AREAS too.
TRACKED = [
    ("unit_attributes", UnitAttribute, "unit"),
    ("criteria", CriteriaSet, "province"),
    ("criteria", Criterion, "criteria_set__province"),
    ("criteria", Indicator, "criterion__criteria_set__province"),
    ("criteria", Threshold, "indicator__criterion__criteria_set__province"),
    ("assessments", Assessment, "unit"),
    ("assessments", IndicatorValue, "assessment__unit"),
    ("assessments", CriterionResult, "assessment__unit"),
    ("assessments", StateChange, "assessment__unit"),
    ("assessments", Evidence, "assessment__unit"),
    ("recognitions", Recognition, "unit"),
    ("plans", Plan, "unit"),
    ("plans", Target, "plan__unit"),
    ("plans", RoadmapEntry, "plan__unit"),
    ("plans", Task, "plan__unit"),
    ("plans", TaskNote, "task__plan__unit"),
    ("ocop_products", Subject, "unit"),
    ("ocop_products", Product, "unit"),
    ("ocop_council", EvaluationRound, "unit"),
    ("ocop_council", Evaluation, "round__unit"),
    ("ocop_council", Score, "evaluation__round__unit"),
    ("ocop_council", Certificate, "product__unit"),
    ("resources", Funding, "unit"),
    ("resources", Project, "unit"),
    ("resources", Contribution, "unit"),
    ("resources", ModelSite, "unit"),
    ("resources", Activity, "unit"),
    ("rates", ConversionRate, "province"),
    ("dossiers", Dossier, "unit"),
    ("dossiers", DossierDocument, "dossier__unit"),
    ("dossiers", SatisfactionSurvey, "dossier__unit"),
    ("recognitions", SatisfactionThreshold, "province"),
]
# Parts of rows, protected everywhere (also inside the role's unit) for roles that may not
# change them: (area, model, rows, columns).
PARTIAL = [
    ("assessment_state", Assessment, Q(), ("pk", "state")),
    ("assessment_state", StateChange, Q(), ("pk",)),
    ("foreign_criteria", IndicatorValue, ~Q(indicator__criterion__department=DEPARTMENT), ()),
    ("foreign_criteria", CriterionResult, ~Q(criterion__department=DEPARTMENT), ()),
]


def _home_path(role: str, m) -> str | None:
    """The path of the subtree a role may write in; None: nowhere."""
    return {
        "coordinator": m.inside.province.path,
        "department": m.inside.province.path,
        "district": m.inside.district.path,
        "commune": m.inside.unit.path,
    }.get(role)


def _protected(m, role: str, everything: bool) -> dict:
    """The querysets of every protected row, by name. `everything`: protect the whole database
    (read-only roles, anonymous users and public routes)."""
    if role == "admin" and not everything:
        return {}
    home = None if everything else _home_path(role, m)
    read_only = AREAS if everything or home is None else READ_ONLY_AREAS[role]
    out = {}
    units = Unit.objects.all() if home is None else Unit.objects.exclude(path__startswith=home)
    out["units:Unit"] = (units, None)
    for area, model, field in TRACKED:
        qs = model.objects.all()
        if area not in read_only:
            qs = qs.exclude(**{f"{field}__path__startswith": home})
        out[f"{area}:{model.__name__}"] = (qs, [f.attname for f in model._meta.concrete_fields])
    if home is not None:
        for area, model, rows, columns in PARTIAL:
            if area in read_only:
                names = columns or [f.attname for f in model._meta.concrete_fields]
                out[f"{area}:{model.__name__}"] = (model.objects.filter(rows), names)
    return out


def _fingerprint_sql(m, role: str, everything: bool) -> tuple[list[str], str, list]:
    """One SELECT giving, for each protected table, every protected row with all its columns
    as text (for units: their count and highest id). Compiled once per role."""
    key = ("sql", role, everything)
    if key not in m.before:
        postgres = connection.vendor == "postgresql"
        names, parts, params = [], [], []
        for name, (qs, columns) in _protected(m, role, everything).items():
            if columns is None:
                sql, sub = qs.order_by().values_list("id").query.sql_with_params()
                agg = (
                    "COUNT(*)::text || ',' || COALESCE(MAX(t.id), 0)::text"
                    if postgres
                    else ("COUNT(*) || ',' || COALESCE(MAX(t.id), 0)")
                )
            else:
                meta = qs.model._meta
                names_ = [meta.pk.attname if c == "pk" else c for c in columns]
                sql, sub = qs.order_by("pk").values_list(*names_).query.sql_with_params()
                if postgres:
                    agg = "string_agg(t::text, '|' ORDER BY t::text)"
                else:
                    cols = [
                        meta.get_field(n).column if n != meta.pk.attname else meta.pk.column
                        for n in names_
                    ]
                    row = " || ',' || ".join(f'quote(t."{c}")' for c in cols)
                    agg = f"group_concat({row}, '|')"
            names.append(name)
            parts.append(f"(SELECT {agg} FROM ({sql}) t)")
            params.extend(sub)
        m.before[key] = (names, "SELECT " + ", ".join(parts), params)
    return m.before[key]


def snapshot(m, role: str, *, everything: bool) -> dict:
    """Every protected row, all columns (so versions and updated-at stamps too), as text."""
    names, sql, params = _fingerprint_sql(m, role, everything)
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(names, cursor.fetchone(), strict=True))


def _diff(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after.get(key)]


# -- requests --------------------------------------------------------------------------------


def _version(obj) -> int | None:
    """The stored version of an object that has one (what a client would send back)."""
    model = type(obj)
    if not any(f.name == "version" for f in model._meta.concrete_fields):
        return None
    return model.objects.filter(pk=obj.pk).values_list("version", flat=True).first()


def _payload(world, unit: Unit | None, *, api: bool, version: int | None) -> dict:
    """One body for every write: the fields of every form and serializer, naming `world`'s
    objects and `unit`, with the version of the object written to (else the assessment's).
    Fields a view does not know are ignored."""
    data = {
        "version": version or _version(world.assessment),
        "to_state": "submitted",
        "reason": "MX sửa",
        "name": "MX-SUA",
        "title": "MX-SUA",
        "code": "MX-SUA-2021",
        "note": "MX-SUA",
        "notes": "MX-SUA",
        "text": "MX-SUA",
        "content": "MX-SUA",
        "lead_agency": "MX",
        "number": "88/KH-MX",
        "issued_on": "2023-02-01",
        "issuer": "MX",
        "year_from": YEAR,
        "year_to": YEAR,
        "status": "draft",
        "year": YEAR,
        "set": "NTM-XA-2021",
        "criteria_set": "NTM-XA-2021",
        "metric": "villages_ntm",
        "value": 9,
        "level": "ntm",
        "target_year": YEAR,
        "kind": "household",
        "group": "thuc_pham",
        "stage": "idea",
        "subject": world.ocop_subject.pk,
        "product": world.ocop_product.pk,
        "round": world.ocop_round.pk,
        "evaluation": world.ocop_evaluation.pk,
        "stars": 3,
        "held_on": "2023-09-01",
        "source": "ntm_central",
        "allocated": 5,
        "disbursed": 1,
        "land_m2": 1,
        "workdays": 1,
        "cash": 1,
        "amount": 1,
        "date": "2023-05-01",
        "planned": 1,
        "actual": 1,
        "year_recognised": YEAR,
        "plan": world.plan.pk,
        "decision_number": "5/QĐ-MX",
        "decision_date": "2023-12-01",
        "override_reason": "MX",
        "basis": "*",
        "valid_from_year": YEAR,
        "section": "activity",
        "a-kind": "training",
        "a-name": "MX-SUA",
        "a-date": "2023-05-02",
        "a-planned": 1,
        "a-actual": 1,
        "product_id": world.ocop_product.pk,
        "line_A": 1,
        "dry_run": "",
    }
    if unit is not None:
        data.update(unit=unit.pk, unit_code=unit.code)
    if api:
        data["values"] = {world.foreign_indicator.code: True}
    else:
        data[f"b_{world.foreign_indicator.pk}"] = "1"
    return data


def _send(client, method: str, url: str, data: dict | None, *, api: bool):
    if method in ("get", "head", "options"):
        return getattr(client, method)(url)
    if api:
        return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")
    if method == "post":
        return client.post(url, data or {})
    return getattr(client, method)(
        url, urlencode(data or {}), content_type="application/x-www-form-urlencoded"
    )


CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def _body(response) -> str:
    """The answer's text without CSRF tokens: a random token may spell a world's 4-letter tag."""
    if getattr(response, "streaming", False):
        text = b"".join(response.streaming_content).decode("utf-8", "replace")
    else:
        text = response.content.decode("utf-8", "replace")
    return CSRF_INPUT.sub("", text)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def _hidden_markers(m, role: str) -> list[str]:
    """Texts this role must never receive outside the public routes."""
    out = m.outside
    outside = [out.tag, out.private, "Lạng Sơn", out.unit.name, out.district.name]
    if role in SEES_OUTSIDE:
        return []
    if role == "anonymous":
        return [*outside, m.inside.tag, m.inside.private]
    hidden = list(outside)
    if "district" not in SEES[role]:
        hidden.append(f"{m.inside.tag}-HUYEN")
    return hidden


def _may_write(role: str, area: str) -> bool:
    if role == "admin":
        return True
    if role not in SCOPED_ROLES:
        return False
    return area == "writer" or area not in READ_ONLY_AREAS[role]


def _expected_get(role: str, semantics: str, visible: bool) -> set[int]:
    if not visible:
        return DENIED
    if semantics == READ:
        return {200}
    if semantics == POST_ONLY:
        return {405}
    if isinstance(semantics, frozenset):
        return {200} if role in semantics else {403}
    return {200} if _may_write(role, semantics) else {403}


# -- the test --------------------------------------------------------------------------------


def _cases():
    for name in ROUTES:
        for role in ROLES:
            for where in EXPECTED[role]:
                yield pytest.param(name, role, where, id=f"{name}|{role}|{where}")


@pytest.fixture(scope="module")
def shared_client():
    """One client for the module: a new one loads the middleware again (whitenoise walks every
    static file each time)."""
    return Client()


def _outside_queries(out) -> list[str]:
    """Parameters naming the outside world, as the pages and the API spell them."""
    return [
        f"?unit={out.unit.pk}&year=2023&set={out.tag}-2021&district={out.district.pk}",
        f"?unit={out.unit.code}&unit_code={out.unit.code}&year=2023",
        f"?unit={out.province.pk}&plan={out.plan.pk}&product={out.ocop_product.pk}&q={out.tag}",
    ]


@pytest.fixture
def no_libreoffice_run(monkeypatch):
    """The PDF route's scope is what matters here: converting (seconds each, and only where
    LibreOffice is installed) is tested in tests/reports/test_annual.py."""
    monkeypatch.setattr("ntm.reports.views.docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")
    monkeypatch.setattr("ntm.reports.pdf.docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")


@pytest.mark.parametrize(("name", "role", "where"), list(_cases()))
def test_access_matrix(matrix, shared_client, db, no_libreoffice_run, name, role, where):
    run_case(matrix, shared_client, name, role, where)


def run_case(m, client, name: str, role: str, where: str) -> None:
    """Every method on one route, as one role, against one world's object (or parameters)."""
    world = getattr(m, where)
    kind = _kind(name)
    client.cookies.clear()
    if role != "anonymous":
        client.force_login(m.users[role])
    if kind == "object":
        objects = _route_objects(name)
        levels = {LEVEL_OF[a] for a in objects}
        url = reverse(name, kwargs=OBJECT_ROUTES[name](world))
        version = _version(getattr(world, objects[-1]))
    elif kind == "public" and name in PUBLIC_KWARGS:
        url = reverse(name, kwargs=PUBLIC_KWARGS[name](world))
    else:
        try:
            url = reverse(name)
        except NoReverseMatch:
            pytest.fail(f"{name} takes parameters: add it to PUBLIC_KWARGS in {__name__}")
    if kind != "object":
        version = None
    api = url.startswith("/api/")
    semantics = _get_semantics(name, url)
    reads, writes = EXPECTED[role][where]
    if kind == "scoped":
        visible = reads != "login"
    else:
        visible = reads == "all" or (reads == "scope" and kind == "object" and levels <= SEES[role])
    hidden = [] if kind == "public" else _hidden_markers(m, role)
    private = [m.inside.private, m.outside.private]
    seen = []

    def check(method, target, response, allowed=None):
        status = response.status_code
        where_ = (role, method.upper(), target, status)
        seen.append(where_)
        assert status < 500, where_
        body = _body(response)
        query = target.partition("?")[2]
        for marker in hidden:
            if marker in query or marker.replace(" ", "+") in query:
                continue  # the query itself is echoed back (a search box)
            assert marker not in body, (*where_, "leaks", marker)
        if kind == "public":
            for marker in private:
                assert marker not in body, (*where_, "public route leaks private", marker)
        if role == "anonymous" and kind != "public":
            if api:
                assert status in (401, 403), where_
            else:
                assert _is_login_redirect(response), where_
        elif allowed is not None:
            assert status in allowed, (*where_, "expected", sorted(allowed))

    # Reads.
    def read(target, allowed):
        """GET, then HEAD where GET was refused: it must be refused alike. (Where GET answers
        200, HEAD runs the same view without a body and adds only time.)"""
        response = _send(client, "get", target, None, api=api)
        check("get", target, response, allowed)
        if response.status_code != 200:
            check("head", target, _send(client, "head", target, None, api=api), allowed)

    if kind == "public":
        read(url, PUBLIC_GET | PUBLIC_GET_EXTRA.get(name, set()))
    elif kind == "object":
        read(url, _expected_get(role, semantics, visible))
        if api:
            expected = {200} if visible else {200, *DENIED}  # metadata only, never the object
            check("options", url, _send(client, "options", url, None, api=api), expected)
    else:
        if reads in ("all", "scope"):
            home = world.province
            if where == "inside":
                home = {"commune": world.unit, "district": world.district}.get(role, home)
            query = API_QUERY.get(name, "?unit={pk}&year=2023").format(pk=home.pk, code=home.code)
            queries, strict = [query], True
        else:
            queries, strict = _outside_queries(m.outside), False
        # Strict for a unit the role sees; for another unit's parameters: 403, 404 or an
        # answer without its data.
        allowed = _expected_get(role, semantics, visible) if strict else {200, 400, *DENIED}
        for query in queries:
            read(url + query, allowed)
        if api:
            check("options", url, _send(client, "options", url, None, api=True), {200, *DENIED})

    # Writes.
    protect_all = kind == "public" or writes in ("login", "refused")
    key = (role, protect_all)
    if key not in m.before:
        m.before[key] = snapshot(m, role, everything=protect_all)
    before = m.before[key]
    # POST and PUT name a unit (to create something there, or move the object there), with the
    # objects of this world or of the other one (mixed: this world's plan, the other's unit...);
    # PATCH changes fields in place; DELETE deletes.
    other = m.outside if where == "inside" else m.inside
    attempts = [("post", world, world.unit), ("post", other, other.unit)]
    if kind == "scoped":
        attempts += [
            ("post", world, world.district),
            ("post", world, other.unit),
            ("post", other, world.unit),
        ]
    attempts += [("put", other, other.unit), ("patch", world, None), ("delete", None, None)]
    for method, refs, target in attempts:
        data = _payload(refs, target, api=api, version=version) if refs else None
        response = _send(client, method, url, data, api=api)
        if kind == "public" or writes == "any":
            allowed = None
        elif writes == "refused":
            # A page answers PUT/PATCH/DELETE like a GET (no data is read from them).
            allowed = {400, 403, 405} if api or method == "post" else {200, 400, 403, 405}
        elif kind == "object" and not visible:
            allowed = DENIED
        else:
            allowed = None
        check(method, url, response, allowed)
        if response.status_code not in REFUSED and not _is_login_redirect(response):
            changed = _diff(before, snapshot(m, role, everything=protect_all))
            assert not changed, (
                role,
                method.upper(),
                url,
                response.status_code,
                "changed",
                changed,
            )
    changed = _diff(before, snapshot(m, role, everything=protect_all))
    assert not changed, (role, url, "changed", changed, seen)


# -- the matrix can fail ---------------------------------------------------------------------


def _touch(model, pk) -> str:
    """Change one column of one row behind the services' back; returns the column."""
    from django.db import models as m

    row = model.objects.get(pk=pk)
    together = {name for group in model._meta.unique_together for name in group}
    together |= {name for c in model._meta.constraints for name in getattr(c, "fields", ())}
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key or f.unique or f.is_relation or f.choices or f.name in together)
    ]
    for field in fields:  # a text first, else a number
        value = getattr(row, field.attname)
        if isinstance(field, (m.CharField, m.TextField)) and value is not None:
            model.objects.filter(pk=pk).update(**{field.attname: f"{value}~"})
            return field.attname
    for field in fields:
        value = getattr(row, field.attname)
        if isinstance(field, (m.IntegerField, m.DecimalField)) and value is not None:
            model.objects.filter(pk=pk).update(**{field.attname: value + 1})
            return field.attname
    raise AssertionError(f"nothing to change in {model.__name__}")


def test_the_snapshot_notices_a_change_in_every_protected_table(matrix, db):
    m, out = matrix, matrix.outside
    before = snapshot(m, "district", everything=False)
    touched = 0
    for area, model, field in TRACKED:
        rows = model.objects.filter(**{f"{field}__path__startswith": out.province.path})
        if area == "criteria":
            rows = model.objects.filter(**{f"{field}__code": out.province.code})
        pk = rows.order_by("pk").values_list("pk", flat=True).first()
        assert pk is not None, f"the world has no {model.__name__}: build one in build_world()"
        column = _touch(model, pk)
        key = f"{area}:{model.__name__}"
        after = snapshot(m, "district", everything=False)
        assert _diff(before, after) == [key], (key, column)
        before, touched = after, touched + 1
    assert touched == len(TRACKED)
    Unit.objects.create(
        code="MX.001",
        name="Thôn MX",
        short_name="Thôn MX",
        kind="thon",
        level=Level.VILLAGE,
        parent=out.unit,
    )
    assert _diff(before, snapshot(m, "district", everything=False)) == ["units:Unit"]


def test_the_snapshot_protects_a_departments_foreign_criteria_at_home(matrix, db):
    m = matrix
    before = snapshot(m, "department", everything=False)
    IndicatorValue.objects.create(
        assessment=m.inside.assessment, indicator=m.inside.foreign_indicator, value_bool=True
    )
    changed = _diff(before, snapshot(m, "department", everything=False))
    assert "foreign_criteria:IndicatorValue" in changed
    assert snapshot(m, "coordinator", everything=False) == snapshot(
        m, "coordinator", everything=False
    )


def test_the_matrix_fails_when_the_scope_lets_everything_through(
    matrix, shared_client, db, monkeypatch
):
    """With a scope that lets everything through, the matrix reports the leaks."""
    from ntm.accounts.scope import Scope

    monkeypatch.setattr(Scope, "contains", lambda self, unit: True)
    monkeypatch.setattr(Scope, "can_write_to", lambda self, unit: True)
    monkeypatch.setattr(Scope, "filter", lambda self, queryset, field="unit": queryset)
    with pytest.raises(AssertionError, match="expected|leaks"):
        run_case(matrix, shared_client, "plans:detail", "district", "outside")
    with pytest.raises(AssertionError, match="leaks"):
        run_case(matrix, shared_client, "activity-detail", "commune", "outside")


@pytest.mark.parametrize(
    ("module", "rule", "route", "lenient"),
    [
        ("ntm.ocop.services", "can_write_products", "ocop-product-detail", True),
        ("ntm.assessments.services", "can_edit", "assessments:detail", True),
        ("ntm.plans.services", "plan_writers", "plan-detail", None),  # None: any writer role
    ],
)
def test_the_matrix_fails_when_a_role_writes_what_it_may_not(
    matrix, shared_client, db, monkeypatch, module, rule, route, lenient
):
    """If a department officer could edit OCOP products, the criteria of another department or
    plans, the snapshot after the write would say so."""
    import importlib

    monkeypatch.setattr(importlib.import_module(module), rule, lambda *args, **kwargs: lenient)
    with pytest.raises(AssertionError, match="changed"):
        run_case(matrix, shared_client, route, "department", "inside")
