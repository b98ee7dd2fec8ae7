from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    NATIONAL_VIEWER = "national_viewer", _("Cán bộ Trung ương (xem toàn quốc)")
    PROVINCE_COORDINATOR = "province_coordinator", _("Văn phòng Điều phối NTM tỉnh")
    DEPARTMENT_OFFICER = "department_officer", _("Cán bộ sở, ngành")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ UBND huyện")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ UBND xã")


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Người dùng chỉ xem và sửa dữ liệu của đơn vị này và các đơn vị trực thuộc."),
    )
    department = models.CharField(
        _("sở, ngành"),
        max_length=120,
        blank=True,
        help_text=_("Với cán bộ sở, ngành: tên cơ quan phụ trách tiêu chí."),
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
