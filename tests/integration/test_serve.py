"""`mkdocs serve` keeps serving a broken archive, shows the problems, and recovers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from conftest import ENV, fixture_text


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


def test_serve_shows_problems_then_recovers(make_site) -> None:
    site = make_site()
    broken = fixture_text("draft.md").replace("severity: sev4", "severity: sev9")
    path = site.add("draft.md", broken)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=site.root,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/postmortems/draft/"
    try:
        page = wait_for(url, lambda page: "postmortem-problems" in page)
        assert "error PM102 severity: &#x27;sev9&#x27; is not one of" in page
        path.write_text(fixture_text("draft.md"), encoding="utf-8")
        page = wait_for(url, lambda page: "postmortem-problems" not in page)
        assert "Summariser dropped negations" in page
        assert server.poll() is None
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "error PM102" in output
    assert "serving anyway" in output
    assert "Traceback" not in output
