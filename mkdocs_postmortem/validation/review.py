"""Review rules: is the postmortem finished, and is it written without blame?

Completeness (required sections with real text, no placeholder left) is an error from
the statuses that require it; blaming language and single-cause stories are warnings,
so `mkdocs build --strict` refuses them. Code, block quotes and suppressed lines or
sections are never checked for language.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node, ScalarNode

from ..diagnostics import Diagnostic, problem
from ..reader import Document
from ..schema import SchemaInForce
from ..tidy import split_lines
from ..tidy import template_lines as tidied_lines
from .fields import field_name, problem_at, shown
from .language import LanguageRule, findings, triggered_lines

DEFAULT_SECTIONS = {"in_review": ["What happened", "Analysis"]}

_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_INLINE_CODE_RE = re.compile(r"(`{1,10})(?:.{1,500}?)\1")  # bounded: linear on stray backticks
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.MULTILINE)
_BLOCK_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_NEWLINE_RE = re.compile("\n")
_ALLOW_RE = re.compile(r"postmortem-allow\s+((?:PM[0-9]{3}[\s,]*)+)")
# Each with the lowercase text it holds: a file without any is not scanned for it.
_PLACEHOLDER_RES = (
    (
        re.compile(r"\b(?:TODO|TBD|FIXME|XXX)\b"),
        "placeholder {}",
        ("todo", "tbd", "fixme", "xxx"),
    ),
    (re.compile(r"\blorem ipsum\b", re.IGNORECASE), "placeholder text {}", ("lorem",)),
    (
        re.compile(r"<!--\s*template:.*?(?:-->|$)", re.MULTILINE),
        "template comment {} left in",
        ("<!--",),
    ),
)
# `<...>`, or `<words with spaces>`; one run of characters, so the scan stays linear.
_SLOT_RE = re.compile(r"<(?:\.\.\.|([a-zA-Z][^<>\n=\"'/]{0,200}))>")
_HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "br",
        "code",
        "del",
        "details",
        "div",
        "em",
        "figure",
        "figcaption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "video",
        "audio",
        "source",
        "picture",
        "iframe",
        "dl",
        "dt",
        "dd",
        "time",
    ]
)
_TEMPLATE_COMMENT = "#|"

# Front-matter prose checked for blaming language, besides the lists below.
_PROSE_FIELDS = ("title", "summary", "attribution", "no_action_rationale")


@dataclass(frozen=True)
class ReviewSettings:
    """What the review rules need: required sections, an organisation's phrases, and the
    statuses of the schema in force (the built-in one unless given)."""

    sections: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_SECTIONS))
    phrases: tuple[LanguageRule, ...] = ()
    lifecycle: tuple[str, ...] = field(default_factory=lambda: SchemaInForce.builtin().lifecycle())
    published: tuple[str, ...] = field(
        default_factory=lambda: SchemaInForce.builtin().published_statuses()
    )

    @classmethod
    def of(
        cls,
        schema: SchemaInForce,
        sections: dict[str, list[str]] | None = None,
        phrases: tuple[LanguageRule, ...] = (),
    ) -> ReviewSettings:
        """Settings whose statuses are those of `schema`."""
        return cls(
            sections=dict(DEFAULT_SECTIONS) if sections is None else sections,
            phrases=phrases,
            lifecycle=schema.lifecycle(),
            published=schema.published_statuses(),
        )

    def sections_for(self, status: str) -> list[str]:
        """The sections required in `status`: those of every status up to it."""
        if status not in self.lifecycle:
            return []
        reached = self.lifecycle[: self.lifecycle.index(status) + 1]
        return [s for key, names in self.sections.items() if key in reached for s in names]


def review_problems(document: Document, settings: ReviewSettings) -> list[Diagnostic]:
    data = document.data
    if not isinstance(data, dict):
        return []
    status = data.get("status")
    status = status if isinstance(status, str) else ""
    lines = Body(document)
    problems = list(_sections(document, lines, settings.sections_for(status)))
    if status in settings.published:
        problems += _placeholders(document, lines)
        problems += _nudges(document, data)
    problems += _body_language(document, lines, settings.phrases)
    problems += _front_matter_language(document, data, settings.phrases)
    return problems


class Body:
    """The body's lines, with what is code, quote, or silenced for which rule.

    Most lines are plain prose: cheap tests of a line's first characters, and of the
    whole body for comments, backticks and `postmortem-allow`, keep the regular
    expressions for the few lines that can match them.
    """

    def __init__(self, document: Document) -> None:
        body = document.body
        self.first_line = document.body_line
        self.lines = body.split("\n")
        # The text with HTML comments blanked, also those over several lines.
        self.text_lines = (
            _BLOCK_COMMENT_RE.sub(_spaces, body).split("\n") if "<!--" in body else self.lines
        )
        self.code: set[int] = set()
        self.headings: list[tuple[int, int, str]] = []  # (index, level, text)
        self.allowed: dict[int, set[str]] = {}
        may_allow = "postmortem-allow" in body
        fence = ""
        section_allow: list[tuple[int, set[str]]] = []  # (heading level, codes)
        for index, line in enumerate(self.lines):
            match = _FENCE_RE.match(line) if line[:4].lstrip(" ")[:1] in _FENCE_STARTS else None
            if fence or match:
                self.code.add(index)
                if fence and match and match.group(1)[0] == fence[0]:
                    fence = ""
                elif not fence and match:
                    fence = match.group(1)
                if section_allow:  # a section's allowance covers its code (leak checks)
                    self.allowed[index] = set().union(*(c for _, c in section_allow))
                continue
            heading = _HEADING_RE.match(line) if line[:1] == "#" else None
            if heading:
                level = len(heading.group(1))
                self.headings.append((index, level, heading.group(2)))
                section_allow = [(lvl, codes) for lvl, codes in section_allow if lvl < level]
            if not may_allow:
                continue
            allow = _ALLOW_RE.search(line)
            codes = set(allow.group(1).replace(",", " ").split()) if allow else set()
            if allow and _COMMENT_RE.sub("", line).strip() == "":
                # A comment alone on its line silences the rest of its section.
                level = self.headings[-1][1] if self.headings else 0
                section_allow.append((level, codes))
            self.allowed[index] = codes.union(*(c for _, c in section_allow))

    def prose(self) -> list[str]:
        """Every line, with code, quotes and comments blanked to nothing."""
        return _without_inline_code(
            [
                "" if index in self.code or (">" in line and line.lstrip()[:1] == ">") else line
                for index, line in enumerate(self.text_lines)
            ]
        )

    def searchable(self) -> list[str]:
        """Every line as written, with code blanked: where placeholders are looked for."""
        return _without_inline_code(
            ["" if index in self.code else line for index, line in enumerate(self.lines)]
        )

    def file_line(self, index: int) -> int:
        return self.first_line + index


_FENCE_STARTS = ("`", "~")


def _without_inline_code(lines: list[str]) -> list[str]:
    """The lines with inline code blanked, in one pass: a code span never crosses a line."""
    text = "\n".join(lines)
    if "`" not in text:
        return lines
    return _blank(_INLINE_CODE_RE, text).split("\n")


def _spaces(match: re.Match[str]) -> str:
    """The matched text as spaces, keeping its line breaks."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _sections(document: Document, body: Body, required: list[str]) -> Iterator[Diagnostic]:
    found = {text.strip().lower(): (index, level) for index, level, text in body.headings}
    for name in required:
        where = found.get(name.lower())
        if where is None:
            yield problem(
                "PM301",
                document.path,
                body.first_line,
                1,
                f"the section '## {name}' is missing; it is required from this status on",
            )
            continue
        index, level = where
        if not _has_text(body, index, level):
            yield problem(
                "PM302",
                document.path,
                body.file_line(index),
                1,
                f"the section '{name}' has no text yet; write a few sentences",
            )


def _has_text(body: Body, heading: int, level: int) -> bool:
    """Real text under a heading: a line of three words or more, not a placeholder."""
    for index in range(heading + 1, len(body.lines)):
        match = _HEADING_RE.match(body.lines[index])
        if match and index not in body.code and len(match.group(1)) <= level:
            return False
        text = _SLOT_RE.sub(lambda m: " " if _is_slot(m) else m.group(0), body.text_lines[index])
        for pattern, _, _ in _PLACEHOLDER_RES:
            text = pattern.sub(" ", text)
        if len(re.findall(r"\w+", text)) >= 3:
            return True
    return False


def _placeholders(document: Document, body: Body) -> Iterator[Diagnostic]:
    """Placeholders anywhere in the file outside code, found in one scan of the file."""
    front = document.text[: len(document.text) - len(document.body)]
    if _TEMPLATE_COMMENT in front:
        # The lines `tidy` removes, no more: a `#|` line inside a block scalar is text.
        lines = split_lines(front)
        template_lines = [
            (number, lines[number].index("#") + 1)
            for run in tidied_lines(document.text)
            for number in run
            if number < len(lines)
        ]
        if template_lines:
            # One finding for the whole block: the template leaves about a hundred such lines.
            (number, column), count = template_lines[0], len(template_lines)
            yield problem(
                "PM303",
                document.path,
                number + 1,
                column,
                f"{count} template line(s) starting with '#|' left in, from here on; "
                "delete them once the keys you need are filled in",
            )
            template = {number for number, _ in template_lines}
            front = "".join(
                line[len(line.rstrip("\r\n")) :] if number in template else line
                for number, line in enumerate(lines)
            )
    text = front + "\n".join(body.searchable())
    lowered = text.lower()
    found = [
        (
            match.start(),
            message.format(shown(match.group(0))) + "; a published postmortem is finished",
        )
        for pattern, message, needles in _PLACEHOLDER_RES
        if any(needle in lowered for needle in needles)
        for match in pattern.finditer(text)
    ]
    if "<" in text:
        slots = _blank(_COMMENT_RE, text) if "<!--" in text else text
        found += [
            (match.start(), f"template slot {shown(match.group(0))} not filled in")
            for match in _SLOT_RE.finditer(slots)
            if _is_slot(match)
        ]
    if not found:
        return
    starts = [0] + [match.end() for match in _NEWLINE_RE.finditer(text)]
    for offset, message in found:
        line, column = _where(starts, offset)
        yield problem("PM303", document.path, line, column, message)


def _is_slot(match: re.Match[str]) -> bool:
    """`<...>`, or words with a space that are not an HTML tag with attributes."""
    inside = match.group(1)
    if inside is None:
        return True
    words = inside.split()
    return len(words) > 1 and words[0].lower() not in _HTML_TAGS


def _where(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of an offset, from the offsets where lines start."""
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


def _body_language(
    document: Document, body: Body, phrases: tuple[LanguageRule, ...]
) -> Iterator[Diagnostic]:
    prose = body.prose()
    hot = triggered_lines(prose)
    for index, text in enumerate(prose):
        rules = hot.get(index, frozenset())
        if not rules and not (phrases and text):
            continue
        for finding in findings(text, extra=phrases, rules=rules):
            if finding.code in body.allowed.get(index, ()):
                continue
            yield problem(
                finding.code,
                document.path,
                body.file_line(index),
                finding.start + 1,
                finding.message,
            )


def _prose_fields(data: dict[str, Any]) -> Iterator[tuple[list[str | int], Any, bool]]:
    for name in _PROSE_FIELDS:
        yield [name], data.get(name), False
    impact = data.get("impact")
    if isinstance(impact, dict):
        yield ["impact", "description"], impact.get("description"), False
    for key, inner in (("contributing_factors", "description"), ("timeline", "event")):
        for index, entry in enumerate(_list(data.get(key))):
            if isinstance(entry, dict):
                yield [key, index, inner], entry.get(inner), False
    for index, item in enumerate(_list(data.get("action_items"))):
        if isinstance(item, dict):
            yield ["action_items", index, "title"], item.get("title"), True
            yield ["action_items", index, "reason"], item.get("reason"), False
    for index, question in enumerate(_list(data.get("open_questions"))):
        yield ["open_questions", index], question, False


def _front_matter_language(
    document: Document, data: dict[str, Any], phrases: tuple[LanguageRule, ...]
) -> Iterator[Diagnostic]:
    fields = [(path, value, item) for path, value, item in _prose_fields(data) if value]
    hot = triggered_lines([value if isinstance(value, str) else "" for _, value, _ in fields])
    lines: list[str] = []
    for number, (path, value, is_item) in enumerate(fields):
        rules = hot.get(number, frozenset())
        if not isinstance(value, str) or not (rules or phrases):
            continue
        found = list(findings(value, action_item=is_item, extra=phrases, rules=rules))
        if not found:
            continue
        lines = lines or document.text.split("\n")
        node = document.node_at(path)
        span = _span(document, node)
        allowed = {c for n in span for c in _allowed_in_yaml(lines[n - 1])}
        for finding in found:
            if finding.code in allowed:
                continue
            line, column = _locate(document, lines, span, value[finding.start : finding.end], node)
            yield problem(
                finding.code, document.path, line, column, finding.message, field=field_name(path)
            )


def _span(document: Document, node: Node | None) -> range:
    if node is None:
        return range(1, 2)
    first = document.mark_position(node.start_mark)[0]
    last = document.mark_position(node.end_mark)[0]
    return range(first, max(first, last) + 1)


def _allowed_in_yaml(line: str) -> set[str]:
    return allowed_codes(line) if "#" in line else set()


def allowed_codes(line: str) -> set[str]:
    """The codes a `postmortem-allow` comment on the line names, if any."""
    allow = _ALLOW_RE.search(line) if "postmortem-allow" in line else None
    return set(allow.group(1).replace(",", " ").split()) if allow else set()


def _locate(
    document: Document, lines: list[str], span: range, phrase: str, node: Node | None
) -> tuple[int, int]:
    """Where a phrase of a value is written; the value's start if YAML folded it."""
    needle = phrase.lower()
    for number in span:
        if 0 < number <= len(lines):
            column = lines[number - 1].lower().find(needle)
            if column >= 0:
                return number, column + 1
    if isinstance(node, ScalarNode):
        return document.mark_position(node.start_mark)
    return span.start, 1


_PERSON_CAUSE_RE = re.compile(
    r"\b(?i:caused by|due to|because of|the fault of|the responsibility of|responsible(?: for)?|"
    r"blame(?:d)? on)\s+(?:the\s+|an?\s+|our\s+)?(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?|"
    r"(?:\w+[- ])?(?:engineer|developer|operator|on-?call|reviewer|analyst|team|intern|"
    r"contractor|employee|moderator|lawyer|associate))\b"
)
_LAYER_WORDS_RE = re.compile(
    r"\b(?:model|data|prompt|retriev\w*|guardrail|tool\w*|process|oversight|design|"
    r"monitoring|evaluation|vendor|review)\b",
    re.IGNORECASE,
)


def _nudges(document: Document, data: dict[str, Any]) -> Iterator[Diagnostic]:
    layers = {
        f.get("layer")
        for f in _list(data.get("contributing_factors"))
        if isinstance(f, dict) and isinstance(f.get("layer"), str)
    }
    if len(layers) == 1:
        (layer,) = layers
        yield problem_at(
            document,
            "PM310",
            ["contributing_factors"],
            f"every contributing factor is in the {layer!r} layer; which model, data, prompt, "
            "guardrail or process conditions also contributed?",
        )
    attribution = data.get("attribution")
    if isinstance(attribution, str):
        match = _PERSON_CAUSE_RE.search(attribution)
        if match and len(set(m.lower() for m in _LAYER_WORDS_RE.findall(attribution))) < 2:
            yield problem_at(
                document,
                "PM311",
                ["attribution"],
                f"the attribution names one cause ({match.group(0)!r}); describe how model "
                "behaviour, system design and operator actions together led to the incident",
            )


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []
