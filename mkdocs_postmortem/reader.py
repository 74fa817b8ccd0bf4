"""Read a postmortem: split the front-matter as MkDocs does, parse it keeping line marks.

MkDocs swallows every YAML error and yields an empty `page.meta`, so the plugin reads each
file again here, with a loader made for a schema: timestamps stay text, only `true` and
`false` are booleans, keys must be unique text, and aliases cannot blow up.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, problem

# The same expression as `mkdocs.utils.meta.YAML_RE`, so both see the same block.
FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)
_OPENING_RE = re.compile(r"^-{3}[ \t]*\n")
_EMPTY_RE = re.compile(r"^-{3}[ \t]*\n(?:\.{3}|-{3})[ \t]*(?:\n|$)")

# The mark of the `new` template's lines (see `new_template.COMMENT`).
TEMPLATE_MARK = "#|"
MAX_DEPTH = 64
MAX_VALUES = 50_000

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_NEWLINE_RE = re.compile("\n")
_MERGE = "tag:yaml.org,2002:merge"

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class FrontMatterLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe parser and composer with YAML 1.2-like implicit types.

    Dates stay text (the schema checks their form), `yes`/`no`/`on`/`off` stay text,
    `0755` stays text. Values are built by `construct`, not by PyYAML's constructor.
    """

    # A fresh table, so the resolvers below replace PyYAML's YAML 1.1 ones.
    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node; PyYAML's, without path resolvers, which it runs per scalar."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    # PyYAML's path resolvers, which libyaml's composer calls around every node; the
    # format has none.
    def descend_resolver(self, current_node: Node | None, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def _resolve(tag: str, pattern: str, first: str) -> None:
    FrontMatterLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolve("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolve("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])  # type: ignore[arg-type]
_resolve("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789")
_resolve(
    "tag:yaml.org,2002:float",
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    "-+0123456789.",
)
_resolve(_MERGE, r"^(?:<<)$", "<")


class UnsupportedValue(Exception):
    """A node that has no value in the format's JSON-shaped data model."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node


_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def _scalar(node: ScalarNode) -> Any:
    tag, text = node.tag, node.value
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return text
    if tag == "tag:yaml.org,2002:null":
        if text in ("", "~", "null", "Null", "NULL"):
            return None
    elif tag == "tag:yaml.org,2002:bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif tag == "tag:yaml.org,2002:int":
        with contextlib.suppress(ValueError):
            return int(text)
    elif tag == "tag:yaml.org,2002:float":
        if text.lower() in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[text.lower()]
        with contextlib.suppress(ValueError):
            return float(text)
    else:
        raise _unsupported_tag(node)
    raise UnsupportedValue(node, f"{text!r} cannot be read as {tag.rsplit(':', 1)[-1]}")


def construct(node: Node) -> Any:
    """The value of a node: text, numbers, true/false, null, lists and mappings.

    Faster than PyYAML's generator-based constructor, and it knows the graph was
    checked already: no loops, bounded size and depth.
    """
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return [construct(item) for item in node.value]
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        merged: dict[str, Any] = {}
        explicit: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                # Earlier mappings of a merge list win over later ones; explicit keys over all.
                for source in reversed(_merged_mappings(value_node)):
                    merged.update(construct(source))
            else:
                explicit[key_node.value] = construct(value_node)
        return {**merged, **explicit} if merged else explicit
    raise _unsupported_tag(node)


def _unsupported_tag(node: Node) -> UnsupportedValue:
    return UnsupportedValue(
        node,
        f"unsupported YAML tag {node.tag!r}; only plain text, numbers, true/false, lists "
        "and mappings are allowed",
    )


Path = Sequence[str | int]


@dataclass
class Document:
    """A postmortem as read: values, the YAML nodes behind them, and the body.

    After `release` (the check does it), the nodes and the file's text are gone; the
    values, the body and the problems stay.
    """

    path: str
    text: str = ""
    data: dict[str, Any] | None = None
    root: MappingNode | None = None
    body: str = ""
    body_line: int = 1
    problems: list[Diagnostic] = field(default_factory=list)
    # Values the leak checks found, each with the masked form that is published instead
    # (`edition.withhold`): never the value, even when a warning lets the build go on.
    withheld: dict[str, str] = field(default_factory=dict)

    block: str = ""  # the front-matter's YAML, as parsed
    # Built on first use, so that a file with many problems is still read in linear time.
    _keys: dict[int, dict[str, tuple[Node, Node]]] = field(default_factory=dict, repr=False)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)  # with template lines
    _kept: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict, repr=False)

    def release(self, keep: Sequence[Path] = ()) -> None:
        """Drop the YAML nodes and the file's text once the document is checked, keeping
        the positions of `keep`: an archive's node trees would otherwise all stay in
        memory until its last file is read (about 65 MB a thousand postmortems)."""
        self._kept = {tuple(path): self.position(path) for path in keep}
        self.root = None
        self.block = self.text = ""
        self._keys = {}
        self._line_starts = []
        self._lines = None

    def node_at(self, path: Path, *, key: bool = False) -> Node | None:
        """The deepest node along `path`; with `key`, the key node of the last step."""
        node: Node | None = self.root
        for index, step in enumerate(path):
            last = index == len(path) - 1
            if isinstance(node, MappingNode) and isinstance(step, str):
                pair = self._pair(node, step)
                if pair is None:
                    return node
                node = pair[0] if key and last else pair[1]
            elif isinstance(node, SequenceNode) and isinstance(step, int):
                if not 0 <= step < len(node.value):
                    return node
                node = node.value[step]
            else:
                return node
        return node

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column in the file of the value (or key) at `path`."""
        if self.root is None and not key and tuple(path) in self._kept:
            return self._kept[tuple(path)]
        node = self.node_at(path, key=key)
        if node is None:
            return 1, 1
        return self.mark_position(node.start_mark)

    def mark_position(self, mark: Mark) -> tuple[int, int]:
        """1-based line and column in the file of a place in the YAML block.

        From the mark's character index, not its line: YAML also breaks lines at
        U+0085, U+2028 and U+2029, which editors and MkDocs do not.
        """
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(self.block)]
        index = min(mark.index, len(self.block))
        line = bisect.bisect_right(self._line_starts, index) - 1
        # Line 1 of the block is line 2 of the file, after the opening `---`.
        return line + 2, index - self._line_starts[line] + 1

    def _pair(self, mapping: MappingNode, name: str) -> tuple[Node, Node] | None:
        """The key and value nodes of `name`, explicit keys first, then merged ones."""
        keys = self._keys.get(id(mapping))
        if keys is None:
            keys = self._keys[id(mapping)] = {
                key.value: (key, value)
                for key, value in mapping.value
                if isinstance(key, ScalarNode) and key.tag == _STR
            }
        found = keys.get(name)
        if found is None:
            for key_node, value_node in mapping.value:
                if key_node.tag == _MERGE:
                    for merged in _merged_mappings(value_node):
                        found = self._pair(merged, name) or found
        return found

    def template_line(self, parent: Path, name: str) -> tuple[int, int] | None:
        """Where the `new` template's commented line of the key `name` of the mapping at
        `parent` is (`#| detected: ...`), if the file still holds it: the line that,
        without its `#| `, would put the key in that mapping. Line and column of `#|`."""
        if self._lines is None:  # once: a file may miss a key in thousands of items
            self._lines = self.block.split("\n") if TEMPLATE_MARK in self.block else []
        lines = self._lines
        if self.root is None or not lines:
            return None
        mapping = self.node_at(parent) if parent else self.root
        if not isinstance(mapping, MappingNode) or (parent and mapping is self.root):
            return None
        column = mapping.start_mark.column if parent else 0
        owner = self.node_at(parent, key=True) if parent and isinstance(parent[-1], str) else None
        first = (owner or mapping).start_mark.line if parent else 0
        key = re.compile(rf"( *)(- +)?{re.escape(name)} *:(?: |$)")
        for number in range(first, len(lines)):
            line = lines[number]
            stripped = line.lstrip(" ")
            indent = len(line) - len(stripped)
            if number > first and stripped and not stripped.startswith("#") and indent < column:
                break  # the mapping ended
            mark = line.find(TEMPLATE_MARK)
            if mark < 0 or line[:mark].strip():
                continue
            # What the author gets by deleting the mark and the space after it.
            after = line[mark + len(TEMPLATE_MARK) :]
            found = key.match(line[:mark] + after.removeprefix(" "))
            if found and len(found.group(1)) + len(found.group(2) or "") == column:
                return number + 2, mark + 1
        return None

    def source_text(self, path: Path) -> str | None:
        """The scalar as written, e.g. `1.10` where YAML made the number 1.1."""
        node = self.node_at(path)
        if isinstance(node, ScalarNode) and len(path) > 0:
            return str(node.value)
        return None


def _merged_mappings(node: Node) -> list[MappingNode]:
    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode):
        return [item for item in node.value if isinstance(item, MappingNode)]
    return []


def read(path: str, raw: bytes | OSError) -> Document:
    """Read one postmortem file. Problems go into `Document.problems`; nothing raises."""
    document = Document(path)
    if isinstance(raw, OSError):
        reason = raw.strerror or str(raw)
        document.problems.append(problem("PM000", path, 1, 1, f"cannot read the file: {reason}"))
        return document
    # As MkDocs does (utf-8-sig), a BOM is dropped; positions count from after it.
    content = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(content, error.start)
        document.problems.append(
            problem(
                "PM001",
                path,
                line,
                column,
                f"byte 0x{content[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
            )
        )
        return document
    # MkDocs reads files with universal newlines; line numbers must match what it sees.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    document.text = text
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        document.problems.append(_missing_front_matter(path, text))
        document.body = text
        return document
    document.body = text[match.end() :]
    document.body_line = text.count("\n", 0, match.end()) + 1
    _parse(document, match.group(1))
    return document


def _missing_front_matter(path: str, text: str) -> Diagnostic:
    if _EMPTY_RE.match(text):
        return problem(
            "PM004", path, 1, 1, "the front-matter is empty; start with id, title, status"
        )
    if _OPENING_RE.match(text):
        return problem(
            "PM003",
            path,
            1,
            1,
            "the front-matter opened here is never closed by a '---' line"
            " (followed by a line break)",
        )
    return problem(
        "PM002",
        path,
        1,
        1,
        "no front-matter: a postmortem starts with a '---' line, its YAML keys, and a '---' line",
    )


def _parse(document: Document, block: str) -> None:
    document.block = block
    loader = FrontMatterLoader(block)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            document.problems.append(_yaml_problem(document, error, "PM005", block))
            return
        except yaml.reader.ReaderError as error:
            # A character YAML does not allow: a control character, U+FFFE, U+FFFF.
            line, column = document.mark_position(Mark("", error.position, 0, 0, None, 0))
            character = f"U+{error.character:04X}" if isinstance(error.character, int) else "?"
            document.problems.append(
                problem(
                    "PM005",
                    document.path,
                    line,
                    column,
                    f"the character {character} is not allowed in YAML; remove it",
                )
            )
            return
        except RecursionError:  # the pure-Python parser, where libyaml is missing
            document.problems.append(
                problem("PM011", document.path, 2, 1, "nested too deeply for the YAML parser")
            )
            return
        if root is None:
            document.problems.append(
                problem("PM004", document.path, 1, 1, "the front-matter holds no keys")
            )
            return
        if not isinstance(root, MappingNode):
            line, column = document.mark_position(root.start_mark)
            kind = "a list" if isinstance(root, SequenceNode) else "a single value"
            document.problems.append(
                problem(
                    "PM006",
                    document.path,
                    line,
                    column,
                    f"the front-matter is {kind}, not a mapping of keys to values"
                    " (id: ..., title: ...)",
                )
            )
            return
        structural = _check_structure(document, root)
        if structural:
            document.problems.extend(structural)
            return
        try:
            data = construct(root)
        except UnsupportedValue as error:
            line, column = document.mark_position(error.node.start_mark)
            document.problems.append(problem("PM010", document.path, line, column, str(error)))
            return
        document.root = root
        document.data = data
    finally:
        loader.dispose()


_FLOWS = {"flow sequence": ("list", "[", "]"), "flow mapping": ("mapping", "{", "}")}
_QUOTES = {"'": "double a ' inside '...' ('')", '"': 'write a " inside "..." as \\"'}


def _yaml_problem(
    document: Document, error: yaml.MarkedYAMLError, code: str, block: str
) -> Diagnostic:
    """A YAML error where it broke, with where the construct it broke began (an
    unclosed list, mapping or quote) and a hint for the usual causes: a ': ' in an
    unquoted value, a tab, a bracket or quote left open, a value that starts with a
    character YAML reserves."""
    mark = error.problem_mark or error.context_mark
    problem_text = str(error.problem or "")
    context = str(error.context or "")
    message = f"{problem_text} ({context})" if context and problem_text else problem_text
    message = message or context or "invalid YAML"
    start = error.context_mark

    def line_of(place: Mark) -> int:
        return document.mark_position(place)[0]

    flow = next((name for name in _FLOWS if context == f"while parsing a {name}"), None)
    if context == "while scanning a simple key" and start:
        # libyaml gives up where the next line starts; the line to fix is the key's.
        mark = start
        message = "this line has no ':' after its key; write 'key: value'"
    elif flow and start:
        kind, opening, closing = _FLOWS[flow]
        message = (
            f"the {kind} opened with '{opening}' at line {line_of(start)} is not closed: "
            f"expected ',' or '{closing}' here; close it with '{closing}', or quote the "
            f"value if its '{opening}' is text"
        )
    elif context == "while scanning a quoted scalar" and start:
        quote = block[start.index : start.index + 1]
        ending = "the end of the front-matter" if "end of stream" in problem_text else "here"
        # Where the author acts: the quote they opened, not the end of the block.
        mark = start
        message = (
            f"the text quoted with {quote} here is not closed before {ending}; end it with {quote}"
        )
    elif problem_text.startswith("mapping values are not allowed") and mark:
        message = _colon_message(block, mark)
    elif problem_text == "did not find expected key" and mark:
        message = _expected_key_message(block, mark, start, line_of)
    elif problem_text == "did not find expected '-' indicator" and start:
        message = (
            f"this line does not continue the list that begins at line {line_of(start)}; "
            "start it with '- ', or check its indentation"
        )
    elif context == "while scanning an alias" and start:
        mark = start
        message = "a value that starts with '*' is read as an alias; put the value in quotes"
    elif problem_text.startswith("found character that cannot start any token") and mark:
        character = block[mark.index : mark.index + 1]
        if character not in ("\t", ""):
            message = (
                f"a value cannot start with {character!r}, which YAML reserves; "
                "put the value in quotes"
            )
    line, column = document.mark_position(mark) if mark else (1, 1)
    if "nesting depth" in message:
        code, message = "PM011", "nested too deeply for the YAML parser"
    if mark and block[mark.index : mark.index + 1] == "\t":
        message = "a tab here; indent YAML with spaces, not tabs"
    return problem(code, document.path, line, column, message.strip())


def _line_at(block: str, mark: Mark) -> str:
    start = block.rfind("\n", 0, mark.index) + 1
    end = block.find("\n", mark.index)
    return block[start : end if end >= 0 else len(block)]


def _colon_message(block: str, mark: Mark) -> str:
    """`mapping values are not allowed here`: most often a ': ' inside an unquoted
    value (`title: Fix: the cache`), else a key indented deeper than its neighbours."""
    line = _line_at(block, mark)
    key, separator, value = line.partition(": ")
    if separator and len(key) < mark.column and not key.lstrip().startswith(("'", '"')):
        quoted = value.strip().replace("\\", "\\\\").replace('"', '\\"')
        return (
            f"a ': ' inside an unquoted value; put the value in quotes: {key.strip()}: \"{quoted}\""
        )
    return "this key is indented more than the keys above it; align it with them"


def _expected_key_message(
    block: str, mark: Mark, start: Mark | None, line_of: Callable[[Mark], int]
) -> str:
    """`did not find expected key`: text after a closing quote (`'it's'`), or a line
    indented less than the mapping it continues."""
    line = _line_at(block, mark)
    value = line.partition(": ")[2].lstrip()
    quote = value[:1]
    if quote in _QUOTES and mark.column > len(line) - len(value):
        return (
            f"text after the closing {quote} of a quoted value; {_QUOTES[quote]}, "
            "or quote the value with the other quote"
        )
    began = f" that begins at line {line_of(start)}" if start else ""
    return f"this line does not continue the mapping{began}; check its indentation"


def _check_structure(document: Document, root: MappingNode) -> list[Diagnostic]:
    """Refuse what would make later walks hang or lie: aliases that explode or loop,
    deep nesting, duplicate keys and keys that are not text.

    One iterative walk over the node graph as aliases expand it, bounded by
    `MAX_VALUES` visits, so an alias bomb costs no more than a large honest file.
    """
    if "&" not in document.block:
        return _check_tree(document, root)
    problems: list[Diagnostic] = []
    checked: set[int] = set()
    seen: set[int] = set()
    repeated: Node | None = None
    on_path: set[int] = set()
    visits = 0
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        visits += 1
        if id(node) in seen and repeated is None:
            repeated = node
        seen.add(id(node))
        if visits > MAX_VALUES:
            return [_too_many(document, repeated or node, aliased=repeated is not None)]
        if depth > MAX_DEPTH:
            return [_too_deep(document, node)]
        if not isinstance(node, MappingNode | SequenceNode):
            continue
        if id(node) not in checked and isinstance(node, MappingNode):
            problems.extend(_check_keys(document, node))
        checked.add(id(node))
        on_path.add(id(node))
        stack.append((node, depth, True))
        for child in reversed(_children(node)):
            if id(child) in on_path:
                line, column = document.mark_position(child.start_mark)
                return [
                    problem(
                        "PM009",
                        document.path,
                        line,
                        column,
                        "an alias refers to a value that contains it (a loop)",
                    )
                ]
            stack.append((child, depth + 1, False))
    return problems


def _check_tree(document: Document, root: MappingNode) -> list[Diagnostic]:
    """The same walk, in the same order, for a front-matter without anchors: without
    them there are no aliases, so the nodes form a tree and none is reached twice."""
    problems: list[Diagnostic] = []
    visits = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        visits += 1
        if visits > MAX_VALUES:
            return [_too_many(document, node, aliased=False)]
        if depth > MAX_DEPTH:
            return [_too_deep(document, node)]
        if isinstance(node, MappingNode):
            problems.extend(_check_keys(document, node))
        elif not isinstance(node, SequenceNode):
            continue
        stack.extend([(child, depth + 1) for child in reversed(_children(node))])
    return problems


def _children(node: MappingNode | SequenceNode) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return list(node.value)


def _too_many(document: Document, node: Node, *, aliased: bool) -> Diagnostic:
    line, column = document.mark_position(node.start_mark)
    message = (
        f"aliases of the value here expand the front-matter past {MAX_VALUES:,} values"
        if aliased
        else f"the front-matter holds more than {MAX_VALUES:,} values"
    )
    return problem("PM009", document.path, line, column, message)


def _too_deep(document: Document, node: Node) -> Diagnostic:
    line, column = document.mark_position(node.start_mark)
    return problem(
        "PM011", document.path, line, column, f"nested more than {MAX_DEPTH} levels deep"
    )


def _check_keys(document: Document, mapping: MappingNode) -> list[Diagnostic]:
    """Duplicate and non-text keys; positions are looked up only for a problem."""
    problems = []
    first_seen: dict[str, Node] = {}
    for key_node, _ in mapping.value:
        if key_node.tag == _MERGE:
            continue
        if not (isinstance(key_node, ScalarNode) and key_node.tag == _STR):
            shown = key_node.value if isinstance(key_node, ScalarNode) else "a list or mapping"
            line, column = document.mark_position(key_node.start_mark)
            problems.append(
                problem(
                    "PM008",
                    document.path,
                    line,
                    column,
                    f"key {shown!r} is not text; quote it if it is meant as a name",
                )
            )
        elif key_node.value in first_seen:
            name = key_node.value
            line, column = document.mark_position(key_node.start_mark)
            first_line, _ = document.mark_position(first_seen[name].start_mark)
            problems.append(
                problem(
                    "PM007",
                    document.path,
                    line,
                    column,
                    f"duplicate key {name!r}: already set at line {first_line}; keep one",
                    field=name,
                )
            )
        else:
            first_seen[key_node.value] = key_node
    return problems


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column of a byte, counting line breaks as MkDocs reads them (\\r too)."""
    before = raw[:offset].decode("utf-8", errors="replace")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")
