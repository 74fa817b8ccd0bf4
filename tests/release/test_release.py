"""Ready to release (issue 14): the sdist and wheel build, pass `twine check`, and the
wheel installed alone in a fresh virtual environment builds this repository's example
archive, so that the schema, templates, assets and catalogs are inside it.

Installing the wheel's dependencies needs PyPI (or pip's cache); the rest is local.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
VERSION = re.search(
    r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text("utf-8"), re.MULTILINE
)[1]
PACKAGE_DATA = (
    "mkdocs_postmortem/schemas/ai-incident-postmortem.schema.json",
    "mkdocs_postmortem/schemas/incidents-export.schema.json",
    "mkdocs_postmortem/templates/postmortem/index.html",
    "mkdocs_postmortem/assets/postmortem.css",
    "mkdocs_postmortem/assets/postmortem.js",
    "mkdocs_postmortem/catalogs/mitre-atlas-5.6.0.json",
    "mkdocs_postmortem/py.typed",
)

pytestmark = pytest.mark.release


def run(*command: str | Path, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT, cwd=out)
    return out


def test_the_distributions_pass_twine_check_and_hold_the_license(dist: Path) -> None:
    wheel = dist / f"mkdocs_postmortem-{VERSION}-py3-none-any.whl"
    sdist = dist / f"mkdocs_postmortem-{VERSION}.tar.gz"
    result = run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist, cwd=dist)
    assert result.stdout.count("PASSED") == 2
    names = zipfile.ZipFile(wheel).namelist()
    for name in PACKAGE_DATA:
        assert name in names, name
    assert f"mkdocs_postmortem-{VERSION}.dist-info/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"mkdocs_postmortem-{VERSION}.dist-info/METADATA")
    assert b"License-Expression: MIT" in metadata
    assert b"Project-URL: Repository, https://github.com/" in metadata
    with tarfile.open(sdist) as archive:
        members = {member.name.split("/", 1)[1] for member in archive.getmembers()}
    assert {"LICENSE", "pyproject.toml", "mkdocs.yml", ".pre-commit-hooks.yaml"} <= members


def test_the_wheel_alone_builds_the_example_archive(dist: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    run(sys.executable, "-m", "venv", environment, cwd=tmp_path)
    python = environment / "bin" / "python"
    wheel = dist / f"mkdocs_postmortem-{VERSION}-py3-none-any.whl"
    run(python, "-m", "pip", "install", "-q", f"{wheel}[material]", cwd=tmp_path)
    # The example archive away from the source tree, so nothing is imported from it.
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", site / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", site / "docs")
    located = run(
        python, "-c", "import mkdocs_postmortem; print(mkdocs_postmortem.__file__)", cwd=site
    )
    assert located.stdout.startswith(str(environment)), located.stdout
    run(environment / "bin" / "mkdocs", "build", "--strict", cwd=site)
    built = site / "site" / "postmortems"
    assert "AIPM-" in (built / "index.html").read_text("utf-8")
    assert (built / "incidents.json").stat().st_size > 1000
    assert (built / "taxonomy" / "index.html").exists()  # the catalogs
    assert (site / "site" / "assets" / "postmortem" / "postmortem.css").exists()
    validated = run(environment / "bin" / "mkdocs-postmortem", "validate", "--strict", cwd=site)
    assert "no errors or warnings in" in validated.stderr
