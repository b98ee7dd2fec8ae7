"""Each plan metric names the function computing its actual (ntm.reports.actuals)."""

from ntm.plans.models import METRICS, Metric
from ntm.reports.targets import actual_function


def test_every_metric_names_an_importable_actual_or_none():
    named = {metric: actual_function(metric) for metric in METRICS}
    assert {m for m, f in named.items() if f is None} == {
        Metric.CRITERIA_ADDED_MIN,
        Metric.INCOME_MULTIPLE,
    }
    assert named[Metric.VILLAGES_NTM].__module__ == "ntm.reports.actuals.recognitions"
    assert named[Metric.MONEY_MOBILISED].__module__ == "ntm.reports.actuals.resources"
    assert all(callable(f) for f in named.values() if f is not None)
