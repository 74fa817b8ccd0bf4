"""Coverage-guided fuzzing of `read()` and `check_archive()` with atheris (libFuzzer).

atheris is not a dependency of the project; install it by hand where it has a wheel
(CPython on Linux/macOS x86-64 and arm64):

    .venv/bin/pip install atheris

Run it by hand from the repository root, with the seed corpus:

    .venv/bin/python fuzz/fuzz_reader.py -max_total_time=60 fuzz/corpus

libFuzzer adds every input that reaches new code to the first corpus folder. To keep
the seed corpus small, give a scratch folder first and the seeds second:

    mkdir -p /tmp/pm-corpus
    .venv/bin/python fuzz/fuzz_reader.py -max_total_time=60 /tmp/pm-corpus fuzz/corpus

Useful libFuzzer flags: `-timeout=10` (an input slower than 10 s is reported as a
hang), `-rss_limit_mb=4096`, `-max_len=65536`, `-jobs=4 -workers=4`, `-runs=N`.
Any exception, and any diagnostic that breaks an invariant (line and column >= 1,
the line inside the file, a known rule), stops the run and writes the input to
`crash-<sha1>` (or `timeout-<sha1>`) in the working directory. Replay one with:

    .venv/bin/python fuzz/fuzz_reader.py crash-<sha1>

While known bugs are open, `PM_FUZZ_SKIP_KNOWN=1` ignores their exceptions (listed in
`KNOWN` below, each with its test in tests/hostile/test_hostile_files.py) so that the
run can go on to find new ones. Without it, every exception is reported.

Each input is checked three ways: as the whole file; framed as a front-matter
(`---\\n<input>\\n---\\n`); and spliced among the keys of a valid published postmortem,
so that mutations reach the schema, review and archive rules quickly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["mkdocs_postmortem"]):
    from mkdocs_postmortem.archive import Archive
    from mkdocs_postmortem.check import Settings, check_archive
    from mkdocs_postmortem.diagnostics import RULES
    from mkdocs_postmortem.reader import read

SETTINGS = Settings.load(today="2026-11-27")
PUBLISHED = (
    (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "published.md")
    .read_bytes()
    .replace(b"related: [TEST-2026-0002]\n", b"")
)
SPLICE_AT = b"tags: [support, refunds]\n"
SKIP_KNOWN = os.environ.get("PM_FUZZ_SKIP_KNOWN") == "1"

# (exception type name, text in its message): open bugs, reported to the maintainers.
KNOWN = (
    ("ReaderError", "unacceptable character"),  # control character in the front-matter
    ("OverflowError", "date value out of range"),  # moment moved past year 1 or 9999
    ("TypeError", "unhashable type"),  # a list as factor layer or action item status
)


def _lines(raw: bytes) -> int:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def _check(raw: bytes) -> None:
    document = read("fuzz.md", raw)
    if document.data is not None and not isinstance(document.data, dict):
        raise AssertionError(f"data is a {type(document.data).__name__}")
    report = check_archive([("fuzz.md", raw)], SETTINGS)
    lines = _lines(raw)
    for diagnostic in report.diagnostics:
        if diagnostic.code not in RULES:
            raise AssertionError(f"unknown rule: {diagnostic}")
        if diagnostic.line < 1 or diagnostic.column < 1:
            raise AssertionError(f"position before the file: {diagnostic}")
        if diagnostic.line > lines + 1:
            raise AssertionError(f"line {diagnostic.line} of a {lines}-line file: {diagnostic}")
        str(diagnostic)
    Archive.build(report.documents, SETTINGS.schema, SETTINGS.today)


def TestOneInput(data: bytes) -> None:
    variants = [data, b"---\n" + data + b"\n---\n", PUBLISHED.replace(SPLICE_AT, data + b"\n")]
    for raw in variants:
        try:
            _check(raw)
        except Exception as error:
            if SKIP_KNOWN and any(
                type(error).__name__ == name and text in str(error) for name, text in KNOWN
            ):
                continue
            raise


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
