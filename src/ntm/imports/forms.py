from django import forms
from django.utils.translation import gettext_lazy as _

from ntm.lib.uploads import validate_xlsx_upload

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), validators=[validate_xlsx_upload])
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi"), required=False, initial=True)

    def options(self) -> dict:
        """The import options of the form (every field but the file and the dry run)."""
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("file", "dry_run") and v not in (None, "")
        }


class RecognitionImportForm(ImportForm):
    history_before = forms.DateField(
        label=_("Nhập lịch sử: ngày mốc"),
        required=False,
        input_formats=DATE_INPUTS,
        help_text=_(
            "Để trống khi nhập quyết định mới. Khi bắt đầu dùng hệ thống: các quyết định trước ngày này được ghi như đã ban hành (không cần kết quả đánh giá đã duyệt hay lý do từng dòng). Dạng dd/mm/yyyy."
        ),
    )
    history_reason = forms.CharField(
        label=_("Lý do chung của lần nhập lịch sử"),
        required=False,
        max_length=80,
        help_text=_("Ghi vào nhật ký thay đổi của từng quyết định, ví dụ số báo cáo tổng hợp."),
    )

    def clean(self):
        data = super().clean()
        if data.get("history_before") and not (data.get("history_reason") or "").strip():
            self.add_error("history_reason", _("Nhập lịch sử cần một lý do chung."))
        return data


# Importers whose generic page asks for more than a file.
FORMS = {"recognitions": RecognitionImportForm}
