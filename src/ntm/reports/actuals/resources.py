"""Actuals from resources: activity participants and money mobilised."""

from decimal import Decimal

from ntm.reports.actuals import Context
from ntm.resources.selectors import activity_figures, money_figures


def activity_participants(target, ctx: Context) -> Decimal:
    figures = (ctx.summary.activities if ctx.summary is not None else None) or activity_figures(
        target.unit, target.year
    )
    return Decimal(figures["participants"]["actual"])


def money_mobilised(target, ctx: Context) -> Decimal:
    """Money mobilised: disbursed from every source."""
    figures = (ctx.summary.resources if ctx.summary is not None else None) or money_figures(
        target.unit, target.year
    )
    return figures["disbursed"]
