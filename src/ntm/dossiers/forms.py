from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.assessments.forms import checked_upload
from ntm.dossiers.models import DOCUMENT_EXTENSIONS, SurveyMethod


class DossierCreateForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã xã"), max_length=20)
    criteria_set = forms.ModelChoiceField(
        label=_("Bộ tiêu chí (mức công nhận)"), queryset=None, to_field_name="code"
    )
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Hạn hoàn thiện hồ sơ (dd/mm/yyyy)"), required=False)

    def __init__(self, *args, sets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = sets


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Thành phần hồ sơ"))
    title = forms.CharField(label=_("Tên, số văn bản"), max_length=300, required=False)
    file = forms.FileField(label=_("Tệp (PDF, ảnh, Word; tối đa 10 MB)"))
    published = forms.BooleanField(
        label=_("Công khai nội dung trên trang công khai"), required=False
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(i["code"], i["name"]) for i in items]

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"], DOCUMENT_EXTENSIONS)


class SurveyForm(forms.Form):
    date = forms.DateField(label=_("Ngày lấy ý kiến (dd/mm/yyyy)"))
    method = forms.ChoiceField(label=_("Hình thức"), choices=SurveyMethod.choices)
    respondents = forms.IntegerField(label=_("Số người được hỏi"), min_value=1, max_value=10**7)
    share_satisfied = forms.DecimalField(
        label=_("Tỷ lệ hài lòng (%)"), min_value=0, max_value=100, decimal_places=2
    )
    villages = forms.CharField(
        label=_("Theo thôn (mỗi dòng: tên thôn; số người; tỷ lệ %)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_villages(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["villages"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3 or not parts[1].isdigit():
                raise forms.ValidationError(
                    _("Dòng %(n)s: ghi “tên thôn; số người; tỷ lệ %%”.") % {"n": n}
                )
            rows.append(
                {"name": parts[0], "respondents": int(parts[1]), "share_satisfied": parts[2]}
            )
        return rows


class DecideForm(forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định (dd/mm/yyyy)"))
    signer = forms.CharField(label=_("Người ký"), max_length=200, required=False)
    file = forms.FileField(label=_("Tệp quyết định (PDF/ảnh)"), required=False)
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi hồ sơ chưa đủ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return checked_upload(upload, ["pdf", "jpg", "jpeg", "png"]) if upload else upload


class ThresholdForm(forms.Form):
    min_share = forms.DecimalField(
        label=_("Tỷ lệ hài lòng tối thiểu của tỉnh (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    source = forms.CharField(label=_("Căn cứ (văn bản của tỉnh)"), max_length=300)
