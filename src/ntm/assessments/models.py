"""Yearly assessments of a unit against a criteria set, their workflow and recognition decisions."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.criteria.levels import LevelDisplayMixin, level_field

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"]


class State(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Xã đã gửi")
    DISTRICT_CHECKED = "district_checked", _("Huyện đã kiểm tra")
    APPRAISED = "appraised", _("Tỉnh đã thẩm định")
    APPROVED = "approved", _("Đã phê duyệt (khóa)")


class Assessment(models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet",
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    notes = models.TextField(_("ghi chú"), blank=True)
    # Derived by services.assessment_recompute, never typed.
    criteria_met = models.PositiveSmallIntegerField(_("số tiêu chí đạt"), default=0, editable=False)
    criteria_undecided = models.PositiveSmallIntegerField(default=0, editable=False)
    meets_standard = models.BooleanField(_("đạt chuẩn"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả đánh giá")
        verbose_name_plural = _("kết quả đánh giá")
        ordering = ["-year", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "criteria_set"], name="assessment_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "criteria_set", "state"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year} · {self.criteria_set.code}"

    @property
    def is_locked(self) -> bool:
        return self.state == State.APPROVED


class IndicatorValue(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey("criteria.Indicator", on_delete=models.PROTECT, related_name="+")
    value_bool = models.BooleanField(_("đạt/không đạt"), null=True, blank=True)
    value_number = models.DecimalField(
        _("giá trị"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    met = models.BooleanField(null=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giá trị chỉ tiêu")
        verbose_name_plural = _("giá trị chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.indicator_id}"


class ResultKind(models.TextChoices):
    """How a criterion's result was reached (kept by services.assessment_recompute)."""

    UNDECIDED = "", _("Chưa xác định")
    DERIVED = "derived", _("Tính từ chỉ tiêu")
    APPRAISAL = "appraisal", _("Kết quả thẩm định")
    OVERRIDE = "override", _("Nhập tay có lý do")


class CriterionResult(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey("criteria.Criterion", on_delete=models.PROTECT, related_name="+")
    derived = models.BooleanField(_("kết quả từ chỉ tiêu"), null=True, editable=False)
    manual = models.BooleanField(_("kết quả nhập tay"), null=True, blank=True)
    manual_reason = models.TextField(_("lý do nhập tay"), blank=True)
    met = models.BooleanField(_("đạt"), default=False, editable=False)
    kind = models.CharField(
        _("cách có kết quả"),
        max_length=10,
        choices=ResultKind.choices,
        default=ResultKind.UNDECIDED,
        blank=True,
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả tiêu chí")
        verbose_name_plural = _("kết quả tiêu chí")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="criterion_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.criterion_id}"

    @property
    def is_manual(self) -> bool:
        return self.manual is not None


class StateChange(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{instance.assessment.year}/{instance.assessment.unit.code}/{filename}"


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(
        "criteria.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tên minh chứng"), max_length=300)
    file = models.FileField(
        _("tệp"),
        upload_to=evidence_path,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.title


class RecognitionAction(models.TextChoices):
    RECOGNISED = "recognised", _("Công nhận")
    REVOKED = "revoked", _("Thu hồi")


class Recognition(LevelDisplayMixin, models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="recognitions",
    )
    level = level_field(_("mức"))
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet",
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.PROTECT,
        related_name="recognitions",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    action = models.CharField(
        _("loại quyết định"),
        max_length=20,
        choices=RecognitionAction.choices,
        default=RecognitionAction.RECOGNISED,
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    file = models.FileField(
        _("tệp quyết định"),
        upload_to="decisions/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
    )
    override_reason = models.TextField(
        _("lý do công nhận không kèm kết quả đánh giá đã duyệt"), blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = _("quyết định công nhận")
        ordering = ["-decision_date", "unit__code"]
        indexes = [models.Index(fields=["unit", "level", "decision_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "level", "action", "decision_number"], name="recognition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.get_action_display()} {self.unit} ({self.get_level_display()})"


class CommuneFigure(models.Model):
    """What the figures need of one assessment, kept by `assessments.figures` in the same
    transaction as every write it summarises (never edited by hand; `ntm figures rebuild`
    recomputes them all). District, province and national figures read these rows and the
    units' stored province/district keys, not the results."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices)
    approved = models.BooleanField()
    criteria_met = models.PositiveSmallIntegerField()
    meets_standard = models.BooleanField()
    # Bit n-1 set when criterion number n is met: the attainment per criterion without results.
    met_mask = models.BigIntegerField(default=0)
    # The levels the unit holds on 31/12 of the year (level codes of the data, comma-separated).
    levels = models.CharField(max_length=200, blank=True, default="")
    # The unit as it stands (copied from it, kept by `assessments.figures` when a unit changes):
    # the national table counts a year's rows by province with no pass over the units.
    unit_province_key = models.PositiveIntegerField(null=True)
    unit_level = models.PositiveSmallIntegerField(null=True)
    unit_kind = models.CharField(max_length=20, blank=True, default="")
    unit_valid_from = models.DateField(null=True)
    unit_valid_to = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "criteria_set"], name="commune_figure_unique"
            )
        ]
        indexes = [
            # Covers the national table's grouped count: no read of the table itself.
            models.Index(
                fields=[
                    "year",
                    "criteria_set",
                    "unit_province_key",
                    "criteria_met",
                    "meets_standard",
                    "approved",
                    "unit_level",
                    "unit_kind",
                    "unit_valid_from",
                    "unit_valid_to",
                ],
                name="commune_figure_year_province",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.year} · {self.criteria_set_id}: {self.criteria_met}"
