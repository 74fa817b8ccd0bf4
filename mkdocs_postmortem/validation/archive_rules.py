"""Rules a schema cannot say: they look at several fields, files or today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from ..diagnostics import Diagnostic, problem
from ..prose import id_prefix, mention_regex, mentions
from ..reader import Document
from ..schema import SchemaInForce
from .dates import Moment, is_moment_shaped, parse_moment
from .fields import did_you_mean, problem_at

# Page keys that MkDocs and Material read; they may sit beside the postmortem's own.
PAGE_KEYS = frozenset(
    {
        "template",
        "hide",
        "search",
        "description",
        "icon",
        "subtitle",
        "comments",
        "social",
        "robots",
    }
)
LIFECYCLE = ("occurred", "detected", "mitigated", "resolved")
FINISHED = frozenset({"done", "wont_do"})

Path = list[str | int]


def archive_problems(documents: Sequence[Document], schema: SchemaInForce) -> list[Diagnostic]:
    """Every problem between documents: shared ids, unknown related ids and mentions.

    Positions come from `cross_references`, kept when each document was released.
    """
    readable = [d for d in documents if isinstance(d.data, dict)]
    problems = list(_duplicate_ids(readable))
    known_ids = {
        d.data["id"]
        for d in readable
        if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)
    }
    for document in readable:
        problems.extend(_related(document, document.data or {}, known_ids))
    problems.extend(_unknown_mentions(documents, schema, known_ids))
    return problems


def cross_references(document: Document) -> list[Path]:
    """The places that `archive_problems` may point at in a document."""
    related = _list((document.data or {}).get("related"))
    paths: list[Path] = [["id"]]
    paths += [["related", n] for n in range(len(related))]
    return paths


def _unknown_mentions(
    documents: Sequence[Document], schema: SchemaInForce, known_ids: set[str]
) -> Iterator[Diagnostic]:
    """Ids in prose that look like the archive's own (same prefix) but do not exist.

    Only the archive's prefixes count, so that `GPT-4` or `COVID-19` pass in silence.
    """
    pattern = mention_regex(schema.id_regex)
    prefixes = {id_prefix(i) for i in known_ids}
    if pattern is None or not prefixes:
        return
    for document in documents:
        for mention in mentions(document.body, pattern, prefixes):
            if mention.id in known_ids or id_prefix(mention.id) not in prefixes:
                continue
            hint = did_you_mean(mention.id, known_ids)
            yield problem(
                "PM209",
                document.path,
                document.body_line + mention.line,
                mention.column + 1,
                f"no postmortem in the archive has id {mention.id!r}{hint}",
            )


def document_problems(
    document: Document, schema: SchemaInForce, today: dt.date
) -> Iterator[Diagnostic]:
    """The rules a schema cannot say that need only this document."""
    data = document.data
    if not isinstance(data, dict):
        return
    yield from _unknown_keys(document, schema, data, [], ())
    yield from _calendar(document, data)
    yield from _lifecycle_order(document, data)
    yield from _timeline_order(document, data)
    yield from _action_items(document, data, today)


def _duplicate_ids(documents: Sequence[Document]) -> Iterator[Diagnostic]:
    first: dict[str, Document] = {}
    for document in sorted(documents, key=lambda d: d.path):
        incident_id = (document.data or {}).get("id")
        if not isinstance(incident_id, str):
            continue
        if incident_id in first:
            other = first[incident_id]
            line, _ = other.position(["id"])
            yield problem_at(
                document,
                "PM201",
                ["id"],
                f"id {incident_id!r} is already used by {other.path}:{line}; ids must be unique",
            )
        else:
            first[incident_id] = document


def _unknown_keys(
    document: Document, schema: SchemaInForce, value: Any, path: Path, shape: tuple[str, ...]
) -> Iterator[Diagnostic]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                yield from _unknown_keys(document, schema, item, [*path, index], (*shape, "*"))
        return
    known = schema.known_keys(shape)
    if known is None:
        return
    for key, item in value.items():
        if key in known:
            if isinstance(item, dict | list):
                yield from _unknown_keys(document, schema, item, [*path, key], (*shape, key))
        elif not (key.startswith("x_") or (not path and key in PAGE_KEYS)):
            yield problem_at(
                document,
                "PM110",
                [*path, key],
                f"unknown key {key!r}{did_you_mean(key, known)}; extension keys start with 'x_'",
                key=True,
            )


def _moment_fields(data: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    for name in LIFECYCLE:
        yield [name], data.get(name)
    for index, entry in enumerate(_list(data.get("timeline"))):
        if isinstance(entry, dict):
            yield ["timeline", index, "at"], entry.get("at")
    for index, item in enumerate(_list(data.get("action_items"))):
        if isinstance(item, dict):
            yield ["action_items", index, "due"], item.get("due")
    prompt = (
        data.get("ai_system", {}).get("prompt") if isinstance(data.get("ai_system"), dict) else None
    )
    if isinstance(prompt, dict):
        for index, entry in enumerate(_list(prompt.get("history"))):
            if isinstance(entry, dict):
                yield ["ai_system", "prompt", "history", index, "date"], entry.get("date")


def _calendar(document: Document, data: dict[str, Any]) -> Iterator[Diagnostic]:
    for path, value in _moment_fields(data):
        if is_moment_shaped(value) and parse_moment(value) is None:
            yield problem_at(document, "PM203", path, f"{value!r} is not a date in the calendar")


def _lifecycle_order(document: Document, data: dict[str, Any]) -> Iterator[Diagnostic]:
    moments = {name: parse_moment(data.get(name)) for name in LIFECYCLE}
    checks = (
        ("detected", "occurred"),
        ("mitigated", "detected"),
        ("resolved", "detected"),
        ("resolved", "mitigated"),
    )
    for later, earlier in checks:
        late, early = moments[later], moments[earlier]
        if late is not None and early is not None and late.before(early):
            yield problem_at(
                document,
                "PM204",
                [later],
                f"{later} {data[later]} is before {earlier} {data[earlier]}",
            )


def _timeline_order(document: Document, data: dict[str, Any]) -> Iterator[Diagnostic]:
    previous: tuple[int, Moment, str] | None = None
    for index, entry in enumerate(_list(data.get("timeline"))):
        at = entry.get("at") if isinstance(entry, dict) else None
        moment = parse_moment(at)
        if moment is None:
            continue
        if previous is not None and moment.before(previous[1]):
            yield problem_at(
                document,
                "PM205",
                ["timeline", index, "at"],
                f"{at} comes before the previous entry's {previous[2]} "
                f"(timeline[{previous[0]}]); keep the timeline in time order",
            )
        previous = (index, moment, str(at))


def _related(document: Document, data: dict[str, Any], known_ids: set[str]) -> Iterator[Diagnostic]:
    for index, related in enumerate(_list(data.get("related"))):
        if isinstance(related, str) and related not in known_ids:
            hint = did_you_mean(related, known_ids)
            yield problem_at(
                document,
                "PM202",
                ["related", index],
                f"no postmortem in the archive has id {related!r}{hint}",
            )


def _action_items(document: Document, data: dict[str, Any], today: dt.date) -> Iterator[Diagnostic]:
    first_index: dict[str, int] = {}
    for index, item in enumerate(_list(data.get("action_items"))):
        if not isinstance(item, dict):
            continue
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in first_index:
                yield problem_at(
                    document,
                    "PM208",
                    ["action_items", index, "id"],
                    f"action item id {item_id!r} is already used by "
                    f"action_items[{first_index[item_id]}]",
                )
            else:
                first_index[item_id] = index
        status = item.get("status", "open")
        if not isinstance(status, str) or status in FINISHED:
            continue
        if data.get("status") == "closed":
            where: Path = ["action_items", index]
            if "status" in item:
                where.append("status")
            yield problem_at(
                document,
                "PM206",
                where,
                f"the postmortem is closed but this action item is {status!r}; "
                "finish it (done or wont_do) or reopen the postmortem (published)",
            )
        due = parse_moment(item.get("due"))
        if due is not None and due.day < today:
            yield problem_at(
                document,
                "PM207",
                ["action_items", index, "due"],
                f"action item {item_id!r} was due {item['due']} and is still {status!r}",
            )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
