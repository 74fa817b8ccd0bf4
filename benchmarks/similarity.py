"""The cost of similar incidents alone, at 1,000 and 10,000 synthetic postmortems.

    python benchmarks/similarity.py [1000 10000] [--runs 3]

The postmortems are those of benchmarks/build.py (the front-matter of the test fixture,
varied per number: many incidents share every layer, system and model, the worst case
for candidate generation). Prints the median seconds of `similar_incidents`, the pairs
compared (at most `MAX_CANDIDATES` per incident), and the share of a typical plain
build with the plugin on this machine (`BUILD_SECONDS`, measured with build.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from build import postmortem

from mkdocs_postmortem import SchemaInForce, collector, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.learning import MAX_CANDIDATES, similar_incidents

# Seconds of a build of N postmortems with the plugin (benchmarks/build.py, 2 cores).
BUILD_SECONDS = {1000: 4.5, 10000: 38.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    schema = SchemaInForce.load()
    for count in args.counts:
        documents = [
            read(f"pm-{n:05d}.md", postmortem(n, "Body.\n").encode()) for n in range(count)
        ]
        archive = Archive.build(documents, schema, dt.date(2026, 11, 27))
        times = []
        for _ in range(args.runs):
            # As in the build: `Archive.build` works it out with the collector paused.
            with collector.paused():
                start = time.perf_counter()
                _, compared = similar_incidents(archive.incidents)
                times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        build = BUILD_SECONDS.get(count)
        share = f", {seconds / build:.1%} of a {build:g} s build" if build else ""
        print(
            f"{count:>6} postmortems: {seconds:.3f} s{share}; {compared} pairs compared"
            f" (at most {MAX_CANDIDATES * count})"
        )


if __name__ == "__main__":
    main()
