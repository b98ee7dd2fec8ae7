"""The kinds of background work: each turns a job's parameters into a result file."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    data: bytes = b""  # no file: the page shows the message and details only
    filename: str = ""
    content_type: str = ""
    message: str = ""
    details: list = field(default_factory=list)
    failed: bool = False  # ran to the end but refused (an import with errors)


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable  # (job, progress) -> Outcome


_KINDS: dict[str, JobKind] = {}


def register(name: str):
    def wrap(function):
        _KINDS[name] = JobKind(name=name, run=function)
        return function

    return wrap


def get(name: str) -> JobKind | None:
    return _KINDS.get(name)
