"""`human_duration`: the times of the statistics page in the unit that fits."""

from __future__ import annotations

import math

import pytest

from mkdocs_postmortem.render.durations import human_duration

MINUTE, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 min"),
        (1, "< 1 min"),
        (29.9, "< 1 min"),
        (30, "1 min"),  # halves up
        (59 * MINUTE, "59 min"),
        (59 * MINUTE + 40, "1 h"),
        (HOUR, "1 h"),
        (3 * HOUR + 10 * MINUTE, "3 h 10 min"),
        (23 * HOUR + 59 * MINUTE, "23 h 59 min"),
        (36 * HOUR + 20 * MINUTE, "36 h 20 min"),
        (47 * HOUR + 59 * MINUTE, "47 h 59 min"),
        (48 * HOUR, "2 days"),
        (2 * DAY + 5 * HOUR, "2 days 5 h"),
        (2 * DAY + 5 * HOUR + 20 * MINUTE, "2 days 5 h"),
        (13 * DAY + 23 * HOUR + 40 * MINUTE, "14 days"),
        (14 * DAY, "14 days"),
        (27 * DAY + 3 * HOUR, "27 days"),
        (27 * DAY + 12 * HOUR, "28 days"),
        (400 * DAY, "400 days"),
    ],
)
def test_the_unit_grows_with_the_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_under_two_days_is_in_hours() -> None:
    assert human_duration(DAY + 2 * HOUR) == "26 h"  # under two days: hours
    assert human_duration(DAY * 1.0) == "24 h"


@pytest.mark.parametrize("bad", [-1.0, math.inf, -math.inf, math.nan])
def test_a_negative_or_non_finite_duration_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="duration"):
        human_duration(bad)


def test_the_text_never_has_more_than_two_parts() -> None:
    for seconds in range(0, 60 * DAY, 3_607):
        assert len(human_duration(seconds).split()) <= 4
