"""Blameless language: phrases that blame people instead of describing conditions.

Each rule has a code, a reason and a reframing, so that a finding teaches as it warns.
Rules match whole phrases, and some only with a person as the subject, because a
system that "failed to respond" is a fact, not a blame.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_PERSON = (
    r"(?:he|she|they|we|i|someone|somebody|nobody|no one|everyone|(?:the |our |an? )?"
    r"(?:engineers?|developers?|operators?|on-?call(?: engineers?)?|reviewers?|teams?|staff|"
    r"employees?|analysts?|moderators?|managers?|lawyers?|attorneys?|associates?|humans?|"
    r"persons?|people|colleagues?|admins?|administrators?|contractors?|interns?|"
    r"support agents?|release managers?|owners?|authors?))"
)


@dataclass(frozen=True)
class LanguageRule:
    """A kind of blaming phrase, why it harms learning, and what to write instead."""

    code: str
    name: str
    pattern: re.Pattern[str]
    reason: str
    reframe: str
    example: str = ""  # a sentence it finds, for the docs
    better: str = ""  # the same sentence reframed
    action_items_only: bool = False


def _rule(code: str, name: str, pattern: str, reason: str, reframe: str, **kw: Any) -> LanguageRule:
    example, better = EXAMPLES[code]
    return LanguageRule(
        code, name, re.compile(pattern, re.IGNORECASE), reason, reframe, example, better, **kw
    )


EXAMPLES = {
    "PM401": (
        "The outage was caused by human error during the release.",
        "The release script accepted a config that had not been validated.",
    ),
    "PM402": (
        "The reviewer should have caught the prompt change.",
        "The prompt change went out without an evaluation run; review saw only the diff.",
    ),
    "PM403": (
        "The on-call engineer failed to notice the alert.",
        "The alert fired in a channel that paged no one at night.",
    ),
    "PM404": (
        "A careless edit removed the refund rule.",
        "An edit removed the refund rule; nothing tested the prompt for it.",
    ),
    "PM405": (
        "Be more careful when editing prompts.",
        "Run the policy evaluation suite on every prompt change.",
    ),
    "PM406": (
        "The vendor was at fault.",
        "The vendor's model update changed refusal behaviour without notice.",
    ),
    "PM407": (
        "Obviously the threshold was too low.",
        "The threshold was set from last year's data, before the new traffic.",
    ),
    "PM408": (
        "The root cause was a stale index.",
        "Contributing factors: a stale index, a prompt without citations, no grounding check.",
    ),
    "PM409": (
        "The model lied about the refund policy.",
        "The model produced a refund rule that was not in the retrieved policy.",
    ),
}


RULES: tuple[LanguageRule, ...] = (
    _rule(
        "PM401",
        "human error",
        r"\b(?:human|operator|user|pilot|manual|people)[- ]errors?\b",
        "'human error' ends the inquiry where it should begin",
        "describe the conditions that made the action reasonable at the time and easy to get wrong",
    ),
    _rule(
        "PM402",
        "counterfactual",
        # "could have" only of people: "the bug could have exposed..." states a risk.
        r"\b(?:should(?:n't| not)? have|should've|ought(?: not)? to have|if only)\b"
        rf"|\b{_PERSON}\s+(?:\w+\s+)?could(?:n't| not)? have\b",
        "counterfactuals judge the past by what is known now",
        "say what was known and what the system allowed at the time",
    ),
    _rule(
        "PM403",
        "omission by a person",
        rf"\b{_PERSON}\s+(?:\w+\s+)?(?:failed|forgot|neglected|omitted|missed|overlooked|ignored)\b"
        r"|\b(?:forgot|neglected) to\b",
        "it names what a person did not do instead of what the system did not support",
        "describe the check, signal or step that was missing or not surfaced",
    ),
    _rule(
        "PM404",
        "character judgement",
        r"\b(?:careless(?:ly|ness)?|negligen(?:t|ce|tly)|lazy|laziness|sloppy|sloppiness|"
        r"incompeten(?:t|ce)|reckless(?:ly|ness)?|irresponsibl[ey]|inattentive|stupid(?:ity)?|"
        r"clueless)\b",
        "judgements of character explain nothing and make people stop reporting",
        "describe the workload, information and tools people had",
    ),
    _rule(
        "PM405",
        "exhortation",
        r"\b(?:be (?:more )?(?:careful|vigilant|diligent|aware|attentive)|pay (?:more |closer )?"
        r"attention|remember to|double[- ]check|try harder|take more care|stay alert)\b",
        "an exhortation is not a change to the system: the next person meets the same trap",
        "write a bounded system change: a check, a guardrail, a default, an alert",
        action_items_only=True,
    ),
    _rule(
        "PM406",
        "blame",
        r"\b(?:at fault|(?:his|her|their|whose|our|my|your) fault(?![- ]?(?:injection|toleran|"
        r"domain|line|detection|model|tree))|the fault (?:lay|lies|was)|"
        r"to blame|blam(?:e|ed|es|ing)(?! ?less)|culprits?|scapegoat(?:s|ed|ing)?)\b",
        "blame looks for someone to hold responsible, not for what to change",
        "name the conditions and decisions in the system that contributed",
    ),
    _rule(
        "PM407",
        "hindsight",
        r"\bobvious(?:ly)?\b(?! (?:pattern|signal|sign|correlation|cause|reason|way|choice)s?\b)"
        r"|\bclearly\b(?! (?:states?|says?|shows?|marked|labell?ed|defined|written|visible|"
        r"documented|separated|worded|stated|explains?))",
        "hindsight makes the outcome look foreseeable; it was not at the time",
        "describe the signals that were available then, and how visible they were",
    ),
    _rule(
        "PM408",
        "the root cause",
        r"\b(?:the|a|one|single) root cause\b",
        "there is rarely one cause; the phrase stops the search for the others",
        "list the contributing factors, each in its layer",
    ),
    _rule(
        "PM409",
        "model as a culprit",
        r"\b(?:the |our )?(?:model|assistant|chatbot|bot|ai|llm|agent)\s+"
        r"(?:lied|decided|chose|wanted|intended|deliberately|knew|tried to deceive|"
        r"disobeyed|ignored)\b",
        "a model has no intent; blaming it hides the conditions that produced the output",
        "describe the inputs, instructions and constraints that made the output likely",
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Finding:
    code: str
    start: int
    end: int
    message: str


# Words that every match of a built-in rule holds: most lines have none and are passed
# over with a few substring searches, and a line is matched only against the rules whose
# words it holds. Keep in step with RULES; the tests run every rule's examples.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "PM401": ("error",),
    "PM402": ("should", "ought", "if only", "could"),
    "PM403": ("fail", "forg", "neglect", "omit", "miss", "overlook", "ignor"),
    "PM404": (
        "careless",
        "negligen",
        "laz",
        "slopp",
        "incompeten",
        "reckless",
        "irresponsib",
        "inattentive",
        "stupid",
        "clueless",
    ),
    "PM405": (
        "careful",
        "vigilant",
        "diligent",
        "aware",
        "attentive",
        "attention",
        "remember",
        "double",
        "harder",
        "care",
        "alert",
    ),
    "PM406": ("fault", "blam", "culprit", "scapegoat"),
    "PM407": ("obvious", "clearly"),
    "PM408": ("root cause",),
    "PM409": (
        "lied",
        "decided",
        "chose",
        "wanted",
        "intended",
        "deliberately",
        "knew",
        "deceive",
        "disobey",
        "ignor",
    ),
}
_RULES_OF_WORD: dict[str, frozenset[str]] = {
    word: frozenset(code for code, words in TRIGGERS.items() if word in words)
    for words in TRIGGERS.values()
    for word in words
}


def triggered_rules(text: str) -> frozenset[str]:
    """The built-in rules whose trigger words the text holds."""
    lowered = text.lower()
    return frozenset(
        code for word, codes in _RULES_OF_WORD.items() if word in lowered for code in codes
    )


def triggered_lines(lines: list[str]) -> dict[int, frozenset[str]]:
    """For each line that holds a trigger word, the built-in rules it may match; one
    pass per word over all the lines."""
    text = "\n".join(lines).lower()
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    found: dict[int, frozenset[str]] = {}
    for word, codes in _RULES_OF_WORD.items():
        position = text.find(word)
        while position >= 0:
            index = bisect.bisect_right(starts, position) - 1
            found[index] = found.get(index, frozenset()) | codes
            position = text.find(word, position + 1)
    return found


def findings(
    text: str,
    *,
    action_item: bool = False,
    extra: tuple[LanguageRule, ...] = (),
    rules: frozenset[str] | None = None,
) -> Iterator[Finding]:
    """Every blaming phrase in one piece of prose, found in one pass per rule set.

    `rules` are the built-in rules the text may match (see `triggered_lines`), when
    the caller knows them; the organisation's phrases in `extra` are always tried.
    """
    if rules is None:
        rules = triggered_rules(text)
    sets = [_combined(action_item, (), tuple(sorted(rules)))] if rules else []
    if extra:
        sets.append(_combined(action_item, extra, ()))
    for chosen, pattern in sets:
        for match in pattern.finditer(text):
            rule = chosen[int(str(match.lastgroup)[1:])]
            yield Finding(
                rule.code,
                match.start(),
                match.end(),
                f"{rule.name}: {match.group(0)!r}; {rule.reason}. Instead: {rule.reframe}",
            )


@functools.lru_cache(maxsize=256)
def _combined(
    action_item: bool, extra: tuple[LanguageRule, ...], builtin: tuple[str, ...]
) -> tuple[tuple[LanguageRule, ...], re.Pattern[str]]:
    """The built-in rules named and the extra ones as one expression: one scan per text."""
    candidates = (*(BY_CODE[code] for code in builtin), *extra)
    rules = tuple(r for r in candidates if action_item or not r.action_items_only)
    alternatives = "|".join(f"(?P<r{n}>{rule.pattern.pattern})" for n, rule in enumerate(rules))
    return rules, re.compile(alternatives or "(?!)", re.IGNORECASE)
