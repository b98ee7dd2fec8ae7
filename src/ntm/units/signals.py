"""Signals the units app sends; apps above it listen (units never calls them)."""

from django.dispatch import Signal

# A unit attribute that thresholds may depend on changed for some years. Keyword arguments:
# unit, years (a range). Sent inside the write's transaction.
rules_changed = Signal()
