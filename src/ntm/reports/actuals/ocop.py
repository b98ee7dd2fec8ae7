"""Actuals from OCOP certificates."""

from decimal import Decimal

from ntm.reports.actuals import Context


def ocop_products_by_stars(target, ctx: Context) -> Decimal | None:
    """Products certified for the first time in the year, at the target's stars (or any)."""
    if ctx.summary is None or not ctx.summary.ocop:
        return None
    new = ctx.summary.ocop.get("certified_new", {})
    if target.stars:
        return Decimal(new.get(str(target.stars), 0))
    return Decimal(sum(new.values()))
