"""Recompute open assessments when the rules they were computed with change.

Connected in `AssessmentsConfig.ready`; the senders (criteria, units) sit below this app and
do not know about it.
"""

from django.dispatch import receiver

from ntm.assessments.services import assessments_recompute_where
from ntm.criteria.signals import rules_changed as criteria_rules_changed
from ntm.units.signals import rules_changed as unit_rules_changed


@receiver(criteria_rules_changed, dispatch_uid="assessments-criteria-rules")
def criteria_set_changed(sender, *, criteria_set, **kwargs) -> None:
    assessments_recompute_where(criteria_set=criteria_set)


@receiver(unit_rules_changed, dispatch_uid="assessments-unit-rules")
def unit_attribute_changed(sender, *, unit, years, **kwargs) -> None:
    assessments_recompute_where(under=unit, years=years)
