import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.units.paths import hierarchy_keys, path_ids
from ntm.units.text import fold

REORGANISATION_DATE = datetime.date(2025, 7, 1)
HIERARCHY_FIELDS = ("path", "province_key", "district_key")  # derived from the parent


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Tỉnh")
    DISTRICT = 2, _("Huyện")
    COMMUNE = 3, _("Xã")
    VILLAGE = 4, _("Thôn")


class Kind(models.TextChoices):
    PROVINCE = "tinh", _("Tỉnh")
    CITY_CENTRAL = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    RURAL_DISTRICT = "huyen", _("Huyện")
    URBAN_DISTRICT = "quan", _("Quận")
    TOWN = "thi_xa", _("Thị xã")
    CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    TOWNLET = "thi_tran", _("Thị trấn")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")
    VILLAGE = "thon", _("Thôn")
    HAMLET = "ban", _("Bản")
    RESIDENTIAL_GROUP = "to_dan_pho", _("Tổ dân phố")


VILLAGE_KINDS = (Kind.VILLAGE, Kind.HAMLET, Kind.RESIDENTIAL_GROUP)


def within_q(unit, field: str = "unit") -> Q:
    """Records whose unit (reached through `field`; "" for units themselves) is `unit` or below it."""
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": unit.path})


def subtree_q(unit, prefix: str = "") -> Q:
    """`unit` and every unit below it; by the stored keys for a province or a district (an
    integer comparison), by path otherwise. `prefix` reaches units through a relation."""
    if unit.level == Level.PROVINCE:
        return Q(**{f"{prefix}province_key": unit.pk})
    if unit.level == Level.DISTRICT:
        return Q(**{f"{prefix}district_key": unit.pk})
    return Q(**{f"{prefix}path__startswith": unit.path})


def valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Units in force on the day (`prefix` reaches them through a relation)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class UnitQuerySet(models.QuerySet):
    def within(self, unit):
        """The unit and every unit below it (its subtree, by materialised path)."""
        return self.filter(within_q(unit, ""))

    def valid_on(self, day: datetime.date):
        return self.filter(valid_on_q(day))

    def current(self):
        return self.filter(valid_to__isnull=True)

    def search(self, text: str):
        folded = fold(text)
        if not folded:
            return self
        return self.filter(search_name__contains=folded)


class Unit(models.Model):
    """An administrative unit for the period it existed (a code may be reused by a later unit)."""

    code = models.CharField(_("mã"), max_length=20, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=100, db_index=True, editable=False, default="")
    # The province and district of the unit (paths.hierarchy_keys), kept with the path.
    province_key = models.PositiveIntegerField(null=True, editable=False, db_index=True)
    district_key = models.PositiveIntegerField(null=True, editable=False, db_index=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True, default="")
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_to__isnull=True),
                name="unit_code_unique_current",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_to"],
                condition=Q(valid_to__isnull=False),
                name="unit_code_unique_past",
            ),
        ]
        indexes = [
            # Covers "the xã of these provinces in force on a day" (counts with no table read).
            models.Index(
                fields=["level", "kind", "province_key", "valid_from", "valid_to"],
                name="unit_level_kind_province",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.name} {self.code}")
        # A known unit's path and keys are written by the save itself, so that post_save
        # listeners (the kept figures' copy of the unit) read the new ones.
        moved = self.pk is not None and self._place_in_hierarchy()
        if moved and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *HIERARCHY_FIELDS}
        super().save(*args, **kwargs)
        if self._place_in_hierarchy():  # a new unit: its path holds its own id
            Unit.objects.filter(pk=self.pk).update(
                **{name: getattr(self, name) for name in HIERARCHY_FIELDS}
            )

    def _place_in_hierarchy(self) -> bool:
        """Set the path and keys from the parent; True when they changed."""
        expected = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        keys = hierarchy_keys(expected, self.level)
        if (self.path, self.province_key, self.district_key) == (expected, *keys):
            return False
        self.path = expected
        self.province_key, self.district_key = keys
        return True

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def is_assessed_commune(self) -> bool:
        """Only xã are assessed against commune NTM criteria (not phường, thị trấn, đặc khu)."""
        return self.kind == Kind.COMMUNE

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]


class UnitChange(models.Model):
    """A change of the administrative map on a date (a merger, a dissolution, a new unit), with
    its legal basis: the units that ended the day before, the units that began on the date."""

    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=200)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_date = models.DateField(_("ngày hiệu lực"))
    description = models.TextField(_("nội dung"), blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    ended = models.ManyToManyField(
        "Unit", verbose_name=_("đơn vị kết thúc"), related_name="ended_by", blank=True
    )
    began = models.ManyToManyField(
        "Unit", verbose_name=_("đơn vị bắt đầu"), related_name="begun_by", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi đơn vị hành chính")
        verbose_name_plural = _("thay đổi đơn vị hành chính")
        ordering = ["effective_date", "legal_basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_basis", "effective_date"], name="unit_change_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.legal_basis} ({self.effective_date:%d/%m/%Y})"


class UnitLink(models.Model):
    """An old unit replaced (wholly or partly) by a new one on a date."""

    old = models.ForeignKey(
        Unit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successor_links"
    )
    new = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    effective_date = models.DateField(_("ngày hiệu lực"), default=REORGANISATION_DATE)
    is_default = models.BooleanField(
        _("đơn vị kế thừa chính"),
        default=True,
        help_text=_("Khi đơn vị cũ bị chia, đơn vị mới nhận phần chính."),
    )
    split = models.BooleanField(_("bị chia tách"), default=False)
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    change = models.ForeignKey(
        UnitChange,
        verbose_name=_("thay đổi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="links",
    )

    class Meta:
        verbose_name = _("liên kết đơn vị cũ - mới")
        verbose_name_plural = _("liên kết đơn vị cũ - mới")
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="unit_link_unique")]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class AttributeKind(models.TextChoices):
    REGION = "region", _("Vùng")
    ETHNIC_ZONE = "ethnic_zone", _("Khu vực (vùng DTTS&MN)")
    EXTREMELY_DISADVANTAGED = "extremely_disadvantaged", _("Xã đặc biệt khó khăn")
    BORDER = "border", _("Xã biên giới")
    SAFE_ZONE = "safe_zone", _("Xã an toàn khu")
    COMMUNE_GROUP = "commune_group", _("Nhóm xã (từ 2026)")


ATTRIBUTE_VALUES = {
    AttributeKind.REGION: ["TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"],
    AttributeKind.ETHNIC_ZONE: ["I", "II", "III"],
    AttributeKind.EXTREMELY_DISADVANTAGED: ["yes", "no"],
    AttributeKind.BORDER: ["yes", "no"],
    AttributeKind.SAFE_ZONE: ["yes", "no"],
    AttributeKind.COMMUNE_GROUP: ["1", "2", "3"],
}


class UnitAttribute(models.Model):
    """A fact about a unit that decides which thresholds apply, from a year on."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="attributes"
    )
    kind = models.CharField(_("thuộc tính"), max_length=30, choices=AttributeKind.choices)
    value = models.CharField(_("giá trị"), max_length=20)
    valid_from_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    valid_to_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thuộc tính đơn vị")
        verbose_name_plural = _("thuộc tính đơn vị")
        ordering = ["kind", "valid_from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "valid_from_year"], name="unit_attribute_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value} ({self.valid_from_year})"

    def holds_in(self, year: int) -> bool:
        return self.valid_from_year <= year and (
            self.valid_to_year is None or year <= self.valid_to_year
        )
