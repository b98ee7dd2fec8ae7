"""What is due, per user: the daily `ntm reminders` and the inbox read the same list.

- recognition dossiers not complete, undecided, whose deadline is within `DOSSIER_NOTICE_DAYS`
  (or past), for the users who may write to the commune;
- recognised communes slipping (reports.keeping, last year's results), for the users of the
  province, district or commune;
- OCOP certificates expiring within 30 days (ocop.selectors.expiry_calendar).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for
from ntm.dossiers.selectors import dossier_status, dossiers_visible
from ntm.ocop.selectors import expiry_calendar
from ntm.reports.keeping import keeping_standard

DOSSIER_NOTICE_DAYS = 14
OCOP_NOTICE_DAYS = 30
ROLES = {Role.PROVINCE_COORDINATOR, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Reminder:
    kind: str  # "dossier" | "slipping" | "ocop"
    title: str
    detail: str
    url: str
    due: datetime.date | None = None


def _dossiers(scope, day: datetime.date) -> list[Reminder]:
    horizon = day + datetime.timedelta(days=DOSSIER_NOTICE_DAYS)
    qs = dossiers_visible(scope).filter(
        recognition__isnull=True, deadline__isnull=False, deadline__lte=horizon
    )
    out = []
    for dossier in qs.order_by("deadline", "unit__code"):
        if not scope.can_write_to(dossier.unit):
            continue
        status = dossier_status(dossier)
        if status.complete:
            continue
        out.append(
            Reminder(
                kind="dossier",
                title=_("Hồ sơ công nhận %(unit)s (%(level)s %(year)s) chưa đủ, hạn %(date)s")
                % {
                    "unit": dossier.unit.name,
                    "level": dossier.get_level_display(),
                    "year": dossier.year,
                    "date": dossier.deadline.strftime("%d/%m/%Y"),
                },
                detail=" ".join(status.problems),
                url=reverse("dossiers:detail", args=[dossier.pk]),
                due=dossier.deadline,
            )
        )
    return out


def _slipping(scope, year: int, cache: dict) -> list[Reminder]:
    out = []
    for root in scope.roots:
        if root.pk not in cache:
            cache[root.pk] = keeping_standard(unit=root, year=year)
        for row in cache[root.pk]:
            if not row["slipping"]:
                continue
            out.append(
                Reminder(
                    kind="slipping",
                    title=_("%(unit)s (%(level)s) không còn đạt %(n)s tiêu chí")
                    % {"unit": row["name"], "level": row["level_label"], "n": len(row["lost"])},
                    detail=", ".join(f"{x['criterion']} ({x['since']})" for x in row["lost"]),
                    url=reverse("dossiers:keeping") + f"?unit={root.pk}&year={year}",
                )
            )
    return out


def _ocop(scope, day: datetime.date) -> list[Reminder]:
    return [
        Reminder(
            kind="ocop",
            title=_("Chứng nhận OCOP %(product)s (%(stars)s★) hết hạn ngày %(date)s")
            % {
                "product": c.product.name,
                "stars": c.stars,
                "date": c.valid_to.strftime("%d/%m/%Y"),
            },
            detail=c.number,
            url=reverse("ocop:product_detail", args=[c.product_id]),
            due=c.valid_to,
        )
        for c in expiry_calendar(day=day, days=OCOP_NOTICE_DAYS, scope=scope)
    ]


def reminders_for(user, *, day: datetime.date | None = None, cache: dict | None = None) -> list:
    """What is due for the user on the day (today by default). Users of the province, districts
    and communes get reminders; national viewers and administrators see the lists instead.
    `cache` lets a caller looping over users compute each unit's keeping list once."""
    if user is None or not user.is_active or user.role not in ROLES or user.unit_id is None:
        return []
    day = day or datetime.date.today()
    scope = scope_for(user)
    cache = {} if cache is None else cache
    return [
        *_dossiers(scope, day),
        *_slipping(scope, day.year - 1, cache),  # last year's results, as the dashboard
        *_ocop(scope, day),
    ]


def email_enabled() -> bool:
    """True when mail would go somewhere: an SMTP backend with a server named (EMAIL_HOST), or
    any other backend set on purpose (console, file, locmem in tests)."""
    backend = getattr(settings, "EMAIL_BACKEND", SMTP_BACKEND)
    if backend == SMTP_BACKEND:
        return bool(getattr(settings, "EMAIL_HOST", ""))
    return True
