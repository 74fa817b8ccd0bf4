"""Recurring patterns in a built site: the patterns page, the note on both postmortem
pages, the fix-held table on the statistics page, and the warning at the later
postmortem's `occurred` line, from the build and from `validate`."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from cases import draft, line_of
from conftest import Site

HOSTILE = "<b>Bot</b>"


def case(incident_id: str, occurred: str, status: str) -> str:
    extra = (
        "failure_modes: [hallucination]\n"
        "contributing_factors:\n  - layer: guardrail\n    description: A cause.\n"
        f"ai_system:\n  name: {HOSTILE}\n  models:\n    - name: m1\n"
        "action_items:\n"
        f"  - id: A1\n    title: Add a check\n    category: guardrail\n    status: {status}\n"
    )
    return draft(incident_id, extra).replace("occurred: 2026-01-01", f"occurred: {occurred}")


LATER = case("TEST-2025-0002", "2025-04-01", "open")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("patterns") / "site", 'today: "2026-11-27"')
    site.add("first.md", case("TEST-2025-0001", "2025-01-01", "done"))
    site.add("later.md", LATER)
    result = site.build()
    assert result.returncode == 0, result.stderr
    site.stderr = result.stderr  # type: ignore[attr-defined]
    return site


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def read_page(site: Site, *parts: str) -> str:
    return Path(site.root, "site", "postmortems", *parts, "index.html").read_text("utf-8")


def test_the_build_warns_at_the_later_postmortems_occurred_line(built: Site) -> None:
    line = line_of(LATER, "occurred:")
    warning = re.search(rf"later\.md:{line}:\d+: warning PM214 .*", built.stderr)  # type: ignore[attr-defined]
    assert warning, built.stderr  # type: ignore[attr-defined]
    assert "the fix of TEST-2025-0001 may not have held" in warning.group(0)


def test_validate_warns_likewise(built: Site) -> None:
    result = built.validate()
    assert f"later.md:{line_of(LATER, 'occurred:')}:" in result.stdout + result.stderr
    assert "PM214" in result.stdout + result.stderr


def test_the_patterns_page_lists_the_pattern_in_time_order(built: Site) -> None:
    page = read_page(built, "patterns")
    text = text_of(page)
    assert "Hallucination In Guardrail · AI system" in text
    assert f"AI system: {HOSTILE}" in text and HOSTILE not in page  # escaped
    assert text.index("TEST-2025-0001") < text.index("TEST-2025-0002")
    assert "A1 : Add a check (Guardrail) Done" in text
    assert "the fix of TEST-2025-0001 may not have held" in text


def test_both_postmortem_pages_say_the_fix_may_not_have_held(built: Site) -> None:
    for name in ("first", "later"):
        page = read_page(built, name)
        found = re.search(r'<h2 id="pm-recurrence">.*?</ul>', page, re.S)
        assert found, name
        assert "the fix of TEST-2025-0001 may not have held" in text_of(found.group(0))


def test_the_statistics_page_counts_finished_items_followed(built: Site) -> None:
    page = read_page(built, "statistics")
    found = re.search(r'<h2 id="whether-fixes-held">.*?</table>', page, re.S)
    assert found
    assert "Guardrail 1 1 1" in text_of(found.group(0))


def test_a_fix_due_after_the_repeat_is_not_said_to_have_failed(make_site) -> None:
    """The earlier item is done, but was due after the later incident occurred: the
    patterns page says it was not in place yet, and nothing says the fix failed."""
    first = case("TEST-2025-0001", "2025-01-01", "done").replace(
        "    status: done\n", "    status: done\n    due: 2025-06-01\n"
    )
    site = make_site('today: "2026-11-27"')
    site.add("first.md", first)
    site.add("later.md", LATER)
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    assert "PM214" not in result.stderr
    text = text_of(read_page(site, "patterns"))
    assert "All finished now, but some were due after TEST-2025-0002 occurred" in text
    assert "may not have held" not in text
