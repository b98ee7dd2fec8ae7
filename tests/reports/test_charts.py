"""Charts: whole labels on several lines, never cut mid-word; one unit per targets chart."""

from decimal import Decimal

from ntm.reports.charts import Bar, bar_chart, wrap_label
from ntm.web.dashboard import _targets_charts


def test_labels_wrap_at_spaces_and_keep_every_word():
    label = "Số xã đạt chuẩn nông thôn mới nâng cao mới trong năm"
    lines = wrap_label(label, 16)
    assert " ".join(lines) == label and all(len(line) <= 16 for line in lines)
    svg = bar_chart([Bar(label, 3)], label_width=120)
    assert svg.count("<tspan") == len(lines) > 1
    for line in lines:
        assert f">{line}</tspan>" in svg


def test_targets_are_drawn_one_unit_per_chart():
    targets = [
        {
            "metric": "communes_new_at_level",
            "metric_label": "Số xã đạt chuẩn mới trong năm",
            "level": "ntm",
            "stars": None,
            "target": 5,
            "actual": 3,
            "wording": "đạt 3/5 xã",
        },
        {
            "metric": "communes_new_at_level",
            "metric_label": "Số xã đạt chuẩn mới trong năm",
            "level": "advanced",
            "stars": None,
            "target": 2,
            "actual": 2,
            "wording": "đạt 2/2 xã",
        },
        {
            "metric": "criteria_average",
            "metric_label": "Bình quân số tiêu chí đạt/xã",
            "level": None,
            "stars": None,
            "target": Decimal("13.5"),
            "actual": Decimal("12.81"),
            "wording": "đạt 12,81/13,5",
        },
    ]
    charts = dict(_targets_charts(targets))
    assert list(charts) == ["xã", "tiêu chí/xã"]
    assert "nông thôn mới nâng cao" in charts["xã"] or "nâng cao" in charts["xã"]
    assert "Bình quân" not in charts["xã"] and "Bình quân" in charts["tiêu chí/xã"]
