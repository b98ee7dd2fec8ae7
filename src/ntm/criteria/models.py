"""Criteria sets as versioned data: set -> criteria -> indicators -> thresholds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.criteria.levels import LevelDisplayMixin, level_field


class AppliesTo(models.TextChoices):
    COMMUNE = "commune", _("Xã")
    DISTRICT = "district", _("Huyện")
    VILLAGE = "village", _("Thôn")


class ThresholdBasis(models.TextChoices):
    REGION = "region", _("Theo vùng")
    COMMUNE_GROUP = "commune_group", _("Theo nhóm xã")
    NONE = "none", _("Chung cả nước")


class IndicatorKind(models.TextChoices):
    BOOLEAN = "boolean", _("Có/Không")
    NUMBER = "number", _("Số")


class Operator(models.TextChoices):
    GTE = ">=", "≥"
    LTE = "<=", "≤"
    GT = ">", ">"
    LT = "<", "<"
    EQ = "=", "="
    BETWEEN = "between", _("trong khoảng")


class IndicatorStatus(models.TextChoices):
    NATIONAL = "national", _("Theo quy định trung ương")
    SET_BY_PROVINCE = "set_by_province", _("Do tỉnh quy định")


class CriteriaSet(LevelDisplayMixin, models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    decision_title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    period_start = models.PositiveSmallIntegerField(_("từ năm"))
    period_end = models.PositiveSmallIntegerField(_("đến năm"))
    applies_to = models.CharField(_("áp dụng cho"), max_length=20, choices=AppliesTo.choices)
    # A code of criteria/data/recognition_levels.json (ntm.criteria.levels), not a model choice.
    level = level_field(_("mức công nhận"))
    threshold_basis = models.CharField(
        _("ngưỡng phân theo"), max_length=20, choices=ThresholdBasis.choices
    )
    bands = models.JSONField(_("nhóm theo số tiêu chí đạt"), default=list)
    extra_requirements = models.JSONField(_("yêu cầu bổ sung"), default=list, blank=True)
    province = models.ForeignKey(
        "units.Unit",
        verbose_name=_("tỉnh (bộ tiêu chí của tỉnh)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria_sets",
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("dựa trên bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived_sets",
    )
    shipped = models.BooleanField(_("bộ tiêu chí quốc gia đi kèm phần mềm"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        ordering = ["period_start", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def band_for(self, count: int) -> str | None:
        for band in self.bands:
            if band["min"] <= count <= band["max"]:
                return band["label"]
        return None


class Criterion(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    name = models.CharField(_("tên tiêu chí"), max_length=300)
    group = models.CharField(_("nhóm"), max_length=200, blank=True)
    department = models.CharField(_("sở, ngành phụ trách"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["criteria_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "number"], name="criterion_unique")
        ]

    def __str__(self) -> str:
        return f"TC{self.number}. {self.name}"

    @property
    def code(self) -> str:
        return f"TC{self.number}"


class Indicator(models.Model):
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("tiêu chí"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("mã chỉ tiêu"), max_length=20)
    name = models.CharField(_("tên chỉ tiêu"), max_length=500)
    kind = models.CharField(_("kiểu"), max_length=10, choices=IndicatorKind.choices)
    unit = models.CharField(_("đơn vị tính"), max_length=60, blank=True)
    operator = models.CharField(
        _("phép so sánh"), max_length=10, choices=Operator.choices, blank=True
    )
    status = models.CharField(_("nguồn ngưỡng"), max_length=20, choices=IndicatorStatus.choices)
    source = models.CharField(_("căn cứ"), max_length=500, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["criterion", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "code"], name="indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Threshold(models.Model):
    """The value an indicator must reach, for a region or commune group ("*" = all) and years."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="thresholds"
    )
    basis = models.CharField(_("áp dụng cho vùng/nhóm"), max_length=20, default="*")
    value = models.DecimalField(_("ngưỡng"), max_digits=14, decimal_places=4)
    value_max = models.DecimalField(
        _("ngưỡng trên"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    from_year = models.PositiveSmallIntegerField(_("từ năm"), null=True, blank=True)
    to_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    source = models.CharField(_("nguồn của ngưỡng"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngưỡng")
        verbose_name_plural = _("ngưỡng")
        ordering = ["indicator", "basis", "from_year"]

    def __str__(self) -> str:
        return f"{self.indicator.code} [{self.basis}] {self.value}"

    def holds_in(self, year: int) -> bool:
        return (self.from_year is None or self.from_year <= year) and (
            self.to_year is None or year <= self.to_year
        )
