"""End to end: leaks stop `validate` and the build at their lines without being printed,
and a public build of the example archive publishes no reviewer, owner or tracker, in
any page, the search index or the exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from cases import line_of, published
from conftest import Site

from mkdocs_postmortem import read

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "docs" / "postmortems").glob("*.md") if p.name != "index.md")
INTERNAL_BLOCK_TEXT = "security hotline"  # a phrase of the example archive's internal block
# AWS's documented example key id (detect-secrets flags it) and a customer's address.
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "dana.whitfield@northwind-mail.net"


def internal_values() -> set[str]:
    """Every reviewer, owner, tracker and prompt-change ref of the example archive."""
    values: set[str] = set()
    for path in EXAMPLES:
        data = read(path.name, path.read_bytes()).data or {}
        values.update(data.get("reviewers", []))
        for item in data.get("action_items", []):
            values.update(item[key] for key in ("owner", "tracker") if item.get(key))
        history = data.get("ai_system", {}).get("prompt", {}).get("history", [])
        values.update(entry["ref"] for entry in history if entry.get("ref"))
    return values


def build_examples(root: Path, audience: str) -> tuple[Site, str]:
    site = Site(root, f'today: "2026-11-27"\naudience: {audience}')
    for path in EXAMPLES:
        site.add(path.name, path.read_bytes())
    # An example links to the docs' page on Art. 73, outside the archive.
    (site.docs / "regulation.md").write_text("# EU AI Act Art. 73\n")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site, result.stderr


def published_text(site: Site) -> dict[str, str]:
    """Every text file the build wrote, by its path in the site: whatever its suffix
    (the calendar's `.ics`, the feed's `.xml`), each file that is UTF-8; images, fonts
    and the gzipped sitemap are not."""
    out = site.root / "site"
    texts = {}
    for path in out.rglob("*"):
        if path.is_file():
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            if path.suffix == ".ics":  # unfolded (RFC 5545): a name may span a fold
                text = re.sub(r"\r?\n[ \t]", "", text)
            texts[str(path.relative_to(out))] = text
    return texts


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Site, str]]:
    root = tmp_path_factory.mktemp("editions")
    return {
        audience: build_examples(root / audience, audience) for audience in ("internal", "public")
    }


def test_the_internal_edition_publishes_every_internal_value(
    editions: dict[str, tuple[Site, str]],
) -> None:
    """The counterpart of the next test: the values are there to find."""
    texts = published_text(editions["internal"][0])
    every = "\n".join(texts.values())
    assert [value for value in internal_values() if value not in every] == []
    assert INTERNAL_BLOCK_TEXT in texts["postmortems/samsung-source-code-public-chatbot/index.html"]
    assert INTERNAL_BLOCK_TEXT in texts["search/search_index.json"]
    assert "postmortems/action-items/owners/index.html" in texts
    assert "Owner: " in texts["postmortems/action-items.ics"]  # the calendar is read too


def test_the_public_edition_publishes_no_reviewer_owner_or_tracker_anywhere(
    editions: dict[str, tuple[Site, str]],
) -> None:
    site, log = editions["public"]
    texts = published_text(site)
    assert "search/search_index.json" in texts and "postmortems/incidents.json" in texts
    assert "postmortems/action-items.csv" in texts
    assert "postmortems/action-items.ics" in texts and "postmortems/feed.xml" in texts
    shown = {
        (value, path)
        for path, text in texts.items()
        for value in internal_values() | {INTERNAL_BLOCK_TEXT}
        if value in text
    }
    assert shown == set()
    # No owners page, and no link to one; the tables have no owner or tracker column.
    assert "postmortems/action-items/owners/index.html" not in texts
    action_items = texts["postmortems/action-items/index.html"]
    assert "owners/" not in action_items and ">Owner</th>" not in action_items
    assert ">Tracker</th>" not in texts["postmortems/air-canada-bereavement-policy/index.html"]
    # One line says what was left out.
    (summary,) = [line for line in log.splitlines() if "public edition:" in line]
    assert "left out 1 internal block(s)" in summary and "reviewers" in summary


def test_the_public_exports_keep_their_shape(editions: dict[str, tuple[Site, str]]) -> None:
    """Internal fields are written empty, so that tools reading the exports need no change."""
    out = editions["public"][0].root / "site" / "postmortems"
    data = json.loads((out / "incidents.json").read_text(encoding="utf-8"))
    schema = json.loads((out / "incidents.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    items = [item for incident in data["incidents"] for item in incident["action_items"]]
    assert items and {(item["owner"], item["tracker"]) for item in items} == {(None, None)}
    assert {tuple(incident["reviewers"]) for incident in data["incidents"]} == {()}
    header = (out / "action-items.csv").read_text(encoding="utf-8").splitlines()[0]
    assert '"owner"' in header and '"tracker"' in header


def leaky_site(root: Path, audience: str = "internal") -> tuple[Site, str]:
    """A held-out postmortem in review: a cloud key in a code block, a customer's
    address in `inputs`."""
    text = published(
        "TEST-2026-0100",
        "  inputs: Customer questions about refunds, with the policy page retrieved.",
        f"  inputs: Customer questions about refunds, one of them signed {EMAIL}.",
    ).replace("status: published", "status: in_review")
    text += f"\n## Log\n\n```console\n$ aws s3 ls\n$ export AWS_ACCESS_KEY_ID={AWS_KEY}\n```\n"
    site = Site(root, f"audience: {audience}")
    site.add("leaky.md", text)
    return site, text


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_a_held_out_leak_fails_validate_and_the_build_at_its_lines_unprinted(
    tmp_path: Path, audience: str
) -> None:
    site, text = leaky_site(tmp_path / "site", audience)
    lines = text.split("\n")
    email_line, key_line = line_of(text, EMAIL), line_of(text, AWS_KEY)
    email_at = f"docs/postmortems/leaky.md:{email_line}:{lines[email_line - 1].index(EMAIL) + 1}:"
    key_at = f"docs/postmortems/leaky.md:{key_line}:{lines[key_line - 1].index(AWS_KEY) + 1}:"
    runs = {
        "validate": site.validate(),
        "validate --format github": site.validate("--format", "github"),
        "validate --format json": site.validate("--format", "json"),
        "build": site.build(),
    }
    for name, result in runs.items():
        assert result.returncode == 1, name
        output = result.stdout + result.stderr
        assert EMAIL not in output and AWS_KEY not in output, name
        assert "northwind" not in output and "IOSFODNN7" not in output, name
    text_output = runs["validate"].stdout
    assert f"{email_at} error PM602 ai_system.inputs: e-mail address 'd" in text_output
    assert f"{key_at} error PM601 AWS Access Key 'AKIA" in text_output
    assert email_at in runs["build"].stderr and key_at in runs["build"].stderr
    github = runs["validate --format github"].stdout
    assert f"file=docs/postmortems/leaky.md,line={key_line}," in github
    built = site.root / "site"
    written = [p for p in built.rglob("*") if p.is_file()] if built.exists() else []
    assert not [p for p in written if AWS_KEY in p.read_text(errors="replace")]


def test_a_reviewer_named_in_the_body_fails_only_the_public_build(tmp_path: Path) -> None:
    text = published("TEST-2026-0100") + "\nThe Trust and safety team signed this off.\n"
    line = line_of(text, "The Trust and safety team")
    internal = Site(tmp_path / "internal", "audience: internal")
    internal.add("x.md", text)
    assert internal.build("--strict").returncode == 0
    public = Site(tmp_path / "public", "audience: public")
    public.add("x.md", text)
    result = public.build()
    assert result.returncode == 1
    assert f"docs/postmortems/x.md:{line}:5: error PM610 the value of the internal field " in (
        result.stderr
    )
    # The same check without building.
    assert f"x.md:{line}:5: error PM610" in internal.validate("--audience", "public").stdout


def test_another_postmortems_internal_value_fails_the_public_build(tmp_path: Path) -> None:
    """A reviewer of one postmortem named in another's body or public field would be
    published all the same: the check is archive-wide."""
    first = published(
        "TEST-2026-0100",
        "reviewers: [Support engineering, Trust and safety]",
        "reviewers: [Harriet Okonkwo-Reyes]",
    )
    second = published(
        "TEST-2026-0101",
        "reviewers: [Support engineering, Trust and safety]",
        "reviewers: [Quality board]",
    )
    second = second.replace(
        "Refund questions are routed to people.",
        "Refund questions are routed to people; Harriet Okonkwo-Reyes agreed.",
    )
    second += "\nSigned off by Harriet Okonkwo-Reyes after the review.\n"
    internal = Site(tmp_path / "internal", "audience: internal")
    internal.add("a.md", first)
    internal.add("b.md", second)
    assert internal.build("--strict").returncode == 0
    public = Site(tmp_path / "public", "audience: public")
    public.add("a.md", first)
    public.add("b.md", second)
    result = public.build()
    assert result.returncode == 1
    body_line = line_of(second, "Signed off by")
    event_line = line_of(second, "Harriet Okonkwo-Reyes agreed")
    column = second.split("\n")[event_line - 1].index("Harriet") + 1
    found = sorted(line for line in result.stderr.splitlines() if "PM610" in line)
    assert len(found) == 2, result.stderr
    named = "the value of the internal field reviewers of docs/postmortems/a.md is written here"
    assert f"docs/postmortems/b.md:{body_line}:15: error PM610 {named}" in result.stderr
    at = f"docs/postmortems/b.md:{event_line}:{column}:"
    assert f"{at} error PM610 timeline[2].event: {named}" in result.stderr
    assert "Harriet" not in "\n".join(found)
    # The same from `validate` (one run: the archive-wide pass).
    assert internal.validate("--audience", "public").stdout.count("PM610") == 2


def test_a_page_with_problems_is_public_too(tmp_path: Path) -> None:
    """A postmortem with a warning is converted from the file MkDocs reads itself, not
    from the checked view: the public edition still leaves its internal parts out."""
    text = published("TEST-2026-0100").replace("status: published", "status: draft")
    text += (
        "\nThe on-call engineer should have caught it.\n\n"  # PM402: a warning, shown on the page
        "<!-- postmortem:internal -->\nPaged via the night hotline.\n"
        "<!-- /postmortem:internal -->\n"
    )
    site = Site(tmp_path / "site", "audience: public")
    site.add("x.md", text)
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert "PM402" in result.stderr
    page = (site.root / "site" / "postmortems" / "x" / "index.html").read_text(encoding="utf-8")
    assert "should have caught it" in page and "postmortem-problems" in page
    for hidden in ("night hotline", "Support engineering", "Trust and safety", "Search team"):
        assert hidden not in page


def test_a_marker_indented_or_sharing_its_line_fails_the_build(tmp_path: Path) -> None:
    """A marker the public edition would not see (in an admonition, after text) is an
    error at its line, not internal text published without a word."""
    text = published("TEST-2026-0100") + (
        "\n!!! note\n\n    <!-- postmortem:internal -->\n    Paged via the night hotline.\n"
        "    <!-- /postmortem:internal -->\n\n"
        "<!-- postmortem:internal --> Escalated to the board chair.\n"
    )
    lines = [line_of(text, "    <!-- postmortem"), line_of(text, "    <!-- /postmortem")]
    lines.append(line_of(text, "<!-- postmortem:internal --> Escalated"))
    site = Site(tmp_path / "site", "audience: public")
    site.add("x.md", text)
    result = site.build()
    assert result.returncode == 1
    for line in lines:
        assert f"docs/postmortems/x.md:{line}:" in result.stderr
    assert result.stderr.count("error PM611") == 3


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_a_drafts_leaks_are_warnings_and_published_masked(tmp_path: Path, audience: str) -> None:
    """A draft's leak is a warning, so a build without --strict goes on: the page, search
    and exports show the masked form, never the value."""
    site, text = leaky_site(tmp_path / "site", audience)
    site.add("leaky.md", text.replace("status: in_review", "status: draft"))
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr.lower() and "PM601" in result.stderr
    assert EMAIL not in result.stderr and AWS_KEY not in result.stderr
    texts = published_text(site)
    assert [path for path, content in texts.items() if AWS_KEY in content or EMAIL in content] == []
    page = texts["postmortems/leaky/index.html"]
    assert "AKIA****" in page and "aws s3 ls" in page  # the rest of the code block stays
    assert "d****" in texts["postmortems/incidents.json"]
    assert site.build("--strict").returncode == 1


# Values other rules would quote, each where that rule reports it: an enum value
# (PM102), a date (PM104), a key's name (PM110, in the field too) and a line of YAML
# that a hint quotes (PM005).
QUOTED_LEAKS = {
    "enum.md": (
        "severity: sev2",
        "severity: AKIAIOSFODNN7EXAMPLE",
        "PM102",
        "AKIAIOSFODNN7EXAMPLE",
    ),
    "email.md": (
        "detection: user_report",
        "detection: alice.smith@example.org",
        "PM102",
        "alice.smith@example.org",
    ),
    "phone.md": (
        "occurred: 2026-03-02T09:15Z",
        "occurred: +1 212 555 0143",
        "PM104",
        "+1 212 555 0143",
    ),
    "key.md": (
        "tags: [support, refunds]",
        "tags: [support, refunds]\neve@corp.example.com: on call",
        "PM110",
        "eve@corp.example.com",
    ),
    "yaml.md": (
        "title: Support assistant quoted a refund rule that does not exist",
        "title: Rotated key: AKIAI44QH8DHBEXAMPLE",
        "PM005",
        "AKIAI44QH8DHBEXAMPLE",
    ),
    "long.md": (  # a value cut short in the message, the secret across the cut
        "severity: sev2",
        "severity: " + "x" * 50 + " AKIAJ7Q3SBWLRDEXAMPL2",
        "PM102",
        "AKIAJ7Q3SBWLRDEXAMPL2",
    ),
}


def test_no_rule_quotes_a_leak_that_its_own_check_masks(tmp_path: Path) -> None:
    """Other rules' messages and fields are made from the raw front-matter: they are
    masked like the leak checks' own, in every output of `validate` and the build."""
    site = Site(tmp_path / "site")
    for number, (name, (old, new, _, _)) in enumerate(sorted(QUOTED_LEAKS.items())):
        site.add(name, published(f"TEST-2026-{number + 200:04d}", old, new))
    runs = {
        form: site.validate("--format", form) for form in ("text", "json", "github", "markdown")
    }
    runs["build"] = site.build()
    for name, (_, _, code, value) in QUOTED_LEAKS.items():
        # The other rule still reports, at its place, masked.
        assert f"docs/postmortems/{name}:" in runs["text"].stdout
        assert [line for line in runs["text"].stdout.splitlines() if name in line and code in line]
        for run, result in runs.items():
            assert result.returncode == 1, run
            output = result.stdout + result.stderr
            assert value not in output, (run, name)
            assert value[1:7] not in output, (run, name)  # nor a part cut short


def test_a_drafts_leak_in_a_key_is_published_masked(tmp_path: Path) -> None:
    """An unknown key is exported as written: a draft goes on with a warning, and its
    key is masked like a value."""
    text = published(
        "TEST-2026-0100",
        "tags: [support, refunds]",
        "tags: [support, refunds]\neve@corp.example.com: on call",
    ).replace("status: published", "status: draft")
    site = Site(tmp_path / "site")
    site.add("key.md", text)
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert "PM110" in result.stderr and "PM602" in result.stderr
    texts = published_text(site)
    assert "on call" in texts["postmortems/incidents.json"]
    assert [path for path, content in texts.items() if "eve@corp" in content] == []


def test_the_docs_pages_quote_no_internal_value_of_the_example_archive() -> None:
    """A public build of this site publishes its docs pages too: their examples use
    placeholders, never a reviewer, owner, tracker or ref of the example archive."""
    values = internal_values()
    assert len(values) > 20  # the example archive has them: the test can fail
    docs = ROOT / "docs"
    pages = [
        path
        for path in docs.rglob("*")
        if path.is_file()
        and path.relative_to(docs).parts[0] != "postmortems"
        and path.suffix in (".md", ".yml", ".yaml", ".json", ".html", ".txt")
    ]
    quoted = sorted(
        (str(path.relative_to(ROOT)), value)
        for path in pages
        for value in values
        if value in path.read_text(encoding="utf-8", errors="replace")
    )
    assert quoted == []
