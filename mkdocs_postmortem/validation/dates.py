"""Dates and times as the format writes them: ISO 8601 text, a day or a moment."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

_MOMENT_RE = re.compile(
    r"^(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]+)?)?"
    r"[ ]?(?P<zone>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$"
)


@dataclass(frozen=True)
class Moment:
    """A day, and the instant in UTC when a time was given (no zone: read as UTC).

    `day` is the calendar day as written, in the writer's zone; a bare day is a day in
    UTC, as the statistics read it (its midnight UTC).
    """

    day: dt.date
    instant: dt.datetime | None = None

    @property
    def utc_day(self) -> dt.date:
        """The day in UTC: the instant's for a time, the day itself for a bare day."""
        return self.instant.date() if self.instant is not None else self.day

    def before(self, other: Moment) -> bool:
        """Strictly earlier. A bare day is only compared by day, with the other side's
        day in UTC: `2026-03-02T23:30-05:00` is on 2026-03-03, as in the statistics."""
        if self.instant is not None and other.instant is not None:
            return self.instant < other.instant
        return self.utc_day < other.utc_day


def parse_moment(text: object) -> Moment | None:
    """The moment written in `text`; None when it is not one (or not in the calendar)."""
    return _parsed(text) if isinstance(text, str) else None


# The rules, durations, timeline and exports read each date of a postmortem again and
# again (some 70 times a postmortem): each text is parsed once. Moments are frozen.
@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Moment | None:
    match = _MOMENT_RE.match(text)
    if match is None:
        return None
    try:
        day = dt.date.fromisoformat(match["day"])
        if match["hour"] is None:
            return Moment(day)
        zone = _zone(match["zone"])
        instant = dt.datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            tzinfo=zone,
        )
        instant = instant.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # not in the calendar, or out of range in UTC
        return None
    return Moment(day, instant)


def is_moment_shaped(text: object) -> bool:
    return isinstance(text, str) and _MOMENT_RE.match(text) is not None


def _zone(text: str | None) -> dt.timezone:
    if text is None or text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
