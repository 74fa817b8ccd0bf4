"""Recurring patterns, whether fixes held, the warning at the later incident's line,
and the fix-held statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import draft, line_of

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.diagnostics import Diagnostic
from mkdocs_postmortem.learning import (
    fix_held_statistics,
    fixes_not_held,
    matching_categories,
    recurring_patterns,
)
from mkdocs_postmortem.reader import Document
from mkdocs_postmortem.schema import ConfigurationError, builtin_schema, combine
from mkdocs_postmortem.validation.archive_rules import fixes_not_held as fix_warnings

TODAY = dt.date(2026, 11, 27)


def case(
    incident_id: str,
    occurred: str,
    items: str = "",
    system: str = "Support bot",
    layer: str = "guardrail",
    models: str = "",
) -> str:
    extra = (
        "failure_modes: [hallucination]\n"
        f"contributing_factors:\n  - layer: {layer}\n    description: A cause.\n"
    )
    if system or models:
        extra += "ai_system:\n" + (f"  name: {system}\n" if system else "") + models
    if items:
        extra += "action_items:\n" + items
    return draft(incident_id, extra).replace("occurred: 2026-01-01", f"occurred: {occurred}")


def item(category: str, status: str, number: int = 1) -> str:
    return (
        f"  - id: A{number}\n    title: Fix {number}\n"
        f"    category: {category}\n    status: {status}\n"
    )


def pm214_of(documents: list[Document]) -> list[Diagnostic]:
    """PM214 as the check reports it: from the archive model it builds."""
    archive = Archive.build(documents, SchemaInForce.load(), dt.date(2026, 1, 1))
    return fix_warnings(archive, documents)


def archive_of(*texts: str) -> Archive:
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    return Archive.build(documents, SchemaInForce.load(), TODAY)


def test_a_pattern_in_time_order_of_one_system_only() -> None:
    archive = archive_of(
        case("A-0003", "2026-03-01"),
        case("A-0001", "2025-01-01"),
        case("A-0002", "2025-06-01", system="support  BOT"),  # case and spaces aside
        case("B-0001", "2025-02-01", system="Other bot"),
        case("C-0001", "2025-02-01", layer="model"),
    )
    patterns = recurring_patterns(archive.incidents, archive.addressed_by)
    assert len(patterns) == 1
    (pattern,) = patterns
    assert [i.id for i in pattern.incidents] == ["A-0001", "A-0002", "A-0003"]
    assert pattern.pairs == (("hallucination", "guardrail"),)
    assert (pattern.subject, pattern.by_model) == ("Support bot", False)
    assert pattern.categories == ("guardrail", "monitoring")


def test_without_a_system_the_model_family_is_the_subject() -> None:
    models = "  models:\n    - name: openai/gpt-4o-2024-08-06\n"
    other = "  models:\n    - name: gpt-4o-mini\n"
    archive = archive_of(
        case("A-0001", "2025-01-01", system="", models=models),
        case("A-0002", "2025-02-01", system="", models=models.replace("-2024-08-06", "")),
        case("A-0003", "2025-03-01", system="", models=other),
    )
    (pattern,) = recurring_patterns(archive.incidents, archive.addressed_by)
    assert (pattern.subject, pattern.by_model) == ("gpt-4o", True)
    assert [i.id for i in pattern.incidents] == ["A-0001", "A-0002"]


def test_the_fix_may_not_have_held_only_when_every_matching_item_is_finished() -> None:
    done = item("guardrail", "done") + item("monitoring", "wont_do", 2) + item("data", "open", 3)
    archive = archive_of(
        case("A-0001", "2025-01-01", done),  # data is not a matching category
        case("A-0002", "2025-03-01", item("guardrail", "open")),
        case("A-0003", "2025-05-01"),
        case("A-0004", "2025-07-01"),  # A-0003 has no matching item: nothing said
    )
    not_held = fixes_not_held(recurring_patterns(archive.incidents, archive.addressed_by))
    assert [(n.earlier.id, n.later.id) for n in not_held] == [("A-0001", "A-0002")]
    assert [n.later.id for n in archive.not_held_of(archive.by_id["A-0001"])] == ["A-0002"]
    assert [n.earlier.id for n in archive.not_held_of(archive.by_id["A-0002"])] == ["A-0001"]
    assert archive.not_held_of(archive.by_id["A-0003"]) == []


def test_the_build_warns_at_the_later_incidents_occurred_line() -> None:
    later = case("A-0002", "2025-03-01")
    texts = [case("A-0001", "2025-01-01", item("guardrail", "done")), later]
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    problems = pm214_of(documents)
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.path, problem.line) == ("1.md", line_of(later, "occurred:"))
    assert "A-0001" in problem.message and "may not have held" in problem.message


def test_no_warning_while_an_item_is_open() -> None:
    texts = [
        case("A-0001", "2025-01-01", item("guardrail", "done") + item("monitoring", "open", 2)),
        case("A-0002", "2025-03-01"),
    ]
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    assert not pm214_of(documents)


def test_no_warning_when_the_fix_was_due_after_the_repeat() -> None:
    """A finished item that was due after the later incident occurred was not in place
    yet, so the later incident says nothing of whether it held."""

    def with_due(due: str) -> str:
        return item("guardrail", "done").replace(
            "status: done\n", f"status: done\n    due: {due}\n"
        )

    def pm214(due: str) -> list[str]:
        texts = [case("A-0001", "2025-01-01", with_due(due)), case("A-0002", "2025-03-01")]
        documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
        return [p.path for p in pm214_of(documents)]

    assert pm214("2025-04-15") == []
    assert pm214("2025-03-01") == ["1.md"]  # due that day: in place
    assert pm214("2025-02-01") == ["1.md"]


def test_fix_held_statistics_within_6_and_12_months() -> None:
    archive = archive_of(
        case("A-0001", "2024-01-01", item("guardrail", "done") + item("prompt", "done", 2)),
        case("A-0002", "2024-04-01", item("monitoring", "done")),  # 3 months later
        case("A-0003", "2024-12-01", item("guardrail", "open")),  # 8 months later
    )
    rows = fix_held_statistics(
        recurring_patterns(archive.incidents, archive.addressed_by), archive.categories
    )
    # prompt does not address a guardrail factor; the open item is not counted
    assert rows == [("guardrail", 1, [1, 1]), ("monitoring", 1, [0, 1])]


def test_layer_categories_come_from_the_schema_and_include_the_namesake() -> None:
    addressed_by = SchemaInForce.load().addressed_by()
    assert matching_categories("guardrail", addressed_by) == ("guardrail", "monitoring")
    assert matching_categories("an_organisations_layer", addressed_by) == (
        "an_organisations_layer",
    )
    layer = {"enum": ["vendor"], "x-addressed-by": {"vendor": ["process"]}}
    own = SchemaInForce(
        combine(
            builtin_schema(),
            {"$defs": {"factor_layer": layer}},
            None,
        )
    )
    assert matching_categories("vendor", own.addressed_by()) == ("vendor", "process")


def test_pm212_is_a_rule_of_judgement_that_can_be_turned_off_or_up() -> None:
    from mkdocs_postmortem.check import Settings, check_archive

    sources = [
        ("0.md", case("A-0001", "2025-01-01", item("guardrail", "done")).encode()),
        ("1.md", case("A-0002", "2025-03-01").encode()),
    ]

    def codes(rules: dict[str, str]) -> list[tuple[str, str]]:
        settings = Settings.load(today=TODAY, rules=rules)
        report = check_archive(sources, settings)
        return [(d.code, d.severity) for d in report.diagnostics if d.code == "PM214"]

    assert codes({}) == [("PM214", "warning")]
    assert codes({"PM214": "off"}) == []
    assert codes({"PM214": "error"}) == [("PM214", "error")]


@pytest.mark.parametrize(
    ("addressed_by", "message"),
    [
        ({"vendor": "process"}, "must map layers to lists"),
        ({"nowhere": ["process"]}, "'nowhere' is not one of the factor layers"),
        ({"vendor": ["paperwork"]}, "'paperwork' is not one of the action-item categories"),
    ],
)
def test_a_bad_x_addressed_by_is_a_configuration_error(addressed_by: object, message: str) -> None:
    layer = {"enum": ["vendor"], "x-addressed-by": addressed_by}
    with pytest.raises(ConfigurationError, match=message):
        SchemaInForce(combine(builtin_schema(), {"$defs": {"factor_layer": layer}}, None))
