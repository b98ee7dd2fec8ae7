from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from ntm.accounts.api import MeView
from ntm.assessments.api import AssessmentViewSet, RecognitionViewSet
from ntm.criteria.api import CriteriaSetViewSet
from ntm.plans.api import PlanTargetViewSet, PlanTaskViewSet, PlanViewSet, RoadmapViewSet
from ntm.reports.api import SummaryView
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

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/", MeView.as_view(), name="api-me"),
    path("v1/reports/summary/", SummaryView.as_view(), name="api-report-summary"),
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
