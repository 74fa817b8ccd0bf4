"""Tasks for the tests of `workers`: spawned processes import them by name."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def worker_started(flag: str, parent: int) -> bool:
    """In a worker: say so, through the file `flag`, and True. In the parent: wait
    until a worker has said so, and False. The parent, which takes back what no worker
    has started, would otherwise do every quick task itself before a worker starts."""
    if os.getpid() != parent:
        Path(flag).touch()
        return True
    deadline = time.monotonic() + 60
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.01)
    return False


def square_and_pid(number: int, flag: str | None = None, parent: int = 0) -> tuple[int, int]:
    if flag is not None:
        worker_started(flag, parent)
    return number * number, os.getpid()


def fails_in_a_worker(number: int, parent: int, flag: str) -> int:
    if os.getpid() == parent:
        worker_started(flag, parent)  # waits until a worker has failed
    elif number == 7:
        worker_started(flag, parent)
        raise ValueError("seven, in a worker")
    return number * number


def dies_in_a_worker(number: int, parent: int, flag: str) -> int:
    if worker_started(flag, parent):
        os._exit(3)
    return number * number


def stops_in_a_worker(number: int, parent: int, flag: str) -> int:
    if worker_started(flag, parent):
        os.kill(os.getpid(), signal.SIGSTOP)
    return number * number


def slowly(number: int) -> int:
    time.sleep(0.01)
    return number


def slow_in_a_worker(number: int, parent: int) -> int:
    if os.getpid() != parent:
        time.sleep(0.1)
    return os.getpid()
