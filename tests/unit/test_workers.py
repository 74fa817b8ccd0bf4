"""Work in several processes (`concurrent.futures`, spawned): the same results in the
same order, or done here, and no process left behind."""

from __future__ import annotations

import datetime
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from worker_tasks import (
    dies_in_a_worker,
    fails_in_a_worker,
    slow_in_a_worker,
    square_and_pid,
    stops_in_a_worker,
)

from mkdocs_postmortem import workers
from mkdocs_postmortem.check import Settings, check_archive
from mkdocs_postmortem.schema import SchemaInForce
from mkdocs_postmortem.workers import WORTH_IT_FROM, shared_map

FIXTURE = Path(__file__).parent.parent / "fixtures" / "published.md"
TESTS = str(Path(__file__).parent.parent)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="signals of POSIX")


def children() -> set[int]:
    """The processes this one started, directly or through multiprocessing's fork
    server, that are still there; not the fork server and the resource tracker
    themselves, which last as long as this process and end with it."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                commands[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    helpers = {
        pid
        for pid, parent in parents.items()
        if parent == os.getpid()
        and any(name in commands[pid] for name in (b"resource_tracker", b"forkserver"))
    }
    found = {pid for pid, parent in parents.items() if parent == os.getpid()} - helpers
    found |= {pid for pid, parent in parents.items() if parent in helpers}  # forked workers
    return found


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The plugin's warnings, wherever MkDocs' logging (set up by earlier tests) lets
    them go."""
    logger = logging.getLogger("mkdocs.plugins.postmortem")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.WARNING, logger=logger.name)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def no_process_left() -> Iterator[None]:
    """No process started by the test is left once it ends (others may be there before:
    the browser tests' driver)."""
    before = children()
    yield
    assert children() <= before


@pytest.mark.usefixtures("no_process_left")
def test_a_large_input_is_mapped_in_processes_in_order(tmp_path: Path) -> None:
    numbers = range(3 * WORTH_IT_FROM)
    function = partial(square_and_pid, flag=str(tmp_path / "started"), parent=os.getpid())
    results = shared_map(function, numbers, jobs=2)
    assert [square for square, _ in results] == [n * n for n in numbers]
    assert {pid for _, pid in results} - {os.getpid()}  # a worker did some of it


def test_a_small_input_is_mapped_here() -> None:
    results = shared_map(square_and_pid, range(WORTH_IT_FROM - 1), jobs=2)
    assert results == [(n * n, os.getpid()) for n in range(WORTH_IT_FROM - 1)]


def test_other_threads_do_not_keep_the_work_from_the_workers(tmp_path: Path) -> None:
    """Spawned processes copy no thread and no lock, unlike forked ones."""
    function = partial(square_and_pid, flag=str(tmp_path / "started"), parent=os.getpid())
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = shared_map(function, range(3 * WORTH_IT_FROM), jobs=2)
    finally:
        stop.set()
        thread.join()
    assert {pid for _, pid in results} - {os.getpid()}


@pytest.mark.usefixtures("no_process_left")
def test_work_handed_to_a_busy_worker_is_taken_back_once_this_process_is_free() -> None:
    """Chunks handed ahead to a worker that has not started them are done here when
    nothing else is left, rather than waited for; those it has started are its own."""
    function = partial(slow_in_a_worker, parent=os.getpid())
    results = shared_map(function, range(3 * WORTH_IT_FROM), jobs=2, chunk=5)
    assert os.getpid() not in results[:5]  # started (or queued) in the worker
    assert results[15:20] == [os.getpid()] * 5  # handed fourth, and taken back


@pytest.mark.usefixtures("no_process_left")
def test_a_task_that_fails_in_a_worker_is_logged_and_done_here(
    logged: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    function = partial(fails_in_a_worker, parent=os.getpid(), flag=str(tmp_path / "started"))
    results = shared_map(function, range(3 * WORTH_IT_FROM), jobs=2, chunk=5)
    assert results == [n * n for n in range(3 * WORTH_IT_FROM)]
    failed = [r for r in logged.records if "failed in a worker process" in r.getMessage()]
    assert len({id(record) for record in failed}) == 1  # a record may reach caplog twice
    assert "seven, in a worker" in logged.text  # with its cause and traceback
    assert failed[0].exc_info is not None


@pytest.mark.usefixtures("no_process_left")
def test_when_a_worker_dies_its_work_is_done_here(
    logged: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    function = partial(dies_in_a_worker, parent=os.getpid(), flag=str(tmp_path / "started"))
    results = shared_map(function, range(3 * WORTH_IT_FROM), jobs=2)
    assert results == [n * n for n in range(3 * WORTH_IT_FROM)]
    assert "ended abruptly" in logged.text


@posix_only
@pytest.mark.usefixtures("no_process_left")  # killed, though stopped, and reaped
def test_a_stopped_worker_is_ended_and_its_work_done_here(
    monkeypatch: pytest.MonkeyPatch, logged: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(workers, "STALLED_AFTER", 2.0)
    function = partial(stops_in_a_worker, parent=os.getpid(), flag=str(tmp_path / "started"))
    start = time.monotonic()
    results = shared_map(function, range(3 * WORTH_IT_FROM), jobs=2)
    assert results == [n * n for n in range(3 * WORTH_IT_FROM)]
    assert time.monotonic() - start < 30
    assert "sent nothing for 2 s" in logged.text


def test_an_archive_checked_in_processes_gives_the_same_report(tmp_path: Path) -> None:
    template = FIXTURE.read_text(encoding="utf-8").replace("related: [TEST-2026-0002]\n", "")
    sources: list[tuple[str, bytes | OSError | str]] = []
    for number in range(WORTH_IT_FROM + 50):
        text = template.replace("TEST-2026-0001", f"TEST-2026-{number:04d}")
        if number % 7 == 0:
            text = text.replace("category: retrieval", "category: retreival")
        if number % 11 == 0:
            text += "\nThe root cause was a careless edit; see TEST-2026-9999.\n"
        path = tmp_path / f"pm-{number}.md"
        path.write_text(text, encoding="utf-8")
        # Read by the process that checks it, or given as bytes.
        sources.append(
            (f"docs/postmortems/pm-{number}.md", str(path) if number % 2 else text.encode())
        )
    sources.append(("docs/postmortems/copy.md", str(tmp_path / "pm-3.md")))  # a duplicate id
    sources.append(("docs/postmortems/gone.md", str(tmp_path / "gone.md")))  # cannot be read
    settings = Settings(SchemaInForce.load(), today=datetime.date(2026, 11, 27))
    alone = check_archive(sources, settings, jobs=1)
    shared = check_archive(sources, settings, jobs=2)
    assert len(alone.diagnostics) > 100
    assert any(d.code == "PM000" for d in alone.diagnostics)
    assert shared.diagnostics == alone.diagnostics
    assert [d.data for d in shared.documents] == [d.data for d in alone.documents]
    assert [d.position(["id"]) for d in shared.documents] == [
        d.position(["id"]) for d in alone.documents
    ]


def run_group(code: str) -> subprocess.Popen[str]:
    """`code` in a new interpreter leading a process group, as a terminal runs a build."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": TESTS},
    )


@posix_only
def test_ctrl_c_stops_the_build_and_its_workers_without_a_traceback_from_them() -> None:
    process = run_group(
        """
        import os
        from worker_tasks import slowly
        from mkdocs_postmortem.workers import shared_map

        print("started", flush=True)
        try:
            shared_map(slowly, range(20_000), jobs=3)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        """
    )
    interrupt_when_started(process, after=1.5, timeout=60)


@posix_only
def test_ctrl_c_while_a_thread_waits_for_the_workers_drops_the_work_left() -> None:
    # MkDocs calls no plugin event on Ctrl-C. The process's exit stops the workers, and
    # a thread that waits for their work (the exports' writer) gives up: the pool no
    # longer makes every task handed to it (here a minute's worth) before the end.
    process = run_group(
        """
        import time
        from concurrent.futures import ThreadPoolExecutor
        from worker_tasks import slowly
        from mkdocs_postmortem.workers import Workers, _apply, _install, _map

        workers = Workers(1, _install, (slowly,))
        handed = [workers.submit(_apply, [n]) for n in range(6000)]
        waiter = ThreadPoolExecutor(1)
        waiter.submit(lambda: [workers.take(f, _map, slowly, [n]) for n, f in enumerate(handed)])
        print("started", flush=True)
        try:
            time.sleep(120)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        """
    )
    interrupt_when_started(process, after=1.0, timeout=30)


def interrupt_when_started(process: subprocess.Popen[str], after: float, timeout: float) -> None:
    """Ctrl-C, `after` seconds of work: the process says it was interrupted within
    `timeout` seconds, without a traceback, and nobody of its group is left."""
    assert process.stdout is not None and process.stdout.readline() == "started\n"
    time.sleep(after)  # the workers are at work
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
    out, stderr = process.communicate(timeout=timeout)
    assert out == "interrupted\n"
    assert stderr.count("Traceback") == 0, stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and group_is_there(process.pid):
        time.sleep(0.1)
    assert not group_is_there(process.pid)


def group_is_there(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@posix_only
def test_workers_end_when_the_build_is_killed() -> None:
    process = run_group(
        """
        import os, time
        from worker_tasks import square_and_pid
        from mkdocs_postmortem.workers import Workers, _install

        workers = Workers(1, _install, (square_and_pid,))
        future = workers.submit(square_and_pid, 3)
        print(future.result()[1], flush=True)
        time.sleep(60)
        """
    )
    assert process.stdout is not None
    worker = int(process.stdout.readline())
    process.kill()  # no clean-up at all, as the OOM killer would
    process.communicate()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{worker}"):
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{worker}")
