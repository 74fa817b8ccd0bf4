"""EU AI Act Art. 73 (issue 15): the clock of a serious incident from the
`regulatory.eu_ai_act` block, reported against the `today` setting."""

from __future__ import annotations

import datetime as dt

import pytest
from cases import line_of, published

from mkdocs_postmortem import SchemaInForce
from mkdocs_postmortem.check import Settings, check_archive
from mkdocs_postmortem.regulation import clock_of, report_days

BLOCK = """regulatory:
  eu_ai_act:
    serious_incident: true
    category: {category}
    widespread_infringement: {widespread}
    aware: {aware}
    initial_report: {initial}
    complete_report: null
    authority: Example market surveillance authority
"""


def with_block(
    category: str = "critical_infrastructure",
    aware: str = "2026-11-20T09:00Z",
    initial: str = "null",
    widespread: str = "false",
    text: str | None = None,
) -> str:
    text = text or published("TEST-2026-0001")
    block = BLOCK.format(category=category, aware=aware, initial=initial, widespread=widespread)
    return text.replace("reviewers:", block + "reviewers:", 1)


def problems(text: str, today: str) -> list[str]:
    report = check_archive([("x.md", text.encode())], Settings.load(today=today))
    return [str(d).removeprefix("x.md:") for d in report.diagnostics if d.code != "PM213"]


def test_before_the_deadline_the_due_date_is_information_at_the_block() -> None:
    text = with_block()
    line = line_of(text, "  eu_ai_act:")
    assert problems(text, "2026-11-21") == [
        f"{line}:3: info PM501 regulatory.eu_ai_act: the Art. 73 report of this serious"
        " incident is due 2026-11-22T09:00Z (2 days after aware 2026-11-20T09:00Z,"
        " critical_infrastructure), in 1 day"
    ]


def test_after_the_deadline_without_a_report_the_build_fails_naming_the_due_date() -> None:
    text = with_block()
    line = line_of(text, "  eu_ai_act:")
    found = problems(text, "2026-11-23")
    assert found == [
        f"{line}:3: error PM502 regulatory.eu_ai_act: the Art. 73 report of this serious"
        " incident was due 2026-11-22T09:00Z (2 days after aware 2026-11-20T09:00Z,"
        " critical_infrastructure) and no initial_report is recorded; report to the market"
        " surveillance authority and record the date in initial_report"
    ]


def test_the_due_day_itself_is_still_in_time() -> None:
    assert [p.split()[2] for p in problems(with_block(), "2026-11-22")] == ["PM501"]


def test_an_initial_report_in_time_stops_the_clock() -> None:
    assert problems(with_block(initial="2026-11-21"), "2027-01-01") == []


def test_a_late_first_report_is_information() -> None:
    text = with_block(initial="2026-11-25")
    line = line_of(text, "    initial_report:")
    assert problems(text, "2027-01-01") == [
        f"{line}:21: info PM504 regulatory.eu_ai_act.initial_report: the first report went on"
        " 2026-11-25, after the due 2026-11-22T09:00Z (2 days after aware"
        " 2026-11-20T09:00Z, critical_infrastructure)"
    ]


@pytest.mark.parametrize(
    ("category", "widespread", "due"),
    [
        ("death", "false", dt.date(2026, 11, 30)),
        ("health", "false", dt.date(2026, 12, 5)),
        ("fundamental_rights", "false", dt.date(2026, 12, 5)),
        ("property_or_environment", "false", dt.date(2026, 12, 5)),
        ("critical_infrastructure", "false", dt.date(2026, 11, 22)),
        ("health", "true", dt.date(2026, 11, 22)),
        ("death", "true", dt.date(2026, 11, 22)),
    ],
)
def test_the_days_follow_the_category_and_a_widespread_infringement(
    category: str, widespread: str, due: dt.date
) -> None:
    from mkdocs_postmortem.reader import read

    text = with_block(category=category, aware="2026-11-20", widespread=widespread)
    clock = clock_of(read("x.md", text.encode()).data or {}, SchemaInForce.load())
    assert clock is not None
    assert clock.due == due
    assert clock.due_text == due.isoformat()


def test_the_days_come_from_the_schema() -> None:
    days, widespread = report_days(SchemaInForce.load())
    assert days == {
        "death": 10,
        "health": 15,
        "critical_infrastructure": 2,
        "fundamental_rights": 15,
        "property_or_environment": 15,
    }
    assert widespread == 2


def test_not_a_serious_incident_has_no_clock() -> None:
    text = with_block().replace("serious_incident: true", "serious_incident: false")
    assert problems(text, "2027-01-01") == []


def test_a_prompt_change_between_aware_and_the_first_report_is_a_warning() -> None:
    text = published(
        "TEST-2026-0001",
        "        date: 2026-02-20\n",
        "        date: 2026-02-20\n      - version: '3.3'\n        date: 2026-11-20T15:00Z\n",
    )
    text = with_block(initial="2026-11-21", text=text)
    line = line_of(text, "        date: 2026-11-20T15:00Z")
    assert problems(text, "2027-01-01") == [
        f"{line}:15: warning PM503 ai_system.prompt.history[1].date: prompt version '3.3'"
        " went live 2026-11-20T15:00Z, after aware 2026-11-20T09:00Z and before the first"
        " report to the authority (2026-11-21); Art. 73(6) asks that the system not be"
        " altered in a way that affects the evaluation of the causes before the"
        " authorities are informed: say in the report what changed and why"
    ]


def test_a_prompt_change_after_the_first_report_passes() -> None:
    text = published(
        "TEST-2026-0001",
        "        date: 2026-02-20\n",
        "        date: 2026-02-20\n      - version: '3.3'\n        date: 2026-11-22\n",
    )
    assert problems(with_block(initial="2026-11-21", text=text), "2027-01-01") == []


def test_a_report_before_aware_and_a_bad_category_are_errors() -> None:
    text = with_block(initial="2026-11-19", category="deaths")
    found = problems(text, "2027-01-01")
    assert [p.split()[2] for p in found] == ["PM102", "PM505"]
    assert "did you mean 'death'?" in found[0]


def test_a_date_not_in_the_calendar_is_reported() -> None:
    found = problems(with_block(aware="2026-11-31"), "2027-01-01")
    assert any("PM203 regulatory.eu_ai_act.aware" in p for p in found)


def test_serious_incident_needs_category_and_aware() -> None:
    text = with_block().replace("    category: critical_infrastructure\n", "")
    found = problems(text, "2027-01-01")
    assert any("PM101" in p and "category" in p for p in found), found
    assert any(
        "15 days after aware 2026-11-20T09:00Z, no category: the general period" in p for p in found
    )


def test_a_timeline_atlas_id_is_checked_against_the_catalog() -> None:
    text = published(
        "TEST-2026-0001",
        "    event: A customer report reaches the support team.\n",
        "    event: A customer report reaches the support team.\n    atlas: AML.T9051\n",
    )
    line = line_of(text, "    atlas: AML.T9051")
    found = problems(text, "2026-11-27")
    assert found == [
        f"{line}:12: error PM212 timeline[1].atlas: 'AML.T9051' is not in MITRE ATLAS 5.6.0"
        " (did you mean 'AML.T0051', LLM Prompt Injection?)"
    ]


@pytest.mark.parametrize(
    "block",
    [
        "regulatory: yes\n",
        "regulatory:\n  eu_ai_act: [1, 2]\n",
        "regulatory:\n  eu_ai_act:\n    serious_incident: 'yes'\n    aware: 2026-11-20\n",
        "regulatory:\n  eu_ai_act:\n    serious_incident: true\n    category: [death]\n"
        "    aware: 12\n    initial_report: {a: b}\n    authority: [x]\n",
        "regulatory:\n  eu_ai_act:\n    serious_incident: true\n    category: death\n"
        "    aware: '2026-11-20T09:00+14:00'\n    initial_report: '2026-13-01'\n",
    ],
)
def test_a_broken_block_is_reported_and_still_renders(block: str) -> None:
    """Wrong types give schema errors at their lines, never a traceback, and the pages
    and exports of a build that goes on (`mkdocs serve`) are still made."""
    from mkdocs_postmortem.archive import Archive
    from mkdocs_postmortem.render.layout import Layout
    from mkdocs_postmortem.render.pages import Renderer
    from mkdocs_postmortem.render.templates import environment

    text = published("TEST-2026-0001").replace("reviewers:", block + "reviewers:", 1)
    settings = Settings.load(today="2026-11-27")
    report = check_archive([("x.md", text.encode())], settings)
    assert report.errors >= 1, [str(d) for d in report.diagnostics]
    archive = Archive.build(report.documents, settings.schema, settings.today)
    uris = {i.id: "postmortems/x.md" for i in archive.incidents}
    renderer = Renderer(archive, Layout("postmortems"), environment(), lambda a, b: b, uris)
    for planned in renderer.plan():
        assert isinstance(planned.make(), str)
    for incident in archive.incidents:
        renderer.additions(incident, "postmortems/x.md")


def test_a_report_dated_after_today_is_an_error_and_the_clock_keeps_running() -> None:
    """A report not sent yet does not stop the clock: PM501 still says when it is due."""
    text = with_block(category="death", aware="2026-11-25", initial="2026-12-01")
    line = line_of(text, "    initial_report:")
    found = problems(text, "2026-11-27")
    assert sorted(p.split()[2] for p in found) == ["PM501", "PM507"]
    assert (
        f"{line}:21: error PM507 regulatory.eu_ai_act.initial_report: initial_report"
        " 2026-12-01 is after today (2026-11-27); record it once sent"
    ) in found


def test_a_report_dated_after_today_does_not_hide_an_overdue_report() -> None:
    text = with_block(aware="2026-11-20", initial="2026-12-01")
    assert sorted(p.split()[2] for p in problems(text, "2026-11-27")) == ["PM502", "PM507"]


def test_a_report_dated_after_today_does_not_end_the_art_73_6_window() -> None:
    text = published(
        "TEST-2026-0001",
        "        date: 2026-02-20\n",
        "        date: 2026-02-20\n      - version: '3.3'\n        date: 2026-11-26\n",
    )
    text = with_block(category="death", aware="2026-11-25", initial="2026-12-01", text=text)
    found = problems(text, "2026-11-27")
    assert sorted(p.split()[2] for p in found) == ["PM501", "PM503", "PM507"]
    assert any("before the first report to the authority (today (2026-11-27))" in p for p in found)


def test_the_earlier_of_the_two_reports_is_the_first() -> None:
    """A complete report that went before the initial one is the first report: PM504
    and PM503 judge by it."""
    text = with_block(initial="2026-11-25").replace(
        "complete_report: null", "complete_report: 2026-11-21"
    )
    assert problems(text, "2027-01-01") == []
    text = published(
        "TEST-2026-0001",
        "        date: 2026-02-20\n",
        "        date: 2026-02-20\n      - version: '3.3'\n        date: 2026-11-23\n",
    )
    text = with_block(initial="2026-11-25", text=text).replace(
        "complete_report: null", "complete_report: 2026-11-21"
    )
    assert problems(text, "2027-01-01") == []
    text = with_block(initial="2026-11-26").replace(
        "complete_report: null", "complete_report: 2026-11-25"
    )
    line = line_of(text, "    complete_report:")
    assert problems(text, "2027-01-01") == [
        f"{line}:22: info PM504 regulatory.eu_ai_act.complete_report: the first report went"
        " on 2026-11-25, after the due 2026-11-22T09:00Z (2 days after aware"
        " 2026-11-20T09:00Z, critical_infrastructure)"
    ]


@pytest.mark.parametrize("aware", ["9999-12-30", "9999-12-30T23:00Z"])
def test_a_due_date_past_the_calendar_is_an_error_at_aware(aware: str) -> None:
    text = with_block(aware=aware, category="health")
    line = line_of(text, "    aware:")
    found = problems(text, "2026-11-27")
    assert found == [
        f"{line}:12: error PM506 regulatory.eu_ai_act.aware: the due date of the Art. 73"
        " report falls outside the calendar (after 9999-12-31); write the day the provider"
        " became aware"
    ]


def test_the_periods_group_the_categories_and_name_a_widespread_infringement_apart() -> None:
    from mkdocs_postmortem.regulation import Deadline, category_days, deadlines

    per_category, widespread = category_days(SchemaInForce.load())
    assert deadlines(per_category, widespread)[0] == Deadline(2, ("critical_infrastructure",), True)
    assert deadlines({"a": 15, "b": 10, "c": 15}, 1, str.upper) == [
        Deadline(1, (), True),
        Deadline(10, ("B",), False),
        Deadline(15, ("A", "C"), False),
    ]
