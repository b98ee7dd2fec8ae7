from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.lib.uploads import validate_xlsx_upload
from ntm.units.models import VILLAGE_KINDS, AttributeKind, Kind


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Tên thôn"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[(k.value, k.label) for k in VILLAGE_KINDS], initial=Kind.VILLAGE
    )
    code = forms.CharField(
        label=_("Mã thôn"),
        max_length=20,
        required=False,
        help_text=_("Để trống để hệ thống tự cấp mã."),
    )


class VillageImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False)


class HistoryImportForm(VillageImportForm):
    pass


class AttributeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Thuộc tính"), choices=AttributeKind.choices)
    value = forms.CharField(
        label=_("Giá trị"),
        max_length=20,
        help_text=_(
            "Vùng: TDMNPB, DBSH, BTB, DHNTB, TN, DNB, DBSCL; khu vực: I/II/III; "
            "nhóm xã: 1/2/3; các thuộc tính có/không: yes/no."
        ),
    )
    valid_from_year = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100)
    valid_to_year = forms.IntegerField(
        label=_("Đến năm"), min_value=2000, max_value=2100, required=False
    )
    source = forms.CharField(label=_("Căn cứ (số quyết định)"), max_length=200, required=False)


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False)
    level = forms.TypedChoiceField(
        label=_("Cấp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả"))]
        + [(1, _("Tỉnh")), (2, _("Huyện")), (3, _("Xã")), (4, _("Thôn"))],
    )
    current = forms.BooleanField(label=_("Chỉ đơn vị hiện hành"), required=False)
