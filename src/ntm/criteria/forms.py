from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.criteria.models import IndicatorKind, Operator


class CloneForm(forms.Form):
    code = forms.CharField(label=_("Mã bộ tiêu chí của tỉnh"), max_length=40)
    name = forms.CharField(label=_("Tên"), max_length=300, required=False)


class PeriodForm(forms.Form):
    period_start = forms.IntegerField(label=_("Từ năm"), min_value=2000, max_value=2100)
    period_end = forms.IntegerField(label=_("Đến năm"), min_value=2000, max_value=2100)


class IndicatorForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Mã chỉ tiêu"), max_length=20)
    name = forms.CharField(label=_("Tên chỉ tiêu"), max_length=500)
    kind = forms.ChoiceField(label=_("Kiểu"), choices=IndicatorKind.choices)
    operator = forms.ChoiceField(
        label=_("So sánh"), choices=[("", "—"), *Operator.choices], required=False
    )
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=60, required=False)
    source = forms.CharField(label=_("Căn cứ"), max_length=500, required=False)


class ThresholdForm(forms.Form):
    basis = forms.CharField(label=_("Vùng / nhóm xã (* = tất cả)"), max_length=20, initial="*")
    value = forms.DecimalField(label=_("Ngưỡng"), max_digits=14, decimal_places=4)
    value_max = forms.DecimalField(
        label=_("Ngưỡng trên (khoảng)"), max_digits=14, decimal_places=4, required=False
    )
    from_year = forms.IntegerField(
        label=_("Từ năm"), min_value=2000, max_value=2100, required=False
    )
    to_year = forms.IntegerField(label=_("Đến năm"), min_value=2000, max_value=2100, required=False)
