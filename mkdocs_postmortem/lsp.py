"""The language server: `mkdocs-postmortem lsp`, spoken over stdin and stdout.

A thin adapter like the plugin and the CLI: it reads `mkdocs.yml` as `validate` does
(`cli.Site`), checks each postmortem with `check_document` and the whole archive with
`report_of`, so the editor shows what the build reports. Each document's check is kept,
keyed by its path and content; a change checks the changed document again and then
only the rules across documents. Completion and hover come from the schema in force,
the archive and the vendored catalogs; code actions from the messages themselves.

pygls is imported here only: the core never needs it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import __version__, collector, site
from .archive import Incident, incident_from
from .catalogs import catalog, schemes
from .check import Checked, Report, check_document, report_of
from .cli import Site
from .diagnostics import Diagnostic, Severity
from .new_template import key_lines
from .reader import Document, read
from .reference import fields
from .schema import ConfigurationError, Schema, SchemaInForce
from .tidy import split_lines, template_lines
from .validation.schema_rules import schema_problems

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
SOURCE = "postmortem"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


# -- The archive as the server keeps it ------------------------------------------------


class Archive:
    """One MkDocs site's postmortems, each checked once per content.

    Files are read from disk, except those open in the editor, whose text is the
    editor's. `rescan` lists the files again (a file made or removed); `edit` checks one
    document again; `report` adds the rules across documents to the kept checks.
    """

    def __init__(self, config_file: str) -> None:
        self.stamp = _stamp(config_file)  # the configuration is read again once changed
        self.site = Site(config_file)
        self.settings = self.site.settings
        self.schema: SchemaInForce = self.settings.schema
        self._files: dict[str, str] = {}  # display path -> the file on disk
        self._by_file: dict[str, str] = {}  # the file on disk, normalised -> display path
        self._editor: dict[str, bytes] = {}  # display path -> text open in the editor
        self._checked: dict[str, tuple[str, Checked]] = {}  # display path -> digest, check
        self._notices: list[Diagnostic] = []
        # Each kept document's model, by the document's identity (see `_incident`).
        self._incidents: dict[int, tuple[Document, Incident]] = {}
        # Files the editor opened that are not postmortems: the home page, say. Kept
        # across rescans (else each open one would list the archive again at every
        # change); a file leaves it when the editor saves it.
        self.passed_over: set[str] = set()
        self.rescan()

    def rescan(self) -> None:
        """List the postmortems again and check those whose content changed."""
        files = self.site.postmortems()
        self._files = {
            path: file.abs_src_path or ""
            for file, path in site.display_paths(files, self.site.config)
        }
        self._by_file = {_normalised(file): path for path, file in self._files.items() if file}
        self._notices = site.outside_links(files, self.site.config)
        for path in list(self._checked):
            if path not in self._files:
                self._incidents.pop(id(self._checked.pop(path)[1][0]), None)
        for path, file in self._files.items():
            if path in self._editor:
                self._check(path, self._editor[path])
            else:
                self._check(path, _read(file))

    def path_of(self, file: str) -> str | None:
        """The display path of a file on disk if it is one of the archive's postmortems."""
        return self._by_file.get(_normalised(file))

    def edit(self, path: str, content: bytes) -> None:
        if self._new_day():
            self.rescan()  # what is overdue changed in every file
        self._editor[path] = content
        self._check(path, content)

    def _new_day(self) -> bool:
        """Whether today (in UTC) moved on since the files were checked; a server runs
        for days, and without the plugin's `today` option, today decides what is
        overdue."""
        if self.site.options.today is not None:
            return False
        today = dt.datetime.now(dt.timezone.utc).date()
        if today == self.settings.today:
            return False
        self.settings = replace(self.settings, today=today)
        self._checked.clear()
        self._incidents.clear()
        return True

    def close(self, path: str) -> None:
        """The editor let go of a file: its content is the one on disk again."""
        self._editor.pop(path, None)
        if path in self._files:
            self._check(path, _read(self._files[path]))

    def _check(self, path: str, content: bytes | OSError) -> None:
        digest = (
            hashlib.blake2b(content, digest_size=16).hexdigest()
            if isinstance(content, bytes)
            else f"error:{content}"
        )
        kept = self._checked.get(path)
        if kept is None or kept[0] != digest:
            if kept is not None:
                self._incidents.pop(id(kept[1][0]), None)
            self._checked[path] = (digest, check_document(path, content, self.settings))

    def report(self) -> Report:
        # The collector would walk the archive's kept documents again and again.
        with collector.paused():
            return report_of(
                (checked for _, checked in self._checked.values()),
                self.settings,
                self._notices,
                self._incident,
            )

    def _incident(self, document: Document) -> Incident:
        """A document's model for the rules across documents, made once per check of it:
        remaking all of them took most of the time of a check at 1,000 postmortems."""
        kept = self._incidents.get(id(document))
        if kept is None or kept[0] is not document:
            incident = incident_from(document, self.settings.today, self.schema)
            kept = self._incidents[id(document)] = (document, incident)
        return kept[1]

    def incidents(self) -> Iterator[dict[str, Any]]:
        """The front-matter of every readable postmortem, as last checked."""
        for _, (document, _, _) in self._checked.values():
            if isinstance(document.data, dict):
                yield document.data


def _read(file: str) -> bytes | OSError:
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as error:
        return error


def _stamp(file: str) -> int:
    try:
        return os.stat(file).st_mtime_ns
    except OSError:
        return 0


def _normalised(file: str) -> str:
    return os.path.normcase(os.path.realpath(file))


def find_config(start: str) -> str | None:
    """The nearest `mkdocs.yml` in `start` or a folder above it."""
    folder = Path(start).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            if (candidate / name).is_file():
                return str(candidate / name)
    return None


# -- Where the cursor is in the front-matter --------------------------------------------

# A line that sets a key, maybe in list items: `  - - name: value`.
_KEY_RE = re.compile(r"^(?P<indent> *)(?P<dashes>(?:- +)*)(?P<key>[A-Za-z_][\w-]*) *:(?= |$)")
_ITEM_RE = re.compile(r"^(?P<indent> *)(?P<dashes>(?:- +)+)")


@dataclass(frozen=True)
class _Line:
    indent: int  # where the line's first dash or key starts
    dashes: int  # list items opened on the line
    key: str | None
    key_column: int  # where the key starts (after the dashes)
    empty_value: bool


def _parse_line(text: str) -> _Line | None:
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    match = _KEY_RE.match(text)
    if match:
        dashes = match["dashes"].count("-")
        rest = text[match.end() :].split(" #", 1)[0].strip()
        return _Line(len(match["indent"]), dashes, match["key"], match.start("key"), not rest)
    item = _ITEM_RE.match(text)
    if item:
        return _Line(len(item["indent"]), item["dashes"].count("-"), None, item.end(), False)
    return _Line(
        len(text) - len(text.lstrip(" ")), 0, None, len(text) - len(text.lstrip(" ")), False
    )


class FrontMatter:
    """The front-matter's lines of a document as typed, and the key path of each line,
    found from indentation: it works on text that YAML cannot parse yet."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        self.lines = [line.rstrip("\r") for line in lines]
        self.end = 0  # the line of the closing `---` (0-based), 0 when there is none
        if self.lines and self.lines[0].lstrip("\ufeff").rstrip() == "---":
            for number in range(1, len(self.lines)):
                if self.lines[number].rstrip() in ("---", "..."):
                    self.end = number
                    break
            else:
                self.end = len(self.lines)  # not closed yet: the author is typing it
        self._parsed = [_parse_line(line) for line in self.lines[: self.end]]
        # Worked out top-down, so that each line finds its parent's, or a sibling's,
        # already known: linear in the lines of the front-matter, even hostile ones.
        self._containers: dict[int, list[str]] = {}
        for number in range(1, self.end):
            self._containers[number] = self._container_of(number)

    def holds(self, line: int) -> bool:
        return 0 < line < self.end

    def line_at(self, number: int) -> _Line | None:
        """What line `number` of the front-matter writes, None for a blank or comment."""
        return self._parsed[number] if self.holds(number) else None

    def key_path(self, number: int) -> list[str]:
        """The path of the key on line `number`, with `*` for list items."""
        entry = self._parsed[number]
        if entry is None or entry.key is None:
            return []
        return [*self.container(number), entry.key]

    def container(self, number: int) -> list[str]:
        """The path of the mapping or list item that line `number` writes into."""
        if number in self._containers:
            return self._containers[number]
        return self._container_of(number)

    def _container_of(self, number: int) -> list[str]:
        entry = self._parsed[number]
        if entry is None:
            return []
        if entry.dashes:
            return [*self._owner_of_list(number, entry.indent), *["*"] * entry.dashes]
        return self._mapping_at(number, entry.key_column)

    def _mapping_at(self, number: int, column: int) -> list[str]:
        if column == 0:
            return []
        for above in range(number - 1, 0, -1):
            entry = self._parsed[above]
            if entry is None:
                continue
            if entry.dashes and entry.key_column == column:
                return self.container(above)  # the list item that starts this mapping
            if entry.key_column == column and entry.key is not None:
                return self.container(above)  # a sibling key
            if entry.indent < column and entry.key is not None:
                return self.key_path(above)
        return []

    def _owner_of_list(self, number: int, column: int) -> list[str]:
        for above in range(number - 1, 0, -1):
            entry = self._parsed[above]
            if entry is None:
                continue
            if entry.dashes and entry.indent == column:  # a sibling item
                return self.container(above)[: -entry.dashes]
            if entry.key is None:
                continue
            if entry.key_column < column or (
                entry.key_column == column and not entry.dashes and entry.empty_value
            ):
                return self.key_path(above)
        return []

    def value_context(self, line: int, character: int) -> tuple[list[str], str] | None:
        """The path of the value being typed at the cursor and the part typed so far:
        after `key: `, in `key: [a, b`, or after `- ` in a list."""
        if not self.holds(line):
            return None
        before = self.lines[line][:character]
        key = _KEY_RE.match(before)
        if key:
            value = before[key.end() :]
            path = self.key_path(line)
        else:
            item = _ITEM_RE.match(before)
            if item is None:
                return None
            value = before[item.end() :]
            path = self.container(line)
        if "#" in value:
            return None
        if "[" in value:
            path = [*path, "*"]
            value = re.split(r"[\[,]", value)[-1]
        return path, value.strip().strip("\"'")

    def word_at(self, line: int, character: int) -> tuple[str, int, int] | None:
        """The key or plain value under the cursor, and where it starts and ends."""
        text = self.lines[line]
        for match in re.finditer(r"[\w.:-]+", text):
            if match.start() <= character <= match.end():
                return match.group().rstrip(":"), match.start(), match.end()
        return None


# -- What the schema says at a path -----------------------------------------------------


def _at(schema: SchemaInForce, path: list[str]) -> list[Schema]:
    return schema.applicable(tuple(path))


def enum_values(schema: SchemaInForce, path: list[str]) -> list[tuple[str, str, str]]:
    """The values allowed at `path`, each with its label and description, from the
    schema in force; for a list, the values of its items."""
    found: dict[str, tuple[str, str, str]] = {}
    subschemas = _at(schema, path)
    if not any("enum" in s for s in subschemas):
        subschemas = _at(schema, [*path, "*"])
    for subschema in subschemas:
        labels = subschema.get("x-labels", {})
        descriptions = subschema.get("x-descriptions", {})
        for value in subschema.get("enum", []):
            text = str(value)
            found.setdefault(text, (text, labels.get(text, ""), descriptions.get(text, "")))
    return list(found.values())


def description(schema: SchemaInForce, path: list[str]) -> tuple[str, str]:
    """The title and description the schema gives the key at `path`."""
    title = text = ""
    for subschema in _at(schema, path):
        title = title or str(subschema.get("title", ""))
        text = text or str(subschema.get("description", ""))
    return title, text


def questions(schema: SchemaInForce, path: list[str]) -> dict[str, str]:
    """The per-value questions (`x-questions`, the contributing factors' layers) of the
    values at `path`, if the schema has any."""
    for subschema in _at(schema, path):
        found = subschema.get("x-questions")
        if isinstance(found, dict):
            return {str(k): str(v) for k, v in found.items()}
    return {}


# -- Completion, hover, code actions: on the text, independent of pygls's server -----


@dataclass(frozen=True)
class Choice:
    label: str
    detail: str = ""
    documentation: str = ""
    insert: str = ""  # what to insert, when not the label


def completions(archive: Archive, text: str, line: int, character: int) -> list[Choice]:
    front = FrontMatter(text)
    context = front.value_context(line, character)
    if context is None:
        return _keys(archive.schema, front, line, character)
    path, _typed = context
    shape = [step for step in path if step != "*"]
    schema = archive.schema
    if shape[:1] == ["related"]:
        own = _own_id(front)
        return [
            Choice(str(data["id"]), str(data.get("title", "")))
            for data in sorted(archive.incidents(), key=lambda d: str(d.get("id")))
            if isinstance(data.get("id"), str) and data["id"] != own
        ]
    if len(shape) == 2 and shape[0] == "taxonomy" and shape[1] in schemes():
        return [Choice(entry.id, entry.name, entry.url) for entry in catalog(shape[1]).nameable]
    if shape == ["ai_system", "models", "name"]:
        names = sorted(
            {
                str(model["name"])
                for data in archive.incidents()
                for model in _list(_dict(data.get("ai_system")).get("models"))
                if isinstance(model, dict) and isinstance(model.get("name"), str)
            }
        )
        return [Choice(name, "a model named in the archive") for name in names]
    return [Choice(value, label, text) for value, label, text in enum_values(schema, path)]


_TYPING_KEY_RE = re.compile(r"^ *(?:- +)*[A-Za-z_]*$")


def _keys(schema: SchemaInForce, front: FrontMatter, line: int, character: int) -> list[Choice]:
    """The keys the schema names for the mapping being written at the cursor, in schema
    order; in a mapping that is not a list item, those not written yet."""
    if not front.holds(line) or not _TYPING_KEY_RE.match(front.lines[line][:character]):
        return []
    container = front.container(line)
    written: set[str] = set()
    if "*" not in container:
        for number in range(1, front.end):
            if number != line and front.container(number) == container:
                path = front.key_path(number)
                written.update(path[-1:])
    return [
        Choice(
            entry.name,
            str(entry.resolved.get("title", "")),
            str(entry.resolved.get("description", "")),
            insert=f"{entry.name}: ",
        )
        for entry in fields(schema, tuple(container))
        if entry.name not in written
    ]


def hover(archive: Archive, text: str, line: int, character: int) -> str | None:
    """Markdown for the key or value under the cursor."""
    front = FrontMatter(text)
    if not front.holds(line):
        return None
    word = front.word_at(line, character)
    entry = front.line_at(line)
    if word is None or entry is None:
        return None
    value, start, _ = word
    schema = archive.schema
    if entry.key is not None and start == entry.key_column:
        path = front.key_path(line)
        title, text_ = description(schema, path)
        parts = [f"**{title or path[-1]}** (`{'.'.join(path)}`)", text_]
        asked = questions(schema, path)
        if asked:
            parts.append("Questions that help find them, by layer:")
            parts += [f"- **{name}**: {question}" for name, question in asked.items()]
        return "\n\n".join(part for part in parts if part)
    context = front.value_context(line, start)
    if context is None:
        return None
    path = context[0]
    for allowed, label, meaning in enum_values(schema, path):
        if allowed == value:
            parts = [f"**{label or allowed}** (`{allowed}`)", meaning]
            question = questions(schema, path).get(allowed)
            if question:
                parts.append(f"Ask: {question}")
            return "\n\n".join(part for part in parts if part)
    return None


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, character) to (end_line, end_character), 0-based,
    in characters (code points)."""

    line: int
    character: int
    end_line: int
    end_character: int
    text: str


@dataclass(frozen=True)
class Action:
    title: str
    edits: tuple[Edit, ...]
    diagnostic: Diagnostic | None = None


# "(did you mean 'x'?)", also "(did you mean 'AML.T0054', LLM Jailbreak?)".
_DID_YOU_MEAN_RE = re.compile(r"\(did you mean '([^'\n]+)'(?:,[^()\n]*)?\?\)")
_PHRASE_RE = re.compile(r": '([^'\n]+)'; .*? Instead: (.+)$")
# A key or value as written: quoted, or plain up to a separator; `LLM01:2025` is one.
_TOKEN_RE = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|(?:[^\s,\[\]{}#:]|:(?=[^\s,\]}]))+")


def actions(
    archive: Archive, text: str, diagnostics: Iterable[Diagnostic], today: dt.date
) -> list[Action]:
    """Every code action for a document and the diagnostics the editor asked about."""
    lines = text.split("\n")
    asked = list(diagnostics)
    document = read("current.md", _bytes(text))
    scalars = _scalar_spans(document)
    found: list[Action] = []
    for diagnostic in asked:
        found.extend(_fixes(lines, diagnostic, scalars))
    data = document.data
    if isinstance(data, dict):
        for diagnostic in asked:
            name = diagnostic.field
            if diagnostic.code == "PM101" and name.isidentifier() and name not in data:
                action = _insert_keys(archive, text, [name], today, f"Insert {name!r}")
                if action is not None:
                    found.append(replace(action, diagnostic=diagnostic))
        required = _next_status_keys(archive, text, data, today)
        if required is not None:
            found.append(required)
    runs = template_lines(text)
    if runs:
        all_lines = split_lines(text)
        edits = tuple(_delete_lines(all_lines, run) for run in runs)
        count = sum(len(run) for run in runs)
        leftover = next(
            (d for d in asked if d.code == "PM303" and _TEMPLATE_LEFT_RE.search(d.message)),
            None,
        )
        found.append(Action(f"Remove the template's unused lines ({count})", edits, leftover))
    return found


# What PM303 says of the template's lines and comments, which `tidy` removes.
_TEMPLATE_LEFT_RE = re.compile(r"^[0-9]+ template line|^template comment ")


def _fixes(
    lines: list[str], diagnostic: Diagnostic, scalars: dict[tuple[int, int], int] | None = None
) -> Iterator[Action]:
    """`scalars`: where each one-line YAML value of the front-matter ends, by where it
    starts (0-based), so that a value with spaces is replaced whole."""
    line, column = diagnostic.line - 1, diagnostic.column - 1
    if not 0 <= line < len(lines):
        return
    text = lines[line]
    suggestion = _DID_YOU_MEAN_RE.search(diagnostic.message)
    if suggestion:
        end = (scalars or {}).get((line, column))
        if end is None:
            token = _TOKEN_RE.match(text, column)
            end = token.end() if token else None
        if end is not None and end > column:
            yield Action(
                f"Change {text[column:end]} to {suggestion[1]}",
                (Edit(line, column, line, end, suggestion[1]),),
                diagnostic,
            )
    phrase = _PHRASE_RE.search(diagnostic.message) if diagnostic.code.startswith("PM4") else None
    if phrase:
        written = text[column : column + len(phrase[1])]
        if written.lower() == phrase[1].lower():
            slot = _slot(phrase[2])
            yield Action(
                f"Reframe {written!r}: {phrase[2].rstrip('.')}",
                (Edit(line, column, line, column + len(written), slot),),
                diagnostic,
            )


def _scalar_spans(document: Document) -> dict[tuple[int, int], int]:
    """Where each one-line scalar of the front-matter ends (0-based line and column of
    its start -> column of its end), quotes included."""
    spans: dict[tuple[int, int], int] = {}
    stack: list[Node] = [document.root] if document.root is not None else []
    seen: set[int] = set()
    while stack and len(seen) < 100_000:  # aliases share nodes; a bound on hostile input
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            line, column = document.mark_position(node.start_mark)
            end_line, end_column = document.mark_position(node.end_mark)
            if end_line == line:
                spans[(line - 1, column - 1)] = end_column - 1
        elif isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return spans


def _slot(instead: str) -> str:
    """A template slot that says what to write: `<describe the conditions ...>`.

    Safe in a YAML plain value (no `: `, no ` #`), and of the form PM303 finds in a
    published postmortem (no quotes, `/`, `=` or brackets), so it cannot be forgotten.
    """
    text = re.sub(r"[<>\"'/=\[\]{}]", " ", instead.rstrip(". "))
    text = re.sub(r":\s", " - ", text).replace(" #", " ")
    return f"<{' '.join(text.split())}>"


def _next_status_keys(
    archive: Archive, text: str, data: dict[str, Any], today: dt.date
) -> Action | None:
    """Insert the keys that the status after this one requires, as the template writes
    them, before the closing `---`."""
    lifecycle = archive.schema.lifecycle()
    if data.get("status") not in lifecycle:
        return None
    position = lifecycle.index(data["status"])
    if position + 1 >= len(lifecycle):
        return None
    following = lifecycle[position + 1]
    shell = Document("current.md", data={**data, "status": following})
    missing = [
        d.field
        for d in schema_problems(shell, archive.schema)
        if d.code == "PM101" and d.field.isidentifier() and d.field not in data
    ]
    missing = list(dict.fromkeys(missing))
    if not missing:
        return None
    title = f"Insert the keys status {following!r} requires: {', '.join(missing)}"
    return _insert_keys(archive, text, missing, today, title)


def _insert_keys(
    archive: Archive, text: str, names: list[str], today: dt.date, title: str
) -> Action | None:
    """Insert top-level keys as the template writes them, before the closing `---`."""
    front = FrontMatter(text)
    if not 0 < front.end < len(front.lines):
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    block = "".join(
        line + newline for name in names for line in key_lines(archive.schema, name, today)
    )
    return Action(title, (Edit(front.end, 0, front.end, 0, block),)) if block else None


def _delete_lines(lines: list[str], run: range) -> Edit:
    if run.stop < len(lines) or lines[-1].endswith(("\n", "\r")):
        return Edit(run.start, 0, run.stop, 0, "")
    last = lines[run.stop - 1].rstrip("\r\n")
    return Edit(run.start, 0, run.stop - 1, len(last), "")


def _own_id(front: FrontMatter) -> str | None:
    for number in range(1, front.end):
        match = re.match(r"^id: *['\"]?([^'\"\s#]+)", front.lines[number])
        if match:
            return match[1]
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- The server ---------------------------------------------------------------------------


class PostmortemServer(LanguageServer):
    """pygls's server with the archives it serves, one per `mkdocs.yml`."""

    def __init__(self, config_file: str | None) -> None:
        # Whole texts: pygls applies ranges of an incremental change to lines it splits
        # at U+2028 and the like too, which the editor does not; postmortems are small.
        super().__init__(
            "mkdocs-postmortem",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
        )
        self.config_file = config_file
        self.archives: dict[str, Archive] = {}
        # Each configuration that failed to load, with its modification time then.
        self.failed: dict[str, int] = {}
        self.published: dict[str, list[types.Diagnostic]] = {}

    def archive_for(self, uri: str) -> tuple[Archive, str] | None:
        """The archive a document belongs to and its display path there, or None."""
        file = to_fs_path(uri) if uri.startswith("file:") else None
        if file is None:  # an unsaved buffer: not a file of the archive yet
            return None
        config = self.config_file or find_config(file) or self._workspace_config()
        if config is None:
            return None
        archive = self.archives.get(config)
        changed = _stamp(config)
        if archive is None or archive.stamp != changed:
            if self.failed.get(config) == changed:
                return None  # the error is shown already; wait for the file to change
            said = _Said()
            mkdocs_logger = logging.getLogger("mkdocs")
            mkdocs_logger.addHandler(said)
            try:
                archive = self.archives[config] = Archive(config)
            except ConfigurationError as error:
                self.archives.pop(config, None)
                self.failed[config] = changed
                # MkDocs logs what is wrong and raises only "Aborted ...": show both.
                text = "; ".join([*said.errors, str(error)])
                self.window_show_message(
                    types.ShowMessageParams(types.MessageType.Error, f"mkdocs-postmortem: {text}")
                )
                return None
            finally:
                mkdocs_logger.removeHandler(said)
        path = archive.path_of(file)
        if path is None and file not in archive.passed_over and os.path.exists(file):
            archive.rescan()  # a file made since the archive was listed
            path = archive.path_of(file)
            if path is None:  # not a postmortem: not listed again until a save
                archive.passed_over.add(file)
        return (archive, path) if path is not None else None

    def saved(self, uri: str) -> None:
        """A saved file may be new on disk: look whether it is a postmortem again."""
        if uri.startswith("file:") and (file := to_fs_path(uri)) is not None:
            for archive in self.archives.values():
                archive.passed_over.discard(file)

    def _workspace_config(self) -> str | None:
        root = self.workspace.root_path
        return find_config(root) if root else None

    def check(self, uri: str, *, rescan: bool = False) -> None:
        """Check the document at `uri` as the editor has it and publish the diagnostics
        of every open document whose diagnostics changed (always those of this one)."""
        found = self.archive_for(uri)
        if found is None:
            return
        archive, path = found
        if rescan:
            archive.rescan()
        document = self.workspace.get_text_document(uri)
        archive.edit(path, _bytes(document.source))
        by_path = archive.report().by_path()
        for open_uri in list(self.workspace.text_documents):
            other = self.archive_for(open_uri) if open_uri != uri else found
            if other is None or other[0] is not archive:
                continue
            text_document = self.workspace.get_text_document(open_uri)
            problems = by_path.get(other[1], [])
            spans = _scalar_spans(read(other[1], _bytes(text_document.source))) if problems else {}
            shown = [to_lsp(d, text_document, spans) for d in problems]
            if open_uri != uri and self.published.get(open_uri) == shown:
                continue
            self.published[open_uri] = shown
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=open_uri, diagnostics=shown, version=text_document.version
                )
            )


class _Said(logging.Handler):
    """The errors MkDocs logs while it loads a configuration."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage().strip())


def _bytes(text: str) -> bytes:
    # A lone surrogate (JSON allows `\ud800`) becomes bytes that the reader reports.
    return text.encode("utf-8", "surrogatepass")


def _lines(document: TextDocument) -> list[str]:
    """The document's lines as the protocol counts them: ended by \n, \r\n or \r only
    (pygls's `lines` also break at U+2028 and the like)."""
    return split_lines(document.source) or [""]


def to_lsp(
    diagnostic: Diagnostic,
    document: TextDocument,
    scalars: dict[tuple[int, int], int] | None = None,
) -> types.Diagnostic:
    """A diagnostic at its LSP range: from its column to the end of the YAML value that
    starts there (`scalars`, see `_scalar_spans`), of the phrase its message quotes
    (language rules), or of the word."""
    lines = _lines(document)
    line = min(max(diagnostic.line - 1, 0), len(lines) - 1)
    text = lines[line].rstrip("\r\n")
    start = min(max(diagnostic.column - 1, 0), len(text))
    phrase = _PHRASE_RE.search(diagnostic.message) if diagnostic.code.startswith("PM4") else None
    if phrase and text[start : start + len(phrase[1])].lower() == phrase[1].lower():
        end = start + len(phrase[1])
    elif (line, start) in (scalars or {}):
        end = (scalars or {})[(line, start)]
    else:
        token = _TOKEN_RE.match(text, start)
        end = token.end() if token else len(text.rstrip())
    end = max(end, start)
    codec = document.position_codec
    return types.Diagnostic(
        range=types.Range(
            start=codec.position_to_client_units(lines, types.Position(line, start)),
            end=codec.position_to_client_units(lines, types.Position(line, end)),
        ),
        message=(f"{diagnostic.field}: " if diagnostic.field else "") + diagnostic.message,
        severity=_SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        source=SOURCE,
        data={"line": diagnostic.line, "column": diagnostic.column, "field": diagnostic.field},
    )


def from_lsp(diagnostic: types.Diagnostic, path: str) -> Diagnostic | None:
    """The project's diagnostic back from one the server published."""
    if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
        return None
    data = diagnostic.data
    field = str(data.get("field", ""))
    message = diagnostic.message.removeprefix(f"{field}: ") if field else diagnostic.message
    severity = {v: k for k, v in _SEVERITIES.items()}.get(
        diagnostic.severity or types.DiagnosticSeverity.Error, Severity.ERROR
    )
    return Diagnostic(
        path,
        int(data.get("line", 1)),
        int(data.get("column", 1)),
        str(diagnostic.code),
        field,
        message,
        severity,
    )


def _to_text_edit(edit: Edit, document: TextDocument) -> types.TextEdit:
    lines = _lines(document)
    codec = document.position_codec
    return types.TextEdit(
        range=types.Range(
            start=codec.position_to_client_units(lines, types.Position(edit.line, edit.character)),
            end=codec.position_to_client_units(
                lines, types.Position(edit.end_line, edit.end_character)
            ),
        ),
        new_text=edit.text,
    )


def _cursor(document: TextDocument, position: types.Position) -> tuple[int, int]:
    server = document.position_codec.position_from_client_units(_lines(document), position)
    return server.line, server.character


def make_server(config_file: str | None = None) -> PostmortemServer:
    server = PostmortemServer(config_file)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PostmortemServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PostmortemServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PostmortemServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)
        ls.check(params.text_document.uri, rescan=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PostmortemServer, params: types.DidCloseTextDocumentParams) -> None:
        found = ls.archive_for(params.text_document.uri)
        if found is not None:
            found[0].close(found[1])
        ls.published.pop(params.text_document.uri, None)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[" ", "[", ",", "-"]),
    )
    def completion(
        ls: PostmortemServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        found = ls.archive_for(params.text_document.uri)
        if found is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        line, character = _cursor(document, params.position)
        choices = completions(found[0], document.source, line, character)
        return types.CompletionList(
            is_incomplete=False,
            items=[
                types.CompletionItem(
                    label=choice.label,
                    kind=(
                        types.CompletionItemKind.Property
                        if choice.insert
                        else types.CompletionItemKind.EnumMember
                    ),
                    insert_text=choice.insert or None,
                    detail=choice.detail or None,
                    documentation=choice.documentation or None,
                    filter_text=f"{choice.label} {choice.detail}".strip(),
                    sort_text=f"{index:05d}",
                )
                for index, choice in enumerate(choices)
            ],
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: PostmortemServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.archive_for(params.text_document.uri)
        if found is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        line, character = _cursor(document, params.position)
        text = hover(found[0], document.source, line, character)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: PostmortemServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        found = ls.archive_for(uri)
        if found is None:
            return None
        archive, path = found
        document = ls.workspace.get_text_document(uri)
        asked = [
            (lsp, mine)
            for lsp in params.context.diagnostics
            if (mine := from_lsp(lsp, path)) is not None
        ]
        result = []
        for action in actions(
            archive, document.source, [m for _, m in asked], archive.settings.today
        ):
            related = [lsp for lsp, mine in asked if mine == action.diagnostic]
            result.append(
                types.CodeAction(
                    title=action.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=related or None,
                    is_preferred=bool(related) or None,
                    edit=types.WorkspaceEdit(
                        changes={uri: [_to_text_edit(edit, document) for edit in action.edits]}
                    ),
                )
            )
        return result

    return server


def serve(config_file: str | None = None) -> None:
    """Serve on stdin and stdout until the editor says exit. Anything else that writes
    to stdout would break the protocol, so stdout is the protocol's alone."""
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    make_server(config_file).start_io(sys.stdin.buffer, protocol_out)
