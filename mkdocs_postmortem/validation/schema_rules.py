"""Turn JSON Schema errors into diagnostics at the line of the offending value.

A compiled validator decides valid or invalid; only a document that fails is walked by
the pure-Python validator, which reports every error with its path in the schema, so
that each message can name the allowed values and the condition that made a key
required.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..catalogs import catalog, schemes
from ..diagnostics import Diagnostic, problem
from ..reader import Document
from ..reference import fields
from ..schema import SchemaInForce
from .fields import did_you_mean, field_name, shown

if TYPE_CHECKING:
    import jsonschema

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def schema_problems(document: Document, schema: SchemaInForce) -> list[Diagnostic]:
    data = document.data
    if data is None or schema.is_valid(data):
        return []
    errors = list(schema.full.iter_errors(data))
    if not errors and schema.fast is not None:
        # The compiled validator reads patterns as JSON Schema says (ECMA-262, where `$`
        # does not match before a final line break); Python's `re` does. Report its view.
        return [_compiled_problem(document, error) for error in schema.fast.iter_errors(data)]
    return [diagnostic for error in errors for diagnostic in _diagnose(document, schema, error)]


def _compiled_problem(document: Document, error: Any) -> Diagnostic:
    path = list(error.instance_path)
    line, column = document.position(path)
    if type(error.kind).__name__ == "Pattern":
        message = f"{shown(error.instance)} does not match {error.kind.pattern}"
        return problem("PM104", document.path, line, column, message, field=field_name(path))
    return problem("PM109", document.path, line, column, str(error.message), field=field_name(path))


def _diagnose(
    document: Document, schema: SchemaInForce, error: jsonschema.ValidationError
) -> Iterable[Diagnostic]:
    path = list(error.absolute_path)
    line, column = document.position(path)
    field = field_name(path)
    value = error.instance
    keyword = error.validator

    if keyword == "required":
        name = _missing_name(error)
        condition = _condition(schema, error.absolute_schema_path, path)
        when = f" (required when {condition})" if condition else ""
        line, column, where = _missing_place(document, schema, path, name, (line, column))
        yield problem(
            "PM101",
            document.path,
            line,
            column,
            f"missing required key {name!r}{when}{where}",
            field=field_name([*path, name]),
        )
    elif keyword == "enum":
        allowed = list(_sequence(error.validator_value))
        yield problem(
            "PM102",
            document.path,
            line,
            column,
            f"{shown(value)} is not one of {', '.join(map(str, allowed))}"
            f"{_catalog_hint(path, value) or did_you_mean(value, allowed)}",
            field=field,
        )
    elif keyword == "const":
        yield problem(
            "PM102",
            document.path,
            line,
            column,
            f"{shown(value)} must be {error.validator_value!r}",
            field=field,
        )
    elif keyword == "type":
        yield problem(
            "PM103", document.path, line, column, _type_message(document, path, error), field=field
        )
    elif keyword == "pattern":
        yield _pattern_problem(document, error, line, column, field)
    elif keyword in ("minItems", "minProperties"):
        yield problem(
            "PM106",
            document.path,
            line,
            column,
            f"needs at least {error.validator_value} item"
            f"{'s' if error.validator_value != 1 else ''}",
            field=field,
        )
    elif keyword == "uniqueItems":
        yield problem(
            "PM107",
            document.path,
            line,
            column,
            f"lists {shown(_first_duplicate(value))} more than once",
            field=field,
        )
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        yield problem("PM108", document.path, line, column, error.message, field=field)
    else:
        yield problem("PM109", document.path, line, column, error.message, field=field)


def _missing_place(
    document: Document,
    schema: SchemaInForce,
    parent: list[Any],
    name: str,
    mapping: tuple[int, int],
) -> tuple[int, int, str]:
    """Where the author adds a missing key, and what to tell them: the `new`
    template's commented line of the key, if the file still has it; else the key
    it comes after in the schema's order, if the mapping has one; else the mapping."""
    template = document.template_line(parent, name)
    if template is not None:
        return *template, "; its template line is here: remove the '#| ' and fill it in"
    data = document.data
    for step in parent:
        data = data[step] if isinstance(data, dict | list) else None
    if not isinstance(data, dict):
        return *mapping, ""
    shape = tuple("*" if isinstance(step, int) else str(step) for step in parent)
    before = None
    for key in _key_order(schema, shape):
        if key == name:
            break
        if key in data:
            before = key
    if before is None:
        return *mapping, ""
    line, column = document.position([*parent, before], key=True)
    return line, column, f"; add it after {before}"


@lru_cache(maxsize=256)
def _key_order(schema: SchemaInForce, shape: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of the mapping at `shape`, in the schema's order: worked out once, since
    a file may miss the same key in thousands of list items."""
    return tuple(entry.name for entry in fields(schema, shape))


def _missing_name(error: jsonschema.ValidationError) -> str:
    quoted = error.message.removesuffix(" is a required property")
    try:
        name = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return quoted
    return str(name)


def _condition(
    schema: SchemaInForce, schema_path: Sequence[Any], instance_path: Sequence[Any] = ()
) -> str:
    """The conditions of every `then` on the way to a failing keyword, as the `if`
    describes them, or as its `properties` say when it has no description (an
    organisation's schema may leave it out): `status is published or closed`, and for
    a condition on a nested mapping, with its place (`action_items[1].status is
    open`). Nested keys get the note top-level keys get."""
    conditions = []
    current: Any = schema.schema
    depth = 0  # the steps of `instance_path` that the schema path has gone down
    naming = False  # whether this step names a key (after `properties`), not a keyword
    for step in schema_path:
        current = schema.resolve(current)
        if naming:
            depth, naming = depth + 1, False
        elif step in ("properties", "patternProperties", "prefixItems"):
            naming = True
        elif step in ("items", "additionalProperties"):
            depth += 1
        elif step == "then" and isinstance(current, dict):
            description = _described(current.get("if"), list(instance_path[:depth]))
            if description:
                conditions.append(description)
        if not _has_step(current, step):
            break
        current = current[step]
    return " and ".join(conditions)


def _described(condition: Any, where: list[Any]) -> str:
    """What an `if` says: its description, else `key is a or b` from its
    `properties` (each an `enum` or a `const`)."""
    if not isinstance(condition, dict):
        return ""
    description = condition.get("description")
    if isinstance(description, str) and description:
        return description
    parts = []
    properties = condition.get("properties")
    for key, rule in (properties if isinstance(properties, dict) else {}).items():
        if not isinstance(rule, dict):
            continue
        values = rule.get("enum", [rule["const"]] if "const" in rule else None)
        if isinstance(values, list) and values:
            name = field_name([*where, key])
            parts.append(f"{name} is {' or '.join(str(value) for value in values)}")
    return " and ".join(parts)


def _has_step(node: Any, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and step < len(node)


def _type_message(
    document: Document, path: list[str | int], error: jsonschema.ValidationError
) -> str:
    expected = error.validator_value
    names = [expected] if isinstance(expected, str) else [str(n) for n in _sequence(expected)]
    wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    got = error.instance
    if got is None:
        return f"is empty; expected {wanted}"
    written = document.source_text(path)
    if "string" in names and isinstance(got, bool | int | float) and written is not None:
        return f'expected text, got {_kind(got)}; write it in quotes: "{written}"'
    return f"expected {wanted}, got {_kind(got)}"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _pattern_problem(
    document: Document, error: jsonschema.ValidationError, line: int, column: int, field: str
) -> Diagnostic:
    subschema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator_value == r"\S":
        return problem("PM105", document.path, line, column, "must not be empty", field=field)
    description = subschema.get("description")
    wanted = description or f"matching {error.validator_value}"
    return problem(
        "PM104",
        document.path,
        line,
        column,
        f"{shown(error.instance)} is not {wanted}"
        f"{_catalog_hint(list(error.absolute_path), error.instance)}",
        field=field,
    )


def _catalog_hint(path: Sequence[Any], value: object) -> str:
    """For an id in `taxonomy.<scheme>` of the wrong form, the catalog entry it most
    likely means, by name (`LLM Jailbreak`) or by id; else an empty string."""
    if len(path) == 3 and path[0] == "taxonomy" and path[1] in schemes():
        return catalog(str(path[1])).hint(value)
    return ""


def _sequence(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _first_duplicate(items: Any) -> Any:
    seen: list[Any] = []
    for item in items if isinstance(items, list) else []:
        if item in seen:
            return item
        seen.append(item)
    return items
