from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.criteria import levels as recognition_levels
from ntm.lib.numbers import CellValueError, parse_vi_number
from ntm.lib.uploads import validate_xlsx_upload
from ntm.plans.models import OCOP_STARS, Metric, PlanStatus, TaskStatus

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
YEAR = {"min_value": 2000, "max_value": 2100}


class ViNumberField(forms.CharField):
    """A number typed the vi-VN way ("13,5"; "1.500.000") or with a decimal point."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_vi_number(value)
        except CellValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


def version_field() -> forms.IntegerField:
    """The version of the record the page was made from (hidden; checked when saving)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class PlanForm(forms.Form):
    number = forms.CharField(label=_("Số ký hiệu"), max_length=60, help_text=_("Ví dụ 125/KH-UBND"))
    issued_on = forms.DateField(label=_("Ngày ban hành (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, initial="UBND tỉnh")
    title = forms.CharField(
        label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    year_from = forms.IntegerField(label=_("Từ năm"), **YEAR)
    year_to = forms.IntegerField(label=_("Đến năm"), **YEAR)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=PlanStatus.choices)
    version = version_field()

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, f"{u.name} ({u.code})") for u in units]


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Chỉ tiêu"), choices=Metric.choices)
    level = forms.ChoiceField(
        label=_("Mức (với chỉ tiêu số xã)"),
        required=False,
        choices=lambda: [("", "—"), *recognition_levels.choices("commune")],
    )
    stars = forms.TypedChoiceField(
        label=_("Hạng sao (với OCOP; để trống: từ 3 sao)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(s, f"{s} ★") for s in OCOP_STARS],
    )
    year = forms.IntegerField(label=_("Năm"), **YEAR)
    value = ViNumberField(label=_("Giá trị"))
    base_year = forms.IntegerField(
        label=_("Năm gốc (với chỉ tiêu thu nhập)"), required=False, **YEAR
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class AllocationForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị được phân bổ"), coerce=int)
    value = ViNumberField(label=_("Giá trị"))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, f"{u.name} ({u.code})") for u in units]


class TargetEditForm(forms.Form):
    value = ViNumberField(label=_("Giá trị"))
    base_year = forms.IntegerField(
        label=_("Năm gốc (với chỉ tiêu thu nhập)"), required=False, **YEAR
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
    version = version_field()


class RoadmapForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã xã"), max_length=20)
    level = forms.ChoiceField(label=_("Mức"), choices=lambda: recognition_levels.choices("commune"))
    target_year = forms.IntegerField(label=_("Năm phấn đấu đạt chuẩn"), **YEAR)


class TaskForm(forms.Form):
    group = forms.CharField(label=_("Nhóm nhiệm vụ, giải pháp"), max_length=300, required=False)
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    lead_agency = forms.CharField(label=_("Cơ quan chủ trì"), max_length=200)
    other_agencies = forms.CharField(label=_("Cơ quan phối hợp"), max_length=500, required=False)
    deadline = forms.DateField(
        label=_("Thời hạn (dd/mm/yyyy)"), input_formats=DATE_FORMATS, required=False
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=TaskStatus.choices)
    version = version_field()


class TaskProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Tiến độ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label=_("Trạng thái"), choices=TaskStatus.choices, required=False)
    version = version_field()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)
