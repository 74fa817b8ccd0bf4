"""Hostile input, second round: what the built site publishes, and how other plugins
and themes find the pages (issue 10, items 2, 3, 8 and 9)."""

from __future__ import annotations

import json
import re
from importlib.metadata import version

import pytest
from conftest import Site, fixture_text

TODAY = 'today: "2026-11-27"'
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
LIVE = ("<script>alert(1)", "<img src=x onerror")


def _draft(incident_id: str, title: str, extra: str = "") -> str:
    text = fixture_text("draft.md").replace("TEST-2026-0002", incident_id)
    text = re.sub(r"(?m)^title: .*$", f"title: {json.dumps(title)}{extra}", text, count=1)
    return text


def _pages(site: Site) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(site.root)), path.read_text(encoding="utf-8"))
        for path in sorted((site.root / "site").rglob("*.html"))
    ]


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_the_front_matter_of_postmortems_left_out_of_the_archive_is_escaped(
    make_site, theme: str
) -> None:
    """A duplicate id or an id that fails the pattern keeps the file out of the archive;
    its title and description are still printed by the theme, and must not run."""
    site = make_site(f"{TODAY}\nfail_on: never\nnav_postmortems: true", theme=theme)
    description = "\ndescription: " + json.dumps(PAYLOAD + '" onmouseover="x')
    site.add("first.md", _draft("TEST-2026-0002", "The first"))
    site.add("twice.md", _draft("TEST-2026-0002", PAYLOAD, description))
    site.add("bad-id.md", _draft("not an id", PAYLOAD, description))
    site.add("in-archive.md", _draft("TEST-2026-0003", PAYLOAD, description))
    result = site.build()
    assert result.returncode == 0, result.stderr
    for path, text in _pages(site):
        for live in LIVE:
            assert live not in text, path
        assert 'onmouseover="x' not in text, path
    twice = (site.root / "site/postmortems/twice/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in twice
    assert "<h1" in twice  # the theme or the plugin gives it its title


def test_search_indexes_titles_as_written_in_the_built_in_theme(make_site) -> None:
    """MkDocs' search escapes titles when it shows them: it must get them as written,
    or `R&D` shows as `R&amp;D`."""
    site = make_site(TODAY, theme="mkdocs")
    site.add("draft.md", _draft("TEST-2026-0002", "R&D assistant <beta>"))
    assert site.build().returncode == 0
    index = json.loads((site.root / "site/search/search_index.json").read_text())
    titles = {doc["title"] for doc in index["docs"] if doc["location"] == "postmortems/draft/"}
    assert titles == {"R&D assistant <beta>"}
    page = (site.root / "site/postmortems/draft/index.html").read_text()
    assert "R&amp;D assistant &lt;beta&gt;" in page
    assert "<beta>" not in page


def test_material_search_shows_titles_as_html(make_site) -> None:
    """Material's search shows titles as HTML: they are indexed escaped."""
    site = make_site(f"{TODAY}\nfail_on: never")
    site.add("first.md", _draft("TEST-2026-0002", "The first"))
    site.add("twice.md", _draft("TEST-2026-0002", PAYLOAD))
    assert site.build().returncode == 0
    index = (site.root / "site/search/search_index.json").read_text()
    for live in LIVE:
        assert live not in json.loads(index).__repr__()


MATERIAL_TAGS = """site_name: Test
theme:
  name: material
plugins:
  - search
  - tags
  - postmortem:
      today: "2026-11-27"
      nav_postmortems: true
"""


@pytest.mark.skipif(
    tuple(int(n) for n in version("mkdocs-material").split(".")[:2]) < (9, 6),
    reason="listings written <!-- material/tags --> came with Material 9.6",
)
def test_material_gets_the_tags_as_written_and_prints_them_escaped(make_site) -> None:
    """Material's tags plugin groups a postmortem's tag `a&b` with another page's `a&b`
    (it did not when the plugin escaped `page.meta`); the postmortem page prints its
    tags escaped. Material's own tag listings print tag names as HTML, for every page
    of a site alike: that is the tags plugin's, documented in docs/archive.md."""
    site = make_site()
    (site.root / "mkdocs.yml").write_text(MATERIAL_TAGS)
    (site.docs / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    (site.docs / "other.md").write_text("---\ntags: [a&b]\n---\n# Other\n")
    draft = fixture_text("draft.md").replace(
        "status: draft", 'status: draft\ntags: ["a&b", "<b>bold</b>"]'
    )
    site.add("draft.md", draft)
    result = site.build()
    assert result.returncode == 0, result.stderr
    listing = (site.root / "site/tags/index.html").read_text()
    assert len(re.findall(r'<h2 id="tag:[^"]*">', listing)) == 2  # a&b once, and bold
    assert listing.count("postmortems/draft/") >= 1 and listing.count("other/") >= 1
    page = (site.root / "site/postmortems/draft/index.html").read_text()
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert 'class="md-tag">a&amp;b<' in page and "a&amp;amp;b" not in page
    # Material reads `status` as its own page status: a postmortem's is not one.
    for path, text in _pages(site):
        assert "md-status--draft" not in text, path


def test_other_plugins_find_page_meta_as_the_author_wrote_it(make_site) -> None:
    site = make_site(TODAY)
    (site.root / "hooks.py").write_text(
        "import json\n"
        "seen = {}\n"
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if page.file.src_uri.endswith('draft.md'):\n"
        "        seen['markdown'] = page.meta.get('title')\n"
        "def on_page_context(context, page, **kwargs):\n"
        "    if page.file.src_uri.endswith('draft.md'):\n"
        "        seen['context'] = page.meta.get('summary')\n"
        "def on_post_build(config, **kwargs):\n"
        "    open('seen.json', 'w').write(json.dumps(seen))\n"
    )
    with (site.root / "mkdocs.yml").open("a") as config:
        config.write("hooks:\n  - hooks.py\n")
    site.add(
        "draft.md",
        _draft("TEST-2026-0002", "R&D <beta>").replace("summary: ", "summary: Q&A <i> "),
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    seen = json.loads((site.root / "seen.json").read_text())
    assert seen["markdown"] == "R&D <beta>"
    assert seen["context"].startswith("Q&A <i> ")


I18N = """site_name: Test
theme:
  name: material
plugins:
  - search
  - i18n:
      docs_structure: suffix
      languages:
        - locale: en
          default: true
          name: English
        - locale: fr
          name: Français
  - postmortem:
      today: "2026-11-27"
"""


def test_mkdocs_static_i18n_builds_the_archive(make_site) -> None:
    pytest.importorskip("mkdocs_static_i18n")
    site = make_site()
    (site.root / "mkdocs.yml").write_text(I18N)
    site.add("draft.md", fixture_text("draft.md"))
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    index = (site.root / "site/postmortems/index.html").read_text()
    assert "TEST-2026-0002" in index
    assert (site.root / "site/postmortems/draft/index.html").exists()
