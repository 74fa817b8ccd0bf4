"""Shared helpers: small MkDocs sites in a temporary folder, built the way users build."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mkdocs_postmortem.config import PostmortemConfig

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent

# Material prints a long banner about MkDocs 2.0 on every build; it is noise here.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load_options(text: str) -> tuple[PostmortemConfig, list[str], list[str]]:
    """The plugin's options from YAML, read as MkDocs reads `mkdocs.yml` (YAML 1.1), with
    the errors and warnings of their validation, each as `option: message`."""
    options = PostmortemConfig()
    options.load_dict(yaml.safe_load(text) or {})
    failed, warnings = options.validate()
    return (
        options,
        [f"{key}: {message}" for key, message in failed],
        [f"{key}: {message}" for key, message in warnings],
    )


class Site:
    """A throwaway MkDocs site with the plugin enabled."""

    def __init__(
        self, root: Path, plugin_options: str = "", theme: str = "material", tool: str = "mkdocs"
    ) -> None:
        self.root = root
        self.tool = tool  # mkdocs or properdocs: the same plugin must work under both
        self.docs = root / "docs"
        self.archive = self.docs / "postmortems"
        self.archive.mkdir(parents=True)
        (self.docs / "index.md").write_text("# Home\n", encoding="utf-8")
        self.write_config(plugin_options, theme)

    def write_config(self, plugin_options: str = "", theme: str = "material") -> None:
        options = "\n".join("      " + line for line in plugin_options.strip().splitlines())
        plugin = "  - postmortem" + (":\n" + options if options else "")
        (self.root / "mkdocs.yml").write_text(
            f"site_name: Test\ntheme:\n  name: {theme}\nplugins:\n  - search\n{plugin}\n",
            encoding="utf-8",
        )

    def add(self, name: str, content: str | bytes) -> Path:
        path = self.archive / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", *args],
            cwd=self.root,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def build(self, *args: str, tool: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.run(tool or self.tool, "build", "-f", "mkdocs.yml", *args)

    def validate(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("mkdocs_postmortem", "validate", *args)


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Site]:
    def make(plugin_options: str = "", theme: str = "material") -> Site:
        return Site(tmp_path / "site", plugin_options, theme)

    return make


@pytest.fixture(params=["mkdocs", "properdocs"])
def make_built_site(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Site]:
    """Sites built by MkDocs and, in a second run of the test, by ProperDocs."""

    def make(plugin_options: str = "", theme: str = "material") -> Site:
        return Site(tmp_path / "site", plugin_options, theme, tool=request.param)

    return make
