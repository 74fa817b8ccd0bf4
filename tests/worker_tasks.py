"""Tasks for the tests of `workers`: spawned processes import them by name."""

from __future__ import annotations

import os
import signal
import time


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def fails_in_a_worker(number: int, parent: int) -> int:
    if os.getpid() != parent and number == 7:
        raise ValueError("seven, in a worker")
    return number * number


def dies_in_a_worker(number: int, parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)
    return number * number


def stops_in_a_worker(number: int, parent: int) -> int:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGSTOP)
    return number * number


def slowly(number: int) -> int:
    time.sleep(0.01)
    return number
