"""What the leak checks and the public edition cost: N realistic postmortems (those of
`build.py`'s `make_site`, one in ten with a planted key and address), checked in one
process.

    python benchmarks/leaks.py 1000 [--runs 3]

Prints medians of CPU time (this process alone, so that a busy machine skews it less):
the whole check (`check_archive`, one process) of the internal and the
public edition, and, apart, the leak scan (`leak_problems`) and the public view
(`edition_problems` + `make_public`) of every postmortem, with their share of the check.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from build import make_site

from mkdocs_postmortem import Settings, check_archive, read
from mkdocs_postmortem.edition import edition_problems, make_public
from mkdocs_postmortem.reader import Document
from mkdocs_postmortem.validation.leaks import leak_problems

PLANTED = (
    "\n```console\n$ export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n```\n\nFrom a@b.example.org\n"
)


def median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


Sources = list[tuple[str, bytes]]


def report(sources: Sources, settings: Settings) -> int:
    return sum(
        len(leak_problems(read(path, data), settings.leaks, draft=False)) for path, data in sources
    )


def scan_all(documents: list[Document], settings: Settings) -> None:
    for document in documents:
        leak_problems(document, settings.leaks, draft=False)


def read_all(sources: Sources) -> None:
    for path, data in sources:
        read(path, data)


def view_all(sources: Sources, settings: Settings) -> None:
    internal = settings.schema.internal_fields()
    for path, data in sources:
        document = read(path, data)
        edition_problems(document, internal, public=True)
        make_public(document, internal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    internal = Settings.load(today="2026-11-27")
    public = dataclasses.replace(internal, audience="public")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_site(root, count, "plugin")
            files = sorted((root / "docs" / "postmortems").glob("*.md"))
            sources: Sources = []
            for number, path in enumerate(files):
                data = path.read_bytes()
                if number % 10 == 0:
                    data += PLANTED.encode()
                sources.append((f"docs/postmortems/{path.name}", data))
        print(f"{count} postmortems, {report(sources, internal)} planted findings found")
        documents = [read(path, data) for path, data in sources]
        check_internal = median(partial(check_archive, sources, internal), args.runs)
        check_public = median(partial(check_archive, sources, public), args.runs)
        scan = median(partial(scan_all, documents, internal), args.runs)
        read_only = median(partial(read_all, sources), args.runs)
        public_view = max(0.0, median(partial(view_all, sources, internal), args.runs) - read_only)
        print(f"  check, internal edition  {check_internal:7.2f} s CPU")
        print(f"  check, public edition    {check_public:7.2f} s CPU")
        print(
            f"  leak scan                {scan:7.2f} s  {scan / count * 1000:5.2f} ms each, "
            f"{scan / check_internal:4.0%} of the check"
        )
        print(
            f"  public view              {public_view:7.2f} s  "
            f"{public_view / count * 1000:5.2f} ms each, {public_view / check_public:4.0%} "
            "of the public check"
        )


if __name__ == "__main__":
    main()
