"""The project's own site, built once, served on loopback and opened in Chromium.

Every page comes from a browser context that lets requests reach 127.0.0.1 only: any
other request is aborted, recorded, and fails the test that made it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]

# Debian's Chromium, installed by CI (.ci/run). Never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LOOPBACK = "127.0.0.1"
# Generous for a loaded 2-core CI machine, short enough that a broken wait fails fast.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def build_project(folder: Path, overrides: str) -> tuple[Path, str]:
    """The project's documentation built into `folder/site` with `overrides` (YAML)
    over its `mkdocs.yml`; the site and the build's log."""
    config = folder / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n{overrides}",
        encoding="utf-8",
    )
    out = folder / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    return out, result.stderr


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's documentation, with the example archive, built as users build it."""
    out = tmp_path_factory.mktemp("browser") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    assert (out / "postmortems" / "index.html").is_file(), "the build made no archive index"
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 and a free port, e.g. http://127.0.0.1:PORT/."""
    with served(built_site) as url:
        yield url


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 and a free port, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        # CI installs Chromium, so a missing browser is a broken setup: fail, never skip.
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests need Debian's chromium "
            "package (apt-get install chromium); .ci/run installs it.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class NetworkLog:
    """Every request a context made, and those that tried to leave the machine."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def route(self, route: Route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


def is_loopback(url: str) -> bool:
    """Whether url stays on this machine: 127.0.0.1, or no host at all (file:, data:)."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.hostname == LOOPBACK


@pytest.fixture
def network_logs() -> dict[int, NetworkLog]:
    """The network log of each page a test opened, by ``id(page)``."""
    return {}


@pytest.fixture
def new_page(
    browser: Browser, base_url: str, network_logs: dict[int, NetworkLog]
) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts (options as for ``browser.new_context``).

    At teardown, the test fails if any of its pages requested a host other than
    127.0.0.1, or if a script on them threw.
    """
    contexts: list[tuple[BrowserContext, NetworkLog, list[str]]] = []

    def make(**context_options: Any) -> Page:
        context_options.setdefault("viewport", {"width": 1280, "height": 800})
        context_options.setdefault("service_workers", "block")
        context = browser.new_context(base_url=base_url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        log = NetworkLog()
        errors: list[str] = []
        context.on("request", log.on_request)
        context.route("**/*", log.route)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        contexts.append((context, log, errors))
        network_logs[id(page)] = log
        return page

    yield make

    blocked: list[str] = []
    errors: list[str] = []
    for context, log, context_errors in contexts:
        blocked += log.blocked
        # A request Playwright saw but the route did not catch is just as much a leak.
        blocked += [url for url in log.requests if not is_loopback(url) and url not in blocked]
        errors += context_errors
        context.close()
    assert not blocked, "requests left the machine:\n" + "\n".join(blocked)
    assert not errors, "uncaught script errors:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page with scripts on, in a context that may only talk to 127.0.0.1."""
    return new_page()


@pytest.fixture
def network(page: Page, network_logs: dict[int, NetworkLog]) -> NetworkLog:
    """The requests of the ``page`` fixture's context so far."""
    return network_logs[id(page)]


# Where the screenshots of `test_screens.py` are kept for a person to look at: a CI
# job keeps this folder as an artefact (`PM_SCREENSHOTS` chooses another).
SHOTS = Path(os.environ.get("PM_SCREENSHOTS") or ROOT / "test-artifacts" / "screens")


@pytest.fixture(scope="session")
def mkdocs_theme_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's docs built with MkDocs' own theme, served on loopback. The theme's
    highlight.js comes from a CDN unless switched off: off, so no request leaves."""
    folder = tmp_path_factory.mktemp("browser-mkdocs-theme")
    out, _ = build_project(folder, "theme:\n  name: mkdocs\n  highlightjs: false\n")
    with served(out) as url:
        yield url


@pytest.fixture(scope="session")
def zensical_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's docs built by Zensical, as docs/zensical.md says: `generate`, then
    `zensical build --clean`, in a copy of the project (generate writes into docs/)."""
    folder = tmp_path_factory.mktemp("browser-zensical")
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", folder / "docs")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for command in (["mkdocs_postmortem", "generate"], ["zensical", "build", "--clean"]):
        result = subprocess.run(
            [sys.executable, "-m", *command],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    with served(folder / "site") as url:
        yield url


@pytest.fixture(params=["material", "mkdocs", "zensical"])
def site_url(request: pytest.FixtureRequest, base_url: str) -> str:
    """The project's site in Material, in MkDocs' own theme, then built by Zensical."""
    if request.param == "material":
        return base_url
    if request.param == "zensical" and sys.version_info < (3, 11):
        pytest.skip("Zensical needs Python 3.11")
    fixture = {"mkdocs": "mkdocs_theme_url", "zensical": "zensical_url"}[request.param]
    url: str = request.getfixturevalue(fixture)
    return url
