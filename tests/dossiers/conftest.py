import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ntm.dossiers.services import dossier_create

PDF = b"%PDF-1.4\n%test\n"


def pdf(name="van-ban.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dossier(units, small_set, users, media):
    return dossier_create(
        unit=units.quan_ha,
        criteria_set=small_set.set,
        year=2023,
        deadline=datetime.date(2023, 11, 30),
        user=users.commune,
    )


@pytest.fixture
def approved(units, small_set, users):
    """An approved assessment of Quân Hà for 2023 that meets the standard."""
    from ntm.assessments.models import State
    from ntm.assessments.services import (
        assessment_get_or_create,
        assessment_save,
        assessment_transition,
    )

    a = assessment_get_or_create(unit=units.quan_ha, year=2023, criteria_set=small_set.set)
    values = {small_set.i1.pk: True, small_set.i2.pk: 90, small_set.i3.pk: 90}
    a = assessment_save(assessment=a, user=users.coordinator, version=a.version, values=values)
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=users.coordinator, to_state=state)
    assert a.meets_standard
    return a
