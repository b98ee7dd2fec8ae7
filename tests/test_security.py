"""Security settings, proven: deploy checks, Content-Security-Policy, login throttling, API
throttling, password rules and uploads."""

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, override_settings
from django.utils import translation
from rest_framework.test import APIClient

import ntm
from ntm.accounts.demo import DEMO_PASSWORD
from ntm.lib.uploads import MAX_SPREADSHEET_BYTES, validate_xlsx_upload
from ntm.reports.charts import Bar, bar_chart
from tests.conftest import TEST_PASSWORD

SRC = Path(ntm.__file__).resolve().parent


# -- production settings -----------------------------------------------------------------------


def _production(tmp_path, **extra):
    """`ntm check --deploy` in a subprocess with production settings (NTM_TESTING unset)."""
    drop = ("NTM_TESTING", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("SECURE_")}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ntm.example.gov.vn",
        NTM_DATA_DIR=str(tmp_path),
        **extra,
    )
    code = "from ntm.cli import main; main(['check', '--deploy', '--fail-level', 'WARNING'])"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path
    )


def test_deploy_checks_are_clean_with_production_settings(tmp_path):
    result = _production(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_production_switches(tmp_path):
    drop = ("NTM_TESTING", "DEBUG", "SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("SECURE_")}
    env.update(DEBUG="0", SECRET_KEY="x" * 60, NTM_DATA_DIR=str(tmp_path))
    code = (
        "import ntm.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_AGE, s.SECURE_REFERRER_POLICY, "
        "s.SECURE_CROSS_ORIGIN_OPENER_POLICY, s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(None, 9) == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "True",
        "28800",
        "same-origin",
        "same-origin",
        "{'anon': '120/min', 'user': '2000/min'}\n",
    ]


def test_behind_a_redirecting_proxy_the_redirect_can_be_turned_off(tmp_path):
    """SECURE_SSL_REDIRECT=0 is for a TLS proxy that redirects itself: Django then says so."""
    result = _production(tmp_path, SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert re.findall(r"\(security\.W\d+\)", result.stdout + result.stderr) == ["(security.W008)"]


def test_health_check_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/public/").status_code == 301


# -- Content-Security-Policy -------------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_strict_policy_on_every_kind_of_page(units, users, client_for, client):
    logged_in = client_for(users.coordinator)
    pages = [
        (client, "/accounts/login/"),
        (client, "/public/"),
        (client, f"/public/{units.bac_kan.pk}/"),
        (client, "/ocop/"),
        (logged_in, "/"),
        (logged_in, f"/?unit={units.bac_kan.pk}&year=2023"),
        (logged_in, "/units/"),
        (logged_in, "/audit/"),
        (logged_in, "/api/v1/me/"),
    ]
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["default-src"] == "'self'", url
        assert policy["script-src"] == "'self'", url
        assert policy["style-src"] == "'self'", url
        assert policy["img-src"] == "'self' data:", url
        assert policy["object-src"] == "'none'", url
        assert policy["base-uri"] == "'self'", url
        assert policy["frame-ancestors"] == "'none'", url
        assert policy["form-action"] == "'self'", url
        assert "unsafe" not in response["Content-Security-Policy"], url


def test_api_docs_allow_inline_styles_but_no_inline_script(client, db):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        policy = _policy(response)
        assert policy["script-src"] == "'self'", url
        assert policy["style-src"] == "'self' 'unsafe-inline'", url
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert "googleapis" not in body and "cdn." not in body, url
    # Swagger UI's start-up script is a file of its own (the "split" view), not an inline block.
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))


def test_templates_are_found():
    assert len(TEMPLATES) > 30
    assert SRC / "web/templates/web/base.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_inline_script_handlers_or_styles(path):
    text = path.read_text(encoding="utf-8")
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
    assert not inline, f"inline <script> in {path}: move it to a static .js file"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), f"on*= handler in {path}"
    assert not re.search(r"\sstyle\s*=", text, re.I), f"style= attribute in {path}: use a class"
    assert "javascript:" not in text.lower(), path


def test_svg_charts_use_classes_not_inline_styles():
    svg = bar_chart([Bar("Xã A", 12, css="actual"), Bar("Xã B", 3.5, css="target")], unit="%")
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg


# -- login throttling (django-axes) -----------------------------------------------------------


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_username_from_that_address(users):
    client = Client()
    for _ in range(4):
        assert _login(client, "commune", "sai-mat-khau").status_code == 200
    locked = _login(client, "commune", "sai-mat-khau")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Vui lòng thử lại sau 15 phút" in body and "Tạm khóa đăng nhập" in body
    assert locked["Retry-After"] == "900"
    # Even the right password is refused now, from that address...
    assert _login(client, "commune", TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # ... but not from another one, nor for another user.
    assert _login(Client(), "commune", TEST_PASSWORD, ip="10.0.0.2").status_code == 302
    assert _login(Client(), "district", TEST_PASSWORD).status_code == 302


def test_a_success_resets_the_count(users):
    client = Client()
    for _ in range(4):
        _login(client, "commune", "sai-mat-khau")
    assert _login(client, "commune", TEST_PASSWORD).status_code == 302
    for _ in range(4):
        assert _login(Client(), "commune", "sai-mat-khau").status_code == 200
    assert _login(Client(), "commune", TEST_PASSWORD).status_code == 302


def test_lockout_expires_after_the_cool_off(users, settings):
    import datetime

    from axes.models import AccessAttempt

    for _ in range(5):
        _login(Client(), "commune", "sai-mat-khau")
    assert _login(Client(), "commune", TEST_PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=models.F("attempt_time") - datetime.timedelta(minutes=16)
    )
    assert _login(Client(), "commune", TEST_PASSWORD).status_code == 302


def test_api_token_endpoint_is_locked_out_too(users):
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    url = "/api/v1/auth/token/"
    for _ in range(4):
        assert api.post(url, {"username": "district", "password": "sai"}).status_code == 400
    assert api.post(url, {"username": "district", "password": "sai"}).status_code == 429
    locked = api.post(url, {"username": "district", "password": TEST_PASSWORD})
    assert locked.status_code == 429 and "thử lại sau 15 phút" in locked.json()["detail"]
    assert APIClient().post(url, {"username": "commune", "password": TEST_PASSWORD}).json()["token"]


def test_client_address_behind_proxies(rf, settings):
    from ntm.web.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.NTM_PROXY_COUNT = 0
    assert client_ip(request) == "10.1.1.1"  # no proxy trusted: the header is ignored
    settings.NTM_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw, not what the client wrote


# -- API throttling ----------------------------------------------------------------------------


def _rates(anon, user):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
        }
    )


def test_api_is_not_throttled_in_tests(db):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": None, "user": None}
    api = APIClient()
    assert all(api.get("/api/v1/public/ocop/products/").status_code == 200 for _ in range(10))


def test_anonymous_and_user_rates(users):
    cache.clear()
    with _rates("3/min", "5/min"):
        anon = APIClient(REMOTE_ADDR="10.0.0.3")
        codes = [anon.get("/api/v1/public/ocop/products/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        user = APIClient(REMOTE_ADDR="10.0.0.4")
        user.force_authenticate(users.coordinator)
        codes = [user.get("/api/v1/me/").status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        # The token endpoint counts as anonymous traffic too.
        token = APIClient(REMOTE_ADDR="10.0.0.5")
        url = "/api/v1/auth/token/"
        codes = [token.post(url, {"username": "x", "password": "y"}).status_code for _ in range(4)]
        assert codes[-1] == 429
    cache.clear()


# -- passwords ---------------------------------------------------------------------------------


def test_weak_passwords_are_refused_in_vietnamese(users):
    with translation.override("vi"):
        with pytest.raises(ValidationError) as short:
            validate_password("Ab1-xyz", users.commune)
        assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in short.value.messages
        with pytest.raises(ValidationError) as common:
            validate_password("password123", users.commune)
        assert "Mật khẩu này quá phổ biến." in common.value.messages
        with pytest.raises(ValidationError):
            validate_password("1234567890123")
    validate_password(DEMO_PASSWORD)
    validate_password(TEST_PASSWORD, users.commune)


def test_admin_form_refuses_a_weak_password(users):
    from django.contrib.auth.forms import AdminPasswordChangeForm

    with translation.override("vi"):
        form = AdminPasswordChangeForm(
            users.commune, {"password1": "ngan-qua", "password2": "ngan-qua"}
        )
        assert not form.is_valid()
        assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in form.errors["password2"]


# -- uploads -----------------------------------------------------------------------------------

# Every file field of the project, with where it is checked. A new one fails here until it is
# checked for type and size and added to this list.
UPLOAD_FIELDS = {
    "assessments.Evidence.file": "EvidenceForm.clean_file: extension, 10 MB, first bytes",
    "assessments.Recognition.file": "RecognitionForm.clean_file: extension, 10 MB, first bytes",
    "ocop.Product.photo": "ProductForm: ImageField (Pillow opens it), JPG/PNG/WEBP, 5 MB",
    "dossiers.DossierDocument.file": "dossiers.services: the evidence checks (checked_upload)",
    "jobs.Job.result": "written by the server only (a report or import result), never uploaded",
    "jobs.Job.source": "an import's upload, after the runner's size limit; deleted after the job",
}


def test_every_upload_field_is_known():
    found = {
        f"{m._meta.app_label}.{m.__name__}.{f.name}"
        for m in apps.get_models()
        if m.__module__.startswith("ntm.") and not m.__name__.startswith("Historical")
        for f in m._meta.get_fields()
        if isinstance(f, models.FileField)
    }
    assert found == set(UPLOAD_FIELDS)


def test_recognition_decision_file_is_checked(db):
    from ntm.assessments.forms import RecognitionForm
    from ntm.criteria.models import CriteriaSet

    def errors(upload):
        form = RecognitionForm({}, {"file": upload}, sets=CriteriaSet.objects.none())
        form.is_valid()
        return " ".join(form.errors.get("file", []))

    assert "Chỉ nhận tệp" in errors(SimpleUploadedFile("qd.html", b"<html>"))
    assert "không đúng với đuôi" in errors(SimpleUploadedFile("qd.pdf", b"<html><script>"))
    big = SimpleUploadedFile("qd.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))
    assert "lớn hơn 10 MB" in errors(big)
    assert errors(SimpleUploadedFile("qd.pdf", b"%PDF-1.7 ...")) == ""


def test_ocop_photo_must_be_an_image(db):
    from ntm.ocop.forms import ProductForm

    fake = SimpleUploadedFile("anh.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    form = ProductForm({}, {"photo": fake})
    form.is_valid()
    assert "photo" in form.errors


def test_spreadsheet_uploads_are_limited():
    with pytest.raises(ValidationError, match="xlsx"):
        validate_xlsx_upload(SimpleUploadedFile("a.csv", b"a,b"))
    big = SimpleUploadedFile("a.xlsx", b"PK\x03\x04")
    big.size = MAX_SPREADSHEET_BYTES + 1
    with pytest.raises(ValidationError, match="20 MB"):
        validate_xlsx_upload(big)
    validate_xlsx_upload(SimpleUploadedFile("a.xlsx", b"PK\x03\x04"))


def test_import_pages_refuse_files_that_are_not_xlsx(users, client_for):
    client = client_for(users.coordinator)
    for url in (
        "/assessments/import/",
        "/resources/import/",
        "/ocop/manage/import/",
        "/units/villages/import/",
    ):
        upload = io.BytesIO(b"<html>")
        upload.name = "bang.html"
        body = client.post(url, {"file": upload}).content.decode()
        assert "Chỉ nhận tệp Excel .xlsx." in body, url


def test_evidence_is_served_as_an_attachment(
    units, users, client_for, small_set, settings, tmp_path
):
    from ntm.assessments.models import Evidence
    from ntm.assessments.services import assessment_get_or_create

    settings.MEDIA_ROOT = tmp_path
    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    item = Evidence.objects.create(
        assessment=a, title="x", file=SimpleUploadedFile("bb.pdf", b"%PDF-1.4")
    )
    response = client_for(users.commune).get(f"/assessments/{a.pk}/evidence/{item.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def test_ocop_photos_are_served_inline_as_images_to_those_who_may_see_them(
    units, users, client_for, client, settings, tmp_path
):
    import datetime

    from ntm.ocop import services as ocop

    settings.MEDIA_ROOT = tmp_path
    ocop.sheets_load()
    subject = ocop.subject_save(user=None, kind="household", name="Hộ ảnh", unit=units.quan_ha)
    product = ocop.product_save(
        user=None,
        name="Miến dong ảnh",
        subject=subject,
        group="thuc_pham",
        unit=units.quan_ha,
        photo=SimpleUploadedFile("mien.png", _png(), content_type="image/png"),
    )
    url = product.photo.url
    assert url.startswith("/media/ocop/")
    # Not certified: only users whose scope holds the commune.
    response = client_for(users.commune).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == _png()
    assert client_for(users.outsider).get(url).status_code == 404
    assert client.get(url).status_code == 404
    # Certified: on the public catalogue, so the photo is public too.
    ocop.certificate_issue(
        user=None, product=product, number="1/QĐ-ảnh", issued_on=datetime.date.today(), stars=3
    )
    assert client.get(url).status_code == 200
    # Nothing else under MEDIA_ROOT is reachable this way.
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "x.png").write_bytes(_png())
    assert client.get("/media/ocop/../evidence/x.png").status_code == 404
    assert client.get("/media/evidence/x.png").status_code == 404
    assert client.get(url.replace(".png", ".html")).status_code == 404
