"""Work on a large archive in several processes, with the same results in the same order.

Each postmortem is checked on its own (only the archive-wide rules need them all), and
each card, listing row and archive page is rendered on its own, so the work on 10,000
spreads over the machine's cores. Worker processes are forked: they start in
milliseconds with the settings, the archive and the templates already in memory, and
only the items and the results travel between processes. Forking is done only where
it is the platform's own way (Linux) and only while no other thread runs (a fork
copies no thread, but it would copy a lock another thread holds). Anywhere else, for
a small archive, or if a worker dies, the work is done here, one item after the other.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Task = Callable[[], Result]

# Below this many items, starting the processes costs more than it saves.
WORTH_IT_FROM = 200
CHUNK = 50

# What the workers run; set before they fork, so it is never pickled.
_function: Callable[[Any], Any] | None = None
_tasks: Sequence[Callable[[], Any]] = ()


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(
    function: Callable[[Item], Result],
    items: Iterable[Item],
    jobs: int,
    *,
    chunk: int = CHUNK,
    worth_it_from: int = WORTH_IT_FROM,
) -> Iterator[Result]:
    """`map(function, items)`, in up to `jobs` processes when there are at least
    `worth_it_from` items. Items travel by `chunk`; the function is never pickled."""
    iterator = iter(items)
    head = list(itertools.islice(iterator, worth_it_from))
    everything = itertools.chain(head, iterator)
    if jobs > 1 and len(head) == worth_it_from and _can_fork():
        yield from _in_processes(function, everything, jobs, chunk)
    else:
        yield from map(function, everything)


def _can_fork() -> bool:
    return sys.platform == "linux" and threading.active_count() == 1


def _in_processes(
    function: Callable[[Item], Result], items: Iterable[Item], jobs: int, chunk: int
) -> Iterator[Result]:
    global _function
    _function = function
    context = multiprocessing.get_context("fork")
    # The workers' garbage collector would otherwise walk, and so copy, every object
    # they inherit from this process.
    gc.freeze()
    try:
        # With fork, the pool starts all its workers before its own thread.
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            pending: deque[tuple[list[Item], Future[list[Result]] | None]] = deque()
            for part in _chunks(items, chunk):
                pending.append((part, _submit(pool, part)))
                if len(pending) > 2 * jobs:  # a bounded number of items in flight
                    yield from _results(function, *pending.popleft())
            while pending:
                yield from _results(function, *pending.popleft())
    finally:
        _function = None
        gc.unfreeze()


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _submit(pool: ProcessPoolExecutor, chunk: list[Item]) -> Future[list[Any]] | None:
    try:
        return pool.submit(_run_chunk, chunk)
    except (BrokenProcessPool, RuntimeError, OSError):
        return None


def _results(
    function: Callable[[Item], Result], chunk: list[Item], future: Future[list[Result]] | None
) -> list[Result]:
    if future is not None:
        try:
            return future.result()
        except (BrokenProcessPool, OSError, pickle.PickleError):
            pass
    return [function(item) for item in chunk]  # the pool failed: here, as without it


def _run_chunk(chunk: list[Any]) -> list[Any]:
    assert _function is not None
    return [_function(item) for item in chunk]


class Background(Generic[Result]):
    """Tasks started now in up to `workers` processes, while this one goes on with
    other work; their results are taken later, one after the other, in order.

    Without workers (none asked for, another thread running, not Linux), a task runs
    here when its result is taken; so does the task of a worker that died.
    """

    def __init__(self, tasks: Sequence[Task[Result]], workers: int) -> None:
        self._tasks = tasks
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[Result] | None] = [None] * len(tasks)
        if workers >= 1 and tasks and _can_fork():
            self._start(workers)

    def _start(self, workers: int) -> None:
        global _tasks
        _tasks = self._tasks
        gc.freeze()  # as in `_in_processes`
        try:
            self._pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")
            )
            # The first task forks every worker; they keep what they inherit.
            for number in range(len(self._tasks)):
                self._futures[number] = _submit_task(self._pool, number)
        finally:
            _tasks = ()
            gc.unfreeze()

    def results(self) -> Iterator[Result]:
        """Every task's result in order, each as soon as it is there."""
        try:
            for number, task in enumerate(self._tasks):
                future, self._futures[number] = self._futures[number], None
                yield _result(task, future)
        finally:
            self.close()

    def close(self) -> None:
        """Stop what has not started; a build that stops early leaves no process."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _submit_task(pool: ProcessPoolExecutor, number: int) -> Future[Any] | None:
    try:
        return pool.submit(_run_task, number)
    except (BrokenProcessPool, RuntimeError, OSError):
        return None


def _run_task(number: int) -> Any:
    return _tasks[number]()


def _result(task: Task[Result], future: Future[Result] | None) -> Result:
    if future is not None:
        try:
            return future.result()
        except (BrokenProcessPool, OSError, pickle.PickleError):
            pass
    return task()
