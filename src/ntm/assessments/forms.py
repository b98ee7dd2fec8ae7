from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.assessments.models import EVIDENCE_EXTENSIONS, RecognitionAction
from ntm.criteria import levels as recognition_levels
from ntm.lib.uploads import validate_xlsx_upload

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DECISION_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]  # as Recognition.file allows
# The first bytes of the accepted file kinds: the extension alone is not trusted.
_MAGIC = {
    "pdf": [b"%PDF"],
    "png": [b"\x89PNG"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "docx": [b"PK\x03\x04"],
    "xlsx": [b"PK\x03\x04"],
    "doc": [b"\xd0\xcf\x11\xe0"],
    "xls": [b"\xd0\xcf\x11\xe0"],
}


def checked_upload(upload, extensions):
    """The upload, if its extension is one of `extensions`, it is at most 10 MB and its first
    bytes match the extension; else a ValidationError in Vietnamese."""
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext not in extensions:
        raise forms.ValidationError(_("Chỉ nhận tệp: %(exts)s.") % {"exts": ", ".join(extensions)})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise forms.ValidationError(_("Tệp lớn hơn 10 MB."))
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(m) for m in _MAGIC[ext]):
        raise forms.ValidationError(_("Nội dung tệp không đúng với đuôi .%(ext)s.") % {"ext": ext})
    return upload


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Tên minh chứng"), max_length=300)
    criterion = forms.TypedChoiceField(
        label=_("Tiêu chí"), coerce=int, required=False, empty_value=None
    )
    file = forms.FileField(label=_("Tệp (PDF, ảnh, Word, Excel; tối đa 10 MB)"))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", _("Chung"))] + [(c.pk, str(c)) for c in criteria]

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"], EVIDENCE_EXTENSIONS)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)
    approved = forms.BooleanField(
        label=_("Nhập kết quả các năm trước ở trạng thái đã phê duyệt (chỉ VPĐP tỉnh)"),
        required=False,
    )


class TransitionForm(forms.Form):
    to_state = forms.CharField()
    reason = forms.CharField(required=False, widget=forms.Textarea)
    version = forms.IntegerField()


class RecognitionForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã xã"), max_length=20)
    criteria_set = forms.ModelChoiceField(
        label=_("Bộ tiêu chí"), queryset=None, to_field_name="code"
    )
    level = forms.ChoiceField(label=_("Mức"), choices=recognition_levels.choices)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    action = forms.ChoiceField(label=_("Loại quyết định"), choices=RecognitionAction.choices)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định (dd/mm/yyyy)"))
    signer = forms.CharField(label=_("Người ký"), max_length=200, required=False)
    file = forms.FileField(label=_("Tệp quyết định (PDF/ảnh)"), required=False)
    override_reason = forms.CharField(
        label=_("Lý do (khi chưa có kết quả đánh giá đã phê duyệt)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, sets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = sets

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return checked_upload(upload, DECISION_EXTENSIONS) if upload else upload
