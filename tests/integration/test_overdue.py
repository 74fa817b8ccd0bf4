"""CI that does not rot (issue 14): an action item going overdue turns no green build
red by default; `rules` makes it a warning or an error; `validate --overdue` lists
the overdue items for a scheduled job, as text, GitHub annotations and Markdown."""

from __future__ import annotations

import json
import re

from cases import line_of, published

# The fixture's open item A2 is due 2027-05-01: overdue from the next day on.
BEFORE, AFTER = 'today: "2027-05-01"', 'today: "2027-05-20"'


def postmortem() -> str:
    return published("X-0001")


def test_an_item_going_overdue_keeps_a_strict_build_green(make_built_site) -> None:
    site = make_built_site(BEFORE)
    text = postmortem()
    site.add("x.md", text)
    assert site.build("--strict").returncode == 0
    site.write_config(AFTER)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    line = line_of(text, "due: 2027-05-01")
    assert (
        f"INFO    -  postmortem: docs/postmortems/x.md:{line}:10: info PM207"
        " action_items[1].due: action item 'A2' of 'Safety team' was due 2027-05-01"
        " (19 days ago) and is still 'in_progress'"
    ) in result.stderr
    assert "; 1 note" in site.validate("--strict").stderr
    assert site.validate("--strict").returncode == 0
    # Still shown on the page.
    page = (site.root / "site" / "postmortems" / "x" / "index.html").read_text("utf-8")
    assert "overdue" in page


def test_rules_make_overdue_items_warnings_or_errors(make_site) -> None:
    site = make_site(f"{AFTER}\nrules:\n  PM207: warning")
    site.add("x.md", postmortem())
    assert site.build().returncode == 0
    assert site.build("--strict").returncode == 1
    site.write_config(f"{AFTER}\nrules:\n  PM207: error")
    result = site.build()
    assert result.returncode == 1
    assert "error PM207" in result.stderr


def test_validate_overdue_lists_only_overdue_items_and_exits_1(make_site) -> None:
    site = make_site(AFTER)
    text = postmortem()
    site.add("x.md", text)
    # Another problem (a warning) is not an overdue item: not listed.
    site.add("y.md", published("X-0002", "Three conditions met", "Obviously, three met"))
    line = line_of(text, "due: 2027-05-01")
    result = site.validate("--overdue")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"docs/postmortems/x.md:{line}:10: info PM207 action_items[1].due: action item 'A2'"
        " of 'Safety team' was due 2027-05-01 (19 days ago) and is still 'in_progress'",
        f"docs/postmortems/y.md:{line}:10: info PM207 action_items[1].due: action item 'A2'"
        " of 'Safety team' was due 2027-05-01 (19 days ago) and is still 'in_progress'",
    ]
    assert "2 overdue action items in 2 of 2 postmortems on 2027-05-20" in result.stderr

    github = site.validate("--overdue", "--format", "github")
    assert github.returncode == 1
    assert github.stdout.startswith(
        f"::notice file=docs/postmortems/x.md,line={line},col=10,title=PM207 action_items[1].due::"
    )

    markdown = site.validate("--overdue", "--format", "markdown")
    assert markdown.returncode == 1
    lines = markdown.stdout.splitlines()
    assert lines[0] == (
        "### Postmortems: 2 overdue action items in 2 of 2 postmortems on 2027-05-20"
    )
    assert lines[2:4] == ["| Where | Severity | Rule | Field | Message |", "|---|---|---|---|---|"]
    assert lines[4].startswith(
        f"| `docs/postmortems/x.md:{line}:10` | info | PM207 | `action_items[1].due` |"
    )

    report = json.loads(site.validate("--overdue", "--format", "json").stdout)
    assert [d["code"] for d in report["diagnostics"]] == ["PM207", "PM207"]


def test_validate_overdue_exits_0_when_nothing_is_overdue(make_site) -> None:
    site = make_site(BEFORE)
    site.add("x.md", postmortem())
    result = site.validate("--overdue")
    assert (result.returncode, result.stdout) == (0, "")
    assert "no overdue action items in 1 postmortem on 2027-05-01" in result.stderr
    markdown = site.validate("--overdue", "--format", "markdown")
    assert markdown.stdout == (
        "### Postmortems: no overdue action items in 1 postmortem on 2027-05-01\n\n"
    )


def test_validate_overdue_lists_them_even_when_the_rule_is_off(make_site) -> None:
    site = make_site(f"{AFTER}\nrules:\n  PM207: 'off'")
    site.add("x.md", postmortem())
    assert site.validate().stdout == ""
    assert site.validate("--overdue").returncode == 1


def test_a_markdown_summary_cannot_be_given_links_or_html(make_site) -> None:
    site = make_site(AFTER)
    owner = "``c` <img src=x> [a](http://e.x) | *b* www.e.x a@b.x `"  # shown whole
    text = postmortem().replace("owner: Safety team", f"owner: {json.dumps(owner)}")
    site.add("x.md", text)
    row = site.validate("--overdue", "--format", "markdown").stdout.splitlines()[4]
    # GitHub splits a row at each `|` without a backslash, code spans or not.
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert cells[1:3] == ["info", "PM207"]
    for index in (0, 3, 4):  # where, field, message: each a code span, whole
        span = re.fullmatch(r"(`+)( ?)(.*?)\2\1", cells[index])
        assert span is not None, cells[index]
        fence, inside = span.group(1), span.group(3)
        assert all(len(run) < len(fence) for run in re.findall(r"`+", inside))
        cells[index] = inside.replace("\\|", "|")
    assert cells[0].startswith("docs/postmortems/x.md:")
    assert cells[3] == "action_items[1].due"
    assert f"of {owner!r} was due" in cells[4]
    # Outside the code spans nothing GitHub would make a link, an image or a tag of.
    outside = " ".join(cells[1:3]) + re.sub(r"(`+) ?.*? ?\1", "", row)
    assert not re.search(r"https?:|www\.|@|<|\[|\*", outside), outside


def test_an_overdue_item_without_an_id_is_named_by_its_number() -> None:
    import datetime as dt

    from mkdocs_postmortem import Settings, check_archive

    text = published("X-0001", "  - id: A2\n    title", "  - title")
    report = check_archive([("x.md", text.encode())], Settings.load(today=dt.date(2027, 5, 20)))
    overdue = [d.message for d in report.diagnostics if d.code == "PM207"]
    assert overdue == [
        "action item 2 of 'Safety team' was due 2027-05-01 (19 days ago) and is still 'in_progress'"
    ]
