"""The plugin in real builds: clean archives pass, problems fail, options do what they say."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ENV, fixture_text


def test_clean_archive_builds_strict(make_built_site) -> None:
    site = make_built_site('today: "2026-11-27"')
    site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    page = (site.root / "site" / "postmortems" / "published" / "index.html").read_text()
    assert "Support assistant quoted a refund rule" in page


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_a_broken_postmortem_fails_the_build(make_built_site, theme: str) -> None:
    site = make_built_site(theme=theme)
    site.add("broken.md", "---\nid: X-1\ntitle: [\n---\n")
    result = site.build()
    assert result.returncode == 1
    assert "docs/postmortems/broken.md:4:1: error PM005" in result.stderr
    assert "Traceback" not in result.stderr


def test_warnings_fail_only_under_strict(make_built_site) -> None:
    site = make_built_site()
    site.add(
        "draft.md", fixture_text("draft.md").replace("severity: sev4", "severity: sev4\nseverty: x")
    )
    relaxed = site.build()
    assert relaxed.returncode == 0, relaxed.stderr
    assert (
        "warning PM110 severty: unknown key 'severty' (did you mean 'severity'?)" in relaxed.stderr
    )
    strict = site.build("--strict")
    assert strict.returncode == 1


def test_fail_on_warning_fails_without_strict(make_built_site) -> None:
    site = make_built_site("fail_on: warning")
    site.add(
        "draft.md", fixture_text("draft.md").replace("severity: sev4", "severity: sev4\nseverty: x")
    )
    assert site.build().returncode == 1


def test_fail_on_never_builds_and_shows_problems_on_the_page(make_built_site) -> None:
    site = make_built_site("fail_on: never")
    site.add("broken.md", "---\nid: X-1\ntitle: [\n---\n\nThe story <b>so far</b>.\n")
    result = site.build()
    assert result.returncode == 0, result.stderr
    page = (site.root / "site" / "postmortems" / "broken" / "index.html").read_text()
    assert "This postmortem has 1 problem(s)" in page
    assert "broken.md:4:1: error PM005" in page
    assert "title: [" not in page  # the unreadable front-matter is not shown as text


def test_disabled_plugin_checks_nothing(make_built_site) -> None:
    site = make_built_site("enabled: false")
    site.add("broken.md", "---\nid: [\n---\n")
    assert site.build().returncode == 0


def test_dir_option(make_built_site) -> None:
    site = make_built_site("dir: incidents")
    site.add("not-checked.md", "no front-matter here\n")
    other = site.docs / "incidents" / "x.md"
    other.parent.mkdir()
    other.write_text("no front-matter\n")
    result = site.build()
    assert result.returncode == 1
    assert "docs/incidents/x.md:1:1: error PM002" in result.stderr
    assert "not-checked" not in result.stderr


def test_landing_page_is_not_a_postmortem(make_built_site) -> None:
    site = make_built_site()
    site.add("index.md", "# Our incidents\n")
    assert site.build("--strict").returncode == 0


def test_id_pattern_option(make_built_site) -> None:
    site = make_built_site("id_pattern: '^INC-[0-9]{4}$'")
    site.add("a.md", fixture_text("draft.md").replace("TEST-2026-0002", "INC-0001"))
    site.add("b.md", fixture_text("draft.md"))
    result = site.build()
    assert (
        "b.md:2:5: error PM104 id: 'TEST-2026-0002' is not an id matching ^INC-[0-9]{4}$"
        in result.stderr
    )
    assert "a.md" not in result.stderr


def test_organisation_schema_adds_a_category_and_a_rule(make_built_site) -> None:
    site = make_built_site("schema: org-schema.json")
    (site.root / "org-schema.json").write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "required": ["tags"],
                "$defs": {"severity": {"enum": ["sev1", "sev2", "sev3", "sev4", "sev5"]}},
            }
        )
    )
    site.add("a.md", fixture_text("draft.md").replace("sev4", "sev5"))
    result = site.build()
    assert (
        "a.md:7:1: error PM101 tags: missing required key 'tags'; add it after summary"
    ) in result.stderr
    assert "PM102" not in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("schema: missing.json", "isn't an existing file"),
        ("id_pattern: '(['", "id_pattern: '([' is not a valid regular expression"),
        ("today: someday", "expected a date written YYYY-MM-DD"),
        ("fail_on: sometimes", "fail_on"),
        ("dir: ../outside", "expected a folder below docs_dir"),
        ("jobs: -1", "expected 0 (one per core) or a number of processes, got -1"),
    ],
)
def test_bad_options_are_clear_errors(make_built_site, options: str, message: str) -> None:
    site = make_built_site(options)
    result = site.build()
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_organisation_schema_is_a_clear_error(make_built_site) -> None:
    site = make_built_site("schema: org.json")
    (site.root / "org.json").write_text('{"type": 5}')
    result = site.build()
    assert result.returncode == 1
    assert "schema:" in result.stderr and "not a valid JSON Schema" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_plugin_never_writes_into_docs_dir(make_built_site) -> None:
    site = make_built_site()
    site.add("draft.md", fixture_text("draft.md"))
    before = sorted(p.relative_to(site.docs) for p in site.docs.rglob("*"))
    site.build()
    assert sorted(p.relative_to(site.docs) for p in site.docs.rglob("*")) == before


def test_builds_are_byte_identical(make_built_site) -> None:
    site = make_built_site('today: "2026-11-27"')
    site.add("published.md", fixture_text("published.md"))
    site.add("draft.md", fixture_text("draft.md"))
    site.build()
    first = (site.root / "site" / "postmortems" / "published" / "index.html").read_bytes()
    site.build()
    assert (site.root / "site" / "postmortems" / "published" / "index.html").read_bytes() == first


HOOK = """
import json
import os
import re

def on_page_markdown(markdown, page, **kwargs):
    if page.file.src_uri.startswith("postmortems/") and "id" in page.meta:
        name = page.file.src_uri.replace("/", "_") + ".json"
        with open(name, "w") as out:
            json.dump(
                {"meta": page.meta, "markdown": markdown, "source": page.file.abs_src_path},
                out,
            )
"""


def built_with_hook(make_built_site, hook: str):  # type: ignore[no-untyped-def]
    """A site of the published fixture, built with `hook` as an MkDocs hook."""
    site = make_built_site('today: "2026-11-27"')
    site.add(
        "published.md", fixture_text("published.md").replace("related: [TEST-2026-0002]\n", "")
    )
    (site.root / "hook.py").write_text(hook)
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write("hooks:\n  - hook.py\n")
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def test_other_plugins_find_the_front_matter_in_page_meta(make_built_site) -> None:
    # MkDocs does not parse the front-matter again: the plugin hands over what it read.
    site = built_with_hook(make_built_site, HOOK)
    seen = json.loads((site.root / "postmortems_published.md.json").read_text())
    meta, markdown = seen["meta"], seen["markdown"]
    assert meta["id"] == "TEST-2026-0001"
    assert meta["occurred"] == "2026-03-02T09:15Z"  # as the plugin reads it: text
    assert meta["ai_system"]["models"][0]["version"] == "2026-01-15"
    assert meta["tags"] == ["support", "refunds"]
    assert markdown.startswith("## What happened") and "---" not in markdown
    # Plugins that read the file itself (its git history, say) still find it.
    assert seen["source"] == str(site.archive / "published.md")


PLACEMENT_HOOK = """
import json

seen = {}

def on_page_content(html, page, **kwargs):
    if page.file.src_uri == "postmortems/published.md":
        seen["content"] = "pm-card" in html or "pm-impact" in html
        seen["content toc"] = [item.id for item in page.toc]
    return html

def on_post_page(output, page, **kwargs):
    if page.file.src_uri == "postmortems/published.md":
        seen["output"] = 'id="postmortem-card"' in output and 'id="pm-impact"' in output
        seen["toc"] = [item.id for item in page.toc]
        with open("placement.json", "w") as out:
            json.dump(seen, out)
    return output
"""


def test_the_card_and_details_join_the_page_when_search_indexes_it(make_built_site) -> None:
    """They are placed in `on_page_context`, once every page is converted (workers make
    them meanwhile): `on_page_content` sees the author's text, the written page has
    all of it, and the details' headings join the table of contents."""
    site = built_with_hook(make_built_site, PLACEMENT_HOOK)
    seen = json.loads((site.root / "placement.json").read_text())
    assert seen["content"] is False
    assert "pm-impact" not in seen["content toc"]
    assert seen["output"] is True
    assert "pm-impact" in seen["toc"] and "pm-action-items" in seen["toc"]


def test_a_large_archive_builds_the_same_in_one_process_or_several(make_site) -> None:
    # 210 postmortems: over the size from which the check and the postmortem pages'
    # cards are done in worker processes (on Linux).
    site = make_site('today: "2026-11-27"\njobs: 1')
    template = fixture_text("published.md").replace("related: [TEST-2026-0002]\n", "")
    for number in range(210):
        text = template.replace("TEST-2026-0001", f"TEST-2026-{number:04d}")
        if number % 3 == 0:
            text = text.replace("\n---\n", f"\nrelated: [TEST-2026-{(number + 1):04d}]\n---\n", 1)
        if number % 5 == 0:
            text = text.replace("## What happened", f"# Own title {number}\n\n## What happened")
        site.add(f"pm-{number:04d}.md", text)
    site.add("index.md", "# Our incidents\n\nRead them.\n\n<!-- postmortem:index -->\n")
    assert site.build("--strict", "-d", "one").returncode == 0
    site.write_config('today: "2026-11-27"\njobs: 2')
    result = site.build("--strict", "-d", "several")
    assert result.returncode == 0, result.stderr

    one, several = built_pages(site.root / "one"), built_pages(site.root / "several")
    assert len(one) > 210
    assert one.keys() == several.keys()
    for name in one:
        assert one[name] == several[name], name


BREAKING_HOOK = """
def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "postmortems/pm-0000.md":
        raise RuntimeError("another plugin broke")
    return markdown
"""


def test_a_build_that_another_plugin_breaks_ends_with_its_error(make_site) -> None:
    """An error of another plugin while the workers make the archive's HTML ends the
    build at once. The workers used to be killed, one of them maybe half-way through
    sending its result: the build then waited for the rest forever."""
    site = make_site('today: "2026-11-27"\njobs: 2')
    large_archive(site)
    (site.root / "hook.py").write_text(BREAKING_HOOK)
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write("hooks:\n  - hook.py\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=site.root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "another plugin broke" in result.stderr
    assert "worker process" not in result.stderr  # none stalled, failed or died


def large_archive(site, problem: str = "", every: int = 7) -> None:
    """210 postmortems, enough for the check to be made meanwhile with `jobs: 2`;
    `problem` is appended to the text of every `every`-th one."""
    template = fixture_text("published.md").replace("related: [TEST-2026-0002]\n", "")
    for number in range(210):
        text = template.replace("TEST-2026-0001", f"TEST-2026-{number:04d}")
        if problem and number % every == 0:
            text += problem
        site.add(f"pm-{number:04d}.md", text)


def built_pages(folder) -> dict[str, bytes]:
    """Every file of a built site but its sitemap, without the build date."""
    return {
        path.relative_to(folder).as_posix(): re.sub(
            rb"Build Date UTC : [^\n]*", b"", path.read_bytes()
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml.gz"
    }


def problems_in(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " PM" in line]


def test_problems_checked_meanwhile_show_as_when_checked_first(make_site) -> None:
    # With two jobs the rules run while MkDocs converts the pages; the warnings, and the
    # boxes on the pages that have them, are those of a build that checks first.
    site = make_site('today: "2026-11-27"\njobs: 1')
    large_archive(site, "\nThe root cause was a careless edit; see TEST-2026-9999.\n")
    first = site.build("-d", "one")
    assert first.returncode == 0, first.stderr
    site.write_config('today: "2026-11-27"\njobs: 2')
    meanwhile = site.build("-d", "several")
    assert meanwhile.returncode == 0, meanwhile.stderr

    assert len(problems_in(first.stderr)) >= 60
    assert problems_in(meanwhile.stderr) == problems_in(first.stderr)
    one, several = built_pages(site.root / "one"), built_pages(site.root / "several")
    assert one.keys() == several.keys()
    for name in one:
        assert one[name] == several[name], name
    page = (site.root / "several" / "postmortems" / "pm-0007" / "index.html").read_text()
    assert "postmortem-problems" in page
    # Warnings reported in on_env still count for --strict.
    strict = site.build("--strict", "-d", "strict")
    assert strict.returncode == 1
    assert "in strict mode" in strict.stdout + strict.stderr


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        # Found by the rules, made meanwhile: reported, and the build fails, in on_env.
        ("", "docs/postmortems/pm-0000.md:4:9: error PM102 status:"),
        # A file that does not read: the check is done at once, as with one job.
        ("---\nid: [\n", "docs/postmortems/pm-0000.md"),
    ],
)
def test_a_large_archive_with_an_error_fails_whatever_the_jobs(
    make_site, problem: str, message: str
) -> None:
    site = make_site('today: "2026-11-27"\njobs: 2')
    large_archive(site)
    broken = site.docs / "postmortems" / "pm-0000.md"
    text = broken.read_text()
    broken.write_text(
        problem + text if problem else text.replace("status: published", "status: publishd")
    )
    result = site.build()
    assert result.returncode == 1
    assert message in result.stderr
    assert "postmortem: the archive has problems: 1 error " in result.stderr
    assert " in 1 of 210 postmortems." in result.stderr
    assert "Traceback" not in result.stderr
    site.write_config('today: "2026-11-27"\njobs: 1')
    assert problems_in(site.build().stderr) == problems_in(result.stderr)


def test_a_dirty_build_leaves_unchanged_postmortems_alone(make_site) -> None:
    site = make_site('today: "2026-11-27"')
    site.add(
        "published.md", fixture_text("published.md").replace("related: [TEST-2026-0002]\n", "")
    )
    assert site.build().returncode == 0
    page = site.root / "site" / "postmortems" / "published" / "index.html"
    os.utime(page, (1_000_000_000, 1_000_000_000))  # older than any source, as if built long ago
    os.utime(site.archive / "published.md", (900_000_000, 900_000_000))
    result = site.build("--dirty")
    assert result.returncode == 0, result.stderr
    assert page.stat().st_mtime == 1_000_000_000
