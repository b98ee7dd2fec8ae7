from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from ntm.accounts.api import MeView
from ntm.assessments.api import AssessmentViewSet, RecognitionViewSet
from ntm.criteria.api import CriteriaSetViewSet
from ntm.dossiers.api import DossierViewSet, KeepingStandardView, MergedCommunesView
from ntm.ocop.api import (
    CertificateViewSet,
    EvaluationViewSet,
    ProductViewSet,
    PublicProductViewSet,
    SubjectViewSet,
)
from ntm.ocop.council_api import ProductSheetViewSet, RoundViewSet
from ntm.plans.api import PlanTargetViewSet, PlanTaskViewSet, PlanViewSet, RoadmapViewSet
from ntm.reports.api import SummaryView
from ntm.resources.api import (
    ActivityViewSet,
    ContributionViewSet,
    FundingSourceViewSet,
    FundingViewSet,
    ModelSiteViewSet,
    ProjectViewSet,
    ResourceFiguresView,
)
from ntm.units.api import UnitViewSet
from ntm.web.security import TokenView

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("criteria-sets", CriteriaSetViewSet, basename="criteriaset")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("recognitions", RecognitionViewSet, basename="recognition")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-targets", PlanTargetViewSet, basename="plan-target")
router.register("roadmap", RoadmapViewSet, basename="roadmap-entry")
router.register("plan-tasks", PlanTaskViewSet, basename="plan-task")
router.register("ocop/subjects", SubjectViewSet, basename="ocop-subject")
router.register("ocop/products", ProductViewSet, basename="ocop-product")
router.register("ocop/evaluations", EvaluationViewSet, basename="ocop-evaluation")
router.register("ocop/certificates", CertificateViewSet, basename="ocop-certificate")
router.register("ocop/rounds", RoundViewSet, basename="ocop-round")
router.register("ocop/product-sheets", ProductSheetViewSet, basename="ocop-product-sheet")
router.register("public/ocop/products", PublicProductViewSet, basename="public-ocop-product")
router.register("funding-sources", FundingSourceViewSet, basename="funding-source")
router.register("fundings", FundingViewSet, basename="funding")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("projects", ProjectViewSet, basename="project")
router.register("model-sites", ModelSiteViewSet, basename="model-site")
router.register("activities", ActivityViewSet, basename="activity")
router.register("dossiers", DossierViewSet, basename="dossier")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/reports/summary/", SummaryView.as_view(), name="api-report-summary"),
    path("v1/resources/figures/", ResourceFiguresView.as_view(), name="api-resources-figures"),
    path("v1/keeping-standard/", KeepingStandardView.as_view(), name="api-keeping-standard"),
    path("v1/merged-communes/", MergedCommunesView.as_view(), name="api-merged-communes"),
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(  # the split view serves its start-up script as a file: no inline <script> (CSP)
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
    path(  # our template: drf-spectacular's loads web fonts from a CDN
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="web/redoc.html"),
        name="api-redoc",
    ),
]
