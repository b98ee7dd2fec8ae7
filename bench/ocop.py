"""The OCOP council benchmark (issue 14): the scoring page of the largest 26/2026 product sheet,
and closing a round of 100 products.

`bench/run.py ocop` migrates a fresh database, loads the units of Bắc Kạn (06), then runs this
file as a script in that database: `python bench/ocop.py` (DJANGO_SETTINGS_MODULE and
DATABASE_URL set) loads the OCOP sets and the 26 product sheets, makes a province round of 2026
with a council of three (chair, secretary, member) and 100 products spread over the 26 sheets,
and has every member save a complete sheet for every product (seeded random choices, a note on
each so that no divergence blocks the close; not timed). Then it times, warm:

- GET of the scoring page of the product on the largest sheet (most scored items) for a member
  with a saved sheet: median of 7 after one untimed call; target 300 ms;
- `council.round_close` of the 100 products (all checks, the recomputation, the proposal list):
  median of 3 runs, each rolled back; target 2 s.

It prints one JSON line {"rows": [[label, seconds, target], ...], "note": "..."} on stdout.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_TARGET, CLOSE_TARGET = 0.3, 2.0
PRODUCTS, SEED = 100, 2026


def measure(env: dict, tmp: Path, notes: list[str] | None = None, db_name: str = "") -> list[tuple]:
    """Rows (label, seconds, target) for run.py's table, from a fresh database."""
    ntm = [sys.executable, "-m", "ntm.cli"]
    for args in (["migrate", "-v0"], ["units", "-v0", "load", "--province", "06"]):
        subprocess.run([*ntm, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [sys.executable, str(Path(__file__))],
        env={**env, "DJANGO_SETTINGS_MODULE": "ntm.settings", "PYTHONWARNINGS": "ignore"},
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the OCOP benchmark failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if notes is not None:
        notes.append(f"{db_name}: {result['note']}" if db_name else result["note"])
    return [tuple(row) for row in result["rows"]]


# -- inside the benchmark database ------------------------------------------------------------


def _world():
    """Users, the round, its council and 100 products with every member's complete sheet."""
    import datetime
    import random

    from ntm.accounts.models import Role, User
    from ntm.ocop import council, rules, services
    from ntm.ocop.models import SheetOption
    from ntm.ocop.sheets import product_sheets_load
    from ntm.units.models import Level, Unit

    sets = {s.code: s for s in services.sheets_load()}
    product_sheets_load(sets["OCOP-26-2026"])
    province = Unit.objects.filter(code="06", level=Level.PROVINCE).order_by("valid_from").first()
    communes = list(
        Unit.objects.filter(path__startswith=province.path, level=Level.COMMUNE).order_by("code")
    )
    people = [
        User.objects.create(username=name, role=role, unit=province)
        for name, role in (
            ("chu_tich", Role.PROVINCE_COORDINATOR),
            ("thu_ky", Role.DEPARTMENT_OFFICER),
            ("thanh_vien", Role.DEPARTMENT_OFFICER),
        )
    ]
    chair = people[0]
    leaves = [leaf["code"] for leaf in rules.classification()]
    products = []
    for i in range(PRODUCTS):
        unit = communes[i % len(communes)]
        subject = services.subject_save(
            user=None, kind="cooperative", name=f"HTX số {i + 1}", unit=unit
        )
        products.append(
            services.product_save(
                user=None,
                name=f"Sản phẩm số {i + 1}",
                subject=subject,
                unit=unit,
                classification=leaves[i % len(leaves)],
            )
        )
    rnd = services.round_save(
        user=None, unit=province, year=2026, number=2, held_on=datetime.date(2026, 12, 10)
    )
    roles = ("chair", "secretary", "member")
    council.council_set(user=chair, round=rnd, members=list(zip(people, roles, strict=True)))
    evaluations = council.round_products_add(user=chair, round=rnd, products=products)
    options: dict = {}
    for o in SheetOption.objects.filter(item__scored=True).select_related("item"):
        if not o.blocked:
            options.setdefault(o.item.sheet_id, {}).setdefault(o.item.code, []).append(o.pk)
    pick = random.Random(SEED)
    for ev in evaluations:
        for person in people:
            picked = {
                code: pick.choice(ids[-2:])  # one of the two best options of each item
                for code, ids in options[ev.product_sheet_id].items()
            }
            council.member_sheet_save(
                user=person, evaluation=ev, choices=picked, note="Giải trình (bench)", version=0
            )
    return rnd, evaluations, people


def _median(fn, repeat: int) -> float:
    import statistics
    import time

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_inside() -> dict:
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Count, Q
    from django.test import Client

    from ntm.ocop import council
    from ntm.ocop.models import ProductSheet, RoundStatus

    rnd, evaluations, people = _world()
    largest = (
        ProductSheet.objects.filter(scoring_set__code="OCOP-26-2026")
        .annotate(n=Count("items", filter=Q(items__scored=True)))
        .order_by("-n", "number")
        .first()
    )
    ev = next(e for e in evaluations if e.product_sheet_id == largest.pk)
    client = Client(SERVER_NAME="localhost")
    client.force_login(people[2])
    url = f"/ocop/manage/evaluations/{ev.pk}/score/"

    def page():
        response = client.get(url)
        if response.status_code != 200 or b'name="item_' not in response.content:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    page()  # warm: templates, caches, connection
    page_seconds = _median(page, 7)

    def close():
        with transaction.atomic():
            closed = council.round_close(user=people[0], round=rnd)
            if len(closed) != PRODUCTS:
                raise SystemExit(f"closed {len(closed)} products, expected {PRODUCTS}")
            transaction.set_rollback(True)

    close_seconds = _median(close, 3)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN  # every timed close was rolled back
    return {
        "rows": [
            [
                f"OCOP scoring page, largest sheet (phiếu {largest.number}, {largest.n} items)",
                page_seconds,
                PAGE_TARGET,
            ],
            [f"OCOP close a round of {PRODUCTS} products × 3 members", close_seconds, CLOSE_TARGET],
        ],
        "note": (
            f"ocop: {PRODUCTS} products on the 26 sheets, 3 members × {PRODUCTS} complete sheets; "
            f"page median of 7 warm GETs, close median of 3 rolled-back runs"
        ),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    print(json.dumps(run_inside()))
