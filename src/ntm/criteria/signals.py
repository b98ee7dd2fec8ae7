"""Signals the criteria app sends; apps above it listen (criteria never calls them)."""

from django.dispatch import Signal

# A criteria set's rules changed (an indicator, a threshold, a reloaded file): results derived
# from the set may be stale. Keyword argument: criteria_set. Sent inside the write's transaction.
rules_changed = Signal()
