"""How soon a broken archive fails the build, against a successful build of it.

    python benchmarks/fail_fast.py [2000] [--runs 3]

Builds N synthetic postmortems (those of `build.py`) with the plugin, then gives the
last file (in the order MkDocs reads them) one invalid value and builds again; the
build must fail. Prints the medians and their ratio: the issue asks for at most 0.40.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from build import ENV, command, make_site

BROKEN = ("severity: sev2", "severity: sev9")


def timed_build(root: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(command("plugin"), cwd=root, env=ENV, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_site(root, args.count, "plugin")
        last = sorted((root / "docs" / "postmortems").glob("*.md"))[-1]
        text = last.read_text(encoding="utf-8")
        if BROKEN[0] not in text:
            raise SystemExit(f"{last}: no {BROKEN[0]!r} to break")
        broken = text.replace(BROKEN[0], BROKEN[1], 1)
        passing: list[float] = []
        failing: list[float] = []
        for _ in range(args.runs):
            last.write_text(text, encoding="utf-8")
            seconds, code, error = timed_build(root)
            if code != 0:
                raise SystemExit(f"the archive should build:\n{error[-2000:]}")
            passing.append(seconds)
            last.write_text(broken, encoding="utf-8")
            seconds, code, error = timed_build(root)
            if code == 0 or last.name not in error:
                raise SystemExit(f"the build should fail on {last.name}:\n{error[-2000:]}")
            failing.append(seconds)
    good, bad = statistics.median(passing), statistics.median(failing)
    print(f"{'N':>6} {'passing s':>10} {'failing s':>10} {'failing/passing':>16}")
    print(f"{args.count:>6} {good:>10.2f} {bad:>10.2f} {bad / good:>16.2f}")


if __name__ == "__main__":
    main()
