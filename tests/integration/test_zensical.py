"""The archive under Zensical: `mkdocs-postmortem generate && zensical build --clean`
with the project's own `mkdocs.yml` and example archive, in a temporary copy; and the
same `mkdocs.yml` under MkDocs, where the Markdown extension stays inert."""

from __future__ import annotations

import filecmp
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest.mock import ANY

import pytest
import yaml
from conftest import ENV, ROOT
from sitecheck import broken_links

from mkdocs_postmortem import builtin_schema, read
from mkdocs_postmortem.outside import GENERATED_MARKER
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.site import ASSET_DIR, MANIFEST

# Zensical needs Python 3.11 (the dev extra installs it there); on 3.10 there is
# nothing to test.
pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="Zensical needs Python 3.11")
# Nor can it be installed beside the oldest Material claimed (CI's last corner), whose
# pymdown-extensions is older than Zensical's; the main suite has it.
pytest.importorskip("zensical")

BROKEN = "air-canada-bereavement-policy.md"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_project(root: Path) -> Path:
    """The project's `mkdocs.yml` and `docs/`, as a user's site."""
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")
    return root


def generate(root: Path) -> subprocess.CompletedProcess[str]:
    return run(root, "mkdocs_postmortem", "generate")


def zensical(root: Path) -> subprocess.CompletedProcess[str]:
    return run(root, "zensical", "build", "--clean")


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def example_ids() -> dict[str, str]:
    """Each example postmortem's id, by file name."""
    ids = {}
    for path in sorted((ROOT / "docs" / "postmortems").glob("*.md")):
        if path.name != "index.md":
            data = read(path.name, path.read_bytes()).data
            assert isinstance(data, dict)
            ids[path.stem] = str(data["id"])
    return ids


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example archive built by the documented pipeline."""
    root = copy_project(tmp_path_factory.mktemp("zensical") / "project")
    made = generate(root)
    assert made.returncode == 0, made.stderr
    result = zensical(root)
    assert result.returncode == 0, result.stderr
    assert "missing or out of date" not in result.stderr
    return root


def test_the_project_declares_the_extension_once() -> None:
    """The project's own `mkdocs.yml` is the one the docs show: plugin and extension."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["markdown_extensions"].count("postmortem") == 1
    assert [p for p in config["plugins"] if "postmortem" in p] == [{"postmortem": ANY}]


def test_the_archive_index_lists_every_postmortem(built: Path) -> None:
    index = (built / "site" / "postmortems" / "index.html").read_text(encoding="utf-8")
    for stem, incident_id in example_ids().items():
        assert incident_id in index
        assert f'href="{stem}/"' in index
    assert "data-pm-archive" in index  # the listing, with its filters
    assert "postmortem:index" not in index and "postmortem:page" not in index


def test_action_item_pages_list_each_category(built: Path) -> None:
    folder = built / "site" / "postmortems" / "action-items"
    overview = (folder / "index.html").read_text(encoding="utf-8")
    categories = sorted(path.name for path in folder.iterdir() if path.is_dir())
    assert {"prompt", "guardrail", "owners"} <= set(categories)
    for name in categories:
        assert f'action-items/{name}/"' in overview
    prompt = (folder / "prompt" / "index.html").read_text(encoding="utf-8")
    assert "Action items: Prompt" in prompt


def test_a_postmortem_page_has_its_card_and_action_items(built: Path) -> None:
    source = ROOT / "docs" / "postmortems" / BROKEN
    data = read(BROKEN, source.read_bytes()).data
    assert isinstance(data, dict)
    page = (built / "site" / "postmortems" / source.stem / "index.html").read_text(encoding="utf-8")
    assert page.count('class="pm-card"') == 1
    assert data["id"] in page
    for section in ("pm-timeline", "pm-contributing-factors", "pm-action-items"):
        assert f'id="{section}"' in page
        assert f'href="#{section}"' in page  # in the page's table of contents
    for item in data["action_items"]:
        assert item["id"] in page
    # The stylesheet and script, linked from the page's place in the site.
    assert 'href="../../assets/postmortem/postmortem.css"' in page
    assert (built / "site" / "assets" / "postmortem" / "postmortem.js").is_file()
    assert page.count("<h1") == 1


def test_the_docs_get_their_reference_tables(built: Path) -> None:
    format_page = (built / "site" / "format" / "index.html").read_text(encoding="utf-8")
    for name in builtin_schema()["properties"]:
        assert f"<code>{name}</code>" in format_page
    assert "postmortem:schema-reference" not in format_page
    rules_page = (built / "site" / "rules" / "index.html").read_text(encoding="utf-8")
    assert "<code>PM207</code>" in rules_page


def test_a_build_without_generate_says_what_to_run(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = zensical(root)
    assert result.returncode == 0, result.stderr
    assert "archive file(s) missing or out of date" in result.stderr
    assert "run `mkdocs-postmortem generate`" in result.stderr
    assert (root / "site" / "postmortems" / "index.html").is_file()


def test_every_link_of_the_archive_leads_somewhere(built: Path) -> None:
    site = built / "site"
    assert broken_links(site, pages(site / "postmortems")) == []


def test_the_archive_has_the_urls_it_has_under_mkdocs(built: Path, tmp_path: Path) -> None:
    result = run(ROOT, "mkdocs", "build", "-f", "mkdocs.yml", "-d", str(tmp_path / "mkdocs"))
    assert result.returncode == 0, result.stderr
    archive = "postmortems"

    def places(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in (site / archive).rglob("*") if p.is_file()}

    assert places(built / "site") == places(tmp_path / "mkdocs")
    exports = json.loads((built / "site" / archive / "incidents.json").read_text("utf-8"))
    assert len(exports["incidents"]) == len(example_ids())


def test_search_skips_facet_pages_and_has_no_boost(built: Path) -> None:
    """Measured for the docs: Zensical honours `search: exclude`, and its index has no
    field for a page's boost."""
    index = json.loads((built / "site" / "search.json").read_text(encoding="utf-8"))
    locations = {item["location"] for item in index["items"]}
    assert not any(location.startswith("postmortems/tags/") for location in locations)
    assert any(location.startswith("postmortems/air-canada") for location in locations)
    assert all("boost" not in item for item in index["items"])


def test_a_broken_postmortem_fails_the_documented_pipeline(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = root / "docs" / "postmortems" / BROKEN
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("severity:")))
    path.write_text(re.sub(r"(?m)^severity: .*$", "severity: SEV9", text), encoding="utf-8")
    expected = f"docs/postmortems/{BROKEN}:{line + 1}:11: error PM102 severity:"
    made = generate(root)
    assert made.returncode == 1
    assert expected in made.stderr
    assert "nothing was written" in made.stderr
    assert not (root / "docs" / "postmortems" / MANIFEST).exists()
    assert not (root / "docs" / "postmortems" / "statistics.md").exists()
    # Zensical alone fails too: the problem's line first, then Zensical's traceback.
    result = zensical(root)
    assert result.returncode != 0
    assert expected in result.stderr
    assert result.stderr.index(expected) < result.stderr.index("Traceback")
    assert "PostmortemBuildError" in result.stderr


def test_generate_rewrites_only_what_changed_and_removes_its_stale_pages(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    docs = root / "docs"
    assert generate(root).returncode == 0
    manifest = json.loads((docs / "postmortems" / MANIFEST).read_text(encoding="utf-8"))
    written = set(manifest["files"])
    assert "postmortems/statistics.md" in written and "postmortems/index.md" not in written
    assert all((docs / uri).is_file() for uri in written)
    before = {uri: (docs / uri).read_bytes() for uri in written}
    again = generate(root)
    assert again.returncode == 0
    assert f"0 file(s) written, {len(written)} unchanged, 0 removed" in again.stderr
    assert {uri: (docs / uri).read_bytes() for uri in written} == before  # deterministic
    # The only postmortem that names a model names another: the model's page goes,
    # and nothing else.
    changed = docs / "postmortems" / "dpd-chatbot-swearing-poem.md"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("- name: chat-llm", "- name: other-llm"), encoding="utf-8")
    user_file = docs / "postmortems" / "notes.txt"
    user_file.write_text("mine", encoding="utf-8")
    third = generate(root)
    assert third.returncode == 0, third.stderr
    after = set(json.loads((docs / "postmortems" / MANIFEST).read_text("utf-8"))["files"])
    gone = written - after
    assert gone and all(not (docs / uri).exists() for uri in gone)
    assert gone == {"postmortems/models/chat-llm.md"}
    assert "postmortems/models/other-llm.md" in after
    assert user_file.read_text(encoding="utf-8") == "mine"
    assert (docs / "postmortems" / "air-canada-bereavement-policy.md").is_file()


def test_generate_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    docs = root / "docs"
    assert generate(root).returncode == 0
    statistics = docs / "postmortems" / "statistics.md"
    statistics.write_text("my own notes\n", encoding="utf-8")
    result = generate(root)
    assert result.returncode == 2
    assert "docs/postmortems/statistics.md: changed since generate wrote it" in result.stderr
    assert statistics.read_text(encoding="utf-8") == "my own notes\n"
    # A file of the user's where the archive publishes a page: the plugin's PM013.
    statistics.unlink()
    (docs / "postmortems" / MANIFEST).unlink()
    statistics.write_text("mine\n", encoding="utf-8")
    result = generate(root)
    assert result.returncode == 2
    assert "PM013" in result.stderr or "stand where the archive publishes" in result.stderr
    assert statistics.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_mkdocs_ignores_the_extension_and_generated_files(tool: str, tmp_path: Path) -> None:
    """Under MkDocs the plugin does everything: the same site with or without the
    extension in `markdown_extensions`, and with or without generate's files."""
    with_extension = copy_project(tmp_path / "with")
    without = copy_project(tmp_path / "without")
    config = without / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - postmortem\n  - admonition", "  - admonition"
        ),
        encoding="utf-8",
    )
    assert "- postmortem\n  - admonition" not in config.read_text(encoding="utf-8")
    assert generate(with_extension).returncode == 0
    for root in (with_extension, without):
        result = run(root, tool, "build", "-f", "mkdocs.yml")
        assert result.returncode == 0, result.stderr
    comparison = filecmp.dircmp(with_extension / "site", without / "site")
    assert _differences(comparison) == []


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for name in comparison.common_files:
        left = Path(comparison.left) / name
        if left.read_bytes() != (Path(comparison.right) / name).read_bytes():
            found.append(str(left))
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_the_theme_shows_front_matter_escaped(tmp_path: Path) -> None:
    """Zensical's templates print a page's title as HTML; the extension hands them the
    escaped front-matter, as the plugin does under MkDocs."""
    root = copy_project(tmp_path / "project")
    path = root / "docs" / "postmortems" / BROKEN
    hostile = "Chat <img src=x onerror=alert(1)> said &amp; more"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(?m)^title: .*$", f"title: {json.dumps(hostile)}", text), encoding="utf-8"
    )
    assert generate(root).returncode == 0
    result = zensical(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    for page in pages(site):
        assert "<img src=x" not in page.read_text(encoding="utf-8"), page
    page = (site / "postmortems" / path.stem / "index.html").read_text(encoding="utf-8")
    assert "<title>Chat &lt;img src=x onerror=alert(1)&gt; said &amp;amp; more" in page


LEAKY_DRAFT = """---
id: AIPM-2026-0999
title: A draft that quotes a log
status: draft
severity: sev3
occurred: 2026-11-01
summary: The assistant echoed a customer's address, dana.whitfield@northwind-mail.net.
---

## What happened

```text
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
```
"""


def test_zensical_pages_show_the_checked_document_masked_and_public(
    tmp_path: Path,
) -> None:
    """Zensical reads each file itself; the pages must still show what the check made
    of it: a draft's leaks masked, and in the public edition no internal block."""
    root = copy_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - postmortem:\n", "  - postmortem:\n      audience: public\n", 1
        ),
        encoding="utf-8",
    )
    (root / "docs" / "postmortems" / "leaky-draft.md").write_text(LEAKY_DRAFT, encoding="utf-8")
    made = generate(root)
    assert made.returncode == 0, made.stderr
    result = zensical(root)
    assert result.returncode == 0, result.stderr
    for secret in ("AKIAIOSFODNN7EXAMPLE", "dana.whitfield@northwind-mail.net"):
        assert secret not in made.stderr + result.stderr
    internal = "The three reports came in through the security hotline"
    shown = root / "site" / "postmortems" / "leaky-draft" / "index.html"
    assert "AKIA" in shown.read_text(encoding="utf-8")  # the page is there, masked
    # The archive's files, and what search holds of its pages (the docs pages quote the
    # same example key on purpose).
    archive = root / "site" / "postmortems"
    texts = {
        str(path.relative_to(root)): path.read_text(encoding="utf-8", errors="replace")
        for path in archive.rglob("*")
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv", ".ics"}
    }
    search = json.loads((root / "site" / "search.json").read_text(encoding="utf-8"))
    texts["search.json"] = json.dumps(
        [item for item in search["items"] if item["location"].startswith("postmortems/")]
    )
    for where, text in texts.items():
        for value in ("AKIAIOSFODNN7EXAMPLE", "dana.whitfield@northwind-mail.net", internal):
            assert value not in text, (value, where)


def test_a_landing_page_the_user_writes_over_generates_is_theirs(tmp_path: Path) -> None:
    """`generate` writes the landing page when the site has none; once the user writes
    their own there, MkDocs builds it and `generate` keeps it, without a word of error."""
    root = copy_project(tmp_path / "project")
    landing = root / "docs" / "postmortems" / "index.md"
    landing.unlink()
    assert generate(root).returncode == 0
    assert GENERATED_MARKER in landing.read_text(encoding="utf-8")
    landing.write_text("# Our incidents\n\nMY OWN LANDING TEXT\n", encoding="utf-8")
    built = run(root, "mkdocs", "build", "-q", "-d", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "postmortems" / "index.html").read_text(encoding="utf-8")
    assert "MY OWN LANDING TEXT" in page
    again = generate(root)
    assert again.returncode == 0, again.stderr
    assert landing.read_text(encoding="utf-8").endswith("MY OWN LANDING TEXT\n")
    record = json.loads((root / "docs" / "postmortems" / MANIFEST).read_text(encoding="utf-8"))
    assert "postmortems/index.md" not in record["files"]


@pytest.mark.parametrize("entry", ["../outside.txt", "/etc/passwd", "postmortems/../../x"])
def test_a_record_naming_another_place_is_refused(tmp_path: Path, entry: str) -> None:
    """A record edited by hand must not make `generate` delete, or MkDocs leave out,
    a file outside the places `generate` writes."""
    root = copy_project(tmp_path / "project")
    assert generate(root).returncode == 0
    outside = root / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    path = root / "docs" / "postmortems" / MANIFEST
    record = json.loads(path.read_text(encoding="utf-8"))
    record["files"][entry] = hashlib.sha256(b"keep me\n").hexdigest()
    path.write_text(json.dumps(record), encoding="utf-8")
    result = generate(root)
    assert result.returncode == 2
    assert "outside the places generate writes" in result.stderr
    assert outside.read_text(encoding="utf-8") == "keep me\n"


def test_the_docs_ignore_list_names_every_place_generate_writes() -> None:
    """docs/zensical.md's .gitignore block keeps up with the archive's reserved places."""
    text = (ROOT / "docs" / "zensical.md").read_text(encoding="utf-8")
    block = text[text.index('```text title=".gitignore"') :]
    block = block[: block.index("```", 10)]
    listed = set(block.split())
    for folder in Layout.RESERVED_FOLDERS:
        assert f"docs/postmortems/{folder}/" in listed, folder
    for name in Layout.RESERVED_FILES:
        assert f"docs/postmortems/{name}" in listed, name
    assert f"docs/{ASSET_DIR}/" in listed
    assert f"docs/postmortems/{MANIFEST}" in listed
