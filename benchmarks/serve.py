"""The author's loop: from saving a postmortem to its page showing the change.

    python benchmarks/serve.py 300 1000 [--edits 3]

For each N, a Material site of N short postmortems is served by `mkdocs serve`, with
the plugin and without it (the same pages, the nav holding only the home page). Each
edit puts a new word into one postmortem and polls its page until the word shows:

- text:          into the postmortem's text, with the plugin and without it;
- front-matter:  into its `summary`, which the plugin shows in the page's card (plain
                 MkDocs shows no front-matter, so its text edit is the reference).

Prints the median seconds of the edits and the ratios to plain MkDocs' text edit.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "published.md"
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
# Where the sites and `mkdocs serve`'s output go: `TMPDIR=/dev/shm` keeps a disk whose
# speed varies from minute to minute out of the ratios.
ENV.update({"TMPDIR": os.environ["TMPDIR"]} if "TMPDIR" in os.environ else {})
BODY = "## What happened\n\n{what}\n\n## Analysis\n\nSeveral causes met.\n"


def postmortem(
    number: int, what: str = "The assistant answered wrongly.", summary_word: str = ""
) -> str:
    fixture = FIXTURE.read_text(encoding="utf-8").replace("related: [TEST-2026-0002]\n", "")
    text = fixture[: fixture.index("\n---\n", 4) + 1]
    if summary_word:
        text = text.replace(
            "The support assistant told", f"The support assistant {summary_word} told"
        )
    text = text.replace("TEST-2026-0001", f"BENCH-2026-{number:05d}")
    return text + "---\n" + BODY.format(what=what)


def make_site(root: Path, count: int, plugin: bool) -> None:
    folder = root / "docs" / "postmortems"
    folder.mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n")
    for number in range(count):
        (folder / f"pm-{number:05d}.md").write_text(postmortem(number))
    plugins = '  - postmortem:\n      today: "2026-11-27"\n' if plugin else ""
    nav = "" if plugin else "nav:\n  - index.md\n"
    (root / "mkdocs.yml").write_text(
        f"site_name: Bench\ntheme:\n  name: material\nplugins:\n  - search\n{plugins}{nav}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def page_has(url: str, word: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return word in response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return False


def wait_for(url: str, word: str, limit: float = 300.0) -> float:
    """Seconds until `word` is on the page at `url`, polling every 20 ms."""
    start = time.perf_counter()
    while not page_has(url, word):
        if time.perf_counter() - start > limit:
            raise SystemExit(f"{url} did not show {word!r} within {limit:.0f} s")
        time.sleep(0.02)
    return time.perf_counter() - start


def edits(root: Path, count: int, times: int, kinds: tuple[str, ...]) -> dict[str, list[float]]:
    """Seconds of `times` edits of each kind, alternating."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    number = count // 2
    url = f"http://127.0.0.1:{port}/postmortems/pm-{number:05d}/"
    target = root / "docs" / "postmortems" / f"pm-{number:05d}.md"
    try:
        wait_for(url, "answered wrongly")
        time.sleep(1.0)  # let the first build settle
        seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
        what, summary_word = "The assistant answered wrongly.", ""  # as the file is
        for edit in range(times):
            for kind in kinds:
                word = f"Edited{edit}x{time.time_ns()}"
                if kind == "text":
                    what = f"The assistant said {word}."
                else:
                    summary_word = word
                start = time.perf_counter()
                target.write_text(postmortem(number, what, summary_word))
                wait_for(url, word)
                seconds[kind].append(time.perf_counter() - start)
                time.sleep(1.0)
        return seconds
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[300, 1000])
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'N':>6} {'plugin text s':>13} {'plugin front-matter s':>21} {'plain text s':>12} "
        f"{'text ratio':>10} {'front-matter ratio':>18}"
    )
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            plugin_root, plain_root = Path(folder, "plugin"), Path(folder, "plain")
            make_site(plugin_root, count, plugin=True)
            make_site(plain_root, count, plugin=False)
            plugin = edits(plugin_root, count, args.edits, ("text", "front-matter"))
            plain = edits(plain_root, count, args.edits, ("text",))
        text, front = (statistics.median(plugin[kind]) for kind in ("text", "front-matter"))
        reference = statistics.median(plain["text"])
        print(
            f"{count:>6} {text:>13.2f} {front:>21.2f} {reference:>12.2f} "
            f"{text / reference:>10.2f} {front / reference:>18.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
