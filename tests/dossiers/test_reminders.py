"""The daily reminders: per user, what is due; e-mail only when an SMTP server is configured."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from ntm.ocop import services as ocop
from ntm.reports.reminders import email_enabled, reminders_for
from tests.dossiers.conftest import pdf
from tests.reports.test_keeping import province  # noqa: F401  (the hand-built province)

D = datetime.date
DAY = D(2025, 3, 1)  # last year's results are those of 2024


@pytest.fixture
def due(province, units, users, small_set, media):  # noqa: F811
    from ntm.dossiers.services import document_add, dossier_create

    c = province[2]
    dossier = dossier_create(
        unit=units.quan_ha, criteria_set=small_set.set, year=2024, deadline=D(2025, 3, 10)
    )
    document_add(dossier=dossier, kind="to_trinh", title="", file=pdf())
    later = dossier_create(
        unit=c, criteria_set=small_set.set, year=2024, deadline=D(2025, 6, 30)
    )  # deadline far away: not yet a reminder
    subject = ocop.subject_save(
        user=None,
        kind="household",
        name="Hộ Nông Văn A",
        unit=units.quan_ha,
        tax_code="4700000001",
        representative="Nông Văn A",
    )
    product = ocop.product_save(
        user=None, name="Miến dong Côn Minh", subject=subject, group="thuc_pham", unit=units.quan_ha
    )
    certificate = ocop.certificate_issue(
        user=None, product=product, number="12/QĐ-UBND", issued_on=D(2022, 3, 20), stars=3
    )
    users.coordinator.email = "vpdp@backan.example"
    users.coordinator.save()
    return dossier, later, certificate


def test_reminders_for_each_role(due, users, province):  # noqa: F811
    dossier, later, certificate = due
    assert D(2025, 3, 1) < certificate.valid_to <= D(2025, 3, 31)
    items = reminders_for(users.coordinator, day=DAY)
    assert [i.kind for i in items] == ["dossier", "slipping", "slipping", "ocop"]
    assert (
        items[0].title
        == "Hồ sơ công nhận Xã Quân Hà (Đạt chuẩn nông thôn mới 2024) chưa đủ, hạn 10/03/2025"
    )
    assert items[0].url == f"/dossiers/{dossier.pk}/"
    assert (
        items[1].title.startswith(province[1].name)
        and items[2].detail == "TC1 (2023), TC2 (2024), TC3 (2024)"
    )
    assert items[3].due == certificate.valid_to
    # The commune officer of Quân Hà: its dossier and its product; no other commune's slip.
    assert [i.kind for i in reminders_for(users.commune, day=DAY)] == ["dossier", "ocop"]
    assert reminders_for(users.outsider, day=DAY) == []
    assert reminders_for(users.national, day=DAY) == []


def test_command_emails_only_with_a_mail_server(due, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("reminders", "--day", "01/03/2025", stdout=out)
    assert [m.to for m in mail.outbox] == [["vpdp@backan.example"]]
    assert mail.outbox[0].subject == "[NTM] 4 việc cần xử lý ngày 01/03/2025"
    assert "coordinator (4)" in out.getvalue()
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    assert not email_enabled()
    out = io.StringIO()
    call_command("reminders", "--day", "01/03/2025", stdout=out)
    assert mail.outbox == [] and "chưa cấu hình máy chủ SMTP" in out.getvalue()
    settings.EMAIL_HOST = "smtp.backan.example"
    assert email_enabled()
