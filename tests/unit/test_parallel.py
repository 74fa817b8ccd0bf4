"""Checking in several processes: the same results, in the same order, or done here."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading

import pytest
from cases import published

from mkdocs_postmortem import SchemaInForce, Settings, check_archive
from mkdocs_postmortem.parallel import WORTH_IT_FROM, ordered_map

PARENT = os.getpid()
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="processes are forked on Linux")


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def dies_in_a_worker(number: int) -> int:
    if os.getpid() != PARENT and number == WORTH_IT_FROM + 7:
        os._exit(1)  # a worker killed, say by the OOM killer
    return number * number


@linux_only
def test_a_large_input_is_mapped_in_processes_in_order() -> None:
    numbers = range(3 * WORTH_IT_FROM)
    results = list(ordered_map(square_and_pid, numbers, jobs=2))
    assert [square for square, _ in results] == [n * n for n in numbers]
    assert PARENT not in {pid for _, pid in results}


def test_a_small_input_is_mapped_here() -> None:
    results = list(ordered_map(square_and_pid, range(WORTH_IT_FROM - 1), jobs=2))
    assert {pid for _, pid in results} == {PARENT}


def test_with_another_thread_running_nothing_is_forked() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        results = list(ordered_map(square_and_pid, range(2 * WORTH_IT_FROM), jobs=2))
    finally:
        stop.set()
        other.join()
    assert {pid for _, pid in results} == {PARENT}


@linux_only
def test_when_a_worker_dies_the_rest_is_done_here() -> None:
    numbers = range(3 * WORTH_IT_FROM)
    assert list(ordered_map(dies_in_a_worker, numbers, jobs=2)) == [n * n for n in numbers]


@linux_only
def test_an_archive_checked_in_processes_gives_the_same_report() -> None:
    sources = []
    for number in range(WORTH_IT_FROM + 50):
        text = published(f"TEST-2026-{number:04d}")
        if number % 7 == 0:
            text = text.replace("category: retrieval", "category: retreival")
        if number % 11 == 0:
            text += "\nThe root cause was a careless edit; see TEST-2026-9999.\n"
        sources.append((f"docs/postmortems/pm-{number}.md", text.encode()))
    sources.append(("docs/postmortems/copy.md", sources[3][1]))  # a duplicate id
    settings = Settings(SchemaInForce.load(), today=dt.date(2026, 11, 27))

    alone = check_archive(sources, settings, jobs=1)
    shared = check_archive(sources, settings, jobs=2)
    assert len(alone.diagnostics) > 100
    assert shared.diagnostics == alone.diagnostics
    assert [d.data for d in shared.documents] == [d.data for d in alone.documents]
    assert [d.position(["id"]) for d in shared.documents] == [
        d.position(["id"]) for d in alone.documents
    ]
