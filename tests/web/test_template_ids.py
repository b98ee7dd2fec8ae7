"""Ids printed into a page must stay plain digits: with USE_THOUSAND_SEPARATOR, `{{ unit.pk }}`
renders unit 2225 as "2.225", and a form or link carrying it answers 404."""

import re
from pathlib import Path

from django.template import Context, Template

SRC = Path(__file__).resolve().parents[2] / "src" / "ntm"
BARE_ID = re.compile(r"\{\{\s*[\w.]*(\.pk|\.id|_id|\.version)\s*\}\}")


def test_no_template_prints_a_bare_id():
    offenders = [
        f"{path.relative_to(SRC)}:{n}: {match.group(0)}"
        for path in SRC.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in BARE_ID.finditer(line)
    ]
    assert offenders == [], "use |stringformat:'d' for ids:\n" + "\n".join(offenders)


def test_a_bare_id_would_be_grouped_and_the_filter_keeps_it_plain(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    page = Template("{{ pk }} {{ pk|stringformat:'d' }}").render(Context({"pk": 2225}))
    assert page == "2.225 2225"
