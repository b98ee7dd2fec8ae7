"""OCOP: subjects (chủ thể), products, scoring sheets, evaluation rounds, evaluations with their
scores, and certificates (quyết định công nhận).

Scoring sheets, star bands, product groups and council levels are data (`data/`, loaded by
`services.sheets_load` / read by `rules`). Totals, stars, validity and re-evaluation outcomes are
derived by `services` when scores or decisions are written, never typed in.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.ocop import rules


class SubjectKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    COOPERATIVE_GROUP = "cooperative_group", _("Tổ hợp tác")
    HOUSEHOLD = "household", _("Hộ sản xuất, kinh doanh")


class CycleStage(models.TextChoices):
    AWARENESS = "awareness", _("Tuyên truyền, nâng cao nhận thức")
    IDEA = "idea", _("Đăng ký ý tưởng sản phẩm")
    BUSINESS_PLAN = "business_plan", _("Xây dựng phương án, dự án kinh doanh")
    IMPLEMENTATION = "implementation", _("Triển khai phương án, dự án")
    EVALUATION = "evaluation", _("Đánh giá, phân hạng")
    PROMOTION = "promotion", _("Xúc tiến thương mại")


class Subject(models.Model):
    kind = models.CharField(_("loại hình"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("tên chủ thể"), max_length=300)
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("xã (địa chỉ)"),
        on_delete=models.PROTECT,
        related_name="ocop_subjects",
    )
    address = models.CharField(_("địa chỉ (thôn, số nhà)"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = _("chủ thể OCOP")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="ocop_subject_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """What the public sees: a household business is a person, so only its kind is shown."""
        return str(self.get_kind_display()) if self.kind == SubjectKind.HOUSEHOLD else self.name

    @property
    def is_household(self) -> bool:
        return self.kind == SubjectKind.HOUSEHOLD


class Product(models.Model):
    name = models.CharField(_("tên sản phẩm"), max_length=300)
    subject = models.ForeignKey(
        Subject, verbose_name=_("chủ thể"), on_delete=models.PROTECT, related_name="products"
    )
    group = models.CharField(_("nhóm sản phẩm"), max_length=40)
    subgroup = models.CharField(_("phân nhóm"), max_length=60, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("xã sản xuất"),
        on_delete=models.PROTECT,
        related_name="ocop_products",
    )
    photo = models.ImageField(
        _("ảnh sản phẩm"),
        upload_to="ocop/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    description = models.TextField(_("mô tả"), blank=True)
    traceability_code = models.CharField(_("mã truy xuất nguồn gốc"), max_length=100, blank=True)
    classification = models.CharField(
        _("loại sản phẩm (Phụ lục I)"),
        max_length=10,
        blank=True,
        help_text=_(
            "Nhóm, phân nhóm theo Phụ lục I Quyết định 26/2026/QĐ-TTg: quyết định phiếu chấm."
        ),
    )
    stage = models.CharField(
        _("giai đoạn chu trình OCOP"),
        max_length=20,
        choices=CycleStage.choices,
        default=CycleStage.IDEA,
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sản phẩm OCOP")
        verbose_name_plural = _("sản phẩm OCOP")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "name"], name="ocop_product_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def group_label(self) -> str:
        return rules.group_name(self.group)

    @property
    def classification_label(self) -> str:
        leaf = rules.classification_leaf(self.classification)
        return leaf["label"] if leaf else ""


class ScoringSheet(models.Model):
    """A version of the scoring sheet (bộ tiêu chí OCOP); in force from `valid_from` until the
    next one starts."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    parts = models.JSONField(_("các phần"), default=list)  # [{code, name, max}]
    star_bands = models.JSONField(_("hạng sao"), default=list)  # [{stars, min, below}]
    certified_min_stars = models.PositiveSmallIntegerField(_("số sao tối thiểu được công nhận"))
    validity_months = models.PositiveSmallIntegerField(
        _("hiệu lực giấy chứng nhận (tháng)"), default=36
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu chấm điểm OCOP")
        verbose_name_plural = _("phiếu chấm điểm OCOP")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.code})"

    def stars_for(self, total: Decimal) -> int:
        for band in self.star_bands:
            low, below = Decimal(str(band["min"])), band["below"]
            if total >= low and (below is None or total < Decimal(str(below))):
                return int(band["stars"])
        return 0

    @property
    def max_total(self) -> Decimal:
        return sum((Decimal(str(p["max"])) for p in self.parts), Decimal(0))

    @property
    def max_stars(self) -> int:
        return max(int(b["stars"]) for b in self.star_bands)


class ProductSheet(models.Model):
    """One product scoring sheet of a set (26/2026: Phụ lục II, 26 sheets), for the products of
    one leaf of the classification (Phụ lục I). Loaded from the shipped data by `sheets`."""

    scoring_set = models.ForeignKey(
        ScoringSheet,
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.CASCADE,
        related_name="product_sheets",
    )
    number = models.PositiveSmallIntegerField(_("số phiếu"))
    name = models.CharField(_("tên phiếu"), max_length=300)
    classification = models.CharField(_("loại sản phẩm (Phụ lục I)"), max_length=10)
    classification_note = models.CharField(_("ghi chú phân loại"), max_length=500, blank=True)
    disqualify_if = models.TextField(_("điều kiện không đánh giá"), blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu chấm sản phẩm OCOP")
        verbose_name_plural = _("phiếu chấm sản phẩm OCOP")
        ordering = ["scoring_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scoring_set", "number"], name="ocop_psheet_unique")
        ]

    def __str__(self) -> str:
        return _("Phiếu %(n)s: %(name)s") % {"n": self.number, "name": self.name}


class ItemKind(models.TextChoices):
    SECTION = "section", _("Mục")
    GROUP = "group", _("Nhóm chỉ tiêu")
    ITEM = "item", _("Chỉ tiêu")


class SheetItem(models.Model):
    """A row of a product sheet: a section (mục), a grouping row, or a scored item (one choice
    among its options). A section with options is itself a scored item."""

    sheet = models.ForeignKey(ProductSheet, on_delete=models.CASCADE, related_name="items")
    part = models.CharField(_("phần"), max_length=5)
    section = models.CharField(_("mục"), max_length=10)
    code = models.CharField(_("mã"), max_length=20)
    parent_code = models.CharField(_("thuộc"), max_length=20, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=ItemKind.choices)
    scored = models.BooleanField(_("chấm điểm"), default=False)
    name = models.TextField(_("nội dung"))
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)
    notes = models.JSONField(_("ghi chú"), default=list, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    source_flag = models.CharField(_("cần kiểm tra"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu phiếu chấm")
        verbose_name_plural = _("chỉ tiêu phiếu chấm")
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="ocop_item_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name[:80]}"


class SheetOption(models.Model):
    """An answer option of an item with its points and the ★ marker (`min_star`: the minimum
    option a product needs on this item for that many stars)."""

    item = models.ForeignKey(SheetItem, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.TextField(_("phương án"))
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2)
    min_star = models.PositiveSmallIntegerField(
        _("mức tối thiểu cho hạng sao"), null=True, blank=True
    )
    source_flag = models.CharField(_("cần kiểm tra"), max_length=500, blank=True)
    derived = models.BooleanField(_("suy ra (đạt/không đạt)"), default=False)
    corrected = models.BooleanField(_("đã hiệu chỉnh"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phương án chấm")
        verbose_name_plural = _("phương án chấm")
        ordering = ["item", "order"]

    def __str__(self) -> str:
        return f"{self.label[:60]} ({self.points})"

    @property
    def blocked(self) -> bool:
        """A flagged cell cannot be chosen until a province administrator corrects it."""
        return bool(self.source_flag) and not self.corrected


class OptionCorrection(models.Model):
    """A province administrator's correction of one cell of a shipped sheet, with the reason."""

    option = models.ForeignKey(SheetOption, on_delete=models.CASCADE, related_name="corrections")
    old_points = models.DecimalField(_("điểm cũ"), max_digits=5, decimal_places=2)
    new_points = models.DecimalField(_("điểm mới"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("lý do"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hiệu chỉnh ô điểm")
        verbose_name_plural = _("hiệu chỉnh ô điểm")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.option_id}: {self.old_points} → {self.new_points}"


class LineStatus(models.TextChoices):
    NATIONAL = "national", _("Theo quyết định")
    SET_BY_PROVINCE = "set_by_province", _("Chi tiết do tỉnh quy định")


class ScoringLine(models.Model):
    sheet = models.ForeignKey(ScoringSheet, on_delete=models.CASCADE, related_name="lines")
    part = models.CharField(_("phần"), max_length=5)
    code = models.CharField(_("mã dòng"), max_length=20)
    name = models.CharField(_("nội dung"), max_length=500)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    status = models.CharField(_("nguồn"), max_length=20, choices=LineStatus.choices)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dòng phiếu chấm")
        verbose_name_plural = _("dòng phiếu chấm")
        ordering = ["sheet", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="ocop_line_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Đang chấm")
    CLOSED = "closed", _("Đã kết thúc")


class EvaluationRound(models.Model):
    """A round (đợt) of evaluation organised by a unit (province, district; a commune checks
    dossiers). The councils in force follow from `held_on` (rules.council_period)."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="ocop_rounds",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(_("đợt"))
    held_on = models.DateField(_("ngày đánh giá"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đợt đánh giá OCOP")
        verbose_name_plural = _("đợt đánh giá OCOP")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="ocop_round_unique")
        ]

    def __str__(self) -> str:
        return _("Đợt %(n)s năm %(y)s") % {"n": self.number, "y": self.year}

    @property
    def council_period(self) -> dict:
        return rules.council_period(self.held_on)

    @property
    def councils(self) -> list[dict]:
        return [
            {"stars": c["stars"], "level": c["level"], "label": rules.COUNCIL_LABELS[c["level"]]}
            for c in self.council_period["councils"]
        ]

    @property
    def dossier_check_label(self) -> str:
        level = self.council_period["dossier_check"]
        return str(rules.COUNCIL_LABELS[level]) if level else ""


class Evaluation(models.Model):
    """A product's scores in a round, on the sheet in force on the round's date."""

    round = models.ForeignKey(
        EvaluationRound,
        verbose_name=_("đợt"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="evaluations"
    )
    sheet = models.ForeignKey(
        ScoringSheet, verbose_name=_("phiếu chấm"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2, default=0)
    stars = models.PositiveSmallIntegerField(_("hạng sao"), default=0)
    proposal = models.CharField(_("đề xuất của hội đồng"), max_length=500, blank=True)
    product_sheet = models.ForeignKey(
        ProductSheet,
        verbose_name=_("phiếu chấm sản phẩm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    band_stars = models.PositiveSmallIntegerField(_("hạng theo điểm"), default=0)
    caps = models.JSONField(_("giới hạn hạng sao"), default=list, blank=True)
    disqualified = models.BooleanField(_("không đủ điều kiện đánh giá"), default=False)
    disqualified_reason = models.CharField(_("lý do"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả đánh giá OCOP")
        verbose_name_plural = _("kết quả đánh giá OCOP")
        ordering = ["round", "product__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "product"], name="ocop_evaluation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.round}"

    @property
    def council_level(self) -> str:
        return rules.council_level(self.round.held_on, self.stars)


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("Chủ tịch hội đồng")
    SECRETARY = "secretary", _("Thư ký hội đồng")
    MEMBER = "member", _("Thành viên")


class CouncilMember(models.Model):
    """A member of a round's council; every member scores every product of the round."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="council")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò"), max_length=10, choices=CouncilRole.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành viên hội đồng OCOP")
        verbose_name_plural = _("thành viên hội đồng OCOP")
        ordering = ["round", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="ocop_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class MemberSheet(models.Model):
    """One member's score sheet for one product of a round: one choice per scored item."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="member_sheets"
    )
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="sheets")
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2, default=0)
    complete = models.BooleanField(_("đã chấm đủ"), default=False)
    note = models.TextField(_("giải trình"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu chấm của thành viên")
        verbose_name_plural = _("phiếu chấm của thành viên")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="ocop_msheet_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} — {self.member}"


class MemberChoice(models.Model):
    sheet = models.ForeignKey(MemberSheet, on_delete=models.CASCADE, related_name="choices")
    item = models.ForeignKey(SheetItem, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(SheetOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("lựa chọn")
        verbose_name_plural = _("lựa chọn")
        constraints = [models.UniqueConstraint(fields=["sheet", "item"], name="ocop_choice_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.option_id}"


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    line = models.ForeignKey(ScoringLine, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "line"], name="ocop_score_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="ocop_score_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.points}"


class Outcome(models.TextChoices):
    NEW = "new", _("Công nhận mới")
    RECERTIFIED = "recertified", _("Công nhận lại (giữ hạng)")
    UPGRADED = "upgraded", _("Nâng hạng")
    DOWNGRADED = "downgraded", _("Hạ hạng")
    NOT_KEPT = "not_kept", _("Không đạt lại")


class Certificate(models.Model):
    """A decision recognising a product's stars (quyết định công nhận); valid 36 months."""

    product = models.ForeignKey(
        Product, verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="certificates"
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("kết quả đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    number = models.CharField(_("số quyết định"), max_length=60)
    issued_on = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    stars = models.PositiveSmallIntegerField(_("hạng sao"))
    valid_to = models.DateField(_("hiệu lực đến hết ngày"))
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("giấy chứng nhận trước"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_number = models.CharField(_("số quyết định thu hồi"), max_length=60, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quyết định công nhận OCOP")
        verbose_name_plural = _("quyết định công nhận OCOP")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number", "issued_on"], name="ocop_cert_unique"
            ),
            models.CheckConstraint(condition=Q(stars__gte=3, stars__lte=5), name="ocop_cert_stars"),
        ]
        indexes = [models.Index(fields=["issued_on", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y}) {self.stars}★"

    def is_valid_on(self, day) -> bool:
        revoked = self.revoked_on is not None and self.revoked_on <= day
        return self.issued_on <= day <= self.valid_to and not revoked
