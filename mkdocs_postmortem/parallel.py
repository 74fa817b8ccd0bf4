"""Work on a large archive in several processes, with the same results in the same order.

Each postmortem is read and checked on its own (only the archive-wide rules need them
all), and each card and archive page is rendered on its own, so the work on 10,000
spreads over the machine's cores: `ordered_map` while the build waits for it, and
`Background` while the build goes on with its own work. Worker processes are forked:
they start in milliseconds with the settings, the archive, the templates and the
items already in memory, and only results travel back. Forking is done only where
it is the platform's own way (Linux) and only while no other thread runs (a fork
copies no thread, but it would copy a lock another thread holds). Anywhere else, for
a small archive, or if a worker dies, fails or stops answering, the work is done
here, one item after the other.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Task = Callable[[], Result]

# Below this many items, starting the processes costs more than it saves.
WORTH_IT_FROM = 200
CHUNK = 50
# The most processes `jobs: 0` starts: each takes some 58 MB, and beyond a few cores
# the build gains little.
MOST_JOBS = 8
# Where the CPU quota of this process's control group is read (cgroup v2 or v1).
CGROUP = "/sys/fs/cgroup"
# A worker that sends nothing for this many seconds while its result is awaited is
# taken for stopped (or stuck): it is killed, and its tasks are done here.
STALLED_AFTER = 60.0
# How long a worker has to end once told to; a stopped one ends on SIGTERM only once
# it goes on, so it is then killed.
GRACE = 1.0

log = logging.getLogger("mkdocs.plugins.postmortem")

# What the workers run; set before they fork, so it is never pickled.
_tasks: Sequence[Callable[[], Any]] = ()


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


def ordered_map(
    function: Callable[[Item], Result],
    items: Iterable[Item],
    jobs: int,
    *,
    chunk: int = CHUNK,
    worth_it_from: int = WORTH_IT_FROM,
) -> Iterator[Result]:
    """`map(function, items)`, in up to `jobs` processes when there are at least
    `worth_it_from` items; the function is never pickled. This process and `jobs` - 1
    workers, which inherit the items, take turns of `chunk` items, and only results
    travel (so give a sequence that reads each item when asked, as `site.Sources`
    does, for memory to stay flat).
    """
    if not isinstance(items, Sequence):
        items = list(items)
    if jobs > 1 and len(items) >= worth_it_from and can_fork():
        yield from _shared(function, items, jobs, chunk)
    else:
        yield from map(function, items)


def _shared(
    function: Callable[[Item], Result], items: Sequence[Item], jobs: int, chunk: int
) -> Iterator[Result]:
    tasks = [
        partial(_map_part, function, items, start, start + chunk)
        for start in range(0, len(items), chunk)
    ]
    for part in Background(tasks, jobs - 1, here=True).results():
        yield from part


def _map_part(
    function: Callable[[Item], Result], items: Sequence[Item], start: int, stop: int
) -> list[Result]:
    return [function(item) for item in items[start:stop]]


def can_fork() -> bool:
    """Whether work can go to forked processes here and now."""
    return sys.platform == "linux" and _threads() == 1


def _threads() -> int:
    """The threads of this process, counting those that `threading` does not know of
    (started by a C extension, or by `_thread`): only the system sees them all."""
    try:
        return max(len(os.listdir("/proc/self/task")), threading.active_count())
    except OSError:  # no /proc
        return threading.active_count()


class Background(Generic[Result]):
    """Tasks started now in up to `workers` processes, while this one goes on with
    other work; their results are taken later, one after the other, in order.

    The tasks are dealt to the workers in turn; each makes its own in order and sends
    each result down its own pipe as soon as it is made. Nothing in this process has
    to run for a worker to go on, not even a thread, which would wait for this busy
    process's lock. With `here`, this process takes a turn too, making its tasks as
    their results are taken while the workers make theirs: for work it would
    otherwise only wait for.
    Without workers (none asked for, another thread running, not Linux), a task runs
    here when its result is taken; so does every task left to a worker that failed,
    died, or sent nothing for `STALLED_AFTER` seconds while its result was awaited.
    """

    def __init__(self, tasks: Sequence[Task[Result]], workers: int, here: bool = False) -> None:
        self._tasks = tasks
        self._workers: list[_Worker] = []
        self._here = here
        if workers >= 1 and tasks and can_fork():
            self._start(min(workers, len(tasks)))

    def _start(self, workers: int) -> None:
        global _tasks
        _tasks = self._tasks
        turns = workers + self._here
        # The workers' garbage collector would otherwise walk, and so copy, every
        # object they inherit from this process.
        gc.freeze()
        try:
            for first in range(self._here, turns):
                numbers = range(first, len(self._tasks), turns)
                readers = [worker.pipe for worker in self._workers if worker.pipe]
                self._workers.append(_Worker.start(numbers, readers))
        except OSError:  # no process could start: the tasks run here
            self.close()
        finally:
            _tasks = ()
            gc.unfreeze()

    def results(self) -> Iterator[Result]:
        """Every task's result in order, each as soon as it is there."""
        try:
            for number, task in enumerate(self._tasks):
                yield self._result(number, task)
        finally:
            self.close()

    def _result(self, number: int, task: Task[Result]) -> Result:
        turn = number % (len(self._workers) + self._here) - self._here if self._workers else -1
        if turn >= 0:
            made = self._workers[turn].receive()
            if made is not None:
                return pickle.loads(made)  # type: ignore[no-any-return]
        return task()

    def close(self) -> None:
        """Stop the workers; a build that stops early leaves no process behind."""
        for worker in self._workers:
            worker.end()
        deadline = time.monotonic() + GRACE  # all of them end meanwhile
        for worker in self._workers:
            worker.reap(deadline)
        self._workers = []


class _Worker:
    """A forked process that does some of the tasks and sends back what they made."""

    def __init__(self, process: multiprocessing.process.BaseProcess, pipe: Connection) -> None:
        self._process = process
        self.pipe: Connection | None = pipe

    @classmethod
    def start(cls, numbers: range, readers: list[Connection]) -> _Worker:
        """A worker for the tasks `numbers`; `readers` are the ends this process reads
        the workers started before from."""
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        readers = [*readers, receiver]  # the worker closes its copies of them
        process = context.Process(target=_work, args=(numbers, sender, readers), daemon=True)
        try:
            process.start()
        finally:
            # Only the worker writes: once it is gone, reading ends instead of waiting.
            sender.close()
        return cls(process, receiver)

    def receive(self) -> bytearray | None:
        """The pickled result of this worker's next task; None once it failed, died or
        stopped answering."""
        if self.pipe is None:
            return None
        try:
            (size,) = struct.unpack("!Q", _read_pipe(self.pipe, 8))
            made = _read_pipe(self.pipe, size)
        except (EOFError, OSError):
            made = bytearray()
        except _Stalled:
            log.warning(
                "postmortem: a worker process stopped answering for %g s; "
                "its work is done in the build's process",
                STALLED_AFTER,
            )
            made = bytearray()
        if not made:
            self.stop()
            return None
        return made

    def stop(self) -> None:
        self.end()
        self.reap(time.monotonic() + GRACE)

    def end(self) -> None:
        """Tell the worker to end: its pipe is closed, and it is sent SIGTERM."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self._process.is_alive():
            self._process.terminate()

    def reap(self, deadline: float) -> None:
        """Wait for the worker to end; one that has not by `deadline` (stopped, so
        SIGTERM waits for it to go on) is killed."""
        self._process.join(max(deadline - time.monotonic(), 0))
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()


class _Stalled(Exception):
    """A worker sent nothing for `STALLED_AFTER` seconds."""


def _read_pipe(pipe: Connection, size: int) -> bytearray:
    """`size` bytes from a worker's pipe, taken as they come: a worker that stops even
    halfway through a result is seen (`_Stalled`), where `recv_bytes` would wait on."""
    data = bytearray(size)
    with memoryview(data) as view:
        done = 0
        while done < size:
            if not pipe.poll(STALLED_AFTER):
                raise _Stalled
            read = os.readv(pipe.fileno(), [view[done:]])
            if not read:
                raise EOFError
            done += read
    return data


def _work(numbers: range, pipe: Connection, readers: list[Connection]) -> None:
    """A worker's life: make each result, pickled, and hand it to a thread that sends
    it, so that making goes on while this process waits for the other to read."""
    for reader in readers:
        # Only the build reads: if it is gone, sending fails instead of waiting forever.
        reader.close()
    _leave_interrupts_to_the_build()
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send, args=(outbox, pipe))
    sender.start()
    try:
        for number in numbers:
            try:
                outbox.put(pickle.dumps(_tasks[number](), pickle.HIGHEST_PROTOCOL))
            except Exception:
                log.warning(
                    "postmortem: a task failed in a worker process; it and the worker's "
                    "next ones are done in the build's process",
                    exc_info=True,
                )
                outbox.put(b"")  # failed: this task and the rest are done in the other
                break
    finally:
        outbox.put(None)
        sender.join()


def _send(outbox: queue.SimpleQueue[bytes | None], pipe: Connection) -> None:
    """Send each result with its length ahead, which `_read_pipe` reads."""
    while (made := outbox.get()) is not None:
        try:
            _write(pipe.fileno(), struct.pack("!Q", len(made)))
            _write(pipe.fileno(), made)
        except OSError:  # the build is gone: nothing left to make work for
            os._exit(0)


def _write(descriptor: int, data: bytes) -> None:
    with memoryview(data) as view:
        done = 0
        while done < len(data):
            done += os.write(descriptor, view[done:])


def _leave_interrupts_to_the_build() -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker ignores it, and
    the build, which stops, stops its workers, without a traceback from each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
