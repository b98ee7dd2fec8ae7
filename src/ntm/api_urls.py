from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ntm.accounts.api import MeView
from ntm.assessments.api import AssessmentViewSet, RecognitionViewSet
from ntm.criteria.api import CriteriaSetViewSet
from ntm.ocop.api import (
    CertificateViewSet,
    EvaluationViewSet,
    ProductViewSet,
    PublicProductViewSet,
    SubjectViewSet,
)
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
router.register("public/ocop/products", PublicProductViewSet, basename="public-ocop-product")
router.register("funding-sources", FundingSourceViewSet, basename="funding-source")
router.register("fundings", FundingViewSet, basename="funding")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("projects", ProjectViewSet, basename="project")
router.register("model-sites", ModelSiteViewSet, basename="model-site")
router.register("activities", ActivityViewSet, basename="activity")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/reports/summary/", SummaryView.as_view(), name="api-report-summary"),
    path("v1/resources/figures/", ResourceFiguresView.as_view(), name="api-resources-figures"),
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
