"""The values that play a role in the rules (a draft, a published or closed postmortem,
a finished action item) come from the schema in force: from its `x-` annotations, or,
when an organisation's `$defs` lacks them, from the built-in ones still allowed
(issue 11)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cases import published

from mkdocs_postmortem import Settings, check_archive, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.render.layout import Layout
from mkdocs_postmortem.render.pages import NO_SEVERITY, Renderer
from mkdocs_postmortem.render.templates import environment
from mkdocs_postmortem.schema import ConfigurationError, SchemaInForce, builtin_schema, combine

TODAY = dt.date(2026, 11, 27)
STATUSES = ["draft", "review", "published", "closed", "archived"]
ITEM_STATUSES = ["open", "blocked", "done", "cancelled"]


def with_defs(defs: dict[str, Any]) -> SchemaInForce:
    return SchemaInForce(combine(builtin_schema(), {"$defs": defs}, None))


def test_the_builtin_roles() -> None:
    schema = SchemaInForce.load()
    assert schema.lifecycle() == tuple(builtin_schema()["$defs"]["status"]["enum"])
    assert schema.severities() == tuple(builtin_schema()["$defs"]["severity"]["enum"])
    assert schema.draft_statuses() == ("draft",)
    assert schema.published_statuses() == ("published", "closed")
    assert schema.closed_statuses() == ("closed",)
    assert schema.finished_item_statuses() == ("done", "wont_do")
    assert schema.default_item_status() == "open"
    assert schema.default_kind() == "incident"
    assert schema.default_severity() == "sev3"


def test_a_replacement_without_annotations_keeps_the_builtin_values_it_still_has() -> None:
    schema = with_defs(
        {"status": {"enum": STATUSES}, "action_status": {"enum": ["todo", "done", "dropped"]}}
    )
    assert schema.lifecycle() == tuple(STATUSES)
    assert schema.draft_statuses() == ("draft",)
    assert schema.published_statuses() == ("published", "closed")
    assert schema.closed_statuses() == ("closed",)
    assert schema.finished_item_statuses() == ("done",)
    assert schema.default_item_status() == "todo"  # no `default`: the first value


def test_an_organisations_annotations_win_in_the_enums_order() -> None:
    schema = with_defs(
        {
            "status": {
                "enum": STATUSES,
                "x-published": ["archived", "closed", "published"],
                "x-closed": ["archived", "closed"],
            },
            "action_status": {"enum": ITEM_STATUSES, "x-finished": ["cancelled", "done"]},
        }
    )
    assert schema.published_statuses() == ("published", "closed", "archived")
    assert schema.closed_statuses() == ("closed", "archived")
    assert schema.finished_item_statuses() == ("done", "cancelled")


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (["done", "finished"], r"\$defs/action_status/x-finished: 'finished' is not one of"),
        ("done", r"\$defs/action_status/x-finished must be a list of values of its enum"),
    ],
)
def test_a_bad_annotation_is_a_configuration_error(annotation: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        with_defs({"action_status": {"enum": ITEM_STATUSES, "x-finished": annotation}})


def write_schema(tmp_path: Path) -> Path:
    path = tmp_path / "org.schema.json"
    defs = {
        "status": {"enum": STATUSES, "x-closed": ["closed", "archived"]},
        "action_status": {"enum": ITEM_STATUSES, "x-finished": ["done", "cancelled"]},
    }
    path.write_text(json.dumps({"$defs": defs}), encoding="utf-8")
    return path


def test_the_rules_use_the_organisations_statuses(tmp_path: Path) -> None:
    settings = Settings.load(
        write_schema(tmp_path), today=TODAY, sections={"review": ["What happened"]}
    )
    text = published("X-0001", "status: published", "status: archived")
    text = text.replace("status: done", "status: cancelled").replace(
        "status: in_progress", "status: blocked"
    )
    report = check_archive([("x.md", text.encode())], settings)
    messages = [f"{d.code} {d.message}" for d in report.diagnostics]
    assert (
        "PM206 the postmortem is archived but this action item is 'blocked'; "
        "finish it (done or cancelled) or reopen the postmortem (published)"
    ) in messages
    assert not any(m.startswith("PM102") for m in messages)
    assert settings.review.sections_for("closed") == ["What happened"]
    assert settings.review.sections_for("draft") == []

    archive = Archive.build(report.documents, settings.schema, TODAY)
    first, second = archive.incidents[0].action_items
    assert (first.status, first.finished) == ("cancelled", True)
    assert (second.status, second.finished, second.overdue) == ("blocked", False, False)
    assert archive.incidents[0].open_items == 1


def test_required_sections_name_the_statuses_of_the_schema_in_force(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="use one of draft, review, published, closed"):
        Settings.load(write_schema(tmp_path), sections={"in_review": ["Analysis"]})


def test_a_draft_of_the_schema_in_force_is_shown_as_one() -> None:
    schema = with_defs({"status": {"enum": ["sketch", "final"], "x-draft": ["sketch"]}})
    text = published("X-0001", "status: published", "status: sketch")
    archive = Archive.build([read("x.md", text.encode())], schema, TODAY)
    assert archive.incidents[0].is_draft


def test_the_statistics_count_a_postmortem_without_a_severity() -> None:
    """Only a build that goes on despite errors has one; the totals still add up."""
    texts = [published("X-0001"), published("X-0002").replace("severity: sev2\n", "")]
    documents = [read(f"postmortems/{n}.md", t.encode()) for n, t in enumerate(texts)]
    archive = Archive.build(documents, SchemaInForce.load(), TODAY)
    uris = {i.id: i.path for i in archive.incidents}
    renderer = Renderer(archive, Layout("postmortems"), environment(), lambda a, b: b, uris)
    stats = renderer.statistics()
    assert stats["severity"][-1] == {"value": "", "label": NO_SEVERITY, "count": 1}
    assert stats["severities"][-1] == NO_SEVERITY
    (quarter,) = stats["quarter"]
    assert sum(quarter["counts"]) == quarter["total"] == 2
