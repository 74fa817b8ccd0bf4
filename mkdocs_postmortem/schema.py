"""The schema in force: the built-in format, an organisation's extension, the id pattern.

The built-in schema file is the one source of the format. Everything else that knows
the format (enums, docs tables, the `new` template, known keys) asks an object of this
module instead of keeping a copy.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - a platform without a wheel falls back to pure Python
    jsonschema_rs = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "ai-incident-postmortem.schema.json"

Schema = dict[str, Any]

# Annotations that give values of an enum in `$defs` a role (see docs/configuration.md).
ROLES = {
    "status": ("x-draft", "x-published", "x-closed"),
    "action_status": ("x-finished",),
}


class ConfigurationError(Exception):
    """The plugin's configuration or an organisation's schema cannot be used."""


@lru_cache(maxsize=1)
def _builtin_text() -> str:
    return (resources.files(__package__) / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8")


def builtin_schema() -> Schema:
    """A fresh copy of the built-in schema, loaded from package data."""
    schema: Schema = json.loads(_builtin_text())
    return schema


@lru_cache(maxsize=1)
def _builtin_defs() -> Schema:
    defs: Schema = builtin_schema()["$defs"]
    return defs


def load_extension(path: Path) -> Schema:
    """Read an organisation's schema (JSON or YAML) and check it is a Draft 2020-12 schema."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"schema: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"schema: {path} is not UTF-8") from None
    try:
        data = yaml.safe_load(text) if path.suffix in (".yml", ".yaml") else json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"schema: {path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from None
    except yaml.YAMLError as error:
        raise ConfigurationError(f"schema: {path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"schema: {path}: a schema must be a JSON object")
    import jsonschema  # only for an organisation's schema, or to explain errors

    try:
        jsonschema.Draft202012Validator.check_schema(data)
    except jsonschema.SchemaError as error:
        where = "/".join(str(step) for step in error.absolute_path) or "(top level)"
        raise ConfigurationError(
            f"schema: {path}: not a valid JSON Schema at {where}: {error.message}"
        ) from None
    return data


def combine(builtin: Schema, extension: Schema | None, id_pattern: str | None) -> Schema:
    """The schema in force.

    An extension's `$defs` whose names the built-in schema has replace the built-in ones
    (that is how an organisation adds an enum value, such as an action-item category);
    its other keywords apply in addition, through `allOf`.
    """
    schema = copy.deepcopy(builtin)
    if id_pattern is not None:
        check_pattern(id_pattern, "id_pattern")
        schema["$defs"]["incident_id"] = {
            "type": "string",
            "pattern": id_pattern,
            "description": f"an id matching {id_pattern}",
        }
    if extension:
        extension = copy.deepcopy(extension)
        schema["$defs"].update(extension.pop("$defs", {}))
        for keyword in ("$schema", "$id", "title", "description"):
            extension.pop(keyword, None)
        if extension:
            schema.setdefault("allOf", []).append(extension)
    return schema


def check_pattern(pattern: str, option: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ConfigurationError(
            f"{option}: {pattern!r} is not a valid regular expression: {error}"
        ) from None


class SchemaInForce:
    """The schema that postmortems are checked against, with what derives from it."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.fast: Any = None
        if jsonschema_rs is not None:
            try:
                self.fast = jsonschema_rs.validator_for(schema)
            except (ValueError, jsonschema_rs.ValidationError) as error:
                raise ConfigurationError(f"schema: cannot be compiled: {error}") from None
        self._known: dict[tuple[str, ...], frozenset[str] | None] = {}
        self._internal: tuple[tuple[str, ...], ...] | None = None
        # Computed once, and checked here: a bad annotation is a configuration error.
        self._orders = {
            name: tuple(self.enum(name)) for name in ("status", "severity", "action_status")
        }
        self._roles = {
            (name, annotation): self._role(name, annotation)
            for name, annotations in ROLES.items()
            for annotation in annotations
        }
        self._defaults = {
            "item_status": self._default_at(("action_items", "*", "status"), "action_status"),
            "kind": self._default_at(("kind",), "kind"),
        }
        self._addressed_by = self._addressed_by_of()
        self._labels = {
            name: self._labels_of(name, definition)
            for name, definition in self.schema.get("$defs", {}).items()
            if isinstance(definition, dict) and "enum" in definition
        }
        self._descriptions = {
            name: self._annotation_map(name, definition, "x-descriptions")
            for name, definition in self.schema.get("$defs", {}).items()
            if isinstance(definition, dict) and "enum" in definition
        }

    def __reduce__(self) -> tuple[type[SchemaInForce], tuple[Schema]]:
        """Sent to a worker process as the schema alone: its validators are compiled
        again there, since they do not pickle."""
        return (SchemaInForce, (self.schema,))

    @classmethod
    def load(
        cls, extension_path: Path | None = None, id_pattern: str | None = None
    ) -> SchemaInForce:
        extension = load_extension(extension_path) if extension_path else None
        return cls(combine(builtin_schema(), extension, id_pattern))

    @classmethod
    def builtin(cls) -> SchemaInForce:
        """The built-in schema alone, made once: what applies when nothing else is said."""
        return _builtin_in_force()

    @cached_property
    def full(self) -> jsonschema.Draft202012Validator:
        """The pure-Python validator, which explains every error; built, and imported,
        the first time a postmortem is invalid (a clean archive never needs it)."""
        import jsonschema

        return jsonschema.Draft202012Validator(self.schema)

    def is_valid(self, data: Any) -> bool:
        if self.fast is not None:
            return bool(self.fast.is_valid(data))
        return bool(self.full.is_valid(data))

    def enum(self, name: str) -> list[str]:
        """Allowed values of an enum in `$defs`, e.g. `action_category`."""
        return list(self.schema["$defs"][name].get("enum", []))

    def label(self, name: str, value: str) -> str:
        """What readers see for a value of the enum `$defs/<name>`: its `x-labels` entry,
        else the value with spaces for underscores and a capital first letter."""
        found = self._labels.get(name, {}).get(value)
        return found if found is not None else humanised(value)

    def addressed_by(self) -> dict[str, tuple[str, ...]]:
        """The action-item categories that address each contributing-factor layer
        besides its namesake (`x-addressed-by` on `$defs/factor_layer`)."""
        return dict(self._addressed_by)

    def _addressed_by_of(self) -> dict[str, tuple[str, ...]]:
        definition = self.schema.get("$defs", {}).get("factor_layer", {})
        found = definition.get("x-addressed-by", {}) if isinstance(definition, dict) else {}
        if not isinstance(found, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in found.values()
        ):
            raise ConfigurationError(
                "schema: $defs/factor_layer/x-addressed-by must map layers to lists of "
                "action-item categories"
            )
        layers, categories = self.enum("factor_layer"), self.enum("action_category")
        if definition == _builtin_defs().get("factor_layer"):
            # The built-in layers under an organisation's categories: those still allowed.
            return {
                layer: tuple(c for c in named if c in categories) for layer, named in found.items()
            }
        for layer, named in found.items():
            unknown = [layer] if layer not in layers else [c for c in named if c not in categories]
            if unknown:
                raise ConfigurationError(
                    f"schema: $defs/factor_layer/x-addressed-by: {unknown[0]!r} is not one of "
                    f"the {'factor layers' if layer not in layers else 'action-item categories'}"
                )
        return {str(layer): tuple(named) for layer, named in found.items()}

    def labels(self, name: str) -> dict[str, str]:
        """Every value of the enum `$defs/<name>` with its label, in the enum's order."""
        return {value: self.label(name, value) for value in self.enum(name)}

    def descriptions(self, name: str) -> dict[str, str]:
        """What each value of the enum `$defs/<name>` means, from its `x-descriptions`
        (one line each), in the enum's order; values without one are left out."""
        found = self._descriptions.get(name, {})
        return {value: found[value] for value in self.enum(name) if value in found}

    def _labels_of(self, name: str, definition: Schema) -> dict[str, str]:
        return self._annotation_map(name, definition, "x-labels")

    def _annotation_map(self, name: str, definition: Schema, annotation: str) -> dict[str, str]:
        """An annotation that maps values of the enum beside it to texts, checked."""
        labels = definition.get(annotation, {})
        if not isinstance(labels, dict) or not all(
            isinstance(key, str) and isinstance(text, str) and text.strip()
            for key, text in labels.items()
        ):
            raise ConfigurationError(
                f"schema: $defs/{name}/{annotation} must map values of its enum to texts"
            )
        allowed = definition.get("enum", [])
        unknown = [key for key in labels if key not in allowed]
        if unknown:
            raise ConfigurationError(
                f"schema: $defs/{name}/{annotation}: {unknown[0]!r} is not one of "
                f"{', '.join(map(str, allowed))}"
            )
        return dict(labels)

    # The enums that order the archive, and the values that play a role in the rules:
    # an organisation's schema may replace them, so nothing else keeps a copy.

    def lifecycle(self) -> tuple[str, ...]:
        """The statuses in the order a postmortem goes through them."""
        return self._orders["status"]

    def severities(self) -> tuple[str, ...]:
        """The severities, the worst first."""
        return self._orders["severity"]

    def item_statuses(self) -> tuple[str, ...]:
        """The statuses of an action item, in the schema's order."""
        return self._orders["action_status"]

    def draft_statuses(self) -> tuple[str, ...]:
        """Statuses whose postmortem is shown as a draft (`x-draft`)."""
        return self._roles["status", "x-draft"]

    def published_statuses(self) -> tuple[str, ...]:
        """Statuses in which a postmortem must be finished: no placeholder left, and the
        nudges about its analysis (`x-published`)."""
        return self._roles["status", "x-published"]

    def closed_statuses(self) -> tuple[str, ...]:
        """Statuses that require every action item to be finished (`x-closed`)."""
        return self._roles["status", "x-closed"]

    def finished_item_statuses(self) -> tuple[str, ...]:
        """Statuses of an action item that needs no more work (`x-finished`)."""
        return self._roles["action_status", "x-finished"]

    def default_item_status(self) -> str:
        """The status of an action item that gives none."""
        return self._defaults["item_status"]

    def default_kind(self) -> str:
        """The kind of a postmortem that gives none."""
        return self._defaults["kind"]

    def default_severity(self) -> str:
        """The severity `new` writes without `--severity`: the schema's `default`, else the
        built-in one (which the caller checks against the levels in force)."""
        levels = self.resolve(self.schema.get("properties", {}).get("severity", {}))
        if isinstance(levels, dict) and isinstance(levels.get("default"), str):
            return str(levels["default"])
        return str(_builtin_defs()["severity"]["default"])

    def _default_at(self, shape: Sequence[str], name: str) -> str:
        """The `default` of the key at `shape` when `$defs/<name>` allows it (an
        organisation may replace the enum and not the key), else the enum's first value."""
        values = self.enum(name)
        *parents, key = shape
        for subschema in self.applicable(parents):
            child = self.resolve(subschema.get("properties", {}).get(key))
            default = child.get("default") if isinstance(child, dict) else None
            if isinstance(default, str) and (default in values or not values):
                return default
        return str(values[0]) if values else ""

    def _role(self, name: str, annotation: str) -> tuple[str, ...]:
        """The values of `$defs/<name>` that an annotation names, in the enum's order.

        A definition without the annotation (an organisation's replacement) keeps the
        built-in annotation's values that are still allowed.
        """
        definition = self.schema["$defs"].get(name, {})
        allowed = self.enum(name) if name in self.schema["$defs"] else []
        chosen = definition.get(annotation) if isinstance(definition, dict) else None
        if chosen is None:
            chosen = _builtin_defs()[name].get(annotation, [])
        elif not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            raise ConfigurationError(
                f"schema: $defs/{name}/{annotation} must be a list of values of its enum"
            )
        else:
            unknown = [value for value in chosen if value not in allowed]
            if unknown:
                raise ConfigurationError(
                    f"schema: $defs/{name}/{annotation}: {unknown[0]!r} is not one of "
                    f"{', '.join(allowed)}"
                )
        return tuple(value for value in allowed if value in chosen)

    @cached_property
    def id_regex(self) -> re.Pattern[str]:
        return re.compile(self.schema["$defs"]["incident_id"]["pattern"])

    def accepts_id(self, text: str) -> bool:
        """Whether an id may become part of a path: it matches, and is one printable line
        (Python's `$` also matches before a final line break)."""
        return bool(self.id_regex.search(text)) and text.isprintable()

    def resolve(self, subschema: Any) -> Any:
        """Follow local `$ref`s (`#/$defs/...`) of a subschema."""
        seen = 0
        while isinstance(subschema, dict) and "$ref" in subschema and seen < 32:
            reference = subschema["$ref"]
            if not isinstance(reference, str) or not reference.startswith("#/"):
                break
            target: Any = self.schema
            for step in reference[2:].split("/"):
                if not isinstance(target, dict) or step not in target:
                    return {}
                target = target[step]
            merged = {k: v for k, v in subschema.items() if k != "$ref"}
            subschema = {**target, **merged} if isinstance(target, dict) else target
            seen += 1
        return subschema

    def applicable(self, shape: Sequence[str]) -> list[Schema]:
        """Every subschema that may apply at a place in the document.

        `shape` is a path with list indices written as `*`.
        """
        current = list(self._expand(self.schema))
        for step in shape:
            following: list[Schema] = []
            for subschema in current:
                child = (
                    subschema.get("items")
                    if step == "*"
                    else subschema.get("properties", {}).get(step)
                )
                if isinstance(child, dict):
                    following.extend(self._expand(child))
            current = following
        return current

    def known_keys(self, shape: tuple[str, ...]) -> frozenset[str] | None:
        """Keys the schema names for a mapping at `shape`; None when it names none."""
        if shape not in self._known:
            keys: set[str] = set()
            for subschema in self.applicable(shape):
                keys.update(subschema.get("properties", {}))
            self._known[shape] = frozenset(keys) if keys else None
        return self._known[shape]

    def internal_fields(self) -> tuple[tuple[str, ...], ...]:
        """The fields marked `x-visibility: internal`, as paths with list items written
        `*` (`action_items.*.owner`): left out of the public edition. Raises
        `ConfigurationError` for a visibility other than `internal` or `public`."""
        if self._internal is None:
            found: list[tuple[str, ...]] = []
            stack: list[tuple[str, ...]] = [()]
            while stack:
                shape = stack.pop()
                if len(shape) > 12:  # a recursive schema: deeper fields are not looked for
                    continue
                children: dict[str, list[Schema]] = {}
                has_items = False
                for subschema in self.applicable(shape):
                    for name, child in subschema.get("properties", {}).items():
                        if isinstance(child, dict):
                            children.setdefault(name, []).extend(self._expand(child))
                    has_items = has_items or isinstance(subschema.get("items"), dict)
                for name, subschemas in children.items():
                    visibility = {s.get("x-visibility", "public") for s in subschemas}
                    if not visibility <= {"public", "internal"}:
                        raise ConfigurationError(
                            f"schema: {'.'.join((*shape, name))}: x-visibility must be "
                            f"'internal' or 'public', not {sorted(visibility - {'public'})[0]!r}"
                        )
                    if "internal" in visibility:
                        found.append((*shape, name))
                    else:
                        stack.append((*shape, name))
                if has_items:
                    stack.append((*shape, "*"))
            self._internal = tuple(sorted(found))
        return self._internal

    def _expand(self, subschema: Schema) -> Iterator[Schema]:
        stack = [subschema]
        depth = 0
        while stack and depth < 1000:
            depth += 1
            item = self.resolve(stack.pop())
            if not isinstance(item, dict):
                continue
            yield item
            for keyword in ("allOf", "anyOf", "oneOf"):
                stack.extend(s for s in item.get(keyword, []) if isinstance(s, dict))
            for keyword in ("then", "else"):
                if isinstance(item.get(keyword), dict):
                    stack.append(item[keyword])


def humanised(value: str) -> str:
    """`near_miss` as `Near miss`: a value without a label, as readers see it."""
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else value


@lru_cache(maxsize=1)
def _builtin_in_force() -> SchemaInForce:
    return SchemaInForce(builtin_schema())
