"""The dossier's part in recording a recognition, without the assessments app importing this
one: a check registered with `recognitions.RECOGNITION_CHECKS`, and a post_save link."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from ntm.assessments import recognitions
from ntm.assessments.models import Recognition, RecognitionAction
from ntm.dossiers.selectors import dossier_for, dossier_status


def dossier_check(*, unit, level: str, year: int, override_reason: str) -> None:
    """A unit with a dossier for the level and year is recognised only on a complete dossier,
    or with a recorded reason. (Decisions with no dossier — earlier years, imports of past
    decisions — keep the rules of assessments.recognitions alone.)"""
    dossier = dossier_for(unit=unit, level=level, year=year)
    if dossier is None or override_reason:
        return
    status = dossier_status(dossier)
    if not status.complete:
        raise recognitions.RecognitionError(
            _(
                "Hồ sơ công nhận của %(unit)s chưa đủ: %(problems)s Nếu vẫn quyết định, hãy ghi lý do."
            )
            % {"unit": unit.name, "problems": " ".join(status.problems)},
            "override_reason",
        )


if dossier_check not in recognitions.RECOGNITION_CHECKS:
    recognitions.RECOGNITION_CHECKS.append(dossier_check)


@receiver(post_save, sender=Recognition, dispatch_uid="dossiers.link_recognition")
def link_recognition(sender, instance: Recognition, created: bool, raw=False, **kwargs) -> None:
    """A recognition links the dossier of its unit, level and year, with what was missing."""
    if raw or not created or instance.action != RecognitionAction.RECOGNISED:
        return
    dossier = dossier_for(unit=instance.unit, level=instance.level, year=instance.year)
    if dossier is None or dossier.recognition_id is not None:
        return
    status = dossier_status(dossier)
    dossier.recognition = instance
    dossier.problems_at_decision = status.problems
    dossier.decision_reason = instance.override_reason if status.problems else ""
    dossier.save(update_fields=["recognition", "problems_at_decision", "decision_reason"])
