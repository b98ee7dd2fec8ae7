from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.lib.uploads import validate_xlsx_upload
from ntm.ocop import rules
from ntm.ocop.models import CycleStage, SubjectKind

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class UnitCodeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=10, **kwargs)


def version_field() -> forms.IntegerField:
    """The version of the record the page was made from (hidden; checked when saving)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class SubjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại hình"), choices=SubjectKind.choices)
    name = forms.CharField(label=_("Tên chủ thể"), max_length=300)
    unit_code = UnitCodeField(label=_("Mã xã (địa chỉ)"), help_text=_("Mã 5 chữ số, ví dụ 02005"))
    address = forms.CharField(label=_("Địa chỉ (thôn, số nhà)"), max_length=300, required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False)
    representative = forms.CharField(label=_("Người đại diện"), max_length=200, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    version = version_field()


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Tên sản phẩm"), max_length=300)
    subject = forms.TypedChoiceField(label=_("Chủ thể"), coerce=int)
    classification = forms.ChoiceField(
        label=_("Loại sản phẩm (Phụ lục I, Quyết định 26/2026/QĐ-TTg)"),
        required=False,
        help_text=_("Quyết định phiếu chấm của sản phẩm; nhóm sản phẩm suy ra từ loại."),
    )
    group = forms.ChoiceField(label=_("Nhóm sản phẩm (148/QĐ-TTg)"), required=False)
    unit_code = UnitCodeField(label=_("Mã xã sản xuất"), help_text=_("Mã 5 chữ số, ví dụ 02005"))
    stage = forms.ChoiceField(label=_("Giai đoạn chu trình OCOP"), choices=CycleStage.choices)
    traceability_code = forms.CharField(
        label=_("Mã truy xuất nguồn gốc"), max_length=100, required=False
    )
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.ImageField(label=_("Ảnh (JPG, PNG; tối đa 5 MB)"), required=False)
    version = version_field()

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.pk, f"{s.name} ({s.unit.name})") for s in subjects]
        self.fields["group"].choices = [("", "—"), *rules.group_choices()]
        self.fields["classification"].choices = [("", "—"), *rules.classification_choices()]

    def clean(self):
        data = super().clean()
        if not data.get("classification") and not data.get("group"):
            self.add_error("classification", _("Chọn loại sản phẩm (hoặc ít nhất nhóm sản phẩm)."))
        return data

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("Ảnh lớn hơn 5 MB."))
        if photo and photo.name.rsplit(".", 1)[-1].lower() not in ("jpg", "jpeg", "png", "webp"):
            raise forms.ValidationError(_("Chỉ nhận ảnh JPG, PNG, WEBP."))
        return photo


class RoundForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị tổ chức"), coerce=int)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("Đợt"), min_value=1, max_value=99)
    held_on = forms.DateField(label=_("Ngày đánh giá (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, f"{u.name} ({u.code})") for u in units]


class CertificateForm(forms.Form):
    number = forms.CharField(
        label=_("Số quyết định"), max_length=60, help_text=_("Ví dụ 231/QĐ-UBND")
    )
    issued_on = forms.DateField(label=_("Ngày quyết định (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    issuer = forms.CharField(
        label=_("Cơ quan ban hành"), max_length=200, required=False, initial="UBND tỉnh"
    )
    stars = forms.TypedChoiceField(
        label=_("Hạng sao"), coerce=int, choices=[(3, "3 ★"), (4, "4 ★"), (5, "5 ★")]
    )
    evaluation = forms.TypedChoiceField(
        label=_("Theo kết quả đánh giá"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, evaluations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluation"].choices = [("", "—")] + [
            (e.pk, f"{e.round} — {e.total} điểm, {e.stars} ★") for e in evaluations
        ]


class RevokeForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định thu hồi"), max_length=60)
    revoked_on = forms.DateField(label=_("Ngày thu hồi (dd/mm/yyyy)"), input_formats=DATE_FORMATS)
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)


class CorrectionForm(forms.Form):
    """A province administrator's correction of one flagged cell (the option is posted beside)."""

    points = forms.CharField(
        label=_("Điểm đúng"), max_length=10, help_text=_("Theo văn bản gốc, ví dụ 3 hoặc 1,5")
    )
    reason = forms.CharField(
        label=_("Lý do, văn bản đối chiếu"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
