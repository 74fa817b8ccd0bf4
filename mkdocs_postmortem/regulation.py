"""EU AI Act Art. 73: the reporting clock of a serious incident, from the postmortem's
`regulatory.eu_ai_act` block.

The days come from the schema in force (`x-report-days` of `$defs/eu_ai_act_category`
and of `widespread_infringement`), so they live in one place. Calendar days, counted
from when the provider became aware: a time of day carries over to the due moment; a
bare day gives a due day. This tracks a clock; it gives no legal advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .schema import SchemaInForce
from .validation.dates import Moment, parse_moment

# Art. 73(2): "not later than 15 days after" becoming aware, where no shorter period of
# Art. 73(3)/(4) applies; for a category an organisation's schema adds without days.
GENERAL_DAYS = 15


@dataclass(frozen=True)
class ReportClock:
    """The Art. 73 clock of one serious incident."""

    category: str
    widespread: bool
    aware: str  # as written
    days: int
    due: dt.date  # the last day (UTC) on which the initial report is in time
    due_text: str  # the due moment as pages and messages show it
    initial_report: str = ""
    complete_report: str = ""
    authority: str = ""

    def state(self, today: dt.date) -> str:
        """`complete`, `initial` (only the initial report went), `overdue` (none went,
        the due day has passed) or `due` (none went yet, still in time). A report dated
        after `today` has not gone yet, so it does not stop the clock."""
        if self.complete_report and not _after(self.complete_report, today):
            return "complete"
        if self.initial_report and not _after(self.initial_report, today):
            return "initial"
        return "overdue" if today > self.due else "due"

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days

    @property
    def first_report_key(self) -> str:
        """`initial_report` or `complete_report`: the one dated earlier (a complete
        report may be the first to go); the one given when only one reads as a date."""
        initial = parse_moment(self.initial_report)
        complete = parse_moment(self.complete_report)
        if not self.initial_report:
            return "complete_report"
        if complete is not None and (initial is None or complete.before(initial)):
            return "complete_report"
        return "initial_report"

    @property
    def first_report(self) -> str:
        """The date of the first report, as written; empty when none is recorded."""
        return str(getattr(self, self.first_report_key))

    def first_sent(self, today: dt.date) -> str:
        """The first report, unless it is dated after `today` (not sent yet)."""
        first = self.first_report
        return "" if not first or _after(first, today) else first

    @property
    def late(self) -> bool:
        """Whether the first report went after the due day."""
        first = parse_moment(self.first_report)
        return first is not None and first.utc_day > self.due


def report_days(schema: SchemaInForce) -> tuple[dict[str, int], int]:
    """Days to report per category, and for a widespread infringement, as the schema in
    force gives them."""
    defs = schema.schema.get("$defs", {})
    per_category = _days_map(defs.get("eu_ai_act_category", {}).get("x-report-days"))
    block = _eu_block(schema.schema)
    widespread = block.get("properties", {}).get("widespread_infringement", {})
    days = widespread.get("x-report-days") if isinstance(widespread, dict) else None
    if isinstance(days, int) and _is_days(days):
        return per_category, days
    return per_category, min(per_category.values(), default=GENERAL_DAYS)


def category_days(schema: SchemaInForce) -> tuple[dict[str, int], int]:
    """The days to report for every category of the schema in force, in its order (the
    general period where the schema gives none), and for a widespread infringement."""
    per_category, widespread = report_days(schema)
    definition = schema.schema.get("$defs", {}).get("eu_ai_act_category", {})
    categories = definition.get("enum", []) if isinstance(definition, dict) else []
    return {c: per_category.get(c, GENERAL_DAYS) for c in categories}, widespread


@dataclass(frozen=True)
class Deadline:
    """One period of Art. 73: its days, the categories it applies to (their labels) and
    whether it is the period of a widespread infringement."""

    days: int
    categories: tuple[str, ...]
    widespread: bool


def deadlines(
    per_category: dict[str, int], widespread_days: int, label: Callable[[str], str] = str
) -> list[Deadline]:
    """The periods of the schema in force, shortest first, each with the labels of its
    categories (in the schema's order): what the regulatory page says."""
    periods = sorted({*per_category.values(), widespread_days})
    found = []
    for days in periods:
        categories = tuple(label(c) for c, d in per_category.items() if d == days)
        found.append(Deadline(days, categories, days == widespread_days))
    return found


def _eu_block(schema: dict[str, Any]) -> dict[str, Any]:
    regulatory = schema.get("properties", {}).get("regulatory", {})
    block = regulatory.get("properties", {}).get("eu_ai_act", {}) if regulatory else {}
    return block if isinstance(block, dict) else {}


def _days_map(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {key: days for key, days in value.items() if _is_days(days)}


def _is_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def eu_ai_act_block(data: dict[str, Any]) -> dict[str, Any] | None:
    """The `regulatory.eu_ai_act` mapping of a front-matter, if it has one."""
    regulatory = data.get("regulatory")
    block = regulatory.get("eu_ai_act") if isinstance(regulatory, dict) else None
    return block if isinstance(block, dict) else None


class DueBeyondCalendar(ValueError):
    """`aware` plus the days to report falls after 9999-12-31."""


def clock_of(data: dict[str, Any], schema: SchemaInForce) -> ReportClock | None:
    """The clock of a serious incident; None when the block is absent, says it is not a
    serious incident, lacks a readable `aware` (the schema reports that) or its due
    date falls outside the calendar (PM506 reports that)."""
    try:
        return read_clock(data, schema)
    except DueBeyondCalendar:
        return None


def read_clock(data: dict[str, Any], schema: SchemaInForce) -> ReportClock | None:
    """As `clock_of`, but raises `DueBeyondCalendar` when the due date is past year 9999."""
    block = eu_ai_act_block(data)
    if block is None or block.get("serious_incident") is not True:
        return None
    aware = parse_moment(block.get("aware"))
    if aware is None:
        return None
    category = _text(block.get("category"))
    widespread = block.get("widespread_infringement") is True
    per_category, widespread_days = report_days(schema)
    days = per_category.get(category, GENERAL_DAYS)
    if widespread:
        days = min(days, widespread_days)
    due, due_text = _due(aware, days)
    return ReportClock(
        category,
        widespread,
        str(block["aware"]),
        days,
        due,
        due_text,
        _text(block.get("initial_report")),
        _text(block.get("complete_report")),
        _text(block.get("authority")),
    )


def _due(aware: Moment, days: int) -> tuple[dt.date, str]:
    try:
        if aware.instant is None:
            day = aware.day + dt.timedelta(days=days)
            return day, day.isoformat()
        instant = aware.instant + dt.timedelta(days=days)
    except OverflowError:  # past 9999-12-31: the schema's date pattern allows it
        raise DueBeyondCalendar(aware) from None
    return instant.date(), instant.strftime("%Y-%m-%dT%H:%MZ")


def _after(text: str, today: dt.date) -> bool:
    """Whether the date `text` is a day (UTC) after `today`."""
    moment = parse_moment(text)
    return moment is not None and moment.utc_day > today


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
