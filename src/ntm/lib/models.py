from django.db import models


class DataVersion(models.Model):
    """One row: a token that every committed write to the tables behind cached figures
    replaces (`lib.freshness`). In the database, so every app server sees the same version."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
