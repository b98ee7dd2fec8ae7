"""The load benchmark: `ntm serve` (gunicorn) driven by locust on the synthetic national dataset.

`python bench/run.py load` (or `make bench`) fills a fresh database with every unit and five
years of every legacy xã (bench/national.py: the whole country, 15-35 s on SQLite, 35-85 s on
PostgreSQL on this 2-core machine, so no subset is needed), adds a province coordinator and an
API token for each of the 63 legacy provinces and national viewers, collects static files,
starts `ntm serve` on a free 127.0.0.1 port with production settings (DEBUG=0), and runs
bench/locustfile.py headless against it. The figures are those of the measured window only:
the users log in through the login form first (password hashing is deliberately slow), then
the statistics are reset and the window starts. Printed: throughput, p50/p95/p99 per request
type and for the reads together, errors (5xx, connection errors, unexpected 4xx; a 409 on a
stale version is counted apart) and the largest resident memory of each gunicorn worker,
sampled every half second for the whole run.

Environment (all optional):
  LOAD_USERS    concurrent users (default 50)
  LOAD_SECONDS  length of the measured window (default 60)
  LOAD_WAIT     think time of each user between requests, "MIN-MAX" seconds (default "1-3");
                "0" sends the next request at once (saturation: the throughput ceiling)
  LOAD_WORKERS  gunicorn workers (default 3 = cores + 1, as `ntm serve`; on 2 cores 2, 3, 4
                and 5 workers gave the same throughput within noise: docs/deployment.md)
  LOAD_NICE     a niceness for the server and locust, e.g. -10 (as root) to measure on a machine
                other work is using too (default: unchanged). Both run in sessions of their own,
                so with the kernel's autogroup scheduling it is set on the session's group too
                (/proc/PID/autogroup): a plain nice value only counts inside one group.
Run short while developing: LOAD_SECONDS=15 LOAD_USERS=20 python bench/run.py load

`python bench/load.py prepare PLAN.json USERS` (run by the benchmark in the database's
environment) creates the users and tokens and writes what each locust user works on.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NTM = [sys.executable, "-m", "ntm.cli"]

SETS = ["NTM-XA-2016", "NTM-XA-2021", "NTM-XA-NC-2021"]  # as bench/national.py
SET = "NTM-XA-2021"
READ_YEARS = [2021, 2022, 2023, 2024]  # legacy provinces are whole on 31/12 of these years
SAVE_YEAR = 2025  # the year still being worked on: not every result approved yet
SAVES_PER_USER = 12
PASSWORD = "ntm-load-" + "bench"  # every load user has it; the database is thrown away after

# Targets (issue 8): no errors, reads p95 under 300 ms, under 500 MB resident per worker.
READ_P95_TARGET_MS = 300.0
WORKER_RSS_TARGET_MB = 500.0


def settings() -> dict:
    return {
        "users": int(os.environ.get("LOAD_USERS", "50")),
        "seconds": float(os.environ.get("LOAD_SECONDS", "60")),
        "wait": os.environ.get("LOAD_WAIT", "1-3"),
        "workers": int(os.environ.get("LOAD_WORKERS", "3")),
        "nice": int(os.environ.get("LOAD_NICE", "0")),
    }


def _start(args: list[str], nice: int, **kwargs) -> subprocess.Popen:
    """A child process in a session of its own, at the given niceness (0: unchanged)."""
    proc = subprocess.Popen(
        args, start_new_session=True, preexec_fn=(lambda: os.nice(nice)) if nice else None, **kwargs
    )
    if nice:  # no autogroup scheduling, or not allowed: the process niceness is still set
        with contextlib.suppress(OSError):
            Path(f"/proc/{proc.pid}/autogroup").write_text(str(nice))
    return proc


# --- preparing the database (runs with Django set up) -------------------------------------------


def prepare(plan_path: str, users: int) -> None:
    """Users, tokens and, for each locust user, the assessments it reads and the ones it saves.

    Locust user i is the coordinator of legacy province i mod 63; users that share a province
    share out its open assessments of SAVE_YEAR, so each saves its own and conflicts stay rare.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from ntm.accounts.models import Role, User
    from ntm.assessments.models import Assessment, State
    from ntm.criteria.models import Indicator
    from ntm.units.models import Level, Unit

    provinces = list(
        Unit.objects.filter(level=Level.PROVINCE, valid_to__isnull=False).order_by("code")
    )
    hashed = make_password(PASSWORD)  # one hash for all: hashing is slow by design
    created = User.objects.bulk_create(
        [
            User(
                username=f"load-{p.code}",
                password=hashed,
                role=Role.PROVINCE_COORDINATOR,
                unit=p,
                first_name=f"VPĐP {p.name}",
            )
            for p in provinces
        ]
        + [
            User(username=f"load-national-{i}", password=hashed, role=Role.NATIONAL_VIEWER)
            for i in range(users // 10 + 1)  # one account each: API rates are per account
        ]
    )
    tokens = {t.user.username: t.key for t in [Token.objects.create(user=u) for u in created]}

    by_province: dict[str, dict] = {}
    rows = Assessment.objects.filter(criteria_set__code=SET).values_list(
        "pk", "unit__path", "year", "state"
    )
    province_of = {str(p.pk): p.code for p in provinces}
    for pk, path, year, state in rows:
        code = province_of.get(path.strip("/").split("/")[0])
        if code is None:
            continue
        entry = by_province.setdefault(code, {"read": [], "open": []})
        entry["read"].append(pk)
        if year == SAVE_YEAR and state != State.APPROVED:
            entry["open"].append(pk)
    codes = [p.code for p in provinces]
    slots = []
    for i in range(users):
        code = codes[i % len(codes)]
        sharing = range(i % len(codes), users, len(codes))  # the slots on this province
        share = by_province[code]["open"][sharing.index(i) :: len(sharing)]
        slots.append(
            {
                "username": f"load-{code}",
                "token": tokens[f"load-{code}"],
                "province": code,
                "read": sorted(by_province[code]["read"])[::3],
                "save": share[:SAVES_PER_USER],
            }
        )
    toggles = list(
        Indicator.objects.filter(criterion__criteria_set__code=SET, kind="boolean")
        .order_by("position", "code")
        .values_list("code", flat=True)
    )
    every_read = sorted(pk for entry in by_province.values() for pk in entry["read"])
    plan = {
        "password": PASSWORD,
        "years": READ_YEARS,
        "slots": slots,
        "national": [
            {"username": name, "token": key, "provinces": codes, "read": every_read[::20]}
            for name, key in tokens.items()
            if name.startswith("load-national-")
        ],
        "toggles": toggles,
    }
    Path(plan_path).write_text(json.dumps(plan))
    print(
        json.dumps(
            {
                "users": len(created),
                "slots": len(slots),
                "saves": sum(len(s["save"]) for s in slots),
            }
        )
    )


# --- running the server and locust ----------------------------------------------------------------


def _run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([*NTM, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _script(args: list[str], env: dict) -> dict:
    """Run a bench script; its progress bar is kept quiet, shown only if it fails."""
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise subprocess.CalledProcessError(done.returncode, args)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(env: dict, tmp: Path) -> dict:
    """Production settings as docs/deployment.md describes them, on plain HTTP at 127.0.0.1."""
    return {
        **env,
        "NTM_TESTING": "0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "NTM_DATA_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }


class Server:
    """`ntm serve` in its own process group; the largest RSS of each worker is sampled."""

    def __init__(self, env: dict, workers: int, log: Path, nice: int = 0):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.proc = _start(
            [*NTM, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
            nice,
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.rss: dict[int, int] = {}  # worker pid -> largest VmRSS seen, in kB
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ntm serve exited ({self.proc.returncode}); see {self.log.name}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        self._sampler.start()
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"ntm serve did not answer on {self.url} in {timeout:.0f} s")

    def workers(self) -> list[int]:
        """The gunicorn workers: the children of the master (whose pid is ours: serve execs)."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
        return pids

    @staticmethod
    def vm_rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self.workers():
                self.rss[pid] = max(self.rss.get(pid, 0), self.vm_rss_kb(pid))
            self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def drive(url: str, plan: Path, out: Path, server_pid: int, conf: dict) -> dict:
    """Run bench/locustfile.py headless (its own process: locust patches the standard library
    with gevent) and return what it measured."""
    env = {
        **os.environ,
        "LOAD_HOST": url,
        "LOAD_PLAN": str(plan),
        "LOAD_OUT": str(out),
        "LOAD_SERVER_PID": str(server_pid),
        "LOAD_USERS": str(conf["users"]),
        "LOAD_SECONDS": str(conf["seconds"]),
        "LOAD_WAIT": conf["wait"],
    }
    proc = _start(
        [sys.executable, str(ROOT / "bench" / "locustfile.py")], conf["nice"], env=env, cwd=ROOT
    )
    try:
        code = proc.wait(timeout=conf["seconds"] + 600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    if code:
        raise subprocess.CalledProcessError(code, proc.args)
    return json.loads(out.read_text())


def fill(env: dict, tmp: Path, users: int) -> tuple[dict, Path]:
    """The synthetic national dataset plus the load users; returns the counts and the plan."""
    started = time.perf_counter()
    _run(["migrate", "-v0"], env)
    _run(["units", "-v0", "load", "--all"], env)
    _run(["criteria", "load", *SETS], env)
    env = {**env, "DJANGO_SETTINGS_MODULE": "ntm.settings", "PYTHONWARNINGS": "ignore"}
    made = _script([str(ROOT / "bench" / "national.py"), "generate"], env)
    plan = tmp / "load-plan.json"
    made["load_users"] = _script(
        [str(ROOT / "bench" / "load.py"), "prepare", str(plan), str(users)], env
    )
    made["prepare_seconds"] = time.perf_counter() - started
    return made, plan


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def bench_load(env: dict, tmp: Path, db_name: str, notes: list[str]) -> list[tuple]:
    """Rows (label, value, target) for run.py's table; the detail goes to `notes`."""
    conf = settings()
    made, plan = fill(env, tmp, conf["users"])
    notes.append(
        f"{db_name}: load: database filled in {made['prepare_seconds']:.0f} s (national dataset "
        f"{made['seconds']:.0f} s: {made['communes']:,} xã × 5 years = {made['assessments']:,} "
        f"assessments, {made['criterion_results'] + made['indicator_values']:,} result and value "
        f"rows; {made['load_users']['users']} users with tokens)"
    )
    senv = server_env(env, tmp)
    _run(["collectstatic", "--noinput", "-v0"], senv)
    server = Server(senv, conf["workers"], tmp / f"serve-{db_name}.log", conf["nice"])
    try:
        server.wait_ready()
        result = drive(server.url, plan, tmp / f"load-{db_name}.json", server.proc.pid, conf)
    finally:
        server.stop()
    rss_mb = [kb / 1024 for kb in server.rss.values()] or [0.0]
    counts = result["errors"]
    errors = counts["5xx"] + counts["connection"] + counts["4xx"]
    reads = result["reads"]
    tag = f"load {conf['users']} users × {conf['seconds']:.0f} s, {conf['workers']} workers"
    p95 = float("inf") if reads["p95"] is None else float(reads["p95"])  # no read answered
    rows = [
        (f"{tag}: requests/s (no target)", result["total"]["rps"], None),
        (f"{tag}: reads p95 (ms)", p95, READ_P95_TARGET_MS),
        (f"{tag}: errors (5xx, connection, unexpected 4xx)", float(errors), 0.0),
        (f"{tag}: largest worker RSS (MB)", max(rss_mb), WORKER_RSS_TARGET_MB),
    ]
    width = max(len(name) for name in result["requests"])
    lines = [
        f"{db_name}: load: think time {conf['wait']} s"
        + (f", niceness {conf['nice']}" if conf["nice"] else "")
        + f"; {result['total']['count']:,} requests in "
        f"{result['seconds']:.1f} s = {result['total']['rps']:.1f} req/s; latency in ms:",
        f"  {'request':<{width}} {'count':>7} {'req/s':>6} {'p50':>5} {'p95':>5} {'p99':>5} "
        f"{'max':>6} {'fail':>5}",
    ]
    for name, s in [
        *result["requests"].items(),
        ("reads together", reads),
        ("all requests", result["total"]),
    ]:
        lines.append(
            f"  {name:<{width}} {s['count']:>7,} {s['rps']:>6.1f} {_ms(s['p50']):>5} "
            f"{_ms(s['p95']):>5} {_ms(s['p99']):>5} {_ms(s['max']):>6} {s['failures']:>5}"
        )
    lines.append(
        f"  errors: {counts['5xx']} 5xx, {counts['connection']} connection, {counts['4xx']} "
        f"unexpected 4xx; {counts['409']} stale-version 409 (expected in a race, not an error); "
        f"saves that changed a value: {result['saves']}"
    )
    for sample in result["error_samples"][:5]:
        lines.append(f"  error sample: {sample}")
    lines.append(
        "  gunicorn worker RSS max (MB): "
        + ", ".join(f"{mb:.0f}" for mb in sorted(rss_mb))
        + f"; CPU in the window: gunicorn workers {result['cpu']['server']:.2f} cores "
        f"({result['cpu']['server'] * result['seconds'] * 1000 / max(1, result['total']['count']):.0f}"
        " ms per request), "
        f"locust {result['cpu']['locust']:.2f} cores, whole machine {result['cpu']['machine']:.2f} "
        f"of {os.cpu_count()} cores; login warm-up {result['warmup_seconds']:.0f} s"
    )
    notes.append("\n".join(lines))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(
            "usage: python bench/load.py prepare PLAN.json USERS (or: python bench/run.py load)"
        )
