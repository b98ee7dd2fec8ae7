"""Actuals from assessment results: the average number of criteria met per commune."""

from decimal import Decimal

from ntm.reports.actuals import Context


def criteria_average(target, ctx: Context) -> Decimal | None:
    return ctx.summary.criteria_met_average if ctx.summary is not None else None
