"""Locust users for the load benchmark (bench/load.py starts the server and this file).

Province coordinators (9 in 10 users) log in through the login form, then, with weights
30/30/30/10: open the dashboard of their province for a year, ask the summary API for it (with
their API token), open an assessment form of their province, and save one of their own open
assessments through the API (read it first for its version, then flip one yes/no indicator).
National viewers (1 in 10) open the national dashboard, ask for any province's summary and read
any assessment form. A 409 on a save is a stale version (someone saved in between): expected in
a race, counted apart, not an error. 5xx, connection errors and any other 4xx are errors.

`python bench/locustfile.py` runs headless through locust's Python API, with the settings
bench/load.py passes in the environment (LOAD_HOST, LOAD_PLAN, LOAD_OUT, LOAD_USERS,
LOAD_SECONDS, LOAD_WAIT, LOAD_SERVER_PID): the users are spawned and log in, the statistics are
reset, and only the next LOAD_SECONDS are measured. Written to LOAD_OUT as JSON.
With the web UI instead: LOAD_PLAN=plan.json locust -f bench/locustfile.py --host URL
"""

import itertools
import json
import os
import random
import re
import resource
import time
from collections import Counter

from locust import FastHttpUser, between, constant, task
from locust.contrib.fasthttp import FastHttpSession

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
READS = [
    "dashboard",
    "dashboard (national)",
    "summary API",
    "assessment page",
    "assessment API read",
]

OUTCOMES: Counter = Counter()  # 5xx, connection, 4xx, 409, saves
ERROR_SAMPLES: list[str] = []
LOGGED_IN: set[int] = set()
LOGIN_FAILED: set[int] = set()
_coordinator_slots = itertools.count()
_national_slots = itertools.count()


def _wait():
    raw = os.environ.get("LOAD_WAIT", "1-3")
    if raw in ("0", ""):
        return constant(0)
    low, _, high = raw.partition("-")
    return between(float(low), float(high or low))


def _check(response, name: str, expected=(200,)) -> bool:
    """Classify one response; True when it is what the user expected."""
    status = response.status_code
    if status in expected:
        response.success()
        return True
    if status == 409 and name == "assessment save":
        OUTCOMES["409"] += 1
        response.success()  # a stale version: the user reloads; not an error
        return False
    kind = "connection" if status == 0 else "5xx" if status >= 500 else "4xx"
    OUTCOMES[kind] += 1
    if len(ERROR_SAMPLES) < 20:
        body = (response.text or "")[:200].replace("\n", " ")
        ERROR_SAMPLES.append(f"{name} {response.url}: {status or response.error} {body}")
    response.failure(f"{kind} {status}")
    return False


class _Base(FastHttpUser):
    abstract = True
    wait_time = _wait()
    account: dict

    def on_start(self):
        self.api = FastHttpSession(
            base_url=self.host,
            request_event=self.environment.events.request,
            user=self,
            headers={
                "Authorization": f"Token {self.account['token']}",
                "Accept": "application/json",
            },
        )
        with self.client.get("/accounts/login/", name="login form", catch_response=True) as r:
            if not _check(r, "login form"):
                LOGIN_FAILED.add(id(self))
                return
            token = CSRF.search(r.text or "")
        with self.client.post(
            "/accounts/login/",
            name="login",
            catch_response=True,
            allow_redirects=False,
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
        ) as r:
            # Logged in: redirected to the dashboard; a refused login shows the form again (200)
            if _check(r, "login", expected=(302,)):
                LOGGED_IN.add(id(self))
                return
            LOGIN_FAILED.add(id(self))
            if r.status_code == 200:
                ERROR_SAMPLES.append(f"login as {self.account['username']} refused")

    def get(self, client, url: str, name: str):
        with client.get(url, name=name, catch_response=True) as r:
            _check(r, name)
            return r


class Coordinator(_Base):
    weight = 9

    def on_start(self):
        slots = PLAN["slots"]
        self.account = slots[next(_coordinator_slots) % len(slots)]
        self.saves = list(self.account["save"])
        super().on_start()

    @task(30)
    def dashboard(self):
        self.get(self.client, f"/?year={random.choice(PLAN['years'])}", "dashboard")

    @task(30)
    def summary(self):
        url = f"/api/v1/reports/summary/?unit={self.account['province']}&year={random.choice(PLAN['years'])}"
        self.get(self.api, url, "summary API")

    @task(30)
    def assessment_page(self):
        self.get(
            self.client, f"/assessments/{random.choice(self.account['read'])}/", "assessment page"
        )

    @task(10)
    def save(self):
        if not self.saves:
            return
        pk = random.choice(self.saves)
        r = self.get(self.api, f"/api/v1/assessments/{pk}/", "assessment API read")
        if r.status_code != 200:
            return
        data = r.json()
        values = {v["indicator"]: v["value_bool"] for v in data["values"]}
        code = random.choice([c for c in PLAN["toggles"] if c in values] or PLAN["toggles"])
        body = {"version": data["version"], "values": {code: not values.get(code)}}
        with self.api.post(
            f"/api/v1/assessments/{pk}/save/",
            json=body,
            name="assessment save",
            catch_response=True,
        ) as r:
            if _check(r, "assessment save"):
                OUTCOMES["saves"] += 1


class NationalViewer(_Base):
    weight = 1

    def on_start(self):
        accounts = PLAN["national"]
        self.account = accounts[next(_national_slots) % len(accounts)]
        super().on_start()

    @task(30)
    def dashboard(self):
        self.get(self.client, f"/?year={random.choice(PLAN['years'])}", "dashboard (national)")

    @task(30)
    def summary(self):
        code = random.choice(self.account["provinces"])
        url = f"/api/v1/reports/summary/?unit={code}&year={random.choice(PLAN['years'])}"
        self.get(self.api, url, "summary API")

    @task(30)
    def assessment_page(self):
        self.get(
            self.client, f"/assessments/{random.choice(self.account['read'])}/", "assessment page"
        )


def _figures(entry, seconds: float) -> dict:
    count = entry.num_requests
    pct = entry.get_response_time_percentile if count else (lambda _p: None)
    return {
        "count": count,
        "failures": entry.num_failures,
        "rps": count / seconds,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": entry.max_response_time if count else None,
    }


def _server_cpu() -> float:
    """CPU seconds used so far by the gunicorn workers (children of the master)."""
    import psutil

    try:
        master = psutil.Process(int(os.environ["LOAD_SERVER_PID"]))
        return sum(sum(c.cpu_times()[:2]) for c in master.children())
    except (KeyError, ValueError, psutil.Error):
        return 0.0


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    with open("/proc/stat") as f:
        fields = [float(x) for x in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait


def main() -> None:
    import gevent
    from locust.env import Environment
    from locust.stats import StatsEntry

    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    env = Environment(user_classes=[Coordinator, NationalViewer], host=os.environ["LOAD_HOST"])
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=max(5.0, users / 5))
    deadline = started + 180
    while len(LOGGED_IN) + len(LOGIN_FAILED) < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    warmup = time.monotonic() - started
    login_outcomes = dict(OUTCOMES)
    gevent.sleep(1)
    runner.stats.reset_all()
    OUTCOMES.clear()
    window_start = time.monotonic()
    cpu0 = (_self_cpu(), _server_cpu(), _machine_busy())
    gevent.sleep(seconds)
    cpu1 = (_self_cpu(), _server_cpu(), _machine_busy())
    elapsed = time.monotonic() - window_start
    stats = {
        name: _figures(e, elapsed)
        for (name, _m), e in sorted(runner.stats.entries.items())
        if e.num_requests and not name.startswith("login")
    }
    reads = StatsEntry(runner.stats, "reads", "")
    for (name, _m), e in runner.stats.entries.items():
        if name in READS:
            reads.extend(e)
    result = {
        "seconds": elapsed,
        "warmup_seconds": warmup,
        "logged_in": len(LOGGED_IN),
        "login_outcomes": login_outcomes,
        "requests": stats,
        "reads": _figures(reads, elapsed),
        "total": _figures(runner.stats.total, elapsed),
        "errors": {k: OUTCOMES[k] for k in ("5xx", "connection", "4xx", "409")},
        "saves": OUTCOMES["saves"],
        "error_samples": ERROR_SAMPLES,
        "cpu": {
            "locust": (cpu1[0] - cpu0[0]) / elapsed,
            "server": (cpu1[1] - cpu0[1]) / elapsed,
            "machine": (cpu1[2] - cpu0[2]) / elapsed,
        },
    }
    runner.quit()
    with open(os.environ["LOAD_OUT"], "w") as f:
        json.dump(result, f)
    if len(LOGGED_IN) < users:
        raise SystemExit(f"only {len(LOGGED_IN)} of {users} users logged in: {ERROR_SAMPLES[:3]}")


if __name__ == "__main__":
    main()
