"""EU AI Act Art. 73 rules: the reporting clock (PM501, PM502), reports dated before
the provider became aware (PM505), after the due day (PM504) or after today (PM507), a
due date past the calendar (PM506), and a prompt changed before the authority was
informed (PM503, Art. 73(6))."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic
from ..reader import Document
from ..regulation import DueBeyondCalendar, ReportClock, read_clock
from ..schema import SchemaInForce
from .dates import parse_moment
from .fields import problem_at

_BLOCK = ["regulatory", "eu_ai_act"]


def regulation_problems(
    document: Document, data: dict[str, Any], schema: SchemaInForce, today: dt.date
) -> Iterator[Diagnostic]:
    try:
        clock = read_clock(data, schema)
    except DueBeyondCalendar:
        yield problem_at(
            document,
            "PM506",
            [*_BLOCK, "aware"],
            "the due date of the Art. 73 report falls outside the calendar (after"
            " 9999-12-31); write the day the provider became aware",
        )
        return
    if clock is None:
        return
    aware = parse_moment(clock.aware)
    for key in ("initial_report", "complete_report"):
        sent = parse_moment(getattr(clock, key))
        if sent is not None and aware is not None and sent.before(aware):
            yield problem_at(
                document,
                "PM505",
                [*_BLOCK, key],
                f"{key} {getattr(clock, key)} is before aware {clock.aware}; a report goes"
                " after the provider becomes aware",
            )
        if sent is not None and sent.utc_day > today:
            yield problem_at(
                document,
                "PM507",
                [*_BLOCK, key],
                f"{key} {getattr(clock, key)} is after today ({today.isoformat()}); record it"
                " once sent",
            )
    state = clock.state(today)
    why = _why(clock)
    if state == "overdue":
        yield problem_at(
            document,
            "PM502",
            _BLOCK,
            f"the Art. 73 report of this serious incident was due {clock.due_text} ({why})"
            " and no initial_report is recorded; report to the market surveillance authority"
            " and record the date in initial_report",
            key=True,
        )
    elif state == "due":
        left = clock.days_left(today)
        yield problem_at(
            document,
            "PM501",
            _BLOCK,
            f"the Art. 73 report of this serious incident is due {clock.due_text} ({why}),"
            f" {_days(left)}",
            key=True,
        )
    elif clock.late:
        yield problem_at(
            document,
            "PM504",
            [*_BLOCK, clock.first_report_key],
            f"the first report went on {clock.first_report}, after the due {clock.due_text}"
            f" ({why})",
        )
    yield from _changed_before_report(document, data, clock, today)


def _why(clock: ReportClock) -> str:
    if clock.widespread:
        reason = "a widespread infringement"
    else:
        reason = clock.category or "no category: the general period"
    return f"{clock.days} days after aware {clock.aware}, {reason}"


def _days(left: int) -> str:
    if left == 0:
        return "today"
    return "in 1 day" if left == 1 else f"in {left} days"


def _changed_before_report(
    document: Document, data: dict[str, Any], clock: ReportClock, today: dt.date
) -> Iterator[Diagnostic]:
    """Art. 73(6): no alteration that may affect the evaluation of the causes before
    the authorities are informed. A prompt history entry dated after `aware` and before
    the first report (or today, while none went) is such a change, maybe."""
    aware = parse_moment(clock.aware)
    first = parse_moment(clock.first_sent(today))
    if aware is None:
        return
    system = data.get("ai_system")
    prompt = system.get("prompt") if isinstance(system, dict) else None
    history = prompt.get("history") if isinstance(prompt, dict) else None
    if not isinstance(history, list):
        return
    until = clock.first_sent(today) or f"today ({today.isoformat()})"
    for index, entry in enumerate(history):
        date = parse_moment(entry.get("date")) if isinstance(entry, dict) else None
        if date is None or not aware.before(date):
            continue
        if (first is not None and not date.before(first)) or (
            first is None and date.utc_day > today
        ):
            continue
        version = entry.get("version")
        yield problem_at(
            document,
            "PM503",
            ["ai_system", "prompt", "history", index, "date"],
            f"prompt version {version!r} went live {entry['date']}, after aware {clock.aware}"
            f" and before the first report to the authority ({until}); Art. 73(6) asks that"
            " the system not be altered in a way that affects the evaluation of the causes"
            " before the authorities are informed: say in the report what changed and why",
        )
