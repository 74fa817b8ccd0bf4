"""The plugin's options as MkDocs checks them, from `mkdocs.yml` text: a bad value is
one line that names the option and, in a mapping or a list, the entry."""

from __future__ import annotations

import sys

import pytest
from conftest import load_options

from mkdocs_postmortem.check import ADJUSTABLE, PHRASE_DEFAULTS
from mkdocs_postmortem.config import PostmortemConfig


def valid(text: str) -> PostmortemConfig:
    config, errors, warnings = load_options(text)
    assert (errors, warnings) == ([], [])
    return config


def error(text: str) -> str:
    _, errors, _ = load_options(text)
    [message] = errors
    assert "\n" not in message
    return message


def test_the_defaults() -> None:
    config = valid("")
    assert config.required_sections is None  # the built-in sections
    assert config.rules == {}
    assert config.blameless_phrases == []


def test_a_bare_off_is_off() -> None:
    """YAML 1.1 reads `off` as false."""
    assert valid("rules: {PM408: off, PM407: 'off', PM110: error}").rules == {
        "PM408": "off",
        "PM407": "off",
        "PM110": "error",
    }


def test_an_option_with_every_entry_commented_out_is_its_default() -> None:
    config = valid("rules:\nblameless_phrases:\nrequired_sections:")
    assert (config.rules, config.blameless_phrases, config.required_sections) == ({}, [], None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules: {PM408: error, PM101: warning}",
            f"rules: 'PM101' cannot be changed; these can: {', '.join(sorted(ADJUSTABLE))}",
        ),
        (
            "rules: {PM407: off, PM408: loud}",
            "rules: PM408: Expected one of: ('off', 'info', 'warning', 'error') "
            "but received: 'loud'",
        ),
        ("rules: [PM408]", "rules: Expected a dict of items, but a <class 'list'> was given."),
        (
            "required_sections: {in_review: Analysis}",
            "required_sections: in_review: "
            "Expected a list of items, but a <class 'str'> was given.",
        ),
        (
            "required_sections: {published: [Lessons, '']}",
            "required_sections: published: expected the text of a heading, got ''",
        ),
        (
            "blameless_phrases: [{phrase: a}, {reason: b}]",
            "blameless_phrases: [1]: Sub-option 'phrase': Required configuration not provided.",
        ),
        (
            "blameless_phrases: [dropped the ball]",
            "blameless_phrases: [0]: The configuration is invalid. "
            "Expected a key-value mapping (dict) but received: <class 'str'>",
        ),
    ],
)
def test_a_bad_value_is_one_line_that_names_it(text: str, message: str) -> None:
    assert error(text) == message


def test_a_phrase_must_be_a_regular_expression() -> None:
    assert error("blameless_phrases: [{phrase: 'drop(ped the ball'}]").startswith(
        "blameless_phrases: [0]: Sub-option 'phrase': 'drop(ped the ball' is not a valid "
        "regular expression: missing ), unterminated subpattern"
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.10 only warns")
def test_a_phrase_is_checked_as_it_is_matched() -> None:
    """Alone, `(?i)ball` is valid; inside the whole-word pattern it is not."""
    assert error("blameless_phrases: [{phrase: '(?i)ball'}]").startswith(
        "blameless_phrases: [0]: Sub-option 'phrase': '(?i)ball' is not a valid "
        "regular expression: global flags not at the start"
    )


def test_a_phrase_gets_the_default_name_reason_and_reframe() -> None:
    config = valid("blameless_phrases: [{phrase: dropped the ball, reason: a blame idiom}]")
    [phrase] = config.blameless_phrases
    assert dict(phrase) == {
        **PHRASE_DEFAULTS,
        "phrase": "dropped the ball",
        "reason": "a blame idiom",
    }


def test_an_unknown_key_of_a_phrase_is_a_warning() -> None:
    _, errors, warnings = load_options("blameless_phrases: [{phrase: a, reframe: b, refrane: c}]")
    assert errors == []
    assert warnings == [
        "blameless_phrases: Sub-option 'refrane': Unrecognised configuration name: refrane"
    ]
