"""Generated pages: where they live, and slugs that are safe and unique for any text."""

from __future__ import annotations

import hashlib
import re

import pytest

from mkdocs_postmortem.render.layout import Layout, page_slug, slug

SAFE = re.compile(r"[a-z0-9][a-z0-9_-]*")  # safe in a path and a URL, on any system


@pytest.mark.parametrize(
    "text", ["C++", "C#", "c", "模型", "🙂", "../../etc", "a b", "", "Ä", "index"]
)
def test_slugs_are_safe(text: str) -> None:
    assert SAFE.fullmatch(page_slug(text)), text


def test_plain_names_are_kept() -> None:
    assert slug("hallucination") == "hallucination"
    assert slug("2024") == "2024"
    assert slug("human_oversight") == "human_oversight"


def test_different_texts_never_share_a_slug() -> None:
    texts = ["C++", "C#", "c", "C", "模型", "模", "🙂", "🙃", "a b", "a-b", "A-B", "../x", "x"]
    assert len({slug(text) for text in texts}) == len(texts)


def test_slugs_are_the_same_from_one_build_to_the_next() -> None:
    # Pages' URLs must not change: the hash is of the text, not Python's `hash()`.
    assert slug("C++") == "c--f1deb75f"
    assert slug("模型") == "x--" + hashlib.sha256("模型".encode()).hexdigest()[:8]


def test_long_names_get_short_slugs_that_stay_apart() -> None:
    first, second = "a" * 256, "a" * 255 + "b"
    assert len(slug(first)) <= 64 and len(slug(second)) <= 64
    assert slug(first) != slug(second)
    assert slug(first).startswith("a" * 48 + "--")
    assert SAFE.fullmatch(slug(first)) and SAFE.fullmatch(slug("ab_" * 100))
    assert slug("a" * 64) == "a" * 64  # plain names up to 64 characters are kept
    assert slug("a" * 65) != "a" * 65
    assert slug("模" * 300) != slug("模" * 301)


def test_every_generated_path_segment_is_short() -> None:
    layout = Layout("postmortems")
    long = "x" * 256
    for path in [
        layout.tag(long),
        layout.tag(long.upper()),
        layout.failure_mode(long),
        layout.category(long),
        layout.model(long),
        layout.year(long),
    ]:
        assert all(len(part) <= 64 + len(".md") for part in path.split("/")), path


def test_a_tag_named_index_does_not_replace_the_tag_index() -> None:
    layout = Layout("postmortems")
    assert layout.tag("index") != layout.tags


def test_paths_below_the_archive_folder() -> None:
    layout = Layout("incidents")
    assert layout.index == "incidents/index.md"
    assert layout.category("guardrail") == "incidents/action-items/guardrail.md"
    assert layout.model("gpt-4o") == "incidents/models/gpt-4o.md"
    assert layout.owners == "incidents/action-items/owners.md"
    assert layout.category("owners") != layout.owners
    assert layout.statistics == "incidents/statistics.md"


def test_reserved_places() -> None:
    layout = Layout("postmortems")
    assert layout.is_reserved("postmortems/tags/mine.md")
    assert layout.is_reserved("postmortems/statistics.md")
    assert layout.is_reserved("postmortems/feed.xml")
    assert layout.is_reserved("postmortems/action-items.ics")
    assert layout.is_reserved("postmortems/regulatory/mine.md")
    assert layout.is_reserved("postmortems/exports/atlas/mine.json")
    assert not layout.is_reserved("postmortems/statistics-2024.md")
    assert not layout.is_reserved("postmortems/index.md")
    assert not layout.is_reserved("other/tags/x.md")
