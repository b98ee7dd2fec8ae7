"""The actual figure of each plan metric, one module per figure family.

A plan metric names its function in `ntm.plans.models.METRICS` (`MetricInfo.actual`, a dotted
path); `ntm.reports.targets` calls it with the target and a `Context`. Every function answers
from the figures the summary already computed when it has them, and returns None where no
figure exists.
"""

from dataclasses import dataclass, field

from ntm.units.models import Unit


@dataclass
class Context:
    """What an actual is computed from: the unit, the year, the progress summary of that unit
    and year (or None), and a cache shared by the targets of one call."""

    unit: Unit
    year: int
    summary: object | None
    cache: dict = field(default_factory=dict)

    def once(self, key: str, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]
