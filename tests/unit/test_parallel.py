"""Work in several processes: the same results, in the same order, or done here.

The tests that fork run in a fresh interpreter: this test process may have other
threads by then (the browser tests leave some), and with another thread running
nothing is forked, by design.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from mkdocs_postmortem.parallel import WORTH_IT_FROM, Background, ordered_map

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "published.md")
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="processes are forked on Linux")


def in_fresh_python(code: str) -> object:
    """What `code` prints as JSON, run in a new interpreter with no other thread."""
    return in_fresh_python_with_stderr(code)[0]


def in_fresh_python_with_stderr(code: str, timeout: float = 300) -> tuple[object, str]:
    """What `code` prints as JSON, and what it writes to stderr. If it does not end in
    `timeout` seconds, it and every process it started are killed (stopped ones too)."""
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, to be killed with its workers
    )
    try:
        out, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    assert process.returncode == 0, stderr
    return json.loads(out), stderr


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


@linux_only
def test_a_large_stream_is_mapped_in_processes_in_order() -> None:
    seen = in_fresh_python(
        f"""
        import json, os
        from mkdocs_postmortem.parallel import ordered_map
        stream = iter(range({3 * WORTH_IT_FROM}))  # taken in, then shared as a list is
        results = list(ordered_map(lambda n: (n * n, os.getpid()), stream, 2))
        print(json.dumps({{
            "in_order": [s for s, _ in results] == [n * n for n in range({3 * WORTH_IT_FROM})],
            "processes": len({{pid for _, pid in results}}),
        }}))
        """
    )
    assert seen == {"in_order": True, "processes": 2}


@linux_only
def test_when_a_worker_dies_the_rest_is_done_here() -> None:
    seen = in_fresh_python(
        f"""
        import json, os
        from mkdocs_postmortem.parallel import ordered_map
        parent = os.getpid()

        def dies_in_a_worker(number):
            if os.getpid() != parent and number == {WORTH_IT_FROM + 7}:
                os._exit(1)  # a worker killed, say by the OOM killer
            return number * number

        results = list(ordered_map(dies_in_a_worker, range({3 * WORTH_IT_FROM}), 2))
        print(json.dumps(results == [n * n for n in range({3 * WORTH_IT_FROM})]))
        """
    )
    assert seen is True


@linux_only
def test_an_archive_checked_in_processes_gives_the_same_report() -> None:
    seen = in_fresh_python(
        f"""
        import datetime, json, os, tempfile
        import mkdocs_postmortem.check as check
        from mkdocs_postmortem import SchemaInForce, Settings, check_archive

        template = open({FIXTURE!r}, encoding="utf-8").read()
        template = template.replace("related: [TEST-2026-0002]\\n", "")
        sources = []
        for number in range({WORTH_IT_FROM + 50}):
            text = template.replace("TEST-2026-0001", f"TEST-2026-{{number:04d}}")
            if number % 7 == 0:
                text = text.replace("category: retrieval", "category: retreival")
            if number % 11 == 0:
                text += "\\nThe root cause was a careless edit; see TEST-2026-9999.\\n"
            sources.append((f"docs/postmortems/pm-{{number}}.md", text.encode()))
        sources.append(("docs/postmortems/copy.md", sources[3][1]))  # a duplicate id
        settings = Settings(SchemaInForce.load(), today=datetime.date(2026, 11, 27))

        # Which processes checked the documents, written down by each of them.
        record = tempfile.NamedTemporaryFile("r", delete=False)
        original = check.check_document

        def recorded(*args):
            with open(record.name, "a") as out:
                out.write(f"{{os.getpid()}}\\n")
            return original(*args)

        check.check_document = recorded
        alone = check_archive(sources, settings, jobs=1)
        open(record.name, "w").close()
        shared = check_archive(sources, settings, jobs=2)
        checkers = set(record.read().split())
        print(json.dumps({{
            "problems": len(alone.diagnostics),
            "same problems": shared.diagnostics == alone.diagnostics,
            "same data": [d.data for d in shared.documents] == [d.data for d in alone.documents],
            "same places": [d.position(["id"]) for d in shared.documents]
            == [d.position(["id"]) for d in alone.documents],
            "checked here": str(os.getpid()) in checkers,
            "checkers": len(checkers),
        }}))
        """
    )
    assert isinstance(seen, dict) and seen.pop("problems") > 100
    assert seen == {
        "same problems": True,
        "same data": True,
        "same places": True,
        # A list of sources is shared: this process checks its turn, a worker the rest.
        "checked here": True,
        "checkers": 2,
    }


def test_a_small_input_is_mapped_here() -> None:
    results = list(ordered_map(square_and_pid, range(WORTH_IT_FROM - 1), jobs=2))
    assert {pid for _, pid in results} == {os.getpid()}


def test_with_another_thread_running_nothing_is_forked() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        results = list(ordered_map(square_and_pid, range(2 * WORTH_IT_FROM), jobs=2))
    finally:
        stop.set()
        other.join()
    assert [square for square, _ in results] == [n * n for n in range(2 * WORTH_IT_FROM)]
    assert {pid for _, pid in results} == {os.getpid()}


@linux_only
def test_background_tasks_run_in_workers_while_this_process_goes_on() -> None:
    seen = in_fresh_python(
        """
        import json, multiprocessing, os, time
        from mkdocs_postmortem.parallel import Background

        def task(number):
            return lambda: (number * number, os.getpid(), time.monotonic())

        background = Background([task(n) for n in range(40)], workers=1)
        started = time.monotonic()
        time.sleep(0.5)  # this process is busy with something else meanwhile
        results = list(background.results())
        print(json.dumps({
            "in_order": [square for square, _, _ in results] == [n * n for n in range(40)],
            "here": os.getpid() in {pid for _, pid, _ in results},
            "made meanwhile": max(at for _, _, at in results) < started + 0.5,
            "processes left": len(multiprocessing.active_children()),
        }))
        """
    )
    assert seen == {"in_order": True, "here": False, "made meanwhile": True, "processes left": 0}


@linux_only
def test_a_background_task_whose_worker_died_is_done_here() -> None:
    seen = in_fresh_python(
        """
        import json, os
        from mkdocs_postmortem.parallel import Background
        parent = os.getpid()

        def task(number):
            def run():
                if os.getpid() != parent and number == 7:
                    os._exit(1)  # a worker killed, say by the OOM killer
                return number * number
            return run

        results = list(Background([task(n) for n in range(30)], workers=2).results())
        print(json.dumps(results == [n * n for n in range(30)]))
        """
    )
    assert seen is True


@linux_only
def test_a_background_closed_early_leaves_no_process() -> None:
    seen = in_fresh_python(
        """
        import json, multiprocessing, time
        from mkdocs_postmortem.parallel import Background

        def task(number):
            return lambda: time.sleep(0.05) or number

        background = Background([task(n) for n in range(200)], workers=2)
        first = next(background.results())
        started = time.monotonic()
        background.close()
        print(json.dumps({
            "first": first,
            "closed soon": time.monotonic() - started < 2,
            "processes left": len(multiprocessing.active_children()),
        }))
        """
    )
    assert seen == {"first": 0, "closed soon": True, "processes left": 0}


def test_without_workers_a_task_runs_when_its_result_is_taken() -> None:
    ran: list[int] = []

    def task(number: int):
        return lambda: ran.append(number) or number

    results = Background([task(n) for n in range(3)], workers=0).results()
    assert ran == []
    assert next(results) == 0
    assert ran == [0]
    assert list(results) == [1, 2]


@linux_only
def test_a_task_that_fails_in_a_worker_is_done_here_with_the_rest() -> None:
    seen = in_fresh_python(
        """
        import json, os
        from mkdocs_postmortem.parallel import Background
        parent = os.getpid()

        def task(number):
            def run():
                if os.getpid() != parent and number == 4:
                    raise RuntimeError("only in the worker")
                return number, os.getpid() == parent
            return run

        results = list(Background([task(n) for n in range(10)], workers=2).results())
        print(json.dumps({
            "all": [n for n, _ in results] == list(range(10)),
            "here": [n for n, here in results if here],
        }))
        """
    )
    # Worker 0 has the even tasks: 4 failed there, so 4, 6 and 8 are done here.
    assert seen == {"all": True, "here": [4, 6, 8]}


@linux_only
def test_a_sequence_is_shared_between_this_process_and_the_workers() -> None:
    seen = in_fresh_python(
        f"""
        import json, os
        from mkdocs_postmortem.parallel import ordered_map
        parent = os.getpid()
        numbers = list(range({3 * WORTH_IT_FROM}))
        results = list(ordered_map(lambda n: (n * n, os.getpid() == parent), numbers, 2))
        print(json.dumps({{
            "in_order": [square for square, _ in results] == [n * n for n in numbers],
            "here": sum(here for _, here in results),
        }}))
        """
    )
    # Twelve chunks of 50 take turns: this process has the first, third, fifth...
    assert seen == {"in_order": True, "here": 6 * 50}


@linux_only
def test_ctrl_c_is_left_to_the_build_by_the_workers() -> None:
    code = """
        import signal, time
        from mkdocs_postmortem.parallel import Background

        def task(number):
            return lambda: time.sleep(0.2) or number

        background = Background([task(n) for n in range(100)], workers=2)
        # The build's own handling of Ctrl-C, set after the workers started.
        signal.signal(signal.SIGINT, lambda *_: print("interrupted", flush=True))
        print("started", flush=True)
        time.sleep(1.5)
        background.close()
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal gives a build
    )
    assert process.stdout is not None and process.stdout.readline() == "started\n"
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
    out, stderr = process.communicate(timeout=60)
    assert out == "interrupted\n"
    assert "Traceback" not in stderr, stderr  # none from a worker


@linux_only
def test_workers_stop_when_the_build_is_killed() -> None:
    code = """
        import os, time
        from mkdocs_postmortem.parallel import Background

        def task(number):
            return lambda: time.sleep(0.05) or "x" * 100_000

        background = Background([task(n) for n in range(400)], workers=1)
        print(background._workers[0]._process.pid, flush=True)
        time.sleep(60)
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    worker = int(process.stdout.readline())
    process.kill()  # no clean-up at all, as the OOM killer would
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{worker}"):
        time.sleep(0.1)
    # Its results fill the pipe nobody reads: the worker ends, not after 20 s of work.
    assert not os.path.exists(f"/proc/{worker}")


@linux_only
def test_a_task_that_fails_in_a_worker_is_logged_with_its_traceback() -> None:
    seen, stderr = in_fresh_python_with_stderr(
        """
        import json, os
        from mkdocs_postmortem.parallel import Background
        parent = os.getpid()

        def task(number):
            def run():
                if os.getpid() != parent and number == 4:
                    raise RuntimeError("only in the worker")
                return number
            return run

        print(json.dumps(list(Background([task(n) for n in range(10)], workers=2).results())))
        """
    )
    assert seen == list(range(10))
    assert "postmortem: a task failed in a worker process" in stderr
    assert "Traceback" in stderr
    assert "RuntimeError: only in the worker" in stderr


@linux_only
def test_a_stopped_worker_is_killed_and_its_tasks_are_done_here() -> None:
    seen, stderr = in_fresh_python_with_stderr(
        """
        import json, multiprocessing, os, signal, time
        from mkdocs_postmortem import parallel
        from mkdocs_postmortem.parallel import Background
        parallel.STALLED_AFTER = 1.0
        parent = os.getpid()

        def task(number):
            return lambda: time.sleep(0.05) or (number * number, os.getpid() == parent)

        background = Background([task(n) for n in range(40)], workers=1)
        worker = background._workers[0]._process.pid
        os.kill(worker, signal.SIGSTOP)  # alive, its pipe open, and sending nothing
        started = time.monotonic()
        results = list(background.results())
        print(json.dumps({
            "in_order": [square for square, _ in results] == [n * n for n in range(40)],
            "done here": sum(here for _, here in results) > 0,
            "soon": time.monotonic() - started < 20,
            "processes left": len(multiprocessing.active_children()),
            "reaped": not os.path.exists(f"/proc/{worker}"),
        }))
        """,
        timeout=60,
    )
    assert seen == {
        "in_order": True,
        "done here": True,
        "soon": True,
        "processes left": 0,
        "reaped": True,
    }
    assert stderr.count("postmortem: a worker process stopped answering") == 1, stderr
    assert "Traceback" not in stderr


@linux_only
def test_a_worker_stopped_halfway_through_a_result_is_seen() -> None:
    seen, stderr = in_fresh_python_with_stderr(
        """
        import json, multiprocessing, os, signal, time
        from mkdocs_postmortem import parallel
        from mkdocs_postmortem.parallel import Background
        parallel.STALLED_AFTER = 1.0
        parent = os.getpid()

        def task(number):
            return lambda: ("x" * 5_000_000 if number == 0 else number, os.getpid() == parent)

        background = Background([task(n) for n in range(5)], workers=1)
        worker = background._workers[0]._process.pid
        time.sleep(0.5)  # the first result fills the pipe, the worker waits to send on
        os.kill(worker, signal.SIGSTOP)
        results = list(background.results())
        print(json.dumps({
            "same": [made for made, _ in results] == ["x" * 5_000_000, 1, 2, 3, 4],
            "done here": [here for _, here in results],
            "reaped": not os.path.exists(f"/proc/{worker}"),
        }))
        """,
        timeout=60,
    )
    assert seen == {"same": True, "done here": [True] * 5, "reaped": True}
    assert "postmortem: a worker process stopped answering" in stderr


@linux_only
def test_a_thread_that_threading_does_not_know_of_stops_forking() -> None:
    seen = in_fresh_python(
        """
        import _thread, json, os, threading, time
        from mkdocs_postmortem.parallel import Background, can_fork

        before = can_fork()
        go_on, ended = _thread.allocate_lock(), _thread.allocate_lock()
        go_on.acquire()
        ended.acquire()

        def wait():  # as a thread a C extension started would
            with go_on:
                ended.release()

        _thread.start_new_thread(wait, ())
        during = can_fork()
        seen_by_threading = threading.active_count()
        forked = len(Background([lambda: 1], workers=1)._workers)
        go_on.release()
        ended.acquire()
        deadline = time.monotonic() + 10
        while len(os.listdir("/proc/self/task")) > 1 and time.monotonic() < deadline:
            time.sleep(0.01)  # the thread is gone a moment after it has released the lock
        print(json.dumps({
            "before": before,
            "during": during,
            "seen by threading": seen_by_threading,
            "forked": forked,
            "after": can_fork(),
        }))
        """
    )
    assert seen == {
        "before": True,
        "during": False,
        "seen by threading": 1,
        "forked": 0,
        "after": True,
    }
