"""Reference tables of the format and of the rules, derived from the schema in force.

The docs show these instead of a hand-written copy, so they cannot drift from what the
build checks. A page asks for them with a marker comment on a line of its own.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import RULES
from .schema import Schema, SchemaInForce
from .validation.language import RULES as LANGUAGE_RULES

SCHEMA_MARKER = "<!-- postmortem:schema-reference -->"
RULES_MARKER = "<!-- postmortem:rules-reference -->"
LANGUAGE_MARKER = "<!-- postmortem:language-reference -->"


@dataclass
class Field:
    """One key of a mapping in the format, as the docs and the template show it."""

    name: str
    shape: tuple[str, ...]  # where the key sits; list items are written `*`
    schema: Schema  # as written, `$ref` and all
    resolved: Schema  # with its `$ref` followed: the description of this key wins
    required: list[str] = field(default_factory=list)  # conditions; "" means always


def fields(schema: SchemaInForce, shape: tuple[str, ...] = ()) -> list[Field]:
    """The keys of the mapping at `shape` in schema order, with when each is required."""
    found: dict[str, Field] = {}
    for subschema, conditions in _applicable(schema, schema.schema, shape, ()):
        for name, child in subschema.get("properties", {}).items():
            if name not in found and isinstance(child, dict):
                found[name] = Field(name, (*shape, name), child, schema.resolve(child))
        for name in subschema.get("required", []):
            if name in found:
                found[name].required.append(" and ".join(conditions))
    return list(found.values())


def _applicable(
    schema: SchemaInForce, subschema: Any, shape: tuple[str, ...], conditions: tuple[str, ...]
) -> Iterator[tuple[Schema, tuple[str, ...]]]:
    subschema = schema.resolve(subschema)
    if not isinstance(subschema, dict):
        return
    if not shape:
        yield subschema, conditions
    else:
        step, rest = shape[0], shape[1:]
        child = subschema.get("items") if step == "*" else subschema.get("properties", {}).get(step)
        if isinstance(child, dict):
            yield from _applicable(schema, child, rest, conditions)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for part in subschema.get(keyword, []):
            yield from _applicable(schema, part, shape, conditions)
    if isinstance(subschema.get("then"), dict):
        condition = subschema.get("if", {}).get("description", "a condition holds")
        yield from _applicable(schema, subschema["then"], shape, (*conditions, condition))


def required_from(entry: Field) -> str:
    if not entry.required:
        return ""
    if "" in entry.required:
        return "always"
    return "; ".join(f"when {condition}" for condition in dict.fromkeys(entry.required))


def type_text(schema: SchemaInForce, subschema: Schema) -> str:
    """The type of a value in words; a `$ref`'s own description names its form."""
    while isinstance(subschema.get("$ref"), str):
        target = schema.resolve({"$ref": subschema["$ref"]})
        if target == subschema or not isinstance(target, dict):
            break
        subschema = target
    if "enum" in subschema:
        return "one of " + ", ".join(f"`{value}`" for value in subschema["enum"])
    kind = subschema.get("type")
    if kind == "array":
        items = subschema.get("items", {})
        is_mapping = schema.resolve(items).get("type") == "object"
        item_text = type_text(schema, items)
        text = (
            "list of mappings"
            if is_mapping
            else "list of texts"
            if item_text == "text"
            else f"list, each {item_text}"
        )
        if subschema.get("minItems"):
            text += f" (at least {subschema['minItems']})"
        return text
    if kind == "object":
        return "mapping"
    if kind == "integer":
        minimum = subschema.get("minimum")
        return "whole number" + (f" ≥ {minimum}" if minimum is not None else "")
    if kind == "string":
        if subschema.get("pattern") in (None, r"\S"):
            return "text"
        return str(subschema.get("description") or f"text matching `{subschema['pattern']}`")
    return str(kind or "any")


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def schema_reference(schema: SchemaInForce) -> str:
    """Markdown tables of every mapping of the format, top level first."""
    parts = ["### Top level", ""]
    parts += _table(schema, ())
    for shape, title in _nested(schema, ()):
        parts += ["", f"### `{title}`", ""]
        parts += _table(schema, shape)
    return "\n".join(parts) + "\n"


def _nested(schema: SchemaInForce, shape: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    for entry in fields(schema, shape):
        child_shape = (*shape, entry.name)
        kind = entry.resolved.get("type")
        if (
            kind == "array"
            and schema.resolve(entry.resolved.get("items", {})).get("type") == "object"
        ):
            child_shape = (*child_shape, "*")
        elif kind != "object":
            continue
        title = ".".join(step if step != "*" else "[]" for step in child_shape).replace(".[]", "[]")
        yield child_shape, title
        yield from _nested(schema, child_shape)


def _table(schema: SchemaInForce, shape: tuple[str, ...]) -> list[str]:
    rows = ["| key | type | required | description |", "|---|---|---|---|"]
    internal = schema.internal_fields()
    for entry in fields(schema, shape):
        description = str(entry.resolved.get("description", ""))
        if entry.shape in internal:
            description += " Internal: left out of the public edition."
        rows.append(
            f"| `{entry.name}` | {_cell(type_text(schema, entry.schema))} "
            f"| {_cell(required_from(entry))} "
            f"| {_cell(description.strip())} |"
        )
    return rows


def rules_reference() -> str:
    rows = ["| code | severity | what it reports |", "|---|---|---|"]
    for rule in RULES.values():
        rows.append(f"| `{rule.code}` | {rule.severity.value} | {_cell(rule.summary)} |")
    return "\n".join(rows) + "\n"


def language_reference() -> str:
    """Every blameless-language rule with an example, the reason and a reframing."""
    rows = [
        "| code | finds | example | why | instead |",
        "|---|---|---|---|---|",
    ]
    for rule in LANGUAGE_RULES:
        where = " (action items only)" if rule.action_items_only else ""
        rows.append(
            f"| `{rule.code}` | {_cell(rule.name + where)} | {_cell(rule.example)} "
            f"| {_cell(rule.reason)} | {_cell(rule.reframe)}, e.g. {_cell(rule.better)} |"
        )
    return "\n".join(rows) + "\n"


def expand_markers(markdown: str, schema: SchemaInForce) -> str:
    """Replace the reference markers of a page with the generated tables."""
    if SCHEMA_MARKER in markdown:
        markdown = markdown.replace(SCHEMA_MARKER, schema_reference(schema))
    if RULES_MARKER in markdown:
        markdown = markdown.replace(RULES_MARKER, rules_reference())
    if LANGUAGE_MARKER in markdown:
        markdown = markdown.replace(LANGUAGE_MARKER, language_reference())
    return markdown
