"""Work spread over processes with `concurrent.futures`, where it pays, with the same
results as in one process.

Worker processes come from a fork server where the platform has one (Linux, macOS), a
fresh process that has imported this package once and forks each worker in a few
milliseconds; elsewhere (Windows) they are spawned. Either way they start clean,
whatever threads other plugins run, and get what they need once, through an
initializer. The workers are handed only a few tasks
ahead (`AHEAD` each); this process does the others itself as it gets to them, so it
never waits for work it could do. A task that fails in a worker, a worker that dies,
and one that sends nothing for `STALLED_AFTER` seconds are logged with their cause,
and the task is done here. A build that ends early (an error, Ctrl-C) stops its
workers once their current task is done: never mid-way through sending a result, which
would leave the pool, and the build's process with it, waiting for the rest forever.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent import futures
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting a process costs more than it saves.
WORTH_IT_FROM = 200
CHUNK = 25
# The most processes `jobs: 0` starts: each takes some 60 MB, and beyond a few cores
# the build gains little.
MOST_JOBS = 8
# Where the CPU quota of this process's control group is read (cgroup v2 or v1).
CGROUP = "/sys/fs/cgroup"
# A task whose worker sends nothing for this many seconds while its result is awaited
# is done here instead, and the workers are stopped.
STALLED_AFTER = 60.0
# How long stopped workers may take to finish the task in hand before they are killed.
GRACE = 5.0
# Tasks handed to each worker ahead of the one it works on: enough that it never waits
# for this process, busy with its own part, to hand it more.
AHEAD = 4

log = logging.getLogger("mkdocs.plugins.postmortem")


def default_jobs(cgroup: str = CGROUP) -> int:
    """The processes for `jobs: 0`: as many as the cores this process may use, that is
    the cores it may run on and, in a container, its CPU quota; but at most
    `MOST_JOBS`, for each costs memory that more cores would not pay back."""
    jobs = min(_cores(), MOST_JOBS)
    quota = _cpu_quota(cgroup)
    if quota is not None:
        jobs = min(jobs, quota)
    return max(jobs, 1)


def _cores() -> int:
    """The cores this process may run on, which may be fewer than the machine has."""
    count: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if count is not None:  # Python 3.13+: the affinity, or what -X cpu_count says
        return count() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _cpu_quota(cgroup: str) -> int | None:
    """The cores' worth of time the control group under `cgroup` may use, rounded up;
    None without a quota, or when none can be read."""
    found = []
    limit = _read(os.path.join(cgroup, "cpu.max")).split()  # cgroup v2: "max 100000"
    if len(limit) == 2:
        found.append(_cores_in(*limit))
    found.append(  # cgroup v1, where a quota of -1 is none
        _cores_in(
            _read(os.path.join(cgroup, "cpu", "cpu.cfs_quota_us")),
            _read(os.path.join(cgroup, "cpu", "cpu.cfs_period_us")),
        )
    )
    quotas = [cores for cores in found if cores is not None]
    return min(quotas) if quotas else None


def _cores_in(quota: str, period: str) -> int | None:
    """`quota` / `period` rounded up; None for no quota ("max", -1) or for garbage."""
    try:
        runs, every = int(quota), int(period)
    except ValueError:
        return None
    if runs <= 0 or every <= 0:
        return None
    return -(-runs // every)


def _read(path: str) -> str:
    """The start of a small file, or "" if it cannot be read: missing, say."""
    try:
        with open(path, encoding="ascii") as file:
            return file.read(100)
    except (OSError, ValueError):
        return ""


class Stopped(Exception):
    """The workers were stopped because the build is over: what they had not made will
    not be needed."""


class Workers:
    """`count` spawned processes, each set up by `initializer(*initargs)`; a context
    manager that stops them, whatever happened."""

    def __init__(
        self, count: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self._count = count
        self._over = False  # stopped with the build: a waiting `take` gives up
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            count,
            mp_context=_context(),
            initializer=_start,
            initargs=(initializer, initargs),
        )
        _open.add(self)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(stop=exc_info[0] is not None)

    def submit(self, function: Callable[..., Result], *args: Any) -> Future[Result] | None:
        """The task started in a worker as soon as one is free; None once the workers
        are gone, for the task to be done here."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(function, *args)
        except (BrokenProcessPool, RuntimeError):
            self._end(cancel=True)
            return None

    @property
    def count(self) -> int:
        return self._count if self._pool is not None else 0

    def take(
        self, future: Future[Result] | None, function: Callable[..., Result], *args: Any
    ) -> Result:
        """What `future` gives, or `function(*args)` done here: without a future, or
        when the task failed, or its worker died or sent nothing for `STALLED_AFTER`
        seconds (the workers are then stopped). Raises `Stopped` when the workers were
        stopped with the build before the task was done."""
        if future is None:
            return function(*args)
        try:
            return future.result(timeout=STALLED_AFTER)
        except CancelledError:  # the workers were stopped before it started
            if self._over:
                raise Stopped from None
        except futures.TimeoutError:  # not the built-in one before Python 3.11
            log.warning(
                "postmortem: a worker process sent nothing for %g s; its work is done in "
                "the build's process",
                STALLED_AFTER,
            )
            self._end(cancel=True)
        except BrokenProcessPool as error:
            if self._over:
                raise Stopped from None
            log.warning(
                "postmortem: a worker process ended abruptly (%s); its work is done in the "
                "build's process",
                error,
            )
            self._end(cancel=True)
        except Exception:
            log.warning(
                "postmortem: a task failed in a worker process; it is done again in the "
                "build's process",
                exc_info=True,
            )
        return function(*args)

    def close(self, stop: bool = False) -> None:
        """Let the workers end once every task is done; with `stop`, for a build that
        ends early (it failed, or was interrupted), once the task in hand is done, and
        the other tasks are dropped: a `take` that waits for one raises `Stopped`."""
        if stop:
            self._over = True
        self._end(cancel=stop)

    def _end(self, cancel: bool) -> None:
        """End the pool. With `cancel`, the tasks not started are dropped, the workers
        finish the one in hand, and one still at it after `GRACE` seconds (stalled) is
        killed. A worker is never killed before: one that is sending its result would
        leave the pool waiting for the rest forever, and the build's process with it."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if not cancel:
            pool.shutdown(wait=True)
            return
        # Before 3.14, `ProcessPoolExecutor` has no public way to end its processes.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + GRACE
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0))
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()


# The workers not closed yet. MkDocs calls no plugin event when Ctrl-C ends a build; the
# pool would then make every task handed to it before the process could end.
_open: weakref.WeakSet[Workers] = weakref.WeakSet()


def _stop_open() -> None:
    for workers in list(_open):
        workers.close(stop=True)


# At the interpreter's exit, before the threads that wait for the workers are joined:
# CPython's hook for that (3.9+), which `concurrent.futures` uses for its own pools.
_before_threads_end: Callable[[Callable[[], None]], None] | None = getattr(
    threading, "_register_atexit", None
)
if _before_threads_end is not None:
    _before_threads_end(_stop_open)


def shared_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int,
    *,
    chunk: int = CHUNK,
    worth_it_from: int = WORTH_IT_FROM,
) -> list[Result]:
    """`[function(item) for item in items]`, in up to `jobs` processes when there are
    at least `worth_it_from` items. The workers take chunks from the front, a few
    ahead, and this process from the back, then takes back the chunks no worker has
    started, so that neither waits for the other.
    `function` and the items must pickle; send what a worker can read itself (a path)
    rather than what it reads (the bytes)."""
    if jobs <= 1 or len(items) < worth_it_from:
        return [function(item) for item in items]
    parts = [items[start : start + chunk] for start in range(0, len(items), chunk)]
    results: list[list[Result]] = [[] for _ in parts]
    with Workers(min(jobs - 1, len(parts)), _install, (function,)) as workers:
        handed: dict[int, Future[list[Result]] | None] = {}
        front, back = 0, len(parts)  # the workers' next part, and past this process's
        while handed or front < back:
            while front < back and len(handed) < AHEAD * workers.count:
                handed[front] = workers.submit(_apply, parts[front])
                front += 1
            done = [n for n, future in handed.items() if future is None or future.done()]
            for number in done:
                results[number] = workers.take(handed.pop(number), _map, function, parts[number])
            if front < back:
                back -= 1
                results[back] = _map(function, parts[back])
            elif handed and not done:  # nothing left but what the workers have
                number = max(handed)  # the one a worker would reach last
                future = handed.pop(number)
                if future is not None and future.cancel():
                    results[number] = _map(function, parts[number])
                else:
                    results[number] = workers.take(future, _map, function, parts[number])
    return [result for part in results for result in part]


# What a worker applies in `shared_map`, set by its initializer.
_function: Callable[[Any], Any] | None = None


def _install(function: Callable[[Any], Any]) -> None:
    global _function
    _function = function


def _apply(part: Sequence[Any]) -> list[Any]:
    assert _function is not None
    return _map(_function, part)


def _map(function: Callable[[Item], Result], part: Sequence[Item]) -> list[Result]:
    return [function(item) for item in part]


# What the fork server imports once, for every worker it forks.
PRELOAD = ["mkdocs_postmortem.check", "mkdocs_postmortem.render.ahead"]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now, so that it has imported what workers need by the
    time they are asked for (it runs alongside, on another core)."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _start(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker's set-up: Ctrl-C, which reaches every process of the terminal's group,
    is left to the build, which stops its workers; a worker whose build is gone (killed
    outright) ends instead of waiting for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()
    initializer(*initargs)


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)
