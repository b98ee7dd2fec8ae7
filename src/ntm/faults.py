"""Fault injection for the crash tests: die on purpose in the middle of a write.

Inactive unless the environment sets NTM_FAULT_AFTER_ROWS=N: then the N-th call of
`maybe_die(point)` (counted per point; NTM_FAULT_POINT, if set, names the only point that
counts) kills this process with SIGKILL, as a power cut or the OOM killer would, with no
chance to roll back or clean up. tests/test_faults.py uses it to check that an import killed
midway leaves the database as it was.
"""

import os
import signal

_calls: dict[str, int] = {}


def maybe_die(point: str) -> None:
    """Count one step at `point`; SIGKILL this process on the N-th (only when asked for)."""
    limit = os.environ.get("NTM_FAULT_AFTER_ROWS")
    if not limit or os.environ.get("NTM_FAULT_POINT", point) != point:
        return
    _calls[point] = _calls.get(point, 0) + 1
    if _calls[point] >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)
