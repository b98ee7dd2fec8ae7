"""Every page a demo role reaches, read as text in Vietnamese: no English leftover, no raw code."""

import re
from html.parser import HTMLParser

import pytest

from ntm.assessments.demo import demo_results_ensure
from ntm.assessments.models import Assessment
from ntm.criteria.services import criteria_load
from ntm.plans.demo import demo_plan_ensure
from ntm.plans.models import Plan

# Words and codes that must never reach a reader (visible text only: not attributes, not CSS).
LEFTOVERS = [
    (r"\bTrue\b|\bFalse\b|\bNone\b", "a Python value"),
    (r"\b(draft|submitted|district_checked|appraised|approved|recognised|revoked)\b", "a code"),
    (r"\b(Not Found|Forbidden|Server Error|Page not found)\b", "an English error"),
    (r"\bTDMNPB|DBSH|DHNTB|DBSCL\b", "a region code"),
    (r"vietnamadminunits", "a package name"),
    (r"\bmới mới\b", "a doubled word"),
    (r"thuộc —", "an empty parent"),
    (r"≥ chưa có ngưỡng", "an operator without its threshold"),
    (r"\d,\d*?00\b(?! ?(đồng|m²|ngày|người))", "trailing zeros"),
    (r"\d\.\d+0000\b", "a raw decimal"),
    (r"\b(Save|Submit|Cancel|Delete|Search|Home|Logout|Log in)\b", "an English button"),
]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "option"):
            self._skip += 1
        if tag in ("input", "button"):
            for name, value in attrs:
                if name in ("placeholder", "value") and tag == "button" and value:
                    self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "option") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def leftovers(text: str) -> list[str]:
    found = []
    for pattern, what in LEFTOVERS:
        for match in re.finditer(pattern, text):
            start = max(match.start() - 40, 0)
            found.append(f"{what}: …{text[start : match.end() + 40]}…")
    return found


@pytest.fixture
def demo(units):
    criteria_load(codes=["NTM-XA-2021"])
    demo_results_ensure()
    demo_plan_ensure()
    return {
        "assessment": Assessment.objects.filter(unit=units.quan_ha, year=2023).first(),
        "plan": Plan.objects.order_by("pk").first(),
    }


def _pages(units, demo) -> list[str]:
    a, plan = demo["assessment"], demo["plan"]
    pages = [
        "/",
        "/?year=2023&basis=provisional",
        f"/?unit={units.bac_kan.pk}&year=2023",
        "/inbox/",
        "/assessments/",
        "/assessments/matrix/?year=2023",
        "/assessments/recognitions/",
        "/plans/",
        "/ocop/manage/",
        "/resources/",
        "/criteria/",
        "/units/",
        "/audit/",
        "/khong-co/",
        "/public/",
        f"/public/{units.bac_kan.pk}/?year=2023",
        f"/public/{units.quan_ha.pk}/?year=2023",
    ]
    if a is not None:
        pages.append(f"/assessments/{a.pk}/")
    if plan is not None:
        pages.append(f"/plans/{plan.pk}/")
    return pages


def test_text_and_patterns_are_checked():
    assert leftovers(visible_text("<p>48,5000 True</p><p class='approved'>Đạt</p>")) == [
        "a Python value: …48,5000 True Đạt…",
        "trailing zeros: …48,5000 True Đạt…",
    ]
    assert leftovers(visible_text("<p>12,81; 177.165; Có</p>")) == []


@pytest.mark.parametrize("role", ["coordinator", "district", "commune", "national"])
def test_no_english_or_raw_code_on_any_page(units, users, client_for, demo, role):
    client = client_for(getattr(users, role))
    problems = []
    for url in _pages(units, demo):
        response = client.get(url)
        if response.status_code not in (200, 403, 404):
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        problems += [f"{url} {p}" for p in leftovers(visible_text(response.content.decode()))]
    assert not problems, "\n".join(problems)
