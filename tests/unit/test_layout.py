"""Generated pages: where they live, and slugs that are safe and unique for any text."""

from __future__ import annotations

import re

import pytest

from mkdocs_postmortem.archive import ModelRef
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


def test_slugs_are_stable() -> None:
    assert slug("C++") == slug("C++")


def test_a_tag_named_index_does_not_replace_the_tag_index() -> None:
    layout = Layout("postmortems")
    assert layout.tag("index") != layout.tags


def test_paths_below_the_archive_folder() -> None:
    layout = Layout("incidents")
    assert layout.index == "incidents/index.md"
    assert layout.category("guardrail") == "incidents/action-items/guardrail.md"
    assert layout.model(ModelRef("gpt-4o", "2024-08-06")).startswith(
        "incidents/models/gpt-4o-2024-08-06-"
    )
    assert layout.statistics == "incidents/statistics.md"


def test_reserved_places() -> None:
    layout = Layout("postmortems")
    assert layout.is_reserved("postmortems/tags/mine.md")
    assert layout.is_reserved("postmortems/statistics.md")
    assert not layout.is_reserved("postmortems/statistics-2024.md")
    assert not layout.is_reserved("postmortems/index.md")
    assert not layout.is_reserved("other/tags/x.md")
