"""Resources (nguồn lực): money by source, projects, community contributions, models kept up,
and activities against plan.

Money is Decimal(18, 0): whole đồng, never a float. Figures that cross rows are in `selectors`;
a value derived from one row (a disbursement rate, an attainment ratio) is a property here.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 18, "decimal_places": 0, "validators": [MinValueValidator(0)]}
RATIO_PLACES = Decimal("0.0001")


def ratio(part, whole) -> Decimal | None:
    """part / whole to four places (0,8800 = 88%); None when the whole is 0 or missing."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES, ROUND_HALF_UP)


class FundingSource(models.Model):
    """A source of money (taxonomy loaded from data/funding_sources.json)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên nguồn vốn"), max_length=300)
    group = models.CharField(_("nhóm"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    community = models.BooleanField(_("do cộng đồng đóng góp"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nguồn vốn")
        verbose_name_plural = _("nguồn vốn")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Funding(models.Model):
    """Money of one source for a unit and year: allocated (kế hoạch vốn) and disbursed (giải ngân)."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="fundings"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("nguồn vốn"),
        on_delete=models.PROTECT,
        related_name="fundings",
    )
    allocated = models.DecimalField(_("kế hoạch vốn (đồng)"), default=0, **MONEY)
    disbursed = models.DecimalField(_("giải ngân (đồng)"), default=0, **MONEY)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vốn theo nguồn")
        verbose_name_plural = _("vốn theo nguồn")
        ordering = ["-year", "unit__code", "source__order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "source"], name="funding_unique")
        ]
        indexes = [models.Index(fields=["year", "source"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.source}"

    @property
    def disbursement_rate(self) -> Decimal | None:
        return ratio(self.disbursed, self.allocated)


class Project(models.Model):
    """A work (công trình, dự án) built in a year, optionally for the criterion it serves."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="projects"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên công trình"), max_length=300)
    criterion = models.ForeignKey(
        "criteria.Criterion",
        verbose_name=_("tiêu chí"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    amount = models.DecimalField(_("tổng vốn (đồng)"), default=0, **MONEY)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("công trình")
        verbose_name_plural = _("công trình")
        ordering = ["-year", "unit__code", "name"]

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """What the community of a unit gave in a year: land, workdays, cash, materials."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    land_m2 = models.DecimalField(
        _("đất hiến (m²)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    workdays = models.PositiveIntegerField(_("ngày công"), default=0)
    cash = models.DecimalField(_("tiền mặt (đồng)"), default=0, **MONEY)
    materials_value = models.DecimalField(
        _("vật tư, vật liệu quy ra tiền (đồng)"), default=0, **MONEY
    )
    materials = models.CharField(_("mô tả vật tư, vật liệu"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đóng góp của cộng đồng")
        verbose_name_plural = _("đóng góp của cộng đồng")
        ordering = ["-year", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="contribution_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class ConversionRate(models.Model):
    """The province's rate to value donated land and workdays in money, for a year. Only a
    province sets it; without one, no converted value is shown (none is invented)."""

    province = models.ForeignKey(
        "units.Unit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="conversion_rates",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    land_per_m2 = models.DecimalField(_("giá trị 1 m² đất (đồng)"), null=True, blank=True, **MONEY)
    workday = models.DecimalField(_("giá trị 1 ngày công (đồng)"), null=True, blank=True, **MONEY)
    decision = models.CharField(_("văn bản quy định"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức quy đổi")
        verbose_name_plural = _("mức quy đổi")
        ordering = ["-year", "province__code"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="conversion_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year}"


class ModelKind(models.TextChoices):
    GREEN_CLEAN = "green_clean", _("Khu dân cư Xanh - sạch - đẹp")
    ENVIRONMENT_GROUP = "environment_group", _("Tổ tự quản về môi trường")
    MODEL_AREA = "model_area", _("Khu dân cư kiểu mẫu")
    MODEL_GARDEN = "model_garden", _("Vườn mẫu")


class ModelStatus(models.TextChoices):
    KEPT = "kept", _("Duy trì")
    LOST = "lost", _("Không duy trì")


class ModelSite(models.Model):
    """A model kept up (mô hình) in a village or commune, from the year it was recognised."""

    kind = models.CharField(_("loại mô hình"), max_length=30, choices=ModelKind.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("thôn hoặc xã"),
        on_delete=models.PROTECT,
        related_name="model_sites",
    )
    name = models.CharField(_("tên mô hình"), max_length=300)
    year_recognised = models.PositiveSmallIntegerField(_("năm công nhận"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.KEPT
    )
    lost_year = models.PositiveSmallIntegerField(_("năm không còn duy trì"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")
        ordering = ["kind", "unit__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "name"], name="model_site_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def kept_in(self, year: int) -> bool:
        """Kept at the end of the year: recognised by then and not lost by then."""
        if self.year_recognised > year:
            return False
        if self.status == ModelStatus.LOST:
            return self.lost_year is not None and self.lost_year > year
        return True


def kept_in_q(year: int, prefix: str = "") -> Q:
    """`ModelSite.kept_in(year)` as a filter."""
    return Q(**{f"{prefix}year_recognised__lte": year}) & (
        Q(**{f"{prefix}status": ModelStatus.KEPT})
        | Q(**{f"{prefix}status": ModelStatus.LOST, f"{prefix}lost_year__gt": year})
    )


class ActivityKind(models.TextChoices):
    TRAINING = "training", _("Lớp tập huấn, đào tạo")
    STUDY_TRIP = "study_trip", _("Tham quan, học tập kinh nghiệm")
    COMMUNICATION = "communication", _("Tuyên truyền")
    EMULATION = "emulation", _("Phong trào thi đua")


PARTICIPANTS = "người"


class Activity(models.Model):
    """An activity with what was planned and what was done (participants, or another measure)."""

    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices)
    name = models.CharField(_("tên hoạt động"), max_length=300)
    date = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("phạm vi (đơn vị)"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organiser = models.CharField(_("đơn vị tổ chức"), max_length=300, blank=True)
    measure = models.CharField(
        _("đơn vị tính"),
        max_length=40,
        default=PARTICIPANTS,
        help_text=_("“người” cho số người tham gia; hoặc lượt, tin bài, buổi..."),
    )
    planned = models.PositiveIntegerField(_("kế hoạch"), default=0)
    actual = models.PositiveIntegerField(_("thực hiện"), default=0)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        ordering = ["-date", "unit__code", "name"]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def attainment(self) -> Decimal | None:
        """actual / planned (1 = 100%); None when nothing was planned."""
        return ratio(self.actual, self.planned)
