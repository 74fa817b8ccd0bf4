"""Ids in prose: found outside code, linked when known, unknown ones reported."""

from __future__ import annotations

import re

from mkdocs_postmortem.prose import link_mentions, mention_regex, mentions

PATTERN = mention_regex(re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"))
BODY = """As in AIPM-2023-0001 (see AIPM-2023-0002).
`AIPM-2023-0003` and [AIPM-2023-0004](other.md) stay as written.
```text
AIPM-2023-0005
```
A path like https://example.com/AIPM-2023-0006 is not a mention."""


def test_mentions_skip_fenced_code_and_urls() -> None:
    assert PATTERN is not None
    found = [(m.line, m.column, m.id) for m in mentions(BODY, PATTERN)]
    assert (0, 6, "AIPM-2023-0001") in found
    assert "AIPM-2023-0005" not in {m[2] for m in found}
    assert "AIPM-2023-0006" not in {m[2] for m in found}


def test_known_ids_become_links_outside_code_and_links() -> None:
    assert PATTERN is not None
    linked = link_mentions(
        BODY,
        PATTERN,
        {"AIPM-2023-0001": "a.md", "AIPM-2023-0003": "c.md", "AIPM-2023-0004": "d.md"}.get,
    )
    assert linked.startswith("As in [AIPM-2023-0001](a.md) (see AIPM-2023-0002).")
    assert "`AIPM-2023-0003` and [AIPM-2023-0004](other.md) stay" in linked
    assert "\nAIPM-2023-0005\n" in linked


def test_with_the_prefixes_of_known_ids_the_same_links_are_made() -> None:
    assert PATTERN is not None
    known = {"AIPM-2023-0001": "a.md", "AIPM-2023-0004": "d.md"}.get
    assert link_mentions(BODY, PATTERN, known, {"AIPM"}) == link_mentions(BODY, PATTERN, known)
    # No line holds a known prefix: nothing to scan.
    assert link_mentions(BODY, PATTERN, known, {"OTHER"}) == BODY
