"""Build time and memory of N postmortems: with the plugin, without it, as blog posts.

    python benchmarks/build.py 100 1000 10000 [--runs 3] [--without-blog]

For each N, in one run and alternating, so that the machine's drift hits all alike:

- plugin:   a Material site of N synthetic published postmortems with the plugin
            (archive pages and all);
- plain:    the same pages with the plugin removed and the nav holding only the home
            page (plain MkDocs' best case);
- blog:     the same pages as posts of Material's blog plugin;
- validate: `mkdocs-postmortem validate` on the plugin's site.

Prints medians, ratios and the peak memory of each kind of run: the resident memory of
the build and of the worker processes it starts, added up.
Each postmortem has the front-matter of the test fixture (varied per number) and the
body of an example postmortem (about 1,100 words), so pages weigh what real ones do.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "published.md"
BODY_FROM = ROOT / "docs" / "postmortems" / "chevrolet-tahoe-one-dollar.md"
CATEGORIES = ("prompt", "guardrail", "retrieval", "evaluation", "monitoring", "data")
MODES = ("hallucination", "prompt_injection", "retrieval_failure", "data_drift", "bias")
KINDS = ("plugin", "plain", "blog", "validate")
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
# Where the sites and `mkdocs serve`'s output go: `TMPDIR=/dev/shm` keeps a disk whose
# speed varies from minute to minute out of the ratios.
ENV.update({"TMPDIR": os.environ["TMPDIR"]} if "TMPDIR" in os.environ else {})


def realistic_body() -> str:
    text = BODY_FROM.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 4) + 5 :]


def postmortem(number: int, body: str, *, blog: bool = False) -> str:
    fixture = FIXTURE.read_text(encoding="utf-8").replace("related: [TEST-2026-0002]\n", "")
    text = fixture[: fixture.index("\n---\n", 4) + 1]  # the front-matter, still open
    year = 2020 + number % 7
    month = number % 12 + 1
    text = text.replace("TEST-2026-0001", f"BENCH-{year}-{number:05d}")
    text = text.replace("2026-03-0", f"{year}-{month:02d}-0")
    text = text.replace("2026-02-", f"{year}-{month:02d}-")
    text = text.replace("2026-01-15", f"m{number % 9}")
    text = text.replace("category: retrieval", f"category: {CATEGORIES[number % 6]}")
    text = text.replace("[hallucination, retrieval_failure]", f"[{MODES[number % 5]}]")
    text = text.replace(
        "tags: [support, refunds]", f"tags: [team-{number % 20}, area-{number % 7}]"
    )
    if number > 0:
        text += f"related: [BENCH-{2020 + (number - 1) % 7}-{number - 1:05d}]\n"
    if blog:
        # The blog plugin needs a date and reads categories; the rest is the same page.
        text += f"date: {year}-{month:02d}-02\ncategories: [{MODES[number % 5]}]\n"
    return text + "---\n" + body


def make_site(root: Path, count: int, kind: str) -> None:
    docs = root / "docs"
    folder = docs / ("blog/posts" if kind == "blog" else "postmortems")
    folder.mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    if kind == "blog":
        (docs / "blog" / "index.md").write_text("# Blog\n")
    body = realistic_body()
    for number in range(count):
        (folder / f"pm-{number:05d}.md").write_text(postmortem(number, body, blog=kind == "blog"))
    plugins = {
        "plugin": '  - postmortem:\n      today: "2026-11-27"\n',
        "plain": "",
        "blog": "  - blog\n",
    }[kind]
    nav = "nav:\n  - index.md\n" if kind == "plain" else ""
    (root / "mkdocs.yml").write_text(
        f"site_name: Bench\ntheme:\n  name: material\nplugins:\n  - search\n{plugins}{nav}"
    )


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command: the resident memory of the
    command and every process it started (worker processes), added up, sampled every
    50 ms."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        error = process.stderr.read().decode()[-2000:] if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{error}")
    return elapsed, peak / 2**20


def tree_memory(root: int) -> int:
    """Bytes resident in `root` and its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, added = {root}, True
    while added:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        added = bool(more)
    total = 0
    for pid in tree:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * os.sysconf("SC_PAGE_SIZE")
    return total


def command(kind: str) -> list[str]:
    if kind == "validate":
        return [sys.executable, "-m", "mkdocs_postmortem", "validate", "--format", "json"]
    return [sys.executable, "-m", "mkdocs", "build", "-q"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--without-blog",
        action="store_true",
        help="leave out the blog, the slowest by far (5 minutes a run at 10,000)",
    )
    args = parser.parse_args()
    kinds = [kind for kind in KINDS if not (args.without_blog and kind == "blog")]
    print(
        f"{'N':>6} {'plugin s':>9} {'plain s':>8} {'blog s':>8} {'validate s':>10} "
        f"{'plugin/plain':>12} {'blog/plugin':>11} {'validate/s':>10} "
        f"{'MB plugin':>9} {'MB plain':>8} {'MB blog':>8}"
    )
    previous: dict[int, float] = {}
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            roots = {kind: Path(folder, kind) for kind in kinds if kind != "validate"}
            for kind, root in roots.items():
                make_site(root, count, kind)
            roots["validate"] = roots["plugin"]
            seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
            memory: dict[str, float] = dict.fromkeys(kinds, 0.0)
            for _ in range(args.runs):
                for kind in kinds:
                    elapsed, peak = measure(command(kind), roots[kind])
                    seconds[kind].append(elapsed)
                    memory[kind] = max(memory[kind], peak)
        median = {kind: statistics.median(values) for kind, values in seconds.items()}
        previous[count] = median["plugin"]
        blog = "blog" in median
        print(
            f"{count:>6} {median['plugin']:>9.2f} {median['plain']:>8.2f} "
            + (f"{median['blog']:>8.2f} " if blog else f"{'-':>8} ")
            + f"{median['validate']:>10.2f} {median['plugin'] / median['plain']:>12.2f} "
            + (f"{median['blog'] / median['plugin']:>11.2f} " if blog else f"{'-':>11} ")
            + f"{count / median['validate']:>10.0f} "
            f"{memory['plugin']:>9.0f} {memory['plain']:>8.0f} "
            + (f"{memory['blog']:>8.0f}" if blog else f"{'-':>8}"),
            flush=True,
        )
    counts = sorted(previous)
    for small, large in itertools.pairwise(counts):
        print(
            f"plugin build {large}/{small}: {previous[large] / previous[small]:.1f}x "
            f"for {large / small:.0f}x the postmortems"
        )


if __name__ == "__main__":
    main()
