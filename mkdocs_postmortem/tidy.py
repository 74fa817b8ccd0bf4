"""Remove what the `new` template left in a postmortem, and nothing else.

The template writes its guidance as `#|` lines in the front-matter and as
`<!-- template: ... -->` comments in the body (see `new_template`). Once the author has
filled in the keys they need, those lines are noise; `tidy` drops them and leaves every
other byte of the file as it was, so that a diff shows only the removed lines.
Used by `mkdocs-postmortem tidy` and by the language server's code action.
"""

from __future__ import annotations

import re

import yaml

from .new_template import COMMENT
from .reader import FrontMatterLoader, UnsupportedValue, construct

_OPENING_RE = re.compile(r"\ufeff?-{3}[ \t]*(?:\r\n|\r|\n)")
_CLOSING_RE = re.compile(r"(?:-{3}|\.{3})[ \t]*(?:\r\n|\r|\n)?")
# Lines as MkDocs and editors count them: ended by \n, \r\n or \r, and no other character.
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_TEMPLATE_COMMENT_START = re.compile(r"[ \t]*<!--\s*template:")
# A line that opens a block scalar (`summary: |`, `- >-`, `key: !tag |2  # note`): the
# lines indented under it are the author's text, `#|` or not. `node` is where the node
# holding the scalar starts; its text is indented further.
_BLOCK_SCALAR_RE = re.compile(
    r"""(?P<node>[ ]*(?:-[ ]+)*)(?:-|(?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?)[ \t]*:)"""
    r"""[ \t]+(?:[!&]\S*[ \t]+)*[|>][0-9+-]*[ \t]*(?:#.*)?(?:\r\n|\r|\n)?"""
)


def template_lines(text: str) -> list[range]:
    """The runs of lines (0-based, end excluded) that are the template's leftovers:
    `#|` lines inside the front-matter (not those inside a block scalar), body lines
    that hold nothing but a `<!-- template: ... -->` comment, and the blank line such a
    comment leaves doubled."""
    lines = split_lines(text)
    if not lines or not _OPENING_RE.fullmatch(lines[0]):
        return []
    removed: list[int] = []
    closing = None
    block: int | None = None  # inside a block scalar: its text's least indentation
    text_indent: int | None = None  # the indentation of the block's first line of text
    for number in range(1, len(lines)):
        line = lines[number]
        if _CLOSING_RE.fullmatch(line):
            closing = number
            break
        indent = len(line) - len(line.lstrip(" "))
        if block is not None:
            if not line.strip():
                continue  # a blank line belongs to the block scalar
            if text_indent is None and indent >= block:
                text_indent = indent
            if text_indent is not None and indent >= text_indent:
                continue  # the author's text
            block = None
        if line.lstrip(" \t").startswith(COMMENT):
            removed.append(number)
        elif (header := _BLOCK_SCALAR_RE.fullmatch(line)) is not None:
            block, text_indent = len(header["node"]) + 1, None
    if closing is None:  # not a front-matter MkDocs reads: touch nothing
        return []
    removed = _comments_only(lines[1:closing], removed)
    number = closing + 1
    while number < len(lines):
        end = _comment_end(lines, number)
        if end is None:
            number += 1
            continue
        removed.extend(range(number, end))
        blank_before = number > closing + 1 and not lines[number - 1].strip()
        if blank_before and end < len(lines) and not lines[end].strip():
            removed.append(end)  # the comment's paragraph: one blank line stays, not two
            end += 1
        number = end
    return _runs(removed)


def _comments_only(block: list[str], candidates: list[int]) -> list[int]:
    """The `#|` lines (numbered as in the file, whose line 1 is `block`'s first) whose
    removal leaves the front-matter's values as they are: not those inside a quoted
    text that runs over several lines, where YAML reads them as the author's words.
    All of them when the front-matter cannot be read (its problem is reported
    elsewhere; block scalars were told apart above)."""
    original = _values("".join(block))
    if original is None or not candidates:
        return candidates

    def without(numbers: set[int]) -> object:
        return _values("".join(line for n, line in enumerate(block, 1) if n not in numbers))

    if without(set(candidates)) == original:
        return candidates
    return [n for n in candidates if without({n}) == original]


def _values(block: str) -> object:
    """What YAML reads in a front-matter, as the check reads it; None if it cannot."""
    try:
        node = FrontMatterLoader(block).get_single_node()
        return construct(node) if node is not None else {}
    except (yaml.YAMLError, UnsupportedValue, RecursionError, ValueError):
        return None  # ValueError: text YAML cannot take (a lone surrogate, say)


def _comment_end(lines: list[str], start: int) -> int | None:
    """The line after a template comment that starts at `start` and is alone on its
    lines, or None when `start` does not begin one."""
    if not _TEMPLATE_COMMENT_START.match(lines[start]):
        return None
    for number in range(start, len(lines)):
        if "-->" in lines[number]:
            after = lines[number].split("-->", 1)[1]
            return number + 1 if not after.strip() else None
    return None  # never closed: the author's text may follow; leave it


def _runs(numbers: list[int]) -> list[range]:
    runs: list[range] = []
    for number in sorted(set(numbers)):
        if runs and runs[-1].stop == number:
            runs[-1] = range(runs[-1].start, number + 1)
        else:
            runs.append(range(number, number + 1))
    return runs


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its line break."""
    return _LINE_RE.findall(text)


def tidy(text: str) -> str:
    """`text` without the template's leftovers; every other character as it was."""
    runs = template_lines(text)
    if not runs:
        return text
    lines = split_lines(text)
    dropped = {number for run in runs for number in run}
    return "".join(line for number, line in enumerate(lines) if number not in dropped)
