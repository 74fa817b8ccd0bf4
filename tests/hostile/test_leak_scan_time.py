"""The leak scan stays linear on hostile text: long runs that make some secret patterns
backtrack (npm's `//.+/:_authToken`), near-addresses, digit runs, long tokens."""

from __future__ import annotations

import time

import pytest

from mkdocs_postmortem.validation.leaks import find_leaks

HOSTILE = {
    "slashes": "/" * 100_000,
    "slashes and an npm literal": "/" * 100_000 + "_authToken",
    "npm lines": ("/" * 250 + "_authToken\n") * 400,
    "schemes": "://a" * 25_000,
    "near addresses": ("a" * 60 + "@") * 1_500,
    "dotted domain": "a@" + "a." * 50_000,
    "digits": "1 " * 50_000,
    "one long token": "x" * 500_000,
    "jwt-like": "eyJ" + "a." * 50_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_scanned_in_linear_time(name: str) -> None:
    start = time.perf_counter()
    find_leaks(HOSTILE[name])
    # Generous for a loaded CI machine; a quadratic pattern takes minutes here.
    assert time.perf_counter() - start < 5, name
