"""Actuals from recognition decisions: communes and villages recognised."""

from decimal import Decimal

from ntm.assessments.models import Recognition, RecognitionAction
from ntm.criteria import levels as recognition_levels
from ntm.reports.actuals import Context
from ntm.units.models import within_q


def _has_recognitions(ctx: Context) -> bool:
    return ctx.summary is not None and ctx.summary.criteria_set is not None


def communes_new_at_level(target, ctx: Context) -> Decimal | None:
    if not _has_recognitions(ctx):
        return None
    return Decimal(ctx.summary.recognised_new.get(target.level, 0))


def communes_total_at_level(target, ctx: Context) -> Decimal | None:
    if not _has_recognitions(ctx):
        return None
    return Decimal(ctx.summary.recognised_total.get(target.level, 0))


def villages_recognised(unit, year: int) -> int:
    """Villages recognised as NTM villages in the year under the unit."""
    return Recognition.objects.filter(
        within_q(unit),
        level=recognition_levels.VILLAGE_NTM,
        action=RecognitionAction.RECOGNISED,
        year=year,
    ).count()


def villages_ntm(target, ctx: Context) -> Decimal:
    return Decimal(ctx.once("villages", lambda: villages_recognised(ctx.unit, ctx.year)))
