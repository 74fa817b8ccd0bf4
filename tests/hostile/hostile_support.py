"""Shared helpers of the hostile-input suite: invariants every result must keep, a
runner with a hard time limit, and the reproducers of bugs this suite found.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Callable, Iterable
from typing import Any

from mkdocs_postmortem.check import Report, Settings
from mkdocs_postmortem.diagnostics import RULES, Diagnostic
from mkdocs_postmortem.reader import read

TODAY = "2026-11-27"
BOM = b"\xef\xbb\xbf"


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.load(today=TODAY)


# --------------------------------------------------------------------------- invariants


def universal_lines(text: str) -> int:
    """Lines of a text as MkDocs and editors count them (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def raw_lines(raw: bytes) -> int:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def check_diagnostics(diagnostics: Iterable[Diagnostic], lines_by_path: dict[str, int]) -> None:
    """Every diagnostic points into its file, with a known rule."""
    for diagnostic in diagnostics:
        assert diagnostic.code in RULES, diagnostic
        assert isinstance(diagnostic.line, int) and isinstance(diagnostic.column, int)
        assert diagnostic.line >= 1, diagnostic
        assert diagnostic.column >= 1, diagnostic
        assert diagnostic.path in lines_by_path, diagnostic
        assert diagnostic.line <= lines_by_path[diagnostic.path] + 1, (
            f"line {diagnostic.line} of a file of {lines_by_path[diagnostic.path]} lines",
            diagnostic,
        )
        assert diagnostic.severity is RULES[diagnostic.code].severity or diagnostic.code in (
            settings().severities
        )
        str(diagnostic)  # the formatters must not fail either
        diagnostic.to_dict()


def check_report(report: Report, sources: list[tuple[str, bytes]]) -> None:
    lines = {path: raw_lines(raw) for path, raw in sources}
    assert len(report.documents) == len(sources)
    check_diagnostics(report.diagnostics, lines)
    assert report.diagnostics == sorted(report.diagnostics)
    for document in report.documents:
        assert document.data is None or isinstance(document.data, dict)


# --------------------------------------------------------------------------- time limits


def _child(queue: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        function(*args)
    except BaseException as error:  # report any failure to the parent
        queue.put(f"{type(error).__name__}: {error}")
    else:
        queue.put("")


def finishes_within(seconds: float, function: Callable[..., Any], *args: Any) -> bool:
    """Whether `function(*args)` returns within `seconds`, run in a forked process
    that is killed when it does not (a regular expression cannot be interrupted)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, function, args), daemon=True)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        return False
    failure = queue.get(timeout=5)
    assert failure == "", failure
    return True


def check_bytes(raw: bytes) -> None:
    """read() and check_archive() of one file, for `finishes_within`."""
    from mkdocs_postmortem.check import check_archive

    read("x.md", raw)
    check_archive([("x.md", raw)], settings())


# --------------------------------------------------------------------------- reproducers
# Inputs that once broke the reader or the checks; test_hostile_files.py keeps them fixed.

# A control character, which YAML refuses raw.
CONTROL_CHAR_REPRO = b"---\nid: A-1\ntitle: a\x07b\n---\n"
# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks to YAML, not to MkDocs.
LINE_SEPARATOR_REPRO = '---\ntitle: "a\u2028b"\nid: 1\nid: 2\n---\n'.encode()
# An invalid byte with CR line endings, and one after a BOM.
CR_ONLY_REPRO = b"---\rid: x\r\xff\r---\r"
BOM_REPRO = BOM + b"---\nid: x\xff\n---\n"
# A moment whose zone moves it past year 1.
OVERFLOW_REPRO = "0001-01-01T00:00+00:01"
# An id that matches only because Python's `$` also matches before a final line break.
DOLLAR_REPRO = (
    b'---\nid: "TEST-2026-0001\\n"\ntitle: t\nstatus: draft\nseverity: sev3\n'
    b"occurred: 2026-01-01\nsummary: s\n---\n"
)


def _published_with(old: str, new: str) -> bytes:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "fixtures" / "published.md").read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


# Unhashable values where the checks once built sets: a factor layer, an item status.
LAYER_REPRO = _published_with("  - layer: prompt\n", "  - layer: []\n")
ITEM_STATUS_REPRO = _published_with("    status: done\n", "    status: [done]\n")


def today() -> dt.date:
    return settings().today
