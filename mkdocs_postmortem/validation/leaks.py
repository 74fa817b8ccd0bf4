"""Leak checks: secrets and personal data in what a postmortem would publish.

Postmortems of AI incidents quote prompts, model inputs, transcripts and log lines, and
the archive is published, indexed by search and exported. The whole file is scanned,
front-matter (comments too: they reach the repository) and body, code blocks included:
that is where logs are pasted.

- Secrets: the format-based detectors of detect-secrets (Yelp), its regular
  expressions applied directly, so that each finding has its exact place and nothing is
  ever sent over the network to verify it. Its entropy and keyword detectors are left
  out: they flag hashes, ids and prose by the dozen. Its public-IP detector too: an
  address is not a secret.
- Phone numbers: Google's libphonenumber (`phonenumbers`), which tells a phone number
  from a date, a version or a ticket number.
- E-mail addresses and payment card numbers: the small patterns below; a card number
  must also pass the Luhn checksum and start like a card network's numbers.

A finding names its kind and shows a masked excerpt: never the value itself, which
would otherwise reach logs, pages and CI annotations.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Diagnostic, Severity, problem
from ..reader import Document
from .fields import field_name
from .review import Body, allowed_codes

SECRET = "PM601"
EMAIL = "PM602"
PHONE = "PM603"
CARD = "PM604"
CODES = (SECRET, EMAIL, PHONE, CARD)

DEFAULT_PHONE_REGION = "US"

_NEWLINE_RE = re.compile("\n")

# An address: a local part of the usual characters, `@`, dotted labels ending in a
# top-level domain of letters. Every run is bounded, so the scan stays linear.
_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
# 13 to 19 digits, alone or in groups split by one space or dash (`4111 1111 1111 1111`).
# (The digit before the look-behind: the scan then stops early at most places.)
_CARD_RE = re.compile(r"[0-9](?<![\w.-][0-9])(?:[ -]?[0-9]){12,18}(?![\w-])")
# Where card networks' numbers start (ISO/IEC 7812 issuer ranges): Visa 4; Mastercard
# 51-55 and 2221-2720; American Express 34, 37; Discover 6011, 644-649, 65; JCB 3528-3589;
# Diners Club 300-305, 36, 38-39; UnionPay 62. Others are not flagged: dates, ids and
# counters pass the Luhn checksum one time in ten.
_CARD_START_RE = re.compile(
    r"^(?:4|5[1-5]|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720|3[47]|"
    r"6011|64[4-9]|65|35(?:2[89]|[3-8][0-9])|30[0-5]|36|3[89]|62)"
)
# A run of digits and phone punctuation with seven digits or more: only the lines with
# one are given to libphonenumber, which is slow to scan prose.
# Not glued to a word (`AIPM-2023-0001`); the digit before the look-behind, so that the
# scan stops at once where there is no digit.
_PHONE_HINT_RE = re.compile(r"[0-9](?<![\w-][0-9])[0-9 ().\-/]{5,}[0-9]")
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Leak:
    """A value that should not be published: its rule, kind and place in the text."""

    code: str
    kind: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class LeakSettings:
    """Values known to be safe (`leaks.baseline`) and the region phone numbers written
    without a country code belong to."""

    safe: frozenset[str] = frozenset()
    phone_region: str = DEFAULT_PHONE_REGION

    @classmethod
    def load(cls, baseline: Path | None, phone_region: str | None) -> LeakSettings:
        """Raises `OSError` or `UnicodeDecodeError` for an unreadable baseline."""
        safe = frozenset(baseline_values(baseline.read_text(encoding="utf-8"))) if baseline else ()
        return cls(frozenset(safe), phone_region or DEFAULT_PHONE_REGION)

    def is_safe(self, leak: Leak) -> bool:
        if leak.value in self.safe:
            return True
        if leak.code == EMAIL:
            return "@" + leak.value.rsplit("@", 1)[-1].lower() in self.safe
        return False


def baseline_values(text: str) -> Iterator[str]:
    """The values of a baseline file: one a line; blank lines and `#` comments skipped.
    An entry `@example.com` makes every address at that domain safe."""
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            yield entry.lower() if entry.startswith("@") else entry


@functools.lru_cache(maxsize=1)
def _secret_detectors() -> tuple[Any, ...]:
    """detect-secrets' format-based detectors, each once; imported on first use."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.ip_public import IPPublicDetector

    detectors: dict[str, Any] = get_mapping_from_secret_type_to_class()
    return tuple(
        detector()
        for _, detector in sorted(detectors.items())
        if issubclass(detector, RegexBasedDetector) and detector is not IPPublicDetector
    )


def find_leaks(text: str, phone_region: str = DEFAULT_PHONE_REGION) -> list[Leak]:
    """Every secret and piece of personal data in `text`, in order; an e-mail address
    or card number inside a secret (a password in a URL) counts once, as the secret."""
    lines = _Lines(text)
    found = list(_secrets(text, lines))
    taken = [(leak.start, leak.end) for leak in found]
    for leak in [*_emails(text), *_cards(text), *_phones(text, lines, phone_region)]:
        if not any(start < leak.end and leak.start < end for start, end in taken):
            found.append(leak)
            taken.append((leak.start, leak.end))
    return sorted(found, key=lambda leak: (leak.start, leak.code))


class _Lines:
    """The lines of a text that some matches fall on, found without splitting it all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(self.text)]
        return self._starts

    def of(self, matches: Iterable[re.Match[str]]) -> list[tuple[int, str]]:
        """Each line a match falls on, once, in order: (where it starts, its text)."""
        starts = self.starts
        found = {bisect.bisect_right(starts, match.start()) - 1 for match in matches}
        text = self.text
        return [
            (starts[i], text[starts[i] : starts[i + 1] - 1 if i + 1 < len(starts) else len(text)])
            for i in sorted(found)
        ]


# What a line needs for any detector below to match in it: a run of 20 token characters
# (every key and token they look for is as long: AWS key ids, GitHub, Stripe, Slack
# app tokens, the 24 to 88 characters of keyword-assigned keys), or the few literals
# of the shorter ones (URLs with a password, Slack's `xox`, npm's `_authToken`, private
# key headers, Artifactory's `AKC` and `AP`, a JWT's `eyJ`). Only those lines are given to
# the detectors: most prose has none, and 27 patterns over every line cost a third of
# the whole check. A detector not in the list (a newer detect-secrets) reads everything.
# (Two expressions: together, the alternation slows the scan of the run by half.)
_SECRET_HINT_RES = (
    re.compile(r"[A-Za-z0-9+/=_\-]{20}"),
    re.compile(r"://|xox|_authToken|PRIVATE KEY|PuTTY|AKC|AP[0-9A-F]|eyJ"),
)
HINTED_DETECTORS = frozenset(
    {
        "AWSKeyDetector",
        "ArtifactoryDetector",
        "AzureStorageKeyDetector",
        "BasicAuthDetector",
        "CloudantDetector",
        "DiscordBotTokenDetector",
        "GitHubTokenDetector",
        "GitLabTokenDetector",
        "IbmCloudIamDetector",
        "IbmCosHmacDetector",
        "JwtTokenDetector",
        "MailchimpDetector",
        "NpmDetector",
        "OpenAIDetector",
        "PrivateKeyDetector",
        "PypiTokenDetector",
        "SendGridDetector",
        "SlackDetector",
        "SoftlayerDetector",
        "SquareOAuthDetector",
        "StripeDetector",
        "TelegramBotTokenDetector",
        "TwilioKeyDetector",
    }
)


# Detectors whose pattern takes quadratic time on a long line (npm's `//.+/:_authToken`:
# seconds on a line of slashes): given only the lines with their literal, up to a length
# that a real one does not reach (an `.npmrc` line).
_NEEDS = {"NpmDetector": "_authToken"}
_LONGEST_NEEDING = 300


def _secrets(text: str, lines: _Lines) -> Iterator[Leak]:
    hinted = lines.of(itertools.chain(*(hint.finditer(text) for hint in _SECRET_HINT_RES)))
    joined = "\n".join(line for _, line in hinted)
    joined_starts: list[int] = []  # where each hinted line starts in `joined`
    at = 0
    for _, line in hinted:
        joined_starts.append(at)
        at += len(line) + 1

    def original(offset: int) -> int:
        """Where an offset in `joined` is in the text."""
        index = bisect.bisect_right(joined_starts, offset) - 1
        return hinted[index][0] + offset - joined_starts[index]

    for detector in _secret_detectors():
        name = type(detector).__name__
        if name in _NEEDS:
            yield from _short_lines(detector, text, lines, _NEEDS[name])
            continue
        known = name in HINTED_DETECTORS
        scanned = joined if known else text
        if not scanned:
            continue
        for pattern in detector.denylist:
            for match in pattern.finditer(scanned):
                # The detector's own test of what it matched (a JWT must decode).
                if not any(True for _ in detector.analyze_string(match.group(0))):
                    continue
                start, end = _secret_span(match)
                if known:
                    start, end = original(start), original(end)
                yield Leak(SECRET, detector.secret_type, start, end, text[start:end])


def _short_lines(detector: Any, text: str, lines: _Lines, literal: str) -> Iterator[Leak]:
    if literal not in text:
        return
    for offset, line in lines.of(re.finditer(re.escape(literal), text)):
        if len(line) > _LONGEST_NEEDING:
            continue
        for pattern in detector.denylist:
            for match in pattern.finditer(line):
                start, end = _secret_span(match)
                yield Leak(
                    SECRET, detector.secret_type, offset + start, offset + end, line[start:end]
                )


def _secret_span(match: re.Match[str]) -> tuple[int, int]:
    """The secret itself where the pattern captures it (the password of a URL), else
    the whole match; a short capture is only a prefix (`ghp` of a GitHub token)."""
    for group in range(match.re.groups, 0, -1):
        start, end = match.span(group)
        if start >= 0 and end - start >= 6:
            return start, end
    return match.span()


def _emails(text: str) -> Iterator[Leak]:
    if "@" not in text:
        return
    for match in _EMAIL_RE.finditer(text):
        yield Leak(EMAIL, "e-mail address", match.start(), match.end(), match.group(0))


def _cards(text: str) -> Iterator[Leak]:
    for match in _CARD_RE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        if _CARD_START_RE.match(digits) and luhn_valid(digits):
            yield Leak(CARD, "payment card number", match.start(), match.end(), match.group(0))


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of card numbers: every second digit from the right doubled."""
    total = 0
    for place, char in enumerate(reversed(digits)):
        number = int(char)
        if place % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def _phones(text: str, lines: _Lines, region: str) -> Iterator[Leak]:
    """Phone numbers, on the lines that have a run of seven digits or more that is not
    an ISO date: libphonenumber is slow to scan prose, and dates are everywhere."""
    runs = (run for run in _PHONE_HINT_RE.finditer(text) if _may_be_phone(run.group(0)))
    hinted = lines.of(runs)
    if not hinted:
        return
    import phonenumbers

    for offset, line in hinted:
        for match in phonenumbers.PhoneNumberMatcher(
            line, region, leniency=phonenumbers.Leniency.VALID
        ):
            start = offset + match.start
            yield Leak(
                PHONE, "phone number", start, start + len(match.raw_string), match.raw_string
            )


def _may_be_phone(run: str) -> bool:
    return sum(c.isdigit() for c in run) >= 7 and not _ISO_DATE_RE.fullmatch(run)


def masked(leak: Leak) -> str:
    """What a message shows of a value: a well-known prefix of a long secret (`AKIA`),
    the first character of anything else, the rest as asterisks."""
    value = leak.value
    shown = 4 if leak.code == SECRET and len(value) >= 16 else 1
    return value[:shown] + "*" * min(max(len(value) - shown, 3), 12)


@dataclass
class _Places:
    """Where each finding is, as users read it: line, column, field, allowed codes."""

    document: Document
    front_end: int  # where the body starts in the text
    starts: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    _scalars: list[tuple[int, int, list[str | int], Node]] | None = None
    _body_allowed: dict[int, set[str]] | None = None

    def __post_init__(self) -> None:
        text = self.document.text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def field_and_span(self, offset: int) -> tuple[str, range]:
        """The front-matter field whose value holds `offset`, and its lines."""
        line = self.position(offset)[0]
        for start, end, path, node in self.scalars():
            if start <= offset < end:
                first = self.document.mark_position(node.start_mark)[0]
                last = self.document.mark_position(node.end_mark)[0]
                return field_name(path), range(first, max(first, last) + 1)
        return "", range(line, line + 1)

    def scalars(self) -> list[tuple[int, int, list[str | int], Node]]:
        """Every scalar value of the front-matter with its path and place in the text."""
        if self._scalars is None:
            self._scalars = []
            root = self.document.root
            if root is not None:
                base = self.starts[1] if len(self.starts) > 1 else 0  # after `---`
                for path, node in scalar_nodes(root, []):
                    self._scalars.append(
                        (base + node.start_mark.index, base + node.end_mark.index, path, node)
                    )
        return self._scalars

    def allowed(self, offset: int, span: range) -> set[str]:
        """The codes that `postmortem-allow` silences where `offset` is."""
        line = self.position(offset)[0]
        if offset < self.front_end:
            return {code for number in span for code in allowed_codes(self.lines[number - 1])}
        own = allowed_codes(self.lines[line - 1])
        return own | self.body_allowed().get(line - self.document.body_line, set())

    def body_allowed(self) -> dict[int, set[str]]:
        if self._body_allowed is None:
            self._body_allowed = Body(self.document).allowed
        return self._body_allowed


def scalar_nodes(root: Node, path: list[str | int]) -> Iterator[tuple[list[str | int], Node]]:
    """Each scalar value under `root` with its path; a node reached twice (an alias) is
    walked once, since the reader refused trees that expand too far."""
    seen: set[int] = set()
    stack: list[tuple[Node, list[str | int]]] = [(root, path)]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield where, node
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, ScalarNode) else "?"
                stack.append((value, [*where, str(name)]))
        elif isinstance(node, SequenceNode):
            stack.extend((item, [*where, number]) for number, item in enumerate(node.value))


def leak_problems(document: Document, settings: LeakSettings, *, draft: bool) -> list[Diagnostic]:
    """Each secret or piece of personal data in the file at its line and column: an
    error, a warning in a draft, unless allowed on its line or in the baseline."""
    return leak_findings(document, settings, draft=draft)[0]


def leak_findings(
    document: Document, settings: LeakSettings, *, draft: bool
) -> tuple[list[Diagnostic], dict[str, str]]:
    """The problems of `leak_problems`, and each value they report with its masked form,
    which is what a build that goes on (a draft's warning, `mkdocs serve`) publishes."""
    text = document.text
    if not text:
        return [], {}
    leaks = [leak for leak in find_leaks(text, settings.phone_region) if not settings.is_safe(leak)]
    if not leaks:
        return [], {}
    places = _Places(document, len(text) - len(document.body))
    problems = []
    withheld: dict[str, str] = {}
    for leak in leaks:
        if leak.start < places.front_end:
            name, span = places.field_and_span(leak.start)
        else:
            name, span = "", range(0)
        if leak.code in places.allowed(leak.start, span):
            continue
        line, column = places.position(leak.start)
        found = problem(
            leak.code,
            document.path,
            line,
            column,
            f"{leak.kind} {masked(leak)!r} would be published; remove or mask it; if it is "
            f"safe to publish, add `postmortem-allow {leak.code}` on its line or the value "
            "to the leak baseline",
            field=name,
        )
        problems.append(found if not draft else _as_warning(found))
        withheld[leak.value] = masked(leak)
    return problems, withheld


def _as_warning(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, severity=Severity.WARNING)
