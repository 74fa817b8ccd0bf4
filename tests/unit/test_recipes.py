"""The recipes users copy work as written (issue 14): the pre-commit hook's
definition, its `rev` and the commands of the CI recipes."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from mkdocs_postmortem.cli import parser

ROOT = Path(__file__).parent.parent.parent
CI = (ROOT / "docs" / "ci.md").read_text("utf-8")
VERSION = re.search(
    r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text("utf-8"), re.MULTILINE
)[1]


def hooks() -> list[dict[str, object]]:
    loaded = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(loaded, list)
    return loaded


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"^```yaml[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_the_hook_definition_is_what_pre_commit_reads() -> None:
    [hook] = hooks()
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(str(hook["files"]))
    for changed in ("docs/postmortems/x.md", "mkdocs.yml", "org.schema.json"):
        assert files.search(changed), changed
    assert not files.search("src/app.py")
    # What a Material site's mkdocs.yml needs to be read: the theme and pymdownx.
    assert any(
        str(requirement).startswith("mkdocs-material")
        for requirement in hook["additional_dependencies"]  # type: ignore[attr-defined]
    )


def test_the_hook_entry_runs(tmp_path: Path) -> None:
    [hook] = hooks()
    program, *arguments = shlex.split(str(hook["entry"]))
    assert program == "mkdocs-postmortem"
    (tmp_path / "docs" / "postmortems").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - postmortem\n")
    # The console script of this environment, as pre-commit's own would run it.
    script = Path(sys.executable).parent / program
    result = subprocess.run(
        [script, *arguments], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "no errors or warnings in 0 postmortems" in result.stderr


def test_the_pre_commit_recipe_names_the_hook_and_a_release_tag() -> None:
    [config] = [yaml.safe_load(block) for block in yaml_blocks(CI) if block.startswith("repos:")]
    [repository] = config["repos"]
    assert repository["rev"] == f"v{VERSION}"
    assert [hook["id"] for hook in repository["hooks"]] == [hooks()[0]["id"]]


def test_every_yaml_block_of_the_ci_recipes_parses() -> None:
    blocks = yaml_blocks(CI)
    assert len(blocks) >= 5
    for block in blocks:
        yaml.safe_load(block)


def test_the_commands_of_the_ci_recipes_are_accepted() -> None:
    commands = re.findall(r"mkdocs-postmortem (validate[^\n>|#`]*)", CI)
    assert any("--overdue --format markdown" in command for command in commands)
    assert any("--overdue --format github" in command for command in commands)
    for command in commands:
        parser().parse_args(shlex.split(command))


def test_the_weekly_job_is_scheduled_and_writes_the_job_summary() -> None:
    [workflow] = [yaml.safe_load(block) for block in yaml_blocks(CI) if "schedule:" in block]
    # YAML 1.1 reads the key `on` as true, as PyYAML does; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["schedule"][0]["cron"] == "0 7 * * 1"
    steps = workflow["jobs"]["overdue"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any('>> "$GITHUB_STEP_SUMMARY"' in run for run in runs)
    annotations = next(step for step in steps if "--format github" in step.get("run", ""))
    assert annotations["if"] == "${{ !cancelled() }}"
