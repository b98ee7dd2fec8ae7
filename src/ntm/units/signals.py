"""Signals the units app sends; apps above it listen (units never calls them)."""

from django.dispatch import Signal

# A unit attribute that thresholds may depend on changed for some years. Keyword arguments:
# unit, years (a range). Sent inside the write's transaction.
rules_changed = Signal()

# Sent after units were created or changed in bulk, past `Unit.save` and its signals (the
# catalogue's writes), with `unit_ids`: apps above keep what they copied of a unit
# (assessments.figures).
units_written = Signal()
