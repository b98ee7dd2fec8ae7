"""Sets of every period: nâng cao and kiểu mẫu 2018-2020, the period of a province's own set."""

import datetime

import pytest

from ntm.assessments.models import State
from ntm.assessments.recognitions import recognition_record
from ntm.assessments.services import (
    ManualResult,
    assessment_get_or_create,
    assessment_save,
    assessment_transition,
)
from ntm.criteria.models import CriteriaSet, Indicator, IndicatorStatus
from ntm.criteria.services import (
    CriteriaEditError,
    criteria_load,
    criteria_set_clone,
    criteria_set_period_set,
)
from ntm.reports.selectors import progress_summary
from ntm.units.models import Unit
from ntm.units.selectors import communes_of


def _approve(unit, cset, user, year):
    a = assessment_get_or_create(unit=unit, year=year, criteria_set=cset)
    values = {
        i.pk: True if i.kind == "boolean" else 100
        for i in Indicator.objects.filter(criterion__criteria_set=cset)
    }
    a = assessment_save(assessment=a, user=user, version=a.version, values=values)
    # criteria whose indicators have no threshold are decided by the appraisal (no reason)
    appraised = {c.pk: ManualResult(met=True) for c in cset.criteria.all()}
    a = assessment_save(assessment=a, user=user, version=a.version, manual=appraised)
    for state in (State.SUBMITTED, State.DISTRICT_CHECKED, State.APPRAISED, State.APPROVED):
        a = assessment_transition(assessment=a, user=user, to_state=state)
    return a


@pytest.mark.django_db
def test_the_2018_sets_are_province_issued_placeholders():
    criteria_load(codes=["NTM-XA-NC-2018", "NTM-XA-KM-2018"])
    for code, level in (("NTM-XA-NC-2018", "advanced"), ("NTM-XA-KM-2018", "model")):
        cset = CriteriaSet.objects.get(code=code)
        assert (cset.period_start, cset.period_end, cset.level) == (2018, 2020, level)
        assert cset.criteria.count() == 19
        indicators = Indicator.objects.filter(criterion__criteria_set=cset)
        assert indicators.count() == 19
        assert set(indicators.values_list("status", flat=True)) == {IndicatorStatus.SET_BY_PROVINCE}
        assert not indicators.filter(thresholds__isnull=False).exists()  # no invented number
    assert CriteriaSet.objects.get(code="NTM-XA-NC-2018").decision_number == "Do tỉnh ban hành"
    assert CriteriaSet.objects.get(code="NTM-XA-KM-2018").decision_number == "691/QĐ-TTg"


@pytest.mark.django_db
def test_2020_advanced_recognitions_count_in_the_2020_summary(units, users):
    criteria_load(codes=["NTM-XA-2016", "NTM-XA-NC-2018"])
    nc = CriteriaSet.objects.get(code="NTM-XA-NC-2018")
    communes = list(communes_of(units.lang_son, 2020).order_by("code")[:4])
    for n, commune in enumerate(communes, start=1):
        _approve(commune, nc, users.outsider, 2020)
        recognition_record(
            unit=commune,
            level="advanced",
            criteria_set=nc,
            year=2020,
            action="recognised",
            decision_number=f"{2100 + n}/QĐ-UBND",
            decision_date=datetime.date(2020, 12, 28),
            user=users.outsider,
            # their NTM decisions (before this system) are not entered: nâng cao needs a reason
            override_reason="Quyết định công nhận NTM trước năm 2020 lưu bản giấy",
        )
    summary = progress_summary(unit=units.lang_son, year=2020)
    assert summary.criteria_set.code == "NTM-XA-2016"  # the NTM set in force
    assert summary.recognised_new == {"advanced": 4}
    assert progress_summary(unit=units.lang_son, year=2021).recognised_new.get("advanced", 0) == 0


@pytest.mark.django_db
def test_a_province_set_takes_its_own_period_unless_results_fall_outside(units, users):
    criteria_load(codes=["NTM-XA-NC-2021"])
    source = CriteriaSet.objects.get(code="NTM-XA-NC-2021")
    own = criteria_set_clone(source=source, province=units.lang_son, code="LS-NC-2018", name="")
    assert (own.period_start, own.period_end) == (2021, 2025)

    criteria_set_period_set(criteria_set=own, period_start=2018, period_end=2020)
    own.refresh_from_db()
    assert (own.period_start, own.period_end) == (2018, 2020)

    commune = Unit.objects.get(pk=units.lang_son_commune.pk)
    _approve(commune, own, users.outsider, 2020)
    with pytest.raises(CriteriaEditError, match="2020"):
        criteria_set_period_set(criteria_set=own, period_start=2021, period_end=2025)
    with pytest.raises(CriteriaEditError):
        criteria_set_period_set(criteria_set=source, period_start=2018, period_end=2025)
    with pytest.raises(CriteriaEditError):
        criteria_set_period_set(criteria_set=own, period_start=2020, period_end=2019)
    criteria_set_period_set(criteria_set=own, period_start=2019, period_end=2020)
    own.refresh_from_db()
    assert own.period_start == 2019


@pytest.mark.django_db
def test_the_period_form_is_for_the_coordinator_of_the_set(units, users, client_for):
    criteria_load(codes=["NTM-XA-NC-2021"])
    own = criteria_set_clone(
        source=CriteriaSet.objects.get(code="NTM-XA-NC-2021"),
        province=units.lang_son,
        code="LS-NC",
        name="",
    )
    url = f"/criteria/{own.pk}/period/"
    response = client_for(users.outsider).post(url, {"period_start": 2018, "period_end": 2020})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.period_start, own.period_end) == (2018, 2020)
    assert client_for(users.coordinator).post(url, {"period_start": 2019}).status_code == 404
