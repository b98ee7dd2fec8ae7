"""Recognition dossiers (hồ sơ đề nghị xét công nhận): per unit × level × year, the documents
the procedure requires (a checklist held as data, `data/checklists.json`), the residents'
satisfaction surveys, and the threshold a province sets where the law gives no number."""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.criteria.levels import LevelDisplayMixin, level_field

DOCUMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx"]


class Dossier(LevelDisplayMixin, models.Model):
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="dossiers"
    )
    level = level_field(_("mức"))
    year = models.PositiveSmallIntegerField(_("năm"))
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet",
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    deadline = models.DateField(_("hạn hoàn thiện hồ sơ"), null=True, blank=True)
    recognition = models.OneToOneField(
        "assessments.Recognition",
        verbose_name=_("quyết định công nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossier",
    )
    decision_reason = models.TextField(_("lý do quyết định khi hồ sơ chưa đủ"), blank=True)
    problems_at_decision = models.JSONField(_("hồ sơ còn thiếu khi quyết định"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hồ sơ công nhận")
        verbose_name_plural = _("hồ sơ công nhận")
        ordering = ["-year", "unit__code", "level"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "level", "year"], name="dossier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_level_display()} · {self.year}"


def document_path(instance, filename: str) -> str:
    d = instance.dossier
    return f"dossiers/{d.year}/{d.unit.code}/{filename}"


class DossierDocument(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("thành phần hồ sơ"), max_length=40)
    title = models.CharField(_("tên văn bản"), max_length=300)
    file = models.FileField(
        _("tệp"), upload_to=document_path, validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)]
    )
    published = models.BooleanField(_("công khai nội dung"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản trong hồ sơ")
        verbose_name_plural = _("văn bản trong hồ sơ")
        ordering = ["dossier", "kind", "pk"]

    def __str__(self) -> str:
        return self.title


class SurveyMethod(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Phiếu khảo sát")
    MEETING = "meeting", _("Họp dân")
    ONLINE = "online", _("Trực tuyến")
    OTHER = "other", _("Hình thức khác")


_PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class SatisfactionSurvey(models.Model):
    """One survey of residents' satisfaction with the NTM results; `villages` holds the result
    per village when known: [{"name": ..., "respondents": n, "share_satisfied": "92.5"}]."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="surveys")
    date = models.DateField(_("ngày lấy ý kiến"))
    method = models.CharField(_("hình thức"), max_length=20, choices=SurveyMethod.choices)
    respondents = models.PositiveIntegerField(_("số người được hỏi"))
    share_satisfied = models.DecimalField(
        _("tỷ lệ hài lòng (%)"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    villages = models.JSONField(_("kết quả theo thôn"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả lấy ý kiến sự hài lòng")
        verbose_name_plural = _("kết quả lấy ý kiến sự hài lòng")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.share_satisfied}%"


class SatisfactionThreshold(models.Model):
    """The share of satisfied residents a province requires for a set, where the law gives no
    number (the shipped value with its source wins when there is one)."""

    criteria_set = models.ForeignKey(
        "criteria.CriteriaSet", on_delete=models.CASCADE, related_name="+"
    )
    province = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    min_share = models.DecimalField(
        _("tỷ lệ hài lòng tối thiểu (%)"), max_digits=5, decimal_places=2, validators=_PERCENT
    )
    source = models.CharField(_("căn cứ (văn bản của tỉnh)"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngưỡng hài lòng của tỉnh")
        verbose_name_plural = _("ngưỡng hài lòng của tỉnh")
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "province"], name="satisfaction_threshold_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set_id}/{self.province_id}: {self.min_share}%"
