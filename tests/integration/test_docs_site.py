"""The project's own site: the docs and the example archive build clean under --strict."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ENV, ROOT

from mkdocs_postmortem import builtin_schema, read


def run_in_project(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_the_docs_build_strict(tool: str, tmp_path: Path) -> None:
    result = run_in_project(tool, "build", "--strict", "-f", "mkdocs.yml", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    format_page = (tmp_path / "format" / "index.html").read_text(encoding="utf-8")
    for name in builtin_schema()["properties"]:
        assert f"<code>{name}</code>" in format_page
    assert "postmortem:schema-reference" not in format_page
    rules_page = (tmp_path / "rules" / "index.html").read_text(encoding="utf-8")
    assert "<code>PM207</code>" in rules_page
    # The AIID example of docs/exports.md is what the build writes, key by key.
    exports_md = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    name = "postmortems/exports/aiid/aipm-2026-0001.json"
    block = re.search(rf'```json title="{name} \(shortened\)"\n(.*?)\n```', exports_md, re.S)
    assert block is not None
    shown = json.loads(block[1])
    written = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    assert shown["submission"] == {k: written["submission"][k] for k in shown["submission"]}
    assert {k: v for k, v in shown.items() if k != "submission"} == {
        k: v for k, v in written.items() if k != "submission"
    }


def test_the_example_archive_is_clean_and_covers_every_status() -> None:
    result = run_in_project("mkdocs_postmortem", "validate", "--strict")
    assert result.returncode == 0, result.stdout
    statuses = {
        (read(path.name, path.read_bytes()).data or {}).get("status")
        for path in (ROOT / "docs" / "postmortems").glob("*.md")
        if path.name != "index.md"
    }
    assert statuses == {"draft", "in_review", "published", "closed"}
