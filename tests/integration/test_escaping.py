"""An HTML payload in every front-matter field is shown as text, never run."""

from __future__ import annotations

import json

import pytest
from conftest import Site

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
LIVE = ("<script>alert(1)", "<img src=x onerror")
URL_PAYLOAD = 'https://t.example/"><script>alert(1)</script>'

HOSTILE = f"""---
id: EVIL-2026-0001
title: "{PAYLOAD}"
status: published
severity: sev1
occurred: 2026-01-01
detected: 2026-01-02
resolved: 2026-01-03
summary: "{PAYLOAD}"
description: "{PAYLOAD}"
detection: monitoring
impact:
  description: "{PAYLOAD}"
  legal_review: complete
ai_system:
  name: "{PAYLOAD}"
  models:
    - name: "{PAYLOAD}"
      provider: "{PAYLOAD}"
      version: "{PAYLOAD}"
  prompt:
    version: "{PAYLOAD}"
    history:
      - version: "{PAYLOAD}"
        change: "{PAYLOAD}"
        ref: "{PAYLOAD}"
  inputs: "{PAYLOAD}"
  data_sources:
    - name: "{PAYLOAD}"
      version: "{PAYLOAD}"
  guardrails:
    - name: "{PAYLOAD}"
      state: failed
failure_modes: [prompt_injection]
timeline:
  - at: 2026-01-01
    event: "{PAYLOAD}"
contributing_factors:
  - layer: prompt
    description: "{PAYLOAD}"
  - layer: guardrail
    description: "{PAYLOAD}"
attribution: "{PAYLOAD}"
action_items:
  - id: A1
    title: "{PAYLOAD}"
    category: guardrail
    owner: "{PAYLOAD}"
    status: wont_do
    reason: "{PAYLOAD}"
    tracker: '{URL_PAYLOAD}'
open_questions: ["{PAYLOAD}"]
reviewers: ["{PAYLOAD}"]
tags: ["{PAYLOAD}"]
---

## What happened

The assistant showed a hostile string to its users.

## Analysis

Every field of this postmortem carries an HTML payload.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("evil") / "site")
    site.add("evil.md", HOSTILE)
    result = site.build()
    assert result.returncode == 0, result.stderr
    return site


def test_no_page_runs_the_payload(built: Site) -> None:
    pages = sorted((built.root / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for live in LIVE:
            assert live not in text, page
    card = (built.root / "site" / "postmortems" / "evil" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert 'href="https://t.example/&#34;&gt;&lt;script&gt;' in card


def test_the_search_index_holds_no_live_payload(built: Site) -> None:
    index = (built.root / "site" / "search" / "search_index.json").read_text()
    for live in LIVE:
        assert live not in json.loads(index).__repr__()


def test_exports_keep_the_text_as_data(built: Site) -> None:
    data = json.loads((built.root / "site" / "postmortems" / "incidents.json").read_text())
    assert data["incidents"][0]["title"] == PAYLOAD
    assert data["incidents"][0]["action_items"][0]["tracker"] == URL_PAYLOAD


def test_a_tag_with_an_emoji_keeps_it_in_its_pages_title(make_site) -> None:
    import re

    from cases import published

    site = make_site()
    site.add("x.md", published("X-0001", "tags: [support, refunds]", 'tags: ["🤖 robots"]'))
    result = site.build()
    assert result.returncode == 0, result.stderr
    titles = [
        match.group(1)
        for page in (site.root / "site").rglob("*.html")
        if (match := re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8")))
    ]
    assert "Tag: 🤖 robots - Test" in titles, titles


@pytest.mark.parametrize(
    "title",
    ["🤖 robots", "a\u2028b\u2029c\u0085d", "tab\there \x7f\x9f\ufeff\ufffe end", 'q"\\: #x'],
)
def test_a_generated_pages_front_matter_gives_its_title_back_whole(title: str) -> None:
    import yaml

    from mkdocs_postmortem.render.pages import _front_matter

    written = _front_matter(title)
    assert yaml.safe_load(written.split("---\n")[1])["title"] == title
    if title.startswith("🤖"):
        assert title in written  # raw, as the author wrote it, not as escapes
