"""Checks for uploaded files, run by form fields before anything reads the file."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# Uploaded spreadsheets: the importers parse them and report unreadable content in Vietnamese;
# what they cannot guard against is size, checked here before the file is read into memory.
MAX_SPREADSHEET_BYTES = 20 * 1024 * 1024


def validate_xlsx_upload(upload) -> None:
    """A form-field validator for Excel imports: a .xlsx name and at most 20 MB."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(gettext_lazy("Chỉ nhận tệp Excel .xlsx."), code="extension")
    if upload.size > MAX_SPREADSHEET_BYTES:
        raise ValidationError(gettext_lazy("Tệp lớn hơn 20 MB."), code="size")
