from ntm.assessments.demo import demo_plan_ensure, demo_results_ensure
from ntm.criteria.services import criteria_load
from ntm.reports.selectors import progress_summary


def test_demo_results_reproduce_the_published_2023_figures(units):
    criteria_load(codes=["NTM-XA-2021"])
    assert demo_results_ensure() == 190
    s = progress_summary(unit=units.bac_kan, year=2023)
    assert s.bands == {"19": 29, "15-18": 5, "10-14": 33, "5-9": 28, "<5": 0}
    assert str(s.criteria_met_average) == "12.81"
    assert str(s.criteria_met_average_change) == "0.36"
    assert demo_results_ensure() == 0  # once only


def test_demo_plan_reproduces_the_published_results_against_the_plan(units):
    criteria_load(codes=["NTM-XA-2021"])
    demo_results_ensure()
    assert demo_plan_ensure() == 1 + 5 + 7
    s = progress_summary(unit=units.bac_kan, year=2023)
    assert s.recognised_new == {"ntm": 5, "advanced": 2}
    wording = {(t["metric"], t["level"]): t["wording"] for t in s.targets}
    assert wording[("communes_new_at_level", "ntm")].startswith("đạt 5/17 xã (29%)")
    assert wording[("communes_new_at_level", "advanced")].startswith("đạt 2/6 xã")
    assert demo_plan_ensure() == 0  # once only
