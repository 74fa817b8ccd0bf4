"""Review rules: finished postmortems, blameless language, multi-cause nudges."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cases import draft, line_of, published
from conftest import FIXTURES, load_options

from mkdocs_postmortem import Settings, check_archive, read
from mkdocs_postmortem.validation.language import RULES as LANGUAGE_RULES
from mkdocs_postmortem.validation.language import LanguageRule, findings
from mkdocs_postmortem.validation.review import ReviewSettings, review_problems

TODAY = dt.date(2026, 11, 27)
LANGUAGE = FIXTURES / "language"


def problems(text: str, **options: object) -> list[str]:
    """`line:col CODE` of every review and language finding of one postmortem."""
    settings = Settings.load(today=TODAY, **options)  # type: ignore[arg-type]
    report = check_archive([("x.md", text.encode())], settings)
    return [f"{d.line}:{d.column} {d.code}" for d in report.diagnostics if d.code >= "PM3"]


def with_body(body: str, status: str = "published") -> str:
    text = published("X-0001").replace("status: published", f"status: {status}")
    return text[: text.index("\n---\n", 4) + 5] + body


def at(text: str, needle: str) -> str:
    line = line_of(text, needle)
    column = text.split("\n")[line - 1].index(needle) + 1
    return f"{line}:{column}"


CLEAN_BODY = "## What happened\n\nThe assistant answered with a rule.\n\n## Analysis\n\n{}\n"

RULE_CASES = [  # code, a blameful sentence, where the finding is, an innocent near miss
    ("PM401", "It came down to human error in the release.", "human error", "human review"),
    ("PM402", "The reviewer should have caught it.", "should have", "the model should refuse it"),
    ("PM403", "The on-call engineer failed to page.", "The on-call", "the health check failed to"),
    ("PM404", "A careless edit removed the rule.", "careless", "a care plan"),
    ("PM406", "The vendor was at fault for it.", "at fault", "our fault injection tests"),
    ("PM407", "Obviously the threshold was low.", "Obviously", "the policy page clearly states"),
    ("PM408", "The root cause was a stale index.", "The root cause", "a root-cause template"),
    ("PM409", "The model lied about the rule.", "The model lied", "the model produced a rule"),
]


@pytest.mark.parametrize(("code", "blameful", "phrase", "innocent"), RULE_CASES)
def test_each_rule_fires_at_its_phrase_and_not_on_a_near_miss(
    code: str, blameful: str, phrase: str, innocent: str
) -> None:
    text = with_body(CLEAN_BODY.format(blameful))
    assert problems(text) == [f"{at(text, phrase)} {code}"]
    assert problems(with_body(CLEAN_BODY.format(f"Here {innocent} again, as planned."))) == []


def test_exhortations_are_found_in_action_items_only() -> None:
    text = published("X-0001", "title: Add a grounding check", "title: Be more careful with policy")
    assert f"{at(text, 'Be more careful')} PM405" in problems(text)
    assert problems(with_body(CLEAN_BODY.format("We remember to rotate keys."))) == []


def test_front_matter_prose_is_checked_at_the_phrase() -> None:
    text = published("X-0001", "About 40 customers", "The careless team let 40 customers")
    assert f"{at(text, 'careless')} PM404" in problems(text)


def test_code_quotes_and_inline_code_are_not_checked() -> None:
    body = CLEAN_BODY.format(
        "> You should have told me.\n\n```\nERROR human error\n```\n\nThe flag `at fault` is set."
    )
    assert problems(with_body(body)) == []


def test_a_line_can_be_silenced() -> None:
    body = CLEAN_BODY.format("The root cause was the index. <!-- postmortem-allow PM408 -->")
    assert problems(with_body(body)) == []
    other = CLEAN_BODY.format("The root cause was the index. <!-- postmortem-allow PM402 -->")
    assert [p.split()[1] for p in problems(with_body(other))] == ["PM408"]


def test_a_section_can_be_silenced() -> None:
    body = (
        "## What happened\n\nThe assistant answered.\n\n## Analysis\n\n"
        "<!-- postmortem-allow PM402 PM408 -->\n\nThe root cause was the index.\n"
        "We should have seen it.\n\n## Lessons\n\nWe should have seen it.\n"
    )
    text = with_body(body)
    assert problems(text) == [f"{line_of(text, 'We should have seen it.') + 4}:4 PM402"]


def test_a_front_matter_line_can_be_silenced() -> None:
    text = published("X-0001", "About 40 customers", "The careless team let 40 customers")
    text = text.replace("summary: >-", "summary: >-  # postmortem-allow PM404")
    assert problems(text) == []


def test_rules_can_be_turned_off_or_made_errors() -> None:
    text = with_body(CLEAN_BODY.format("The root cause was the index."))
    assert problems(text, rules={"PM408": "off"}) == []
    settings = Settings.load(today=TODAY, rules={"PM408": "error"})
    [finding] = [
        d
        for d in check_archive([("x.md", text.encode())], settings).diagnostics
        if d.code == "PM408"
    ]
    assert finding.severity.value == "error"


def test_an_organisations_own_phrases() -> None:
    phrases = [
        {
            "phrase": "dropped the ball",
            "reason": "it is a blame idiom",
            "reframe": "describe what was not surfaced",
        }
    ]
    text = with_body(CLEAN_BODY.format("Support dropped the ball on the ticket."))
    assert f"{at(text, 'dropped the ball')} PM450" in problems(text, phrases=phrases)


def test_required_sections_and_real_text() -> None:
    in_review = with_body("## What happened\n\nTBD\n", status="in_review")
    found = problems(in_review)
    assert f"{line_of(in_review, '## What happened')}:1 PM302" in found
    assert any(p.endswith("PM301") for p in found)  # no Analysis section
    assert problems(with_body("Notes.\n", status="draft")) == []


def test_required_sections_are_configurable() -> None:
    text = with_body(CLEAN_BODY.format("Three conditions met."), status="in_review")
    found = problems(text, sections={"draft": ["Timeline notes"]})
    assert [p.split()[1] for p in found] == ["PM301"]


@pytest.mark.parametrize(
    "placeholder",
    [
        "TODO",
        "TBD",
        "FIXME",
        "Lorem ipsum",
        "<describe the impact>",
        "<...>",
        "<!-- template: fill me -->",
    ],
)
def test_placeholders_fail_from_published(placeholder: str) -> None:
    text = with_body(CLEAN_BODY.format(f"Three conditions met. {placeholder} here."))
    assert f"{at(text, placeholder)} PM303" in problems(text)
    assert problems(text.replace("status: published", "status: in_review")) == []


def test_html_is_not_a_placeholder() -> None:
    text = with_body(CLEAN_BODY.format('Three <b>conditions</b> met.<br> <a href="x">x</a>'))
    assert problems(text) == []


def test_a_single_layer_story_gets_a_nudge() -> None:
    text = published("X-0001", "layer: retrieval", "layer: prompt").replace(
        "layer: guardrail", "layer: prompt"
    )
    assert f"{at(text, '- layer: prompt')[:-1]}3 PM310" in problems(text)


def test_a_single_scapegoat_gets_a_nudge() -> None:
    text = published("X-0001")
    start = text.index("attribution:")
    end = text.index("action_items:")
    text = text[:start] + "attribution: It was caused by Alex from the support team.\n" + text[end:]
    assert any(p.endswith("PM311") for p in problems(text))


def _expected(path: Path, first_line: int) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text().split("\n")):
        marker = re.search(r"<!-- expect: ([A-Z0-9 ]+) -->", line)
        for code in marker.group(1).split() if marker else []:
            expected.add((first_line + number, code))
    return expected


@pytest.mark.parametrize("path", sorted(LANGUAGE.glob("*.md")), ids=lambda p: p.name)
def test_realistic_texts(path: Path) -> None:
    """Blameless texts full of near misses stay quiet; blameful ones get every finding."""
    document = read(
        path.name, (draft("X-0001").split("\n---\n")[0] + "\n---\n").encode() + path.read_bytes()
    )
    found = {(d.line, d.code) for d in review_problems(document, ReviewSettings())}
    assert found == _expected(path, document.body_line)


@pytest.mark.parametrize("rule", LANGUAGE_RULES, ids=lambda rule: rule.code)
def test_the_documented_examples_are_true(rule: LanguageRule) -> None:
    """The docs show each rule's example and its reframing: the first fires, the second not."""
    assert [f.code for f in findings(rule.example, action_item=True)] == [rule.code]
    assert list(findings(rule.better, action_item=True)) == []


def test_comments_over_several_lines_are_neither_prose_nor_text() -> None:
    body = (
        "## What happened\n\n<!-- a note\nwe should have seen it -->\n\n"
        "## Analysis\n\nReal text is here.\n"
    )
    text = with_body(body, status="in_review")
    assert problems(text) == [f"{line_of(text, '## What happened')}:1 PM302"]


def test_a_bare_off_in_yaml_turns_a_rule_off() -> None:
    text = with_body(CLEAN_BODY.format("The root cause was the index."))
    options, errors, _ = load_options("rules: {PM408: off}")
    assert errors == []
    assert problems(text, rules=options.rules) == []


def test_a_scapegoat_at_the_start_of_a_sentence() -> None:
    text = published("X-0001")
    start, end = text.index("attribution:"), text.index("action_items:")
    text = text[:start] + "attribution: Caused by Alex.\n" + text[end:]
    assert any(p.endswith("PM311") for p in problems(text))


def test_a_template_mark_inside_a_block_scalar_is_the_authors_text_not_a_leftover() -> None:
    text = with_body(CLEAN_BODY.format("Three conditions met."))
    mine = text.replace(
        "\nstatus: published\n", "\nstatus: published\nnotes: |\n  #| as logged\n", 1
    )
    assert problems(mine) == []
    left = mine.replace("\nnotes: |\n", "\n  #| the template's\nnotes: |\n", 1)
    assert problems(left) == [f"{at(left, '#| the')} PM303"]


def test_placeholders_cut_short_in_the_message_end_with_an_ellipsis() -> None:
    comment = "<!-- template: " + "describe what the assistant said " * 3 + "-->"
    slot = "<" + "describe the impact on the customers " * 3 + ">"
    text = with_body(CLEAN_BODY.format(f"Three conditions met.\n\n{comment}\n\n{slot}"))
    settings = Settings.load(today=TODAY)
    report = check_archive([("x.md", text.encode())], settings)
    messages = [d.message for d in report.diagnostics if d.code == "PM303"]
    assert len(messages) == 2
    for message in messages:
        cut = re.search(r"'([^'…]*)(…|')", message)
        assert cut is not None and cut.group(2) == "…", message
        assert len(cut.group(1)) >= 40 and cut.group(1) in comment + slot
