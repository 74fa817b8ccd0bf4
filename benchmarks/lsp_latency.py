"""The language server's latency: from a didChange to the publishDiagnostics it causes.

    python benchmarks/lsp_latency.py 100 1000 [--edits 21]

For each N, a site of N synthetic postmortems (`build.make_site`), the server started as
an editor starts it (`python -m mkdocs_postmortem lsp` over stdio), one postmortem
opened, then `--edits` changes that alternately break and mend its severity. Prints the
time to the first diagnostics after didOpen (the archive read and checked once) and the
median, fastest and slowest didChange -> publishDiagnostics, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

from build import make_site  # noqa: E402
from lsp_client import LspClient  # noqa: E402

DIAGNOSTICS = "textDocument/publishDiagnostics"


def measure(count: int, edits: int) -> tuple[float, list[float], int]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_site(root, count, "plugin")
        client = LspClient(root)
        try:
            client.initialize()
            path = root / "docs" / "postmortems" / f"pm-{count // 2:05d}.md"
            text = path.read_text(encoding="utf-8")
            start = time.perf_counter()
            uri = client.open(path, text)
            client.wait_for(DIAGNOSTICS, uri, timeout=600)
            first = time.perf_counter() - start
            broken = text.replace("severity: sev2", "severity: sev22", 1)
            assert broken != text, "the synthetic postmortem has no `severity: sev2`"
            times, problems = [], 0
            for number in range(edits):
                start = time.perf_counter()
                client.change(uri, broken if number % 2 == 0 else text)
                version = client.versions[uri]
                while True:
                    params = client.wait_for(DIAGNOSTICS, uri, timeout=60)
                    if params.get("version") == version:
                        break
                times.append(time.perf_counter() - start)
                problems = max(problems, len(params["diagnostics"]))
            return first, times, problems
        finally:
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--edits", type=int, default=21)
    args = parser.parse_args()
    print(f"{'postmortems':>12} {'first (ms)':>11} {'median':>8} {'fastest':>8} {'slowest':>8}")
    for count in args.counts:
        first, times, problems = measure(count, args.edits)
        assert problems == 1, "each broken edit is reported"
        milliseconds = [t * 1000 for t in times]
        print(
            f"{count:>12} {first * 1000:>11.0f} {statistics.median(milliseconds):>8.1f} "
            f"{min(milliseconds):>8.1f} {max(milliseconds):>8.1f}"
        )


if __name__ == "__main__":
    main()
