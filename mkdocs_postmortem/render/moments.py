"""Dates, times and durations as a postmortem page shows them.

One form throughout a page: a time as `2026-03-02 14:10 UTC` (whatever zone it was
written in), a bare date as written (`2026-03-02`), a duration in the units a person
would say (`45 min`, `3 h 10 min`, `27 days`). A date without a time is a day in UTC,
as in the checks and the statistics, so a duration with a bare date on either side is
said in days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..validation.dates import Moment, parse_moment
from .durations import days_text, human_duration

# The incident's moments, in the order they happen, and what the timeline calls them.
MILESTONES = (
    ("occurred", "Began"),
    ("detected", "Detected"),
    ("mitigated", "Mitigated"),
    ("resolved", "Resolved"),
)


def moment_text(value: str) -> str:
    """`2026-03-02 14:10 UTC` for a time, the day for a bare date, the text as written
    when it is not a moment (a build that goes on despite errors)."""
    moment = parse_moment(value)
    if moment is None:
        return value
    if moment.instant is None:
        return moment.day.isoformat()
    instant = moment.instant
    seconds = f":{instant.second:02d}" if instant.second else ""
    return f"{instant:%Y-%m-%d %H:%M}{seconds} UTC"


def moment_iso(value: str) -> str:
    """The machine value of `<time datetime>`: `2026-03-02T14:10Z`, or the day; "" when
    the text is not a moment."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    if moment.instant is None:
        return moment.day.isoformat()
    instant = moment.instant
    seconds = f":{instant.second:02d}" if instant.second else ""
    return f"{instant:%Y-%m-%dT%H:%M}{seconds}Z"


def duration(start: str, end: str) -> str:
    """The time from `start` to `end` in human units; "" without both, or when `end`
    comes first (the check reports that).

    Between two times, as `durations.human_duration` says them (`45 min`, `3 h 10 min`,
    `2 days 4 h`, `27 days`), as in the statistics. With a bare date on either side, in
    days only: `same day`, `1 day`, `27 days`.
    """
    span = _span(start, end)
    if span is None or span[0] < 0:
        return ""
    return _said(*span)


def elapsed(start: str, at: str) -> str:
    """How long after `start` a timeline entry is: `+2 h 5 min`, `+1 day`, `\u221212 days`
    for an entry before it (a change that set the stage); "" without both."""
    span = _span(start, at)
    if span is None:
        return ""
    amount, in_days = span
    if amount == 0:
        return "+0 days" if in_days else "+0 min"
    sign = "+" if amount > 0 else "\u2212"  # a minus sign
    return sign + _said(abs(amount), in_days)


def _span(start: str, end: str) -> tuple[int, bool] | None:
    """Minutes from start to end between two times, else days between their UTC days,
    with whether it is days."""
    first, last = parse_moment(start), parse_moment(end)
    if first is None or last is None:
        return None
    if first.instant is not None and last.instant is not None:
        seconds = (last.instant - first.instant).total_seconds()
        return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60), False
    return (last.utc_day - first.utc_day).days, True


def _said(amount: int, in_days: bool) -> str:
    if in_days:
        return "same day" if amount == 0 else days_text(amount)
    return human_duration(amount * 60)


def count_of(number: int, one: str, many: str) -> str:
    """`1 user`, `0 users`, `12,400 users`."""
    return f"{number:,} {one if number == 1 else many}"


@dataclass
class TimelineRow:
    """An entry of the timeline as the page shows it, or a milestone of the incident
    that no entry stands at (`event` empty)."""

    at: str
    event: str = ""
    elapsed: str = ""
    marks: list[str] = field(default_factory=list)  # "Detected", ...

    @property
    def inserted(self) -> bool:
        return not self.event


def timeline_rows(entries: list[tuple[str, str]], milestones: dict[str, str]) -> list[TimelineRow]:
    """The timeline with the incident's milestones marked, and the time since it began.

    `entries` are (at, event) as written; `milestones` the lifecycle dates by name
    (`occurred`, ...). A milestone marks the first entry at the same moment (the same
    UTC day when either is a bare date); one that no entry stands at gets a row of its
    own, placed after the entries that come before it.
    """
    began = milestones.get("occurred", "")
    rows = [TimelineRow(at, event, elapsed(began, at)) for at, event in entries]
    for name, label in MILESTONES:
        value = milestones.get(name, "")
        moment = parse_moment(value)
        if moment is None:
            continue
        same = next((row for row in rows if _same(parse_moment(row.at), moment)), None)
        if same is not None:
            same.marks.append(label)
            continue
        place = len(rows)
        for index, row in enumerate(rows):
            other = parse_moment(row.at)
            if other is not None and moment.before(other):
                place = index
                break
        rows.insert(place, TimelineRow(value, "", elapsed(began, value), [label]))
    return rows


def _same(moment: Moment | None, milestone: Moment) -> bool:
    if moment is None:
        return False
    if moment.instant is not None and milestone.instant is not None:
        return moment.instant == milestone.instant
    return moment.utc_day == milestone.utc_day
