"""Start-up cost of a small `ntm` command against a bare `django.setup()` (goal ≤ 1.5×).

CPU seconds (user + system of the child, from the kernel's accounting) are compared, the median of
several runs each, so that a busy machine changes both sides alike."""

import resource
import statistics
import subprocess
import sys

RUNS = 7
SETUP = "import django; django.setup()"


def _cpu(cmd: list[str], env: dict) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(env: dict, tmp) -> list[tuple[str, float, float | None]]:
    env = {**env, "DJANGO_SETTINGS_MODULE": "ntm.settings"}
    subprocess.run([sys.executable, "-m", "ntm.cli", "migrate", "-v0"], env=env, check=True)
    command = [sys.executable, "-m", "ntm.cli", "criteria", "list"]
    bare = [sys.executable, "-c", SETUP]
    _cpu(command, env), _cpu(bare, env)  # warm the disk cache
    ours, base = [], []
    for _ in range(RUNS):
        ours.append(_cpu(command, env))
        base.append(_cpu(bare, env))
    ratio = statistics.median(o / b for o, b in zip(ours, base, strict=True))
    return [
        ("`ntm criteria list`, CPU s (median)", statistics.median(ours), None),
        ("bare django.setup(), CPU s (median)", statistics.median(base), None),
        ("`ntm criteria list` / bare django.setup() (ratio)", ratio, 1.5),
    ]
