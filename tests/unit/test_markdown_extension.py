"""The `postmortem` Markdown extension outside Zensical, and the Zensical it is tested with."""

from __future__ import annotations

import sys
from importlib.metadata import version

import markdown
import pytest
from conftest import ROOT
from packaging.requirements import Requirement

TEXT = "# Title\n\nAIPM-2024-0001 is <!-- postmortem:index --> here.\n\n## Section\n"


def test_outside_zensical_the_extension_changes_nothing() -> None:
    """MkDocs and plain Python-Markdown give no Zensical context: the plugin, or
    nobody, does the work."""
    plain = markdown.Markdown(extensions=["toc"])
    with_it = markdown.Markdown(extensions=["toc", "postmortem"])
    assert with_it.convert(TEXT) == plain.convert(TEXT)
    assert with_it.toc_tokens == plain.toc_tokens  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Zensical needs Python 3.11")
def test_the_installed_zensical_is_in_the_tested_range() -> None:
    """The `zensical` extra names the versions the integration tests ran with."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (extra,) = project["optional-dependencies"]["zensical"]
    requirement = Requirement(extra)
    assert requirement.name == "zensical"
    assert requirement.specifier.contains(version("zensical"))
    assert f"{extra}; python_version >= '3.11'" in project["optional-dependencies"]["dev"]
