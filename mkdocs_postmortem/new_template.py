"""The `new` template, written from the schema in force.

Keys that every postmortem needs are filled in; every other key of the format is
written as a comment that says what it is and from which status it is required, so
that the file is a valid draft and shows the whole format to its author.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import unicodedata
from collections.abc import Iterable

from .reference import Field, fields, required_from
from .schema import SchemaInForce

# Template lines start with this, so that a published postmortem can be checked for
# leftovers (PM303) without mistaking the author's own YAML comments for them.
COMMENT = "#|"
_ID_RE = re.compile(r"^(?P<prefix>.+)-(?P<year>[0-9]{4})-(?P<number>[0-9]+)$")


def next_id(existing: Iterable[str], today: dt.date, default_prefix: str = "AIPM") -> str:
    """The next free id `PREFIX-YEAR-NNNN`: the archive's most used prefix, numbered
    after the highest number used in that year."""
    prefixes: dict[str, int] = {}
    numbers: dict[tuple[str, str], int] = {}
    width = 4
    for incident_id in existing:
        match = _ID_RE.match(incident_id)
        if match is None:
            continue
        prefixes[match["prefix"]] = prefixes.get(match["prefix"], 0) + 1
        key = (match["prefix"], match["year"])
        numbers[key] = max(numbers.get(key, 0), int(match["number"]))
        width = max(width, len(match["number"]))
    prefix = max(sorted(prefixes), key=prefixes.__getitem__) if prefixes else default_prefix
    year = f"{today.year:04d}"
    return f"{prefix}-{year}-{numbers.get((prefix, year), 0) + 1:0{width}d}"


def title_problem(title: str) -> str | None:
    """What makes `title` unfit to write, or None: a title says something (it has a
    character that is not a space, a control or an invisible format mark), on one line
    that YAML reads back as written."""
    if all(unicodedata.category(character)[0] in "ZC" for character in title):
        return "the title is empty; give a short, neutral description of what happened"
    for character in title:
        if unicodedata.category(character) in _NOT_IN_A_TITLE or character in "\ufffe\uffff":
            return f"the title holds {character!a}; write it on one line, as plain text"
    return None


# Control characters (line breaks and tabs among them), line and paragraph separators,
# and the halves of a surrogate pair that undecodable bytes on a command line become.
_NOT_IN_A_TITLE = frozenset({"Cc", "Zl", "Zp", "Cs"})


def render(
    schema: SchemaInForce, incident_id: str, title: str, severity: str, today: dt.date
) -> str:
    lifecycle = schema.lifecycle()
    values = {
        "id": incident_id,
        "title": title,
        "status": (schema.draft_statuses() or lifecycle or ("",))[0],
        "severity": severity,
        "occurred": today.isoformat(),
        "summary": "<what the system did, who was affected and how it ended>",
    }
    header = (
        "A blameless postmortem of an AI incident. Lines starting with '#|' are the rest of "
        "the format: fill keys in (remove the '#| ') as the review goes on, and delete these "
        f"template lines before publishing. Each step of `status` ({', '.join(lifecycle)}) "
        "requires more keys."
    )
    lines = ["---", *_wrapped(header)]
    for entry in fields(schema):
        if entry.name in values:
            lines += _describe(entry, "")
            lines.append(f"{entry.name}: {_scalar(values[entry.name])}")
        else:
            lines += _commented(schema, entry, "", today)
    lines += [
        "---",
        "",
        "## What happened",
        "",
        "<!-- template: what the system did and what people saw, in order; facts only -->",
        "",
        "## Analysis",
        "",
        "<!-- template: the conditions in the model, data, prompt, guardrails and process",
        "that together made the incident possible; see the questions by layer above -->",
        "",
    ]
    return "\n".join(lines)


def key_lines(schema: SchemaInForce, name: str, today: dt.date) -> list[str]:
    """The YAML the template suggests for the top-level key `name`, ready to fill in:
    its template lines without their `#| ` and without the descriptions (the
    language server's action that inserts the keys a status requires)."""
    for entry in fields(schema):
        if entry.name == name:
            lines = _commented(schema, entry, "", today)
            start = next(n for n, line in enumerate(lines) if line.startswith(f"{COMMENT} {name}:"))
            uncommented = (
                re.sub(rf"^(\s*){re.escape(COMMENT)} ?", r"\1", line) for line in lines[start:]
            )
            return [line for line in uncommented if _KEY_LINE_RE.match(line)]
    return []


# A line of YAML that sets a key, in a list item or not: what `key_lines` keeps.
_KEY_LINE_RE = re.compile(r"^\s*(?:- )?[A-Za-z_][A-Za-z0-9_]*:(?:\s|$)")


def _wrapped(text: str) -> list[str]:
    """Template lines of at most 84 characters."""
    prefix = COMMENT + " "
    return textwrap.wrap(
        text,
        84,
        initial_indent=prefix,
        subsequent_indent=prefix,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _describe(entry: Field, indent: str) -> list[str]:
    text = str(entry.resolved.get("description", ""))
    required = required_from(entry)
    if required and required != "always":
        text += f" Required {required}."
    return [f"{indent}{COMMENT} {text}"] if text else []


def _commented(schema: SchemaInForce, entry: Field, indent: str, today: dt.date) -> list[str]:
    lines = _describe(entry, indent)
    if entry.name == "contributing_factors":
        lines += _layer_questions(schema, indent)
    resolved = entry.resolved
    kind = resolved.get("type")
    if kind == "object":
        lines.append(f"{indent}{COMMENT} {entry.name}:")
        for child in fields(schema, entry.shape):
            lines += _commented(schema, child, indent + "  ", today)
        return lines
    if kind == "array":
        items = schema.resolve(resolved.get("items", {}))
        if items.get("type") == "object":
            lines.append(f"{indent}{COMMENT} {entry.name}:")
            children = fields(schema, (*entry.shape, "*"))
            for index, child in enumerate(children):
                bullet = "- " if index == 0 else "  "
                value, note = _example(schema, child.schema, today)
                lines.append(f"{indent}{COMMENT}   {bullet}{child.name}: {value}{note}")
            return lines
        value, note = _example(schema, resolved.get("items", {}), today)
        lines.append(f"{indent}{COMMENT} {entry.name}: [{value}]{note}")
        return lines
    value, note = _example(schema, entry.schema, today)
    lines.append(f"{indent}{COMMENT} {entry.name}: {value}{note}")
    return lines


def _layer_questions(schema: SchemaInForce, indent: str) -> list[str]:
    """The schema's questions that help a team find its factors, layer by layer."""
    questions = schema.schema["$defs"]["factor_layer"].get("x-questions", {})
    lines = [f"{indent}{COMMENT} Questions that help find them, by layer:"] if questions else []
    for layer, question in questions.items():
        lines.append(f"{indent}{COMMENT}   {layer}: {question}")
    return lines


def _example(
    schema: SchemaInForce, subschema: dict[str, object], today: dt.date
) -> tuple[str, str]:
    """An example value for a key, and a trailing comment listing allowed values."""
    resolved = schema.resolve(subschema)
    if "enum" in resolved:
        values = [str(v) for v in resolved["enum"]]
        default = resolved.get("default")  # used when the enum in force still has it
        first = str(default) if default in resolved["enum"] else values[0]
        return first, f"  # one of: {', '.join(values)}"
    reference = str(subschema.get("$ref", ""))
    if reference.endswith(("/moment", "/day")):
        return today.isoformat(), ""
    if reference.endswith("/url"):
        return "https://", ""
    if resolved.get("type") == "integer":
        return "0", ""
    if resolved.get("type") == "boolean":
        return "false", ""
    choices = resolved.get("oneOf")
    if isinstance(choices, list) and {"type": "null"} in choices:
        return "null", ""  # a date not yet known: `initial_report`
    if resolved.get("type") == "array":  # a list inside a list item: `addresses`
        return "[]", ""
    return '""', ""


def _scalar(value: object) -> str:
    """Plain when YAML reads it back as the same text, quoted otherwise."""
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*|[0-9]{4}-[0-9]{2}-[0-9]{2}", text)
    if plain and text.lower() not in ("true", "false", "null"):
        return text
    return json.dumps(text, ensure_ascii=False)
