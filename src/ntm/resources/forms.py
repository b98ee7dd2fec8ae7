from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.lib.uploads import validate_xlsx_upload
from ntm.resources.models import ActivityKind, ModelKind, ModelStatus

MONEY_KW = {"min_value": 0, "max_digits": 18, "decimal_places": 0}


class ContributionForm(forms.Form):
    land_m2 = forms.DecimalField(
        label=_("Đất hiến (m²)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    workdays = forms.IntegerField(label=_("Ngày công"), min_value=0, required=False)
    cash = forms.DecimalField(label=_("Tiền mặt (đồng)"), required=False, **MONEY_KW)
    materials_value = forms.DecimalField(
        label=_("Vật tư, vật liệu quy ra tiền (đồng)"), required=False, **MONEY_KW
    )
    materials = forms.CharField(label=_("Mô tả vật tư, vật liệu"), max_length=500, required=False)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Tên công trình"), max_length=300)
    amount = forms.DecimalField(label=_("Tổng vốn (đồng)"), **MONEY_KW)
    criterion = forms.TypedChoiceField(
        label=_("Tiêu chí"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "—")] + [
            (c.pk, f"{c.code} {c.name}") for c in criteria
        ]


class ModelSiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại mô hình"), choices=ModelKind.choices)
    unit = forms.TypedChoiceField(label=_("Thôn hoặc xã"), coerce=int)
    name = forms.CharField(label=_("Tên mô hình"), max_length=300)
    year_recognised = forms.IntegerField(label=_("Năm công nhận"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=ModelStatus.choices)
    lost_year = forms.IntegerField(
        label=_("Năm không còn duy trì"), min_value=2000, max_value=2100, required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại hoạt động"), choices=ActivityKind.choices)
    name = forms.CharField(label=_("Tên hoạt động"), max_length=300)
    date = forms.DateField(label=_("Ngày (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    organiser = forms.CharField(label=_("Đơn vị tổ chức"), max_length=300, required=False)
    measure = forms.CharField(label=_("Đơn vị tính"), max_length=40, initial="người")
    planned = forms.IntegerField(label=_("Kế hoạch"), min_value=0, initial=0)
    actual = forms.IntegerField(label=_("Thực hiện"), min_value=0, initial=0)


class RateForm(forms.Form):
    land_per_m2 = forms.DecimalField(label=_("Giá trị 1 m² đất (đồng)"), required=False, **MONEY_KW)
    workday = forms.DecimalField(label=_("Giá trị 1 ngày công (đồng)"), required=False, **MONEY_KW)
    decision = forms.CharField(label=_("Văn bản quy định"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)
