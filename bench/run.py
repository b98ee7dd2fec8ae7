"""`make bench`: performance figures against their targets, printed as a table with ratios.

Each benchmark runs in a fresh database: SQLite in a temporary directory, and PostgreSQL too
when BENCH_PG_URL (or DATABASE_URL) names a server, or the local server answers.
`python bench/run.py assessments` runs only the named benchmarks (units, assessments, command,
limits, national, ocop, load). The command benchmark (bench/command.py) compares the CPU time of
`ntm criteria list` with a bare `django.setup()`. The limits benchmark (bench/limits.py) times the
import runner refusing a workbook with one 190 MB cell and one of 99,000 rows × 49 cells. The
national benchmark (bench/national.py) generates five years of every legacy xã and
times the figures; its DuckDB comparison needs the `bench` extra (`pip install -e '.[dev,bench]'`).
The ocop benchmark (bench/ocop.py) times the council scoring page of the largest 26/2026 sheet
and closing a round of 100 products. The load benchmark (bench/load.py, the `bench` extra's
locust) serves that dataset with gunicorn and drives it with concurrent users (LOAD_USERS, LOAD_SECONDS, LOAD_WAIT, LOAD_WORKERS).
Values are seconds unless the label names another unit; a row with no target is information.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from filling import fill_assessments  # bench/ is the script directory

ROOT = Path(__file__).resolve().parent.parent
NTM = [sys.executable, "-m", "ntm.cli"]


def _run(args, env):
    started = time.perf_counter()
    subprocess.run([*NTM, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench_units_load_all(env) -> tuple[float, float]:
    """Load the whole country (63 + 34 provinces, ~14k units, ~10.6k links); then again (no-op)."""
    _run(["migrate", "-v0"], env)
    first = _run(["units", "-v0", "load", "--all"], env)
    second = _run(["units", "-v0", "load", "--all"], env)
    return first, second


IMPORT_SET = "NTM-XA-2021"
IMPORT_CODE = """
import sys, time
import django
django.setup()
from ntm.accounts.scope import system_scope
from ntm.imports.runner import run_import
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
report = run_import("assessments", data=data, scope=system_scope(), user=None)
elapsed = time.perf_counter() - started
if not report.ok or report.created != 95:
    sys.exit(f"import failed: {report.errors[:3]} created={report.created}")
print(elapsed)
"""


def _filled_workbook(env, tmp: Path, year: int) -> Path:
    template, filled = tmp / f"mau-{year}.xlsx", tmp / f"ketqua-{year}.xlsx"
    _run(
        [
            "template",
            "assessments",
            "--unit",
            "06",
            "--year",
            str(year),
            "--set",
            IMPORT_SET,
            "-o",
            str(template),
        ],
        env,
    )
    fill_assessments(template, filled)
    return filled


def bench_assessments_import(env, tmp: Path) -> list[float]:
    """Import a filled 95-commune workbook (Bắc Kạn, NTM-XA-2021) into a fresh database: 2023
    in process (the runner alone), then 2024 as a whole `ntm import assessments` command (the
    process start included), each creating its 95 results."""
    _run(["migrate", "-v0"], env)
    _run(["units", "-v0", "load", "--province", "06"], env)
    _run(["criteria", "load", IMPORT_SET], env)
    filled = _filled_workbook(env, tmp, 2023)
    command_file = _filled_workbook(env, tmp, 2024)
    env = {**env, "DJANGO_SETTINGS_MODULE": "ntm.settings"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_CODE, str(filled)],
        env=env,
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the 95-commune import failed:\n{done.stderr[-3000:]}")
    in_process = float(done.stdout.strip().splitlines()[-1])
    as_command = _run(["import", "-v0", "assessments", str(command_file)], env)
    return [in_process, as_command]


NATIONAL_SETS = ["NTM-XA-2016", "NTM-XA-2021", "NTM-XA-NC-2021"]
GENERATE_TARGET = 240.0  # seconds: the budget for the synthetic national dataset
NOTES: list[str] = []


def bench_national(env, tmp: Path, db_name: str) -> list[tuple[str, float, float]]:
    """Every xã of the 63 legacy provinces, 2021-2025: generate, then time the figures and pages."""
    _run(["migrate", "-v0"], env)
    _run(["units", "-v0", "load", "--all"], env)
    _run(["criteria", "load", *NATIONAL_SETS], env)
    env = {**env, "DJANGO_SETTINGS_MODULE": "ntm.settings", "PYTHONWARNINGS": "ignore"}
    script = str(ROOT / "bench" / "national.py")

    def step(action: str) -> dict:
        done = subprocess.run(
            [sys.executable, script, action],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    made = step("generate")
    # The annual Word report of the province with the most xã, as a whole command (median of 3).
    report = ["report", "annual", "--unit", "38", "--year", "2024", "-o"]
    annual = sorted(_run([*report, str(tmp / f"bao-cao-{i}.docx")], env) for i in range(3))[1]
    NOTES.append(
        f"{db_name}: synthetic data: {made['communes']:,} xã × 5 years = {made['assessments']:,} "
        f"assessments, {made['criterion_results']:,} criterion results, "
        f"{made['indicator_values']:,} indicator values, {made['recognitions']:,} decisions"
    )
    measured = step("measure")
    rows = [("generate synthetic national dataset (5 years)", made["seconds"], GENERATE_TARGET)]
    if "figures_rebuild_seconds" in made:
        rows.append(
            (
                f"ntm figures rebuild ({made['figures']:,} rows)",
                made["figures_rebuild_seconds"],
                None,
            )
        )
    rows += [(label, seconds, target) for label, seconds, target in measured["rows"]]
    rows.append(("`ntm report annual --unit 38 --year 2024` (Word, a command, wall)", annual, 3.0))
    duck = measured.get("duckdb")
    if duck is None:
        NOTES.append(f"{db_name}: DuckDB not installed (pip install -e '.[dev,bench]'): no ratio")
    else:
        NOTES.append(
            f"{db_name}: national summary {duck['ours'] * 1000:.1f} ms / one DuckDB query "
            f"{duck['duckdb'] * 1000:.1f} ms = ratio {duck['ratio']:.1f} (ours/DuckDB); figures "
            + ("equal" if duck["equal"] else f"DIFFER: {duck['mismatches']}")
            + f" for {duck['provinces']} provinces"
        )
        rows.append(("national summary / one DuckDB query (ratio, same run)", duck["ratio"], 2.0))
        if not duck["equal"]:
            rows.append(("DuckDB figures differ from national_summary", 1.0, 0.0))
    return rows


def _pg_url() -> str:
    pg = os.environ.get("BENCH_PG_URL") or (
        os.environ.get("DATABASE_URL") if "postgres" in os.environ.get("DATABASE_URL", "") else ""
    )
    if (
        not pg
        and subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "select 1"], capture_output=True
        ).returncode
        == 0
    ):
        pg = "postgres://postgres@127.0.0.1:5432/postgres"
    return pg


@contextmanager
def _fresh_database(kind: str, tmp: Path, tag: str):
    """A new, empty database of the given kind, dropped afterwards."""
    if kind == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{tmp / f'bench-{tag}.sqlite3'}"}
        return
    pg = _pg_url()
    base, _, _ = pg.rpartition("/")
    name = f"ntm_bench_{tag}_{os.getpid()}"
    subprocess.run(["psql", pg, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield {"DATABASE_URL": f"{base}/{name}"}
    finally:
        subprocess.run(["psql", pg, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


def _databases() -> list[str]:
    return ["sqlite", "postgresql"] if _pg_url() else ["sqlite"]


BENCHMARKS = {
    "units": [
        ("units load --all (first run)", 60.0),
        ("units load --all (again, no change)", 60.0),
    ],
    "assessments": [
        (f"import 95-commune assessments workbook ({IMPORT_SET}, in process, runner)", 1.0),
        ("the same import as a command (`ntm import assessments FILE`, wall)", 2.0),
    ],
    "command": None,  # labels and targets come from bench/command.py
    "limits": None,  # labels and targets come from bench/limits.py
    "national": None,  # labels and targets come from bench/national.py
    "ocop": None,  # labels and targets come from bench/ocop.py
    "load": None,  # labels and targets come from bench/load.py
}


def _measure(name: str, env: dict, tmp: Path, db_name: str) -> list[tuple[str, float, float]]:
    if name == "national":
        return bench_national(env, tmp, db_name)
    if name == "limits":
        from limits import measure  # bench/limits.py

        return measure(env, tmp)
    if name == "command":
        from command import measure as command_start  # bench/command.py

        return command_start(env, tmp)
    if name == "ocop":
        from ocop import measure as ocop_measure  # bench/ocop.py

        return ocop_measure(env, tmp, NOTES, db_name)
    if name == "load":
        from load import bench_load  # bench/load.py

        return bench_load(env, tmp, db_name, NOTES)
    seconds = (
        list(bench_units_load_all(env)) if name == "units" else bench_assessments_import(env, tmp)
    )
    return [
        (label, value, target)
        for (label, target), value in zip(BENCHMARKS[name], seconds, strict=True)
    ]


def main(argv: list[str]) -> int:
    """`python bench/run.py [units] [assessments] [limits] [national] [ocop] [load]`: the named
    ones, or all."""
    wanted = [name for name in BENCHMARKS if not argv or name in argv]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for db_name in _databases():
            for name in wanted:
                with _fresh_database(db_name, Path(tmp), name) as db_env:
                    env = {
                        **os.environ,
                        **db_env,
                        "NTM_DATA_DIR": tmp,
                        "NTM_TESTING": "1",
                        "NTM_FIGURES_CACHE": "1",  # the panels' cache, as in production
                    }
                    measured = _measure(name, env, Path(tmp), db_name)
                rows += [(db_name, label, value, target) for label, value, target in measured]
    width = max(40, *(len(label) for _db, label, _s, _t in rows))
    print(f"{'database':<11} {'benchmark':<{width}} {'value':>8} {'target':>7} {'ratio':>6}")
    failed = False
    for db_name, label, seconds, target in rows:
        if target is None:  # information only
            print(f"{db_name:<11} {label:<{width}} {seconds:8.3f} {'-':>7} {'-':>6}")
            continue
        ratio = seconds / target if target else (0.0 if seconds == 0 else float("inf"))
        failed |= ratio > 1
        mark = "" if ratio <= 1 else "  OVER TARGET"
        print(f"{db_name:<11} {label:<{width}} {seconds:8.3f} {target:7.2f} {ratio:6.2f}{mark}")
    for note in NOTES:
        print(note)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
