"""`make bench`: performance figures against their targets, printed as a table with ratios.

Each benchmark runs in a fresh database: SQLite in a temporary directory, and PostgreSQL too
when BENCH_PG_URL (or DATABASE_URL) names a server, or the local server answers.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _databases(tmp: Path):
    sqlite = {"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"}
    yield "sqlite", sqlite
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
    if pg:
        base, _, _ = pg.rpartition("/")
        name = f"ntm_bench_{os.getpid()}"
        subprocess.run(["psql", pg, "-qc", f"CREATE DATABASE {name}"], check=True)
        try:
            yield "postgresql", {"DATABASE_URL": f"{base}/{name}"}
        finally:
            subprocess.run(["psql", pg, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for db_name, db_env in _databases(Path(tmp)):
            env = {**os.environ, **db_env, "NTM_DATA_DIR": tmp, "NTM_TESTING": "1"}
            first, second = bench_units_load_all(env)
            rows.append((db_name, "units load --all (first run)", first, 60.0))
            rows.append((db_name, "units load --all (again, no change)", second, 60.0))
    print(f"{'database':<11} {'benchmark':<40} {'seconds':>8} {'target':>7} {'ratio':>6}")
    failed = False
    for db_name, label, seconds, target in rows:
        ratio = seconds / target
        failed |= ratio > 1
        mark = "" if ratio <= 1 else "  OVER TARGET"
        print(f"{db_name:<11} {label:<40} {seconds:8.2f} {target:7.1f} {ratio:6.2f}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
