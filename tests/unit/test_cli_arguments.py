"""`mkdocs-postmortem`'s arguments: a bad one is a usage error (exit 2), found before
any configuration or file is read."""

from __future__ import annotations

import pytest

from mkdocs_postmortem.cli import main


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What the command prints when it stops at its arguments."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_validate_with_an_unknown_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert "invalid choice: 'xml'" in usage_error(capsys, "validate", "--format", "xml")


def test_validate_jobs_must_be_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(capsys, "validate", "--jobs", "many")
    assert "expected 0 (one per core) or a number, got 'many'" in err
