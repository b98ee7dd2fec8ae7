"""Plans (kế hoạch), their targets (chỉ tiêu) and allocations, roadmaps (lộ trình) and tasks.

A plan belongs to a scope unit (province or district). A target is for one year of the plan's
period; a target whose `parent` is set is an allocation of it to a sub-unit. What each metric
needs (a level, stars, a base year) and whether allocations add up is data in `METRICS`.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.criteria import levels as recognition_levels
from ntm.criteria.levels import LevelDisplayMixin, level_field
from ntm.ocop.rules import certifiable_stars


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")


class Metric(models.TextChoices):
    COMMUNES_NEW_AT_LEVEL = "communes_new_at_level", _("Số xã đạt chuẩn mới trong năm")
    COMMUNES_TOTAL_AT_LEVEL = "communes_total_at_level", _("Tổng số xã đạt chuẩn (lũy kế)")
    CRITERIA_AVERAGE = "criteria_average", _("Bình quân số tiêu chí đạt/xã")
    CRITERIA_ADDED_MIN = (
        "criteria_added_min",
        _("Số tiêu chí tăng thêm tối thiểu của mỗi xã còn lại"),
    )
    VILLAGES_NTM = "villages_ntm", _("Số thôn được công nhận đạt chuẩn nông thôn mới trong năm")
    OCOP_PRODUCTS_BY_STARS = "ocop_products_by_stars", _("Số sản phẩm OCOP (theo hạng sao)")
    ACTIVITY_PARTICIPANTS = "activity_participants", _("Số người tham gia hoạt động")
    INCOME_MULTIPLE = "income_multiple", _("Thu nhập bình quân đầu người (số lần so với năm gốc)")
    MONEY_MOBILISED = "money_mobilised", _("Vốn huy động (đồng)")


OCOP_STARS = certifiable_stars()  # (3, 4, 5): the stars the OCOP scoring sets certify


@dataclass(frozen=True)
class MetricInfo:
    noun: str  # the unit counted, in wordings: "xã", "thôn", "sản phẩm" ...
    # The kind of unit whose recognition levels the metric takes ("commune": every commune level
    # of criteria/data/recognition_levels.json); empty: the metric takes no level.
    level_unit: str = ""
    fixed_level: str = ""  # the level set automatically (villages: village_ntm)
    stars: bool = False
    base_year: bool = False
    additive: bool = True  # allocations add up to (at most) the target
    places: int = 0  # decimals shown
    # The function computing the actual figure, in ntm.reports.actuals (named, not imported:
    # plans never read reports); empty where no figure is computed yet.
    actual: str = ""

    @property
    def levels(self) -> list[str]:
        """The level codes the metric takes, in their order (read from the levels data)."""
        if not self.level_unit:
            return []
        return [code for code, _label in recognition_levels.choices(self.level_unit)]


_ACTUALS = "ntm.reports.actuals."
METRICS: dict[str, MetricInfo] = {
    Metric.COMMUNES_NEW_AT_LEVEL: MetricInfo(
        "xã", level_unit="commune", actual=_ACTUALS + "recognitions.communes_new_at_level"
    ),
    Metric.COMMUNES_TOTAL_AT_LEVEL: MetricInfo(
        "xã", level_unit="commune", actual=_ACTUALS + "recognitions.communes_total_at_level"
    ),
    Metric.CRITERIA_AVERAGE: MetricInfo(
        "tiêu chí/xã", additive=False, places=2, actual=_ACTUALS + "criteria.criteria_average"
    ),
    Metric.CRITERIA_ADDED_MIN: MetricInfo("tiêu chí", additive=False),
    Metric.VILLAGES_NTM: MetricInfo(
        "thôn",
        fixed_level=recognition_levels.VILLAGE_NTM,
        actual=_ACTUALS + "recognitions.villages_ntm",
    ),
    Metric.OCOP_PRODUCTS_BY_STARS: MetricInfo(
        "sản phẩm", stars=True, actual=_ACTUALS + "ocop.ocop_products_by_stars"
    ),
    Metric.ACTIVITY_PARTICIPANTS: MetricInfo(
        "người", actual=_ACTUALS + "resources.activity_participants"
    ),
    Metric.INCOME_MULTIPLE: MetricInfo("lần", base_year=True, additive=False, places=2),
    Metric.MONEY_MOBILISED: MetricInfo("đồng", actual=_ACTUALS + "resources.money_mobilised"),
}


class Plan(models.Model):
    number = models.CharField(_("số ký hiệu"), max_length=60, help_text=_("Ví dụ 125/KH-UBND"))
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    title = models.CharField(_("trích yếu"), max_length=500)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="plans"
    )
    year_from = models.PositiveSmallIntegerField(_("từ năm"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year_from", "-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number", "issued_on"], name="plan_unique"),
            models.CheckConstraint(condition=Q(year_from__lte=F("year_to")), name="plan_years"),
        ]
        indexes = [models.Index(fields=["status", "year_from", "year_to"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on.strftime('%d/%m/%Y')})"

    @property
    def years(self) -> range:
        return range(self.year_from, self.year_to + 1)

    @property
    def period_label(self) -> str:
        if self.year_from == self.year_to:
            return str(self.year_from)
        return f"{self.year_from}-{self.year_to}"


class Target(LevelDisplayMixin, models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("chỉ tiêu"), max_length=40, choices=Metric.choices)
    level = level_field(_("mức"), blank=True, default="")
    stars = models.PositiveSmallIntegerField(_("hạng sao"), null=True, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="plan_targets",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=18, decimal_places=2)
    base_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("chỉ tiêu được phân bổ"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu kế hoạch")
        verbose_name_plural = _("chỉ tiêu kế hoạch")
        ordering = ["year", "metric", "level", "stars", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "metric", "level", "year", "unit"],
                condition=Q(stars__isnull=True),
                name="target_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "metric", "level", "stars", "year", "unit"],
                condition=Q(stars__isnull=False),
                name="target_unique_stars",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.year}: {self.value}"

    @property
    def info(self) -> MetricInfo:
        return METRICS[self.metric]

    @property
    def is_allocation(self) -> bool:
        return self.parent_id is not None


class RoadmapEntry(LevelDisplayMixin, models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="roadmap"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("xã"), on_delete=models.PROTECT, related_name="roadmap_entries"
    )
    level = level_field(_("mức"))
    target_year = models.PositiveSmallIntegerField(_("năm phấn đấu đạt chuẩn"))
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lộ trình")
        verbose_name_plural = _("lộ trình")
        ordering = ["target_year", "unit__code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "level"], name="roadmap_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.get_level_display()} ({self.target_year})"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")


OVERDUE = "overdue"
OVERDUE_LABEL = _("Quá hạn")


class Task(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="tasks"
    )
    group = models.CharField(_("nhóm nhiệm vụ, giải pháp"), max_length=300, blank=True)
    content = models.TextField(_("nội dung"))
    lead_agency = models.CharField(_("cơ quan chủ trì"), max_length=200)
    other_agencies = models.CharField(_("cơ quan phối hợp"), max_length=500, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["group", "deadline", "pk"]

    def __str__(self) -> str:
        return self.content[:80]

    def status_on(self, day: datetime.date) -> str:
        """The stored status, or "overdue" when the deadline has passed and it is not done."""
        if self.status != TaskStatus.DONE and self.deadline and self.deadline < day:
            return OVERDUE
        return self.status

    @property
    def effective_status(self) -> str:
        return self.status_on(datetime.date.today())

    def status_label_on(self, day: datetime.date) -> str:
        status = self.status_on(day)
        return str(OVERDUE_LABEL) if status == OVERDUE else str(TaskStatus(status).label)

    @property
    def effective_status_label(self) -> str:
        return self.status_label_on(datetime.date.today())


class TaskNote(models.Model):
    """A progress note on a task (tiến độ thực hiện)."""

    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="notes"
    )
    noted_on = models.DateField(_("ngày"), default=datetime.date.today)
    text = models.TextField(_("nội dung tiến độ"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ghi chú tiến độ")
        verbose_name_plural = _("ghi chú tiến độ")
        ordering = ["-noted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.noted_on:%d/%m/%Y}: {self.text[:60]}"
