"""Every class of bad input in the format contract, with the exact place and rule it
must be reported at. Both the build and `mkdocs-postmortem validate` are held to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PUBLISHED = (Path(__file__).parent / "fixtures" / "published.md").read_text(encoding="utf-8")


def draft(incident_id: str, extra: str = "") -> str:
    return (
        "---\n"
        f"id: {incident_id}\n"
        "title: A case\n"
        "status: draft\n"
        "severity: sev3\n"
        "occurred: 2026-01-01\n"
        "summary: A short summary.\n"
        f"{extra}"
        "---\n\nBody.\n"
    )


def published(incident_id: str, old: str = "", new: str = "") -> str:
    text = PUBLISHED.replace("TEST-2026-0001", incident_id).replace(
        "related: [TEST-2026-0002]\n", ""
    )
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@dataclass
class Case:
    """One file of a site and the diagnostics that must be reported for it."""

    name: str
    content: str | bytes
    expect: list[str] = field(default_factory=list)


def _case(name: str, content: str | bytes, *expect: str) -> Case:
    return Case(name, content, list(expect))


def _published_case(
    name: str,
    incident_id: str,
    old: str,
    new: str,
    code: str,
    field_name: str,
    column: int,
    at: str | None = None,
    severity: str = "error",
) -> Case:
    text = published(incident_id, old, new)
    line = line_of(text, at or new)
    return Case(name, text, [f"{line}:{column}: {severity} {code} {field_name}:"])


CASES: list[Case] = [
    _case("not-utf8.md", b"---\nid: BAD-0001\ntitle: caf\xe9\n---\n", "3:11: error PM001"),
    _case("no-front-matter.md", "# Just a page\n", "1:1: error PM002"),
    _case("unclosed.md", "---\nid: BAD-0003\ntitle: x\n", "1:1: error PM003"),
    _case("empty.md", "---\n---\n\nBody\n", "1:1: error PM004"),
    _case("syntax.md", "---\nid: BAD-0005\ntitle: [broken\n---\n", "4:1: error PM005"),
    _case("tab.md", "---\nid: BAD-0006\nai_system:\n\tname: x\n---\n", "4:1: error PM005"),
    _case("list.md", "---\n- id: BAD-0007\n---\n", "2:1: error PM006"),
    _case("duplicate-key.md", draft("BAD-0008", "severity: sev1\n"), "8:1: error PM007 severity:"),
    _case("key-not-text.md", draft("BAD-0009", "2024: x\n"), "8:1: error PM008"),
    _case(
        "alias-bomb.md",
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        )
        + "---\n",
        "2:4: error PM009",
    ),
    _case("alias-loop.md", "---\na: &a [x, *a]\n---\n", "2:4: error PM009"),
    _case(
        "python-tag.md",
        draft("BAD-0012", "x_run: !!python/object/apply:os.system [ls]\n"),
        "8:8: error PM010",
    ),
    _case(
        "missing-title.md",
        draft("BAD-0013").replace("title: A case\n", ""),
        "2:1: error PM101 title: missing required key 'title'",
    ),
    _case(
        "severity-typo.md",
        draft("BAD-0014").replace("sev3", "sev 3"),
        "5:11: error PM102 severity: 'sev 3' is not one of sev1, sev2, sev3, sev4"
        " (did you mean 'sev3'?)",
    ),
    _published_case(
        "version-number.md",
        "BAD-0015",
        'version: "2026-01-15"',
        "version: 1.10",
        "PM103",
        "ai_system.models[0].version",
        16,
    ),
    _case("bad-id.md", draft("bad-0016"), "2:5: error PM104 id:"),
    _case(
        "bad-date.md",
        draft("BAD-0017").replace("2026-01-01", "01/02/2026"),
        "6:11: error PM104 occurred:",
    ),
    _case(
        "empty-summary.md",
        draft("BAD-0018").replace("A short summary.", '"  "'),
        "7:10: error PM105 summary: must not be empty",
    ),
    _published_case(
        "no-failure-modes.md",
        "BAD-0019",
        "failure_modes: [hallucination, retrieval_failure]",
        "failure_modes: []",
        "PM106",
        "failure_modes",
        16,
    ),
    _published_case(
        "twice.md",
        "BAD-0020",
        "harm_types: [financial, misinformation]",
        "harm_types: [financial, financial]",
        "PM107",
        "impact.harm_types",
        15,
    ),
    _published_case(
        "negative.md",
        "BAD-0021",
        "users_affected: 40",
        "users_affected: -1",
        "PM108",
        "impact.users_affected",
        19,
    ),
    _published_case(
        "unknown-key.md",
        "BAD-0022",
        "    owner: Search team\n",
        "    owner: Search team\n    ownr: x\n",
        "PM110",
        "action_items[0].ownr",
        5,
        at="    ownr: x",
        severity="warning",
    ),
    # Each file names the other, so that CI annotates whichever a pull request adds.
    _case(
        "duplicate-id-a.md",
        draft("BAD-0023"),
        "2:5: error PM201 id: id 'BAD-0023' is also used by docs/postmortems/duplicate-id-b.md:2",
    ),
    _case(
        "duplicate-id-b.md",
        draft("BAD-0023"),
        "2:5: error PM201 id: id 'BAD-0023' is also used by docs/postmortems/duplicate-id-a.md:2",
    ),
    _case(
        "related.md", draft("BAD-0025", "related: [BAD-9999]\n"), "8:11: error PM202 related[0]:"
    ),
    _case(
        "calendar.md",
        draft("BAD-0026").replace("2026-01-01", "2026-02-30"),
        "6:11: error PM203 occurred:",
    ),
    _published_case(
        "order.md",
        "BAD-0027",
        "detected: 2026-03-02T11:40Z",
        "detected: 2026-03-01T11:40Z",
        "PM204",
        "detected",
        11,
    ),
    _published_case(
        "timeline.md",
        "BAD-0028",
        "  - at: 2026-03-02T13:00Z",
        "  - at: 2026-03-02T10:00Z",
        "PM205",
        "timeline[2].at",
        9,
    ),
    _published_case(
        "closed-open-item.md",
        "BAD-0029",
        "status: published",
        "status: closed",
        "PM206",
        "action_items[1].status",
        13,
        at="    status: in_progress",
    ),
    _published_case(
        "overdue.md",
        "BAD-0030",
        "due: 2027-05-01",
        "due: 2026-01-01",
        "PM207",
        "action_items[1].due",
        10,
        severity="info",  # the calendar alone fails no build
    ),
    _published_case(
        "item-id-twice.md",
        "BAD-0031",
        "  - id: A2",
        "  - id: A1  # again",
        "PM208",
        "action_items[1].id",
        9,
    ),
    _case(
        "unknown-id-in-prose.md",
        draft("BAD-0033").replace("Body.", "As in BAD-9998, `BAD-9997` and GPT-4."),
        "10:7: warning PM209",
    ),
    _case(
        "published-incomplete.md",
        draft("BAD-0032").replace("status: draft", "status: published"),
        # Each at the key it comes after in the format's order.
        "6:1: error PM101 resolved: missing required key 'resolved' "
        "(required when status is published or closed); add it after occurred",
        "7:1: error PM101 detection: missing required key 'detection' "
        "(required when status is in_review, published or closed); add it after summary",
    ),
]
