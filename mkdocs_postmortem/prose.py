"""Postmortem ids mentioned in the Markdown body, outside code and existing links.

The same scan finds unknown ids (a rule, reported by the build and the CLI alike) and
turns known ids into links (when the page is rendered).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
# Inline code, Markdown links and images, autolinks and raw HTML tags: never touched.
# Bounded runs keep the scan linear on a line of a thousand unclosed brackets.
_PROTECTED_RE = re.compile(
    r"(`{1,10})(?:.{1,500}?)\1"  # inline code
    r"|!?\[[^\]\n]{0,500}\]\([^)\n]{0,500}\)"  # [text](target), ![alt](src)
    r"|\[[^\]\n]{0,500}\]\[[^\]\n]{0,500}\]"  # [text][ref]
    r"|<[^>\n]{1,500}>"  # <https://...>, <tag attr>
)


@dataclass(frozen=True)
class Mention:
    """An id in the body: 0-based line within the body, 0-based column, the id."""

    line: int
    column: int
    id: str


def mention_regex(id_regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """The id pattern without its anchors, as a whole word; None when it cannot be."""
    core = id_regex.pattern.removeprefix("^").removesuffix("$")
    try:
        return re.compile(rf"(?<![\w/.-])(?:{core})(?![\w-])")
    except re.error:
        return None


def _scan_line(line: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, bool]]:
    """(start, end, linkable) of each id-shaped token of one line."""
    starts, ends = [], []
    for protected in _PROTECTED_RE.finditer(line):  # in order, never overlapping
        starts.append(protected.start())
        ends.append(protected.end())
    for match in pattern.finditer(line):
        before = bisect.bisect_right(starts, match.start()) - 1
        inside = before >= 0 and match.start() < ends[before]
        yield match.start(), match.end(), not inside


def mentions(
    body: str, pattern: re.Pattern[str], prefixes: Iterable[str] = ()
) -> Iterator[Mention]:
    """Every id-shaped token of the body outside fenced code blocks; with `prefixes`,
    only lines that hold one of them are scanned (the others cannot have a match)."""
    needles = tuple(prefixes)
    if needles and not any(needle in body for needle in needles):
        return
    for number, line in _prose_lines(body):
        if needles and not any(needle in line for needle in needles):
            continue
        for start, end, _ in _scan_line(line, pattern):
            yield Mention(number, start, line[start:end])


def link_mentions(
    body: str,
    pattern: re.Pattern[str],
    href: Callable[[str], str | None],
    prefixes: Iterable[str] = (),
) -> str:
    """The body with each mention of a known id (outside code and links) made a link;
    with the `prefixes` of the known ids, only lines that hold one are scanned."""
    needles = tuple(prefixes)
    if needles and not any(needle in body for needle in needles):
        return body
    lines = body.split("\n")
    for number, line in _prose_lines(body):
        if needles and not any(needle in line for needle in needles):
            continue
        pieces, last = [], 0
        for start, end, linkable in _scan_line(line, pattern):
            target = href(line[start:end]) if linkable else None
            if target is None:
                continue
            pieces += [line[last:start], f"[{line[start:end]}]({target})"]
            last = end
        if pieces:
            lines[number] = "".join(pieces) + line[last:]
    return "\n".join(lines)


def id_prefix(incident_id: str) -> str:
    """The letters an id starts with (`AIPM` of `AIPM-2024-0001`): a line without the
    prefix of any known id cannot mention one."""
    return re.split(r"[^A-Za-z]", incident_id, maxsplit=1)[0]


def _prose_lines(body: str) -> Iterator[tuple[int, str]]:
    fence = ""
    for number, line in enumerate(body.split("\n")):
        match = _FENCE_RE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        yield number, line
