"""Internal and public editions of the archive, from one source.

The public edition leaves out the body's internal blocks

    <!-- postmortem:internal -->
    ... names, ticket links, what only the organisation may read ...
    <!-- /postmortem:internal -->

and the fields the schema in force marks `x-visibility: internal` (built in:
`reviewers`, an action item's `owner` and `tracker`). Everything published is made
from the public view of each postmortem (`public_view`), made once right after its
check: pages, cards, listings, the owners page, search and the exports never see what
was left out. A value of an internal field still written elsewhere in the public view
(a reviewer named in the body, of this postmortem or any other: `archive_still_shown`)
is an error, PM610, since leaving it out would not hide it.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, problem
from .reader import Document
from .validation.fields import field_name

AUDIENCES = ("internal", "public")
OPEN = "<!-- postmortem:internal -->"
CLOSE = "<!-- /postmortem:internal -->"

# A marker alone on its line (as Markdown allows a block of HTML: up to three spaces).
_MARKER_RE = re.compile(r"^[ ]{0,3}<!--\s*(/?)postmortem:internal\s*-->\s*$")
_NEWLINE_RE = re.compile("\n")
_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
# A marker anywhere else: indented (in a list, an admonition), quoted, or with text on
# its line. Markdown would not see it as a block, so it hides nothing: an error, PM611.
_ANY_MARKER_RE = re.compile(r"<!--\s*/?postmortem:internal\s*-->")
MISPLACED = (
    "an internal block's marker must stand alone on its line, indented at most three "
    "spaces (not in a list, an admonition or a quote): here it hides nothing, and the "
    "public edition would show the text; put the markers on lines of their own around "
    "the whole list or admonition"
)
# Shorter values of internal fields are not looked for elsewhere: "QA" is a word too.
SHORTEST_CHECKED = 3

Shape = tuple[str, ...]


# A public text of the front-matter: line, column, field, value, and whether the value
# is written as is on that line (a plain scalar on one line), so a match has its column.
PublicScalar = tuple[int, int, str, str, bool]


@dataclass
class Removed:
    """What the public edition left out, counted for the build's summary line."""

    blocks: int = 0
    values: int = 0
    fields: set[str] = field(default_factory=set)  # as `action_items[].owner`
    postmortems: int = 0
    # What the archive-wide check (`archive_still_shown`) needs of one postmortem once it
    # is released: its internal values (each with its field), the public body's lines
    # as (line in the public body, line in the file) where they start again after a
    # block, and each public text of the front-matter with its place.
    internal: dict[str, str] = field(default_factory=dict)
    body_lines: list[tuple[int, int]] = field(default_factory=list)
    scalars: list[PublicScalar] = field(default_factory=list)

    def add(self, other: Removed) -> None:
        self.blocks += other.blocks
        self.values += other.values
        self.fields |= other.fields
        self.postmortems += other.postmortems

    def summary(self) -> str:
        names = ", ".join(sorted(self.fields)) or "none"
        return (
            f"public edition: left out {self.blocks} internal block(s) and {self.values} "
            f"value(s) of internal fields ({names}) from {self.postmortems} postmortem(s)"
        )


@dataclass(frozen=True)
class BodySplit:
    """The body's lines that are internal (markers included), and markers out of place."""

    internal: frozenset[int]
    blocks: int
    unbalanced: tuple[tuple[int, str], ...]  # (line index, what is wrong)


def split_body(body: str) -> BodySplit:
    """Find the internal blocks of a body; markers in fenced code or inline code are
    text. An opening marker never closed makes the rest of the body internal; a marker
    not alone on its line is out of place, and opens or closes nothing."""
    if "postmortem:internal" not in body:
        return BodySplit(frozenset(), 0, ())
    internal: set[int] = set()
    unbalanced: list[tuple[int, str]] = []
    opened: int | None = None
    blocks = 0
    fence = ""
    for index, line in enumerate(body.split("\n")):
        if opened is not None:
            internal.add(index)
        fenced = _FENCE_RE.match(line)
        if fence or fenced:
            if fence and fenced and fenced.group(1)[0] == fence[0]:
                fence = ""
            elif not fence and fenced:
                fence = fenced.group(1)
            continue
        marker = _MARKER_RE.match(line)
        if marker is None:
            if any(not _in_code_span(line, m.start()) for m in _ANY_MARKER_RE.finditer(line)):
                unbalanced.append((index, MISPLACED))
            continue
        closing = marker.group(1) == "/"
        if not closing and opened is None:
            opened = index
            internal.add(index)
            blocks += 1
        elif closing and opened is not None:
            opened = None
        elif closing:
            unbalanced.append((index, f"'{CLOSE}' without an opening '{OPEN}' before it"))
        else:
            unbalanced.append((index, f"'{OPEN}' inside an internal block; blocks do not nest"))
    if opened is not None:
        unbalanced.append(
            (opened, f"'{OPEN}' is never closed; add '{CLOSE}' where the internal part ends")
        )
    return BodySplit(frozenset(internal), blocks, tuple(sorted(unbalanced)))


def _in_code_span(line: str, at: int) -> bool:
    """Whether `at` is inside `inline code`: after an odd number of backticks. (Counting,
    not parsing: linear on any line, and a doubt makes it an error, never text.)"""
    return line.count("`", 0, at) % 2 == 1


def public_body(body: str, split: BodySplit | None = None) -> str:
    """The body without its internal blocks, each replaced by one empty line."""
    split = split or split_body(body)
    if not split.internal:
        return body
    kept: list[str] = []
    for index, line in enumerate(body.split("\n")):
        if index not in split.internal:
            kept.append(line)
        elif index - 1 not in split.internal:
            kept.append("")
    return "\n".join(kept)


# The internal fields as a tree of keys (`*` for list items), `True` where a field is
# internal: a walk of a front-matter carries its place in the tree, so that each value
# is classified in one step, and parts without internal fields are not walked at all.
Tree = dict[str, "Tree | bool"]


def tree_of(internal: Sequence[Shape]) -> Tree:
    tree: Tree = {}
    for shape in internal:
        node = tree
        for step in shape[:-1]:
            child = node.setdefault(step, {})
            if child is True:
                break
            assert isinstance(child, dict)
            node = child
        else:
            node[shape[-1]] = True
    return tree


def _step(place: Tree | bool | None, key: str | int) -> Tree | bool | None:
    """Where a child is in the tree of internal fields."""
    if place is None or place is True or place is False:
        return place or None
    return place.get("*" if isinstance(key, int) else key)


def public_data(data: Any, internal: Sequence[Shape], removed: Removed | None = None) -> Any:
    """A copy of the front-matter without internal fields; the parts that hold none
    are shared, not copied."""
    return _without(data, [], tree_of(internal), removed)


def _without(value: Any, path: list[str | int], place: Tree, removed: Removed | None) -> Any:
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            child = _step(place, key)
            if child is True:
                if removed is not None:
                    removed.values += sum(1 for _ in _texts(item)) or 1
                    removed.fields.add(_shape_name([*path, key]))
            elif isinstance(child, dict):
                kept[key] = _without(item, [*path, key], child, removed)
            else:
                kept[key] = item
        return kept
    if isinstance(value, list):
        child = _step(place, 0)
        if not isinstance(child, dict):
            return value
        return [_without(item, [*path, n], child, removed) for n, item in enumerate(value)]
    return value


def _shape_name(path: Sequence[str | int]) -> str:
    return field_name(["[]" if isinstance(step, int) else step for step in path]).replace(
        ".[]", "[]"
    )


def _texts(value: Any) -> Iterator[str]:
    """Every text inside a value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def internal_values(data: Any, internal: Sequence[Shape]) -> dict[str, str]:
    """The texts of a front-matter's internal fields worth looking for elsewhere, each
    with the field it is the value of (the first, if several)."""
    found: list[tuple[str, str]] = []
    _collect(data, [], tree_of(internal), found)
    values: dict[str, str] = {}
    for text, name in found:
        if len(text.strip()) >= SHORTEST_CHECKED:
            values.setdefault(text.strip(), name)
    return values


def _collect(value: Any, path: list[str | int], place: Tree, found: list[tuple[str, str]]) -> None:
    items: Iterator[tuple[str | int, Any]]
    if isinstance(value, dict):
        items = iter(value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        child = _step(place, key)
        if child is True:
            found.extend((text, field_name([*path, key])) for text in _texts(item))
        elif isinstance(child, dict):
            _collect(item, [*path, key], child, found)


def _public_scalars(root: Node, tree: Tree) -> Iterator[tuple[list[str | int], ScalarNode]]:
    """Each scalar value of the front-matter outside internal fields, with its path; a
    node reached twice (an alias) is walked once."""
    seen: set[int] = set()
    stack: list[tuple[Node, list[str | int], Tree | bool | None]] = [(root, [], tree)]
    while stack:
        node, path, place = stack.pop()
        if id(node) in seen or place is True:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield path, node
        elif isinstance(node, MappingNode):
            for key, child in node.value:
                name = str(key.value) if isinstance(key, ScalarNode) else "?"
                stack.append((child, [*path, name], _step(place, name)))
        elif isinstance(node, SequenceNode):
            stack.extend(
                (child, [*path, number], _step(place, number))
                for number, child in enumerate(node.value)
            )


def _values_regex(values: list[str]) -> re.Pattern[str]:
    """The values as written (case counts), as whole words; the longest first."""
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def edition_problems(
    document: Document, internal: Sequence[Shape], *, public: bool
) -> list[Diagnostic]:
    """Markers out of place (PM611), in every audience; and for the public edition, each
    value of an internal field that the public view would still show (PM610). Needs the
    document's nodes: run before it is released."""
    split = split_body(document.body)
    problems = [
        problem("PM611", document.path, document.body_line + index, 1, message)
        for index, message in split.unbalanced
    ]
    if not public or not isinstance(document.data, dict):
        return problems
    values = internal_values(document.data, internal)
    if not values:
        return problems
    pattern = _values_regex(list(values))
    for index, text in enumerate(document.body.split("\n")):
        if index in split.internal:
            continue
        for match in pattern.finditer(text):
            line = document.body_line + index
            problems.append(
                _still_shown(document.path, line, match.start() + 1, "", values[match.group(0)])
            )
    if document.root is not None:
        lines = document.text.split("\n")
        for path, node in _public_scalars(document.root, tree_of(internal)):
            if not isinstance(node.value, str):
                continue
            shown = pattern.search(node.value)
            if shown:
                line, column = _locate(document, lines, node, shown.group(0))
                problems.append(
                    _still_shown(
                        document.path, line, column, field_name(path), values[shown.group(0)]
                    )
                )
    return problems


def _still_shown(
    path: str, line: int, column: int, name: str, internal_field: str, other: str = ""
) -> Diagnostic:
    """PM610, naming the internal field whose value it is (and the postmortem, if
    another's), not the value."""
    of = f" of {other}" if other else ""
    where = "in a public field" if name else "in the body outside an internal block"
    advice = "leave it out of this field" if name else f"wrap it in '{OPEN}' ... '{CLOSE}'"
    return problem(
        "PM610",
        path,
        line,
        column,
        f"the value of the internal field {internal_field}{of} is written here, {where}: the "
        f"public edition would show it; {advice}, or rewrite it",
        field=name,
    )


def _locate(document: Document, lines: list[str], node: Node, text: str) -> tuple[int, int]:
    """Where `text` is written within a scalar's lines; the scalar's start if YAML
    folded it."""
    first = document.mark_position(node.start_mark)[0]
    last = document.mark_position(node.end_mark)[0]
    for number in range(first, max(first, last) + 1):
        if 0 < number <= len(lines):
            column = lines[number - 1].find(text)
            if column >= 0:
                return number, column + 1
    return document.mark_position(node.start_mark)


def withhold(document: Document, withheld: dict[str, str]) -> None:
    """Put the masked form of each leak found in place of the value, in the body and
    the front-matter that everything published is made from."""
    if not withheld:
        return
    document.withheld = withheld
    document.body = masked_text(document.body, withheld)
    if isinstance(document.data, dict):
        document.data = _masked_data(document.data, withheld)


def masked_text(text: str, withheld: dict[str, str]) -> str:
    for value in sorted(withheld, key=len, reverse=True):  # a longer one may hold a shorter
        if value in text:
            text = text.replace(value, withheld[value])
    return text


def masked_message(text: str, withheld: dict[str, str]) -> str:
    """`masked_text` for a message made from the raw front-matter by another rule: the
    value also as `repr` writes it, and a value cut short by "…" (`fields.shown`) also
    when only its beginning is left."""
    for value in sorted(withheld, key=len, reverse=True):
        for form in (value, repr(value)[1:-1]):
            if form in text:
                text = text.replace(form, withheld[value])
    if "…" not in text:
        return text
    parts = text.split("…")
    for number, part in enumerate(parts[:-1]):
        for value, mask in withheld.items():
            cut = next((k for k in range(len(value) - 1, 1, -1) if part.endswith(value[:k])), 0)
            if cut:
                parts[number] = part = part[:-cut] + mask
    return "…".join(parts)


def _masked_data(value: Any, withheld: dict[str, str]) -> Any:
    if isinstance(value, str):
        return masked_text(value, withheld)
    if isinstance(value, dict):
        # Keys too: an unknown key is exported as written.
        return {
            masked_text(key, withheld) if isinstance(key, str) else key: _masked_data(
                item, withheld
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked_data(item, withheld) for item in value]
    return value


def make_public(document: Document, internal: Sequence[Shape]) -> Removed:
    """Turn a checked document into its public view, in place: internal blocks out of
    the body, internal fields out of the front-matter. What was left out, counted."""
    removed = Removed()
    split = split_body(document.body)
    removed.blocks = split.blocks
    removed.body_lines = _anchors(split, document.body_line)
    document.body = public_body(document.body, split)
    if isinstance(document.data, dict):
        document.data = public_data(document.data, internal, removed)
    if removed.blocks or removed.values:
        removed.postmortems = 1
    return removed


def _anchors(split: BodySplit, body_line: int) -> list[tuple[int, int]]:
    """Where the public body's lines start again in the file: one pair at the start and
    after each block, which `public_body` replaced by one empty line."""
    anchors = [(0, body_line)]
    shown = 0
    for index in sorted(split.internal):
        if index - 1 not in split.internal:
            shown = index - (anchors[-1][1] - body_line) + anchors[-1][0]
            shown += 1  # the empty line in place of the block
        if index + 1 not in split.internal:
            anchors.append((shown, body_line + index + 1))
    return anchors


def keep_for_archive(document: Document, internal: Sequence[Shape], removed: Removed) -> None:
    """Keep in `removed` what the archive-wide PM610 needs of a document before it is
    released: its internal values and its public texts of the front-matter."""
    if isinstance(document.data, dict):
        removed.internal = internal_values(document.data, internal)
    if document.root is None:
        return
    for path, node in _public_scalars(document.root, tree_of(internal)):
        if isinstance(node.value, str) and len(node.value) >= SHORTEST_CHECKED:
            line, column = document.mark_position(node.start_mark)
            as_is = not node.style and document.mark_position(node.end_mark)[0] == line
            # The same few field names recur in every postmortem: one copy of each.
            name = sys.intern(field_name(path))
            removed.scalars.append((line, column, name, node.value, as_is))


# The first word of a value: the archive-wide check looks only where one of them is.
_WORD_RE = re.compile(r"\w+")


def archive_still_shown(checked: Sequence[tuple[Document, Removed]]) -> list[Diagnostic]:
    """PM610 across postmortems: a value of any postmortem's internal fields written in
    another's public view (a reviewer of one named in another's body). A postmortem's
    own values are `edition_problems`' (with their exact column). One scan of each
    public text for the first words of every value, then a comparison where one is:
    linear in the archive, whatever the number of values."""
    owners: dict[str, tuple[str, str]] = {}  # value: (its field, its postmortem)
    for document, removed in sorted(checked, key=lambda pair: pair[0].path):
        for value, name in removed.internal.items():
            owners.setdefault(value, (name, document.path))
    # Each value under its first word, by where that word is in it and its length: at a
    # place where the word is, one look-up per such pair, however many values share it.
    by_word: dict[str, dict[tuple[int, int], set[str]]] = {}
    for value in owners:
        word = _WORD_RE.search(value)
        if word:
            shapes = by_word.setdefault(word.group(), {})
            shapes.setdefault((word.start(), len(value)), set()).add(value)
    if not by_word:
        return []
    longest_first = {
        word: sorted(shapes.items(), key=lambda shape: -shape[0][1])
        for word, shapes in by_word.items()
    }
    alternatives = "|".join(re.escape(w) for w in sorted(by_word, key=len, reverse=True))
    words = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def found(text: str, own: dict[str, str]) -> Iterator[tuple[int, str]]:
        """Each other postmortem's value in `text`, as whole words: where, which."""
        end = 0
        for word in words.finditer(text):
            for (offset, length), values in longest_first[word.group()]:
                start = word.start() - offset
                value = text[start : start + length] if start >= end else ""
                if (
                    value in values
                    and not (start and _WORD_RE.match(text, start - 1, start))
                    and not _WORD_RE.match(text, start + length)
                ):
                    end = start + length
                    if value not in own:
                        yield start, value
                    break

    problems = []
    for document, removed in checked:
        shown = [(start, value) for start, value in found(document.body, removed.internal)]
        if shown:
            starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(document.body)]
            for start, value in shown:
                index = bisect.bisect_right(starts, start) - 1
                anchor = bisect.bisect_right(removed.body_lines, (index, 1 << 62)) - 1
                at, line = removed.body_lines[max(anchor, 0)]
                name, where = owners[value]
                problems.append(
                    _still_shown(
                        document.path,
                        line + index - at,
                        start - starts[index] + 1,
                        "",
                        name,
                        where,
                    )
                )
        for line, column, name_here, text, as_is in removed.scalars:
            for start, value in found(text, removed.internal):
                name, where = owners[value]
                problems.append(
                    _still_shown(
                        document.path,
                        line,
                        column + start if as_is else column,
                        name_here,
                        name,
                        where,
                    )
                )
                break
    return problems


def published_page(
    markdown: str,
    meta: Mapping[str, Any],
    withheld: dict[str, str],
    internal: Sequence[Shape] | None,
) -> tuple[str, dict[str, Any]]:
    """What a page that MkDocs read itself (a postmortem with problems) publishes: the
    same as `withhold` and, for the public edition (`internal` given), `make_public`
    make of a document."""
    data: dict[str, Any] = _masked_data(dict(meta), withheld) if withheld else dict(meta)
    if withheld:
        markdown = masked_text(markdown, withheld)
    if internal is not None:
        return public_body(markdown), public_data(data, internal)
    return markdown, data
