"""Which jobs a user sees: those about a unit in their scope (the national report's jobs: only
users who see everything), as every other record."""

from django.db.models import QuerySet

from ntm.jobs.models import Job


def jobs_visible(scope) -> QuerySet:
    jobs = Job.objects.select_related("unit", "user")
    if scope.everything:
        return jobs
    return scope.filter(jobs.filter(unit__isnull=False))
