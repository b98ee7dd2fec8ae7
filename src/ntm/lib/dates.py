"""Year helpers shared by figures, plans and reports."""

import datetime


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)
