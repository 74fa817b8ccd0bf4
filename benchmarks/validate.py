"""How fast is `mkdocs-postmortem validate`? Generates N realistic postmortems (one in
ten with problems) and times the check in-process, in one process and in one per
core, and the command end to end (one per core).

    python benchmarks/validate.py 1000 10000

Prints medians of several runs and postmortems per second; no goal is asserted here.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from mkdocs_postmortem import SchemaInForce, Settings, check_archive
from mkdocs_postmortem.workers import default_jobs

FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "published.md"
RUNS = 5


def synthetic(count: int) -> list[tuple[str, bytes]]:
    template = FIXTURE.read_text(encoding="utf-8").replace("related: [TEST-2026-0002]\n", "")
    sources = []
    for number in range(count):
        text = template.replace("TEST-2026-0001", f"BENCH-2026-{number:05d}")
        if number % 10 == 0:
            text = text.replace("category: retrieval", "category: retreival")
        sources.append((f"docs/postmortems/pm-{number:05d}.md", text.encode()))
    return sources


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_in_process(sources: list[tuple[str, bytes]], settings: Settings, jobs: int) -> float:
    return median_seconds(partial(check_archive, sources, settings, jobs=jobs))


def validate_command(sources: list[tuple[str, bytes]]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "mkdocs.yml").write_text("site_name: B\nplugins:\n  - postmortem\n")
        (root / "docs" / "postmortems").mkdir(parents=True)
        for name, raw in sources:
            (root / name).write_bytes(raw)
        command = [sys.executable, "-m", "mkdocs_postmortem", "validate", "--format", "json"]
        run = partial(subprocess.run, command, cwd=root, capture_output=True, check=False)
        return median_seconds(run, 3)


def main(counts: list[int]) -> None:
    settings = Settings(SchemaInForce.load())
    cores = default_jobs()
    print(
        f"{'N':>7} {'1 process':>10} {'per s':>7} {cores:>2} processes {'per s':>7} "
        f"{'CLI (s)':>8} {'per s':>7}"
    )
    for count in counts:
        sources = synthetic(count)
        alone = check_in_process(sources, settings, 1)
        shared = check_in_process(sources, settings, cores)
        cli = validate_command(sources)
        print(
            f"{count:>7} {alone:>10.3f} {count / alone:>7.0f} {shared:>12.3f} "
            f"{count / shared:>7.0f} {cli:>8.3f} {count / cli:>7.0f}"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000])
