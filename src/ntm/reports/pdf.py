"""PDF from the Word report through LibreOffice, when it is installed on the server."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _


class PdfUnavailable(RuntimeError):
    pass


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, timeout: int = 180) -> bytes:
    """Convert a .docx to PDF with a headless LibreOffice (its own throw-away profile, so two
    conversions at once do not fight over one)."""
    program = libreoffice()
    if program is None:
        raise PdfUnavailable(
            _(
                "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF. Hãy cài gói Debian "
                "libreoffice-writer-nogui (apt-get install libreoffice-writer-nogui) hoặc tải bản "
                "Word rồi lưu thành PDF."
            )
        )
    with tempfile.TemporaryDirectory(prefix="ntm-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "bao-cao.docx"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    program,
                    f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(
                _("LibreOffice không chuyển được báo cáo sang PDF: %(error)s") % {"error": exc}
            ) from exc
        target = folder / "bao-cao.pdf"
        if not target.exists():
            raise PdfUnavailable(_("LibreOffice không tạo ra tệp PDF."))
        return target.read_bytes()
