"""A postmortem's page shows everything its author wrote, readable at a glance (issue 12):
summary first, compact facts and durations, the timeline's milestones, the AI system in
full, factors by layer linked to the items that address them, one "Related" list."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from cases import draft, published
from conftest import Site

TODAY = 'today: "2026-11-27"'

FACTORS = """contributing_factors:
  - id: F1
    layer: prompt
    description: The shortened prompt no longer told the model to quote the policy.
  - id: F2
    layer: retrieval
    description: The refund section of the policy was not in the index.
  - id: F3
    layer: guardrail
    description: No check compared answers with the policy text.
  - id: F4
    layer: model
    description: The model fills gaps in retrieved text with plausible rules.
"""

EXTRA = """open_questions:
  - Did the shortened prompt change other answers too?
  - How many refunds were granted on the strength of the answer?
"""


def full_postmortem() -> str:
    """The published fixture with every key of the format, and a few more values."""
    text = published("TEST-2026-0001")
    start, end = text.index("contributing_factors:\n"), text.index("attribution:")
    text = text[:start] + FACTORS + text[end:]
    text = text.replace("  users_affected: 40\n", "  users_affected: 12400\n")
    text = text.replace("  legal_review: complete\n", "  legal_review: requested\n")
    text = text.replace(
        "    - name: policy grounding check\n      state: absent\n",
        "    - name: policy grounding check\n      state: absent\n"
        "    - name: output classifier\n      state: bypassed\n",
    )
    text = text.replace(
        '      - version: "3.2"\n',
        '      - version: "3.1"\n'
        "        date: 2026-01-10\n"
        "        change: Added the policy section.\n"
        "        ref: PR 17\n"
        '      - version: "3.2"\n',
    )
    text = text.replace(
        "    tracker: https://tracker.example.com/AI-1\n",
        "    tracker: https://tracker.example.com/AI-1\n    addresses: [F2]\n",
    )
    text = text.replace("    due: 2027-05-01\n", "    due: 2027-05-01\n    addresses: [F1, F3]\n")
    text = text.replace("taxonomy:", "related: [TEST-2026-0002, TEST-2026-0003]\ntaxonomy:")
    return text.replace("reviewers:", EXTRA + "reviewers:")


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("page") / "site", TODAY, theme=request.param)
    site.add("full.md", full_postmortem())
    # Related both ways, linked from the full one only, and linking to it only.
    site.add("two.md", draft("TEST-2026-0002", "related: [TEST-2026-0001]\n"))
    site.add(
        "three.md", draft("TEST-2026-0003", "impact:\n  description: x\n  users_affected: 1\n")
    )
    site.add("four.md", draft("TEST-2026-0004", "related: [TEST-2026-0001]\n"))
    result = site.build("--strict")
    assert result.returncode == 0, result.stderr
    return site


def page(site: Site, name: str) -> str:
    return (site.root / "site" / "postmortems" / name / "index.html").read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def section(markup: str, anchor: str) -> str:
    """The HTML of a section of the plugin's details, from its heading to the next."""
    start = markup.index(f'<h2 id="{anchor}"')
    following = markup.find("<h2", start + 1)
    return markup[start : following if following > 0 else len(markup)]


def test_every_value_the_author_wrote_is_on_the_page(built: Site) -> None:
    full = page(built, "full")
    text = text_of(full)
    for value in [
        # attribution, reviewers, open questions
        "The model produced a plausible rule; the prompt change and the missing index",
        "Support engineering",
        "Trust and safety",
        "Did the shortened prompt change other answers too?",
        "How many refunds were granted on the strength of the answer?",
        # impact: harm types and legal review as labels, users with separators
        "Customers were promised refunds that the policy does not allow.",
        "Harm types Financial Misinformation",
        "12,400 users affected",
        "Legal review Requested",
        # the AI system in full
        "System Support assistant",
        "example-chat , version 2026-01-15 , from Example AI",
        "version 3.2 was live",
        "3.1 2026-01-10 : Added the policy section. (PR 17)",
        "3.2 2026-02-20 : Shortened the policy section of the system prompt. ( 42 )",
        "Customer questions about refunds, with the policy page retrieved.",
        "policy-pages, version 2026-02-01",
        "policy grounding check Absent",
        "output classifier Bypassed",
        "Human oversight Human on the loop",
        # taxonomy, with its links
        "OWASP Top 10 for LLM Applications: LLM09:2025 Misinformation",
        "MITRE ATLAS: AML.T0051 LLM Prompt Injection",
        "NIST AI 600-1: Confabulation",
        # labels of the card
        "Status Published Incident",
        "Severity SEV2 · major",
        "Detection User report",
        "Failure modes Hallucination , Retrieval failure",
    ]:
        assert value in text, value
    assert 'href="https://git.example.com/prompts/commit/42"' in full
    assert 'href="https://atlas.mitre.org/techniques/AML.T0051"' in full
    assert "1 user affected" in text_of(page(built, "three"))


def test_the_summary_comes_first_then_the_facts_and_durations(built: Site) -> None:
    full = page(built, "full")
    card = full[full.index('id="postmortem-card"') :]
    summary = card.index("pm-card__summary")
    facts = card.index("pm-card__facts")
    durations = card.index("pm-card__durations")
    assert summary < facts < durations < card.index("What happened")
    said = text_of(card[card.index(">", durations) + 1 : card.index("</dl>", durations)])
    assert said == "Time to detect 2 h 25 min Time to mitigate 3 h 45 min Time to resolve 2 days"
    # Compact: the facts are a handful of short pairs, not a table of every field.
    assert len(re.findall(r"<dt>", card[facts:durations])) <= 10


def test_the_timeline_marks_milestones_and_the_time_since_the_start(built: Site) -> None:
    timeline = section(page(built, "full"), "pm-timeline")
    rows = re.findall(r"<li[^>]*>.*?</li>", timeline, re.S)
    said = [text_of(row) for row in rows]
    assert said == [
        "2026-03-02 09:15 UTC +0 min Began The first customer receives the invented refund rule.",
        "2026-03-02 11:40 UTC +2 h 25 min Detected A customer report reaches the support team.",
        "2026-03-02 13:00 UTC +3 h 45 min Mitigated Refund questions are routed to people.",
        "2026-03-04 +2 days Resolved",
    ]
    assert '<time datetime="2026-03-02T11:40Z">2026-03-02 11:40 UTC</time>' in rows[1]
    assert '<time datetime="2026-03-04">2026-03-04</time>' in rows[3]
    assert "pm-timeline__milestone" in rows[3] and "pm-timeline__milestone" not in rows[1]
    # One form of date and time on the whole page: never the ISO text as written.
    assert "2026-03-02T09:15Z<" not in page(built, "full")


def test_factors_by_layer_link_to_the_items_that_address_them(built: Site) -> None:
    full = page(built, "full")
    factors = section(full, "pm-contributing-factors")
    layers = re.findall(r'<h3 class="pm-factors__heading">([^<]*)</h3>', factors)
    assert layers == ["Model", "Prompt", "Retrieval", "Guardrail"]  # the schema's order
    items = dict(re.findall(r'<li id="factor-(F\d)">(.*?)</li>', factors, re.S))
    assert set(items) == {"F1", "F2", "F3", "F4"}
    assert '<a href="#action-A2">A2</a>' in items["F1"]
    assert '<a href="#action-A1">A1</a>' in items["F2"]
    assert '<a href="#action-A2">A2</a>' in items["F3"]
    assert "No action item addresses this factor" in items["F4"]
    assert all("No action item" not in items[f] for f in ("F1", "F2", "F3"))
    # Each item says which factors it addresses, linked to them.
    actions = section(full, "pm-action-items")
    row = re.search(r'<tr id="action-A2">.*?</tr>', actions, re.S)
    assert row is not None
    assert '<a href="#factor-F1"' in row.group(0) and '<a href="#factor-F3"' in row.group(0)
    assert 'id="action-A1"' in actions and 'id="factor-F1"' in factors


def test_one_related_list_with_directions_and_no_duplicates(built: Site) -> None:
    related = section(page(built, "full"), "pm-related")
    entries = [text_of(li) for li in re.findall(r"<li>.*?</li>", related, re.S)]
    assert entries == [
        "TEST-2026-0002 : A case (both ways)",
        "TEST-2026-0003 : A case (linked from here)",
        "TEST-2026-0004 : A case (links here)",
    ]
    assert 'id="pm-referenced-by"' not in page(built, "full")
    assert "(links here)" in section(page(built, "three"), "pm-related")


PAYLOAD = "<script>alert(1)</script>"


def test_factor_ids_and_addresses_from_front_matter_are_escaped(make_site) -> None:
    site = make_site(f"{TODAY}\nfail_on: never")
    text = full_postmortem().replace("  - id: F1\n", f"  - id: {_quoted(PAYLOAD)}\n")
    text = text.replace("addresses: [F1, F3]", f"addresses: [{_quoted(PAYLOAD)}, F3]")
    text = text.replace(
        "addresses: [F2]", f"addresses: [{_quoted('<img src=x onerror=alert(2)>')}]"
    )
    site.add("hostile.md", text)
    result = site.build()
    assert result.returncode == 0, result.stderr
    built = (site.root / "site" / "postmortems" / "hostile" / "index.html").read_text()
    assert "<script>alert(1)" not in built and "<img src=x" not in built
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in section(built, "pm-contributing-factors")  # the factor's id
    assert escaped in section(built, "pm-action-items")  # the item's link to it
    assert re.search(r'<li id="factor-[\w-]+">', section(built, "pm-contributing-factors"))
    for path in Path(site.root / "site").rglob("*.html"):
        assert "<script>alert(1)" not in path.read_text(encoding="utf-8"), path


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'
