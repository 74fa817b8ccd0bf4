"""`tidy`: the `new` template's leftovers go, every other byte stays."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

from conftest import ENV

from mkdocs_postmortem import SchemaInForce, Settings, check_archive
from mkdocs_postmortem.new_template import COMMENT, render
from mkdocs_postmortem.tidy import template_lines, tidy

TODAY = dt.date(2026, 11, 27)


def template() -> str:
    return render(SchemaInForce.load(), "AIPM-2026-0001", "Bot leaked a prompt", "sev3", TODAY)


def filled_in(text: str) -> str:
    """The template as an author leaves it: keys uncommented, text written, own comments."""
    text = text.replace(f"{COMMENT} detected: ", "detected: ", 1)
    text = text.replace("severity: sev3", "severity: sev3  # raised after the review")
    text = text.replace("## Analysis\n", "## Analysis\n\nThe prompt had no rule for it.\n")
    return text.replace("## What happened\n", "## What happened\n\n# not a heading? #| no\n")


def kept_lines(text: str) -> list[str]:
    """The lines that are not the template's, found another way than `tidy` does."""
    text = re.sub(r"^<!-- template:.*?-->\n", "", text, flags=re.DOTALL | re.MULTILINE)
    return [line for line in text.split("\n") if not line.lstrip().startswith(COMMENT)]


def test_only_template_lines_go_and_the_rest_is_identical() -> None:
    text = filled_in(template())
    tidied = tidy(text)
    assert COMMENT + " " not in tidied.split("\n---\n", 1)[0]
    assert "<!-- template:" not in tidied
    assert "detected: " in tidied
    assert "severity: sev3  # raised after the review" in tidied
    assert "# not a heading? #| no" in tidied  # a body line is the author's, `#|` or not
    # Every line that stays is the same, in the same order; only the blank line that a
    # removed comment's paragraph leaves doubled goes with it.
    assert [line for line in kept_lines(text) if line] == [
        line for line in tidied.split("\n") if line
    ]
    assert "\n\n\n" not in tidied


def test_line_endings_and_unusual_characters_stay_byte_for_byte() -> None:
    text = filled_in(template()).replace("Bot leaked", "Bot\u2028leaked \u00e9")
    crlf = text.replace("\n", "\r\n")
    tidied = tidy(crlf)
    assert tidied == tidy(text).replace("\n", "\r\n")
    assert "\u2028leaked \u00e9" in tidied
    assert tidy("\ufeff" + text) == "\ufeff" + tidy(text)


def test_a_tidied_template_is_still_a_valid_draft_and_tidy_again_changes_nothing() -> None:
    tidied = tidy(template())
    report = check_archive([("new.md", tidied.encode())], Settings(SchemaInForce.load(), TODAY))
    assert report.diagnostics == []
    assert template_lines(tidied) == []
    assert tidy(tidied) == tidied


def test_files_without_front_matter_or_leftovers_are_not_touched() -> None:
    for text in (
        "# Notes\n#| not front-matter\n<!-- template: x -->\n",
        "---\nid: X\n#| never closed\n",
        "---\nid: X\n---\nText <!-- template: inline --> stays.\n",
        "---\nid: X\n---\n<!-- template: never closed\nthe author's text\n",
        "",
    ):
        assert tidy(text) == text, text
        assert template_lines(text) == []


def test_the_command_tidies_files_and_check_only_reports(tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    text = filled_in(template())
    draft.write_bytes(text.replace("\n", "\r\n").encode())
    broken = tmp_path / "broken.md"
    broken.write_bytes(b"---\nid: \xff\n#| x\n---\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mkdocs_postmortem", "tidy", *args],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
        )

    checked = run("--check", str(draft))
    assert checked.returncode == 1
    assert "template line(s) left in" in checked.stdout
    assert draft.read_bytes() == text.replace("\n", "\r\n").encode()

    done = run(str(draft), str(broken))
    assert done.returncode == 1  # the broken file
    assert "removed" in done.stdout
    assert "broken.md is not UTF-8; nothing was changed" in done.stderr
    assert draft.read_bytes() == tidy(text).replace("\n", "\r\n").encode()
    assert broken.read_bytes() == b"---\nid: \xff\n#| x\n---\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.md", "draft.md"]

    assert run("--check", str(draft)).returncode == 0


def test_the_command_tidies_the_file_a_symbolic_link_points_to(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "draft.md"
    target.parent.mkdir()
    text = filled_in(template())
    target.write_text(text, encoding="utf-8")
    link = tmp_path / "draft.md"
    link.symlink_to(Path("shared") / "draft.md")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs_postmortem", "tidy", str(link)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == tidy(text)
    assert sorted(p.name for p in target.parent.iterdir()) == ["draft.md"]


def test_lines_of_a_block_scalar_are_the_authors_text_even_when_they_start_with_the_mark() -> None:
    text = (
        "---\n"
        "id: X\n"
        "summary: |\n"
        "  #| my text\n"
        "\n"
        "  more of it\n"
        "#| the template's\n"
        "action_items:\n"
        "  - title: >-  # folded\n"
        "      #| also mine\n"
        "    #| the template's too\n"
        "  - |2\n"
        "    #| mine, in a list\n"
        "detected: 2026-11-27  # |\n"
        "  #| the template's, after a plain value\n"
        "---\n"
        "Body\n"
    )
    tidied = tidy(text)
    assert tidied == "".join(
        line for line in text.splitlines(keepends=True) if "the template's" not in line
    )
    assert [list(run) for run in template_lines(text)] == [[6], [10], [14]]


def test_a_mark_inside_a_quoted_text_of_several_lines_is_the_authors() -> None:
    text = (
        "---\n"
        "id: X\n"
        'summary: "a text that runs on\n'
        "  #| still the author's\n"
        '  and ends here"\n'
        "#| the template's\n"
        "title: 'single quotes\n"
        "  #| mine too'\n"
        "---\n"
        "Body\n"
    )
    assert tidy(text) == "".join(
        line for line in text.splitlines(keepends=True) if "the template's" not in line
    )
    assert [list(run) for run in template_lines(text)] == [[5]]
