"""Build time of N postmortems with the plugin, against the same pages without it.

    python benchmarks/build.py 100 1000

For each N: a Material site of N synthetic published postmortems, built alternately
with the plugin (archive pages and all) and without it (the plugin removed, the nav
holding only the home page: plain MkDocs' best case). Prints medians and the ratio.

Each postmortem has the front-matter of the test fixture (varied per number) and the
body of an example postmortem (about 1,100 words), so pages weigh what real ones do.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "published.md"
BODY_FROM = ROOT / "docs" / "postmortems" / "chevrolet-tahoe-one-dollar.md"
RUNS = 3
CATEGORIES = ("prompt", "guardrail", "retrieval", "evaluation", "monitoring", "data")
MODES = ("hallucination", "prompt_injection", "retrieval_failure", "data_drift", "bias")


def realistic_body() -> str:
    text = BODY_FROM.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 4) + 5 :]


def postmortem(number: int, body: str) -> str:
    fixture = FIXTURE.read_text(encoding="utf-8").replace("related: [TEST-2026-0002]\n", "")
    text = fixture[: fixture.index("\n---\n", 4) + 1]  # the front-matter, still open
    year = 2020 + number % 7
    text = text.replace("TEST-2026-0001", f"BENCH-{year}-{number:05d}")
    text = text.replace("2026-03-0", f"{year}-{number % 12 + 1:02d}-0")
    text = text.replace("2026-02-", f"{year}-{number % 12 + 1:02d}-")
    text = text.replace("2026-01-15", f"m{number % 9}")
    text = text.replace("category: retrieval", f"category: {CATEGORIES[number % 6]}")
    text = text.replace("[hallucination, retrieval_failure]", f"[{MODES[number % 5]}]")
    text = text.replace(
        "tags: [support, refunds]", f"tags: [team-{number % 20}, area-{number % 7}]"
    )
    if number > 0:
        text += f"related: [BENCH-{2020 + (number - 1) % 7}-{number - 1:05d}]\n"
    return text + "---\n" + body


def make_site(root: Path, count: int, with_plugin: bool) -> None:
    docs = root / "docs"
    (docs / "postmortems").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    body = realistic_body()
    for number in range(count):
        (docs / "postmortems" / f"pm-{number:05d}.md").write_text(postmortem(number, body))
    plugins = "plugins:\n  - search\n" + (
        '  - postmortem:\n      today: "2026-11-27"\n' if with_plugin else ""
    )
    nav = "" if with_plugin else "nav:\n  - index.md\n"
    (root / "mkdocs.yml").write_text(f"site_name: Bench\ntheme:\n  name: material\n{plugins}{nav}")


def build_seconds(root: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{result.stderr[-2000:]}")
    return elapsed


def main(counts: list[int]) -> None:
    print(f"{'N':>6} {'plugin (s)':>11} {'plain (s)':>10} {'ratio':>6}")
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            plugin_root, plain_root = Path(folder, "plugin"), Path(folder, "plain")
            make_site(plugin_root, count, with_plugin=True)
            make_site(plain_root, count, with_plugin=False)
            timings: dict[str, list[float]] = {"plugin": [], "plain": []}
            for _ in range(RUNS):
                timings["plugin"].append(build_seconds(plugin_root))
                timings["plain"].append(build_seconds(plain_root))
            plugin = statistics.median(timings["plugin"])
            plain = statistics.median(timings["plain"])
            print(f"{count:>6} {plugin:>11.2f} {plain:>10.2f} {plugin / plain:>6.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000])
