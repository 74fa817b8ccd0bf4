"""Action-item anchors: one per item of a postmortem, and the plain ones as before."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re

import pytest
from cases import published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import ActionItem, Archive, Incident
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import Renderer
from mkdocs_postmortem.render.templates import environment


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def renderer_of(text: str) -> Renderer:
    archive = Archive.build(
        [read("postmortems/x.md", text.encode())], SchemaInForce.load(), dt.date(2026, 11, 27)
    )
    uris = {incident.id: incident.path for incident in archive.incidents}
    return Renderer(archive, Layout("postmortems"), environment(), _relative, uris)


def anchor(item_id: str) -> str:
    incident = Incident("X-0001", "postmortems/x.md", "A case", "draft", "sev3", "2026-01-01")
    return ActionItem(incident, item_id, "A title", "prompt", "open").anchor


def test_items_whose_ids_differ_only_in_punctuation_get_their_own_anchor() -> None:
    text = published("X-0001", "id: A1", "id: A.1").replace("id: A2", "id: A-1", 1)
    renderer = renderer_of(text)
    incident = renderer.archive.by_id["X-0001"]
    first, second = incident.action_items
    assert (first.id, second.id) == ("A.1", "A-1")
    assert first.anchor != second.anchor
    assert second.anchor == "action-A-1"  # a plain id keeps its anchor

    details = renderer.details(incident, incident.path)
    ids = re.findall(r'<tr id="(action-[^"]*)"', details)
    assert ids == [first.anchor, second.anchor]
    items = json.loads(renderer.incidents_json())["incidents"][0]["action_items"]
    assert [item["url"] for item in items] == [
        f"x.md#{first.anchor}",
        f"x.md#{second.anchor}",
    ]


@pytest.mark.parametrize("item_id", ["A1", "A2", "a_b-c", "1", "Ä1"])
def test_plain_anchors_are_unchanged(item_id: str) -> None:
    assert anchor(item_id) == f"action-{item_id}"


def test_anchors_never_collide() -> None:
    ids = ["A.1", "A-1", "A_1", "A 1", "A/1", "A--1", "A.-1", "A-.1", "A..1", "A1", "a1", "A:1"]
    ids += [anchor("A.1").removeprefix("action-")]  # an id written as another's anchor
    anchors = [anchor(item_id) for item_id in ids]
    assert len(set(anchors)) == len(ids), anchors
    assert all(re.fullmatch(r"action-[\w-]+", a) for a in anchors), anchors
