"""Durations as readers say them: "45 min", "3 h 10 min", "2 days 5 h", "27 days".

Pure and locale-free, so that the same number always gives the same text. The unit
grows with the duration and the text keeps at most two parts, so that a long time
is not written to the minute.
"""

from __future__ import annotations

import math

__all__ = ["days_text", "human_duration"]

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def human_duration(seconds: float) -> str:
    """`seconds` in minutes, hours or days, whichever fits.

    Under an hour: minutes (`< 1 min` for a few seconds, `0 min` for none). Under two
    days: hours and minutes (`3 h 10 min`, `5 h`). Under two weeks: days and hours
    (`2 days 5 h`). From two weeks on: whole days (`27 days`). Values are rounded to
    the unit shown, halves up. A negative or non-finite value is refused.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number of seconds >= 0, got {seconds!r}")
    if seconds == 0:
        return "0 min"
    minutes = math.floor(seconds / _MINUTE + 0.5)
    if minutes == 0:
        return "< 1 min"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    hours = math.floor(seconds / _HOUR + 0.5)
    if hours < 14 * 24:
        days, rest = divmod(hours, 24)
        return f"{days_text(days)} {rest} h" if rest else days_text(days)
    return days_text(math.floor(seconds / _DAY + 0.5))


def days_text(count: int) -> str:
    """`1 day`, `27 days`, `1,204 days`."""
    return "1 day" if count == 1 else f"{count:,} days"
