from ntm.assessments.demo import demo_results_ensure
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
