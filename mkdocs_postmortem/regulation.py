"""EU AI Act Art. 73: the reporting clock of a serious incident, from the postmortem's
`regulatory.eu_ai_act` block.

The days come from the schema in force (`x-report-days` of `$defs/eu_ai_act_category`
and of `widespread_infringement`), so they live in one place. Calendar days, counted
from when the provider became aware: a time of day carries over to the due moment; a
bare day gives a due day. This tracks a clock; it gives no legal advice.
"""

from __future__ import annotations

import datetime as dt
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
        the due day has passed) or `due` (none went yet, still in time)."""
        if self.complete_report:
            return "complete"
        if self.initial_report:
            return "initial"
        return "overdue" if today > self.due else "due"

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days

    @property
    def first_report(self) -> str:
        return self.initial_report or self.complete_report

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


def clock_of(data: dict[str, Any], schema: SchemaInForce) -> ReportClock | None:
    """The clock of a serious incident; None when the block is absent, says it is not a
    serious incident, or lacks a readable `aware` (the schema reports that)."""
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
    if aware.instant is None:
        day = aware.day + dt.timedelta(days=days)
        return day, day.isoformat()
    instant = aware.instant + dt.timedelta(days=days)
    return instant.date(), instant.strftime("%Y-%m-%dT%H:%MZ")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
