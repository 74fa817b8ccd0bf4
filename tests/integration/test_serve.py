"""`mkdocs serve` keeps serving a broken archive, shows the problems, and recovers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from conftest import ENV, Site, fixture_text

TOOLS = ["mkdocs", "properdocs"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, condition: Callable[[str], bool], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                page = response.read().decode("utf-8")
            if condition(page):
                return page
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not reach the expected state; last page:\n{page[:2000]}")


@contextmanager
def serving(site: Site, tool: str) -> Iterator[tuple[str, list[str]]]:
    """Serve the site on loopback; yields its base URL and, after exit, its output."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", tool, "serve", "-f", "mkdocs.yml", "-a", f"127.0.0.1:{port}"],
        cwd=site.root,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        yield f"http://127.0.0.1:{port}", output
        assert server.poll() is None, "the server stopped"
    finally:
        server.terminate()
        output.append(server.communicate(timeout=30)[0])


def has_problems(page: str) -> bool:
    return "postmortem-problems" in page


@pytest.mark.parametrize("tool", TOOLS)
def test_serve_shows_problems_then_recovers(make_site, tool: str) -> None:
    site = make_site()
    path = site.add(
        "draft.md", fixture_text("draft.md").replace("severity: sev4", "severity: sev9")
    )
    with serving(site, tool) as (base, output):
        url = f"{base}/postmortems/draft/"
        page = wait_for(url, has_problems)
        assert "error PM102 severity: &#x27;sev9&#x27; is not one of" in page
        path.write_text(fixture_text("draft.md"), encoding="utf-8")
        page = wait_for(url, lambda page: not has_problems(page))
        assert "Summariser dropped negations" in page
    assert "serving anyway" in output[0]
    assert "Traceback" not in output[0]


def test_serve_watches_the_organisation_schema(make_site) -> None:
    site = make_site("schema: org.json")
    org = site.root / "org.json"
    org.write_text(json.dumps({"required": ["tags"]}))
    site.add("draft.md", fixture_text("draft.md"))
    with serving(site, "mkdocs") as (base, output):
        url = f"{base}/postmortems/draft/"
        assert "missing required key" in wait_for(url, has_problems)
        org.write_text(json.dumps({"required": ["title"]}))
        wait_for(url, lambda page: not has_problems(page))
    assert "Traceback" not in output[0]
