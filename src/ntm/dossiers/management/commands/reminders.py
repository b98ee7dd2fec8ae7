"""`ntm reminders`: the daily list of what is due, per user; e-mailed when an SMTP server is
configured (EMAIL_HOST), printed in any case. Run it from cron once a day."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ntm.accounts.models import User
from ntm.reports.reminders import ROLES, email_enabled, reminders_for


class Command(BaseCommand):
    help = "Việc đến hạn của từng người dùng (hồ sơ công nhận, giữ chuẩn, chứng nhận OCOP)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="ngày tính (dd/mm/yyyy), mặc định hôm nay")
        parser.add_argument("--no-email", action="store_true", help="chỉ in, không gửi e-mail")

    def handle(self, *args, **options):
        day = datetime.date.today()
        if options["day"]:
            try:
                day = datetime.datetime.strptime(options["day"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError(_("Ngày phải viết dd/mm/yyyy.")) from exc
        send = email_enabled() and not options["no_email"]
        cache: dict = {}
        users = User.objects.filter(is_active=True, role__in=ROLES, unit__isnull=False)
        sent = 0
        for user in users.select_related("unit").order_by("username"):
            items = reminders_for(user, day=day, cache=cache)
            if not items:
                continue
            lines = [
                f"- {item.title}" + (f": {item.detail}" if item.detail else "") for item in items
            ]
            self.stdout.write(f"{user.username} ({len(items)})")
            for line in lines:
                self.stdout.write(f"  {line}")
            if send and user.email:
                subject = _("[NTM] %(n)s việc cần xử lý ngày %(date)s") % {
                    "n": len(items),
                    "date": day.strftime("%d/%m/%Y"),
                }
                send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])
                sent += 1
        if options["no_email"]:
            self.stdout.write(_("Không gửi e-mail (--no-email)."))
        elif not send:
            self.stdout.write(_("Không gửi e-mail (chưa cấu hình máy chủ SMTP: EMAIL_HOST)."))
        else:
            self.stdout.write(_("Đã gửi %(n)s e-mail.") % {"n": sent})
