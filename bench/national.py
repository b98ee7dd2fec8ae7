"""The national benchmark: a synthetic dataset on the real unit list, then timed figures.

`python bench/national.py generate` fills a database that already has every unit
(`ntm units load --all`) and the shipped commune sets with five years (2021-2025) of
NTM-XA-2021 assessments of every legacy xã of the 63 provinces: every criterion result and
indicator value, plus recognition decisions (some revoked, some advanced). Deterministic (seeded).
Assessments go through bulk_create; the ~1.5 million result and value rows are raw bulk inserts
(executemany on SQLite, COPY on PostgreSQL) and write no history rows (synthetic data).

`python bench/national.py measure` times, warm (median of 5 after one untimed call), the
province summary, the national summary and the dashboard pages, then computes the same national
figures with one hand-written DuckDB query over the same rows (exported first, not timed),
checks they are equal and prints everything as JSON on stdout.
"""

import datetime
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from tqdm import tqdm  # noqa: E402

from ntm.accounts.models import Role, User  # noqa: E402
from ntm.assessments.figures import figures_rebuild  # noqa: E402
from ntm.assessments.models import (  # noqa: E402
    Assessment,
    CriterionResult,
    IndicatorValue,
    Recognition,
    RecognitionAction,
    State,
)
from ntm.criteria.models import CriteriaSet, Indicator  # noqa: E402
from ntm.reports.selectors import national_summary, progress_summary  # noqa: E402
from ntm.units.models import Kind, Level, Unit  # noqa: E402

SETS = ["NTM-XA-2016", "NTM-XA-2021", "NTM-XA-NC-2021"]
SET = "NTM-XA-2021"
YEARS = range(2021, 2026)
SEED = 2021
YEAR = 2024  # the year the timings use (every legacy province whole)
PROVINCES = ["06", "38"]  # Bắc Kạn (95 xã, the seeds' province) and Thanh Hóa (the most xã)
DASHBOARD_PROVINCE = "38"
REPEAT = 5
# How easily each of the 19 criteria is met (income, production, environment are the hardest).
EASE = {
    1: 0.95,
    2: 0.6,
    3: 0.8,
    4: 0.9,
    5: 0.5,
    6: 0.55,
    7: 0.7,
    8: 0.85,
    9: 0.75,
    10: 0.3,
    11: 0.45,
    12: 0.7,
    13: 0.35,
    14: 0.8,
    15: 0.75,
    16: 0.8,
    17: 0.25,
    18: 0.7,
    19: 0.9,
}


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


class _Writer:
    """Raw bulk inserts into one table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, model, batch: int = 50_000):
        self.table = model._meta.db_table
        self.columns = _columns(model)
        self.rows: list[tuple] = []
        self.batch = batch

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})", self.rows)
        self.rows = []


def generate(*, seed: int = SEED) -> dict:
    rng = random.Random(seed)
    sets = {s.code: s for s in CriteriaSet.objects.filter(code__in=SETS)}
    cset = sets[SET]
    criteria = list(cset.criteria.order_by("number"))
    indicators: dict[int, list[tuple[int, str]]] = {c.pk: [] for c in criteria}
    for ind in Indicator.objects.filter(criterion__criteria_set=cset).order_by("position", "code"):
        indicators[ind.criterion_id].append((ind.pk, ind.kind))
    provinces = {
        p.pk: p
        for p in Unit.objects.filter(level=Level.PROVINCE, valid_to__isnull=False).order_by("code")
    }
    mean = {pk: rng.uniform(9.0, 16.5) for pk in provinces}
    communes = list(
        Unit.objects.filter(level=Level.COMMUNE, kind=Kind.COMMUNE, valid_to__isnull=False)
        .order_by("code")
        .values_list("pk", "path")
    )
    now = datetime.datetime.now(datetime.UTC)
    results, values = _Writer(CriterionResult), _Writer(IndicatorValue)
    recognitions: list[Recognition] = []
    number = 0

    def decide(unit_id, level, set_code, year, action=RecognitionAction.RECOGNISED, month=12):
        nonlocal number
        number += 1
        recognitions.append(
            Recognition(
                unit_id=unit_id,
                level=level,
                criteria_set=sets.get(set_code, cset),
                year=year,
                action=action,
                decision_number=f"{number}/QĐ-UBND",
                decision_date=datetime.date(year, month, rng.randint(5, 28)),
                override_reason="Dữ liệu tổng hợp cho kiểm thử hiệu năng",
            )
        )

    # One profile per commune: its level, its growth, the order in which it meets the criteria.
    profiles = []
    for pk, path in communes:
        province = int(path.strip("/").split("/")[0])
        base = min(19.0, max(1.0, rng.gauss(mean[province], 3.5)))
        order = sorted(criteria, key=lambda c: -(EASE[c.number] + rng.gauss(0, 0.25)))
        held = set()
        if base >= 17 and rng.random() < 0.8:  # recognised under the 2016-2020 set
            held.add("ntm")
            base = max(base, 18.5)
            decide(pk, "ntm", "NTM-XA-2016", rng.randint(2014, 2020))
        profiles.append([pk, base, rng.uniform(0.1, 1.1), order, held])

    total = len(profiles) * len(YEARS)
    with (
        transaction.atomic(),
        tqdm(total=total, desc="tổng hợp đánh giá", unit=" xã-năm", file=sys.stderr) as bar,
    ):
        for year in YEARS:
            batch: list[Assessment] = []
            met_sets: list[set[int]] = []
            for pk, base, growth, order, held in profiles:
                if rng.random() < 0.03:  # not assessed this year
                    bar.update(1)
                    continue
                k = round(base + growth * (year - 2021) + rng.gauss(0, 0.5))
                if "ntm" in held and rng.random() < 0.92:
                    k = 19  # recognised communes mostly keep the standard
                k = min(19, max(0, k))
                if year < 2025:
                    state = State.APPROVED if rng.random() < 0.93 else State.APPRAISED
                else:
                    state = rng.choice(
                        [
                            State.APPROVED,
                            State.APPROVED,
                            State.APPRAISED,
                            State.DISTRICT_CHECKED,
                            State.SUBMITTED,
                        ]
                    )
                met = {c.pk for c in order[:k]}
                batch.append(
                    Assessment(
                        unit_id=pk,
                        year=year,
                        criteria_set=cset,
                        state=state,
                        criteria_met=k,
                        meets_standard=k == 19,
                        created_at=now,
                        updated_at=now,
                    )
                )
                met_sets.append(met)
                approved = state == State.APPROVED
                if approved and k == 19 and "ntm" not in held:
                    held.add("ntm")
                    decide(pk, "ntm", SET, year)
                elif approved and k == 19 and "advanced" not in held and rng.random() < 0.15:
                    held.add("advanced")
                    decide(pk, "advanced", "NTM-XA-NC-2021", year)
                elif "ntm" in held and k < 16 and rng.random() < 0.3:
                    held.discard("ntm")
                    decide(pk, "ntm", SET, year, RecognitionAction.REVOKED)
            Assessment.objects.bulk_create(batch, batch_size=2000)
            for assessment, met in zip(batch, met_sets, strict=True):
                a = assessment.pk
                for c in criteria:
                    ok = c.pk in met
                    results.add((a, c.pk, ok, None, "", ok, "derived"))
                    inds = indicators[c.pk]
                    failing = None if ok or not inds else rng.randrange(len(inds))
                    for i, (ind_pk, kind) in enumerate(inds):
                        good = ok or (i != failing and rng.random() < 0.7)
                        if kind == "number":
                            value = (
                                Decimal(rng.randint(750, 1000) if good else rng.randint(300, 749))
                                / 10
                            )
                            values.add((a, ind_pk, None, value, good))
                        else:
                            values.add((a, ind_pk, good, None, good))
                bar.update(1)
            results.flush()
            values.flush()
        Recognition.objects.bulk_create(recognitions, batch_size=2000)
    # The rows above were bulk-written, past the services: the kept figures are rebuilt once,
    # as `ntm figures rebuild` would (timed apart).
    started = time.perf_counter()
    figures = figures_rebuild()
    rebuild_seconds = time.perf_counter() - started
    # Fresh statistics after a bulk load, as PostgreSQL's autovacuum would gather within a minute
    # or so and `ntm serve` gathers on SQLite when it starts; without them the planner scans
    # whole tables (on PostgreSQL the province summary then takes ~3x longer). On PostgreSQL a
    # VACUUM too: the steady state of a database autovacuum has long since visited, rather than
    # autovacuum's first pass over 1.6 million new rows competing with the timings.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "communes": len(communes),
        "assessments": Assessment.objects.count(),
        "criterion_results": CriterionResult.objects.count(),
        "indicator_values": IndicatorValue.objects.count(),
        "recognitions": len(recognitions),
        "figures": figures,
        "figures_rebuild_seconds": rebuild_seconds,
    }


def _median(fn, repeat: int = REPEAT) -> float:
    fn()  # warm: caches, connection, query plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _client(user):
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response

    return get


def _duckdb_export():
    """The unit and assessment tables, copied into an in-memory DuckDB (not timed)."""
    import duckdb
    import numpy as np

    con = duckdb.connect()

    def load(name, sql, columns, dates=()):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        data = {}
        for i, column in enumerate(columns):
            values = [r[i] for r in rows]
            if column in dates:
                data[column] = np.array(values, dtype="datetime64[D]").astype("datetime64[s]")
            else:
                data[column] = np.array(
                    values, dtype=object if isinstance(values[0], str) else None
                )
        con.register(f"{name}_src", data)
        casts = ", ".join(f"{c}::DATE AS {c}" if c in dates else c for c in columns)
        con.execute(f"CREATE TABLE {name} AS SELECT {casts} FROM {name}_src")
        con.unregister(f"{name}_src")

    load(
        "unit",
        f"SELECT id, path, level, kind, valid_from, valid_to FROM {Unit._meta.db_table}",
        ["id", "path", "level", "kind", "valid_from", "valid_to"],
        dates=("valid_from", "valid_to"),
    )
    load(
        "assessment",
        f"SELECT unit_id, year, criteria_set_id, criteria_met, state FROM {Assessment._meta.db_table}",
        ["unit_id", "year", "criteria_set_id", "criteria_met", "state"],
    )
    return con


def duckdb_query(cset: CriteriaSet, year: int) -> str:
    """Per province of the year (in force on 1/1, each on its own reference day): xã assessed,
    the average criteria met in hundredths rounded half up, and the communes in each band."""
    bands = ",\n  ".join(
        f"count(a.unit_id) FILTER (WHERE a.criteria_met BETWEEN {int(b['min'])} AND {int(b['max'])})"
        for b in cset.bands
    )
    return f"""
WITH p AS (
  SELECT id, least(DATE '{year}-12-31', coalesce(valid_to, DATE '{year}-12-31')) AS ref
  FROM unit
  WHERE level = {Level.PROVINCE}
    AND (valid_from IS NULL OR valid_from <= DATE '{year}-01-01')
    AND (valid_to IS NULL OR valid_to >= DATE '{year}-01-01')
), c AS (
  SELECT u.id, p.id AS province
  FROM unit u JOIN p ON CAST(split_part(u.path, '/', 2) AS BIGINT) = p.id
  WHERE u.level = {Level.COMMUNE} AND u.kind = '{Kind.COMMUNE}'
    AND (u.valid_from IS NULL OR u.valid_from <= p.ref)
    AND (u.valid_to IS NULL OR u.valid_to >= p.ref)
)
SELECT c.province,
  count(a.unit_id) AS assessed,
  CASE WHEN count(a.unit_id) > 0
       THEN (200 * sum(a.criteria_met) + count(a.unit_id)) // (2 * count(a.unit_id)) END,
  {bands}
FROM c LEFT JOIN assessment a
  ON a.unit_id = c.id AND a.year = {year} AND a.criteria_set_id = {cset.pk}
    AND a.state = '{State.APPROVED}'
GROUP BY c.province
"""


def measure() -> dict:
    cset = CriteriaSet.objects.get(code=SET)
    out: dict = {"rows": []}

    def row(label, seconds, target):
        out["rows"].append([label, seconds, target])

    for code in PROVINCES:
        unit = Unit.objects.get(level=Level.PROVINCE, code=code, valid_to__isnull=False)
        xa = progress_summary(unit=unit, year=YEAR).communes_total
        row(
            f"province summary {code} ({xa} xã, {YEAR})",
            _median(lambda unit=unit: progress_summary(unit=unit, year=YEAR)),
            0.02,
        )
    from django.core.cache import caches

    def uncached(unit):
        caches["figures"].clear()
        return progress_summary(unit=unit, year=YEAR)

    row(
        f"province summary {PROVINCES[-1]}, panels computed (cache emptied first)",
        _median(lambda: uncached(unit)),
        None,
    )

    def national_uncached():
        caches["figures"].clear()
        return national_summary(year=YEAR)

    row(
        "national summary, xã counts and decisions computed (cache emptied first)",
        _median(national_uncached),
        None,
    )
    # The figures DuckDB computes (assessed, average, bands per province) are never cached;
    # the xã counts and the decisions (which DuckDB's query leaves out) are, per data version.
    ours = _median(lambda: national_summary(year=YEAR))
    provinces = national_summary(year=YEAR)
    row(f"national summary ({len(provinces)} provinces, {YEAR})", ours, None)  # ratio: run.py

    from ntm.reports.annual import annual_report
    from ntm.reports.word import report_docx
    from ntm.reports.workbook import report_workbook

    def documents(unit):
        report = annual_report(unit=unit, year=YEAR)
        return report_docx(report), report_workbook(report)

    for code in PROVINCES[-1:]:  # the province with the most xã
        unit = Unit.objects.get(level=Level.PROVINCE, code=code, valid_to__isnull=False)
        row(
            f"annual report {code}: Word + Excel tables, in process",
            _median(lambda unit=unit: documents(unit), repeat=3),
            None,
        )
    row(
        "annual report, national: Word + Excel tables, in process",
        _median(lambda: documents(None), repeat=3),
        None,
    )

    province = Unit.objects.get(
        level=Level.PROVINCE, code=DASHBOARD_PROVINCE, valid_to__isnull=False
    )
    coordinator, _ = User.objects.get_or_create(
        username="bench-coordinator",
        defaults={"role": Role.PROVINCE_COORDINATOR, "unit": province},
    )
    national, _ = User.objects.get_or_create(
        username="bench-national", defaults={"role": Role.NATIONAL_VIEWER}
    )
    get = _client(coordinator)
    row(
        f"dashboard page, province coordinator {DASHBOARD_PROVINCE}",
        _median(lambda: get(f"/?year={YEAR}")),
        0.1,
    )
    get = _client(national)
    row(
        "dashboard page, national viewer (63 provinces)",
        _median(lambda: get(f"/?year={YEAR}")),
        0.1,
    )

    try:
        import duckdb  # noqa: F401
    except ImportError:
        out["duckdb"] = None
        return out
    con = _duckdb_export()
    sql = duckdb_query(cset, YEAR)
    theirs = _median(lambda: con.execute(sql).fetchall())
    found = {r[0]: r for r in con.execute(sql).fetchall()}
    mismatches = []
    for p in provinces:
        r = found.get(p["id"])
        duck = (
            (r[1], Decimal(r[2]) / 100 if r[2] is not None else None, list(r[3:]))
            if r
            else (0, None, [0] * len(cset.bands))
        )
        mine = (p["assessed"], p["criteria_met_average"], list(p["bands"].values()))
        if duck != mine:
            mismatches.append({"province": p["code"], "ours": str(mine), "duckdb": str(duck)})
    out["duckdb"] = {
        "ours": ours,
        "duckdb": theirs,
        "ratio": ours / theirs,
        "equal": not mismatches,
        "mismatches": mismatches[:5],
        "provinces": len(provinces),
    }
    return out


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action == "generate":
        started = time.perf_counter()
        counts = generate()
        counts["seconds"] = time.perf_counter() - started
        print(json.dumps(counts))
    elif action == "measure":
        print(json.dumps(measure()))
    else:
        sys.exit("usage: python bench/national.py generate|measure")
