"""Rules a schema cannot say: they look at several fields, files or today's date."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..catalogs import catalog, schemes
from ..diagnostics import Diagnostic, problem
from ..prose import id_prefix, mention_regex, mentions
from ..reader import Document
from ..schema import SchemaInForce
from .dates import Moment, is_moment_shaped, parse_moment
from .fields import did_you_mean, problem_at, shown
from .regulation_rules import regulation_problems

if TYPE_CHECKING:
    from ..archive import Archive  # the model needs the validation modules first

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
# The keys of the incident's moments, in the order they happen.
LIFECYCLE_DATES = ("occurred", "detected", "mitigated", "resolved")

Path = list[str | int]


def archive_problems(documents: Sequence[Document], schema: SchemaInForce) -> list[Diagnostic]:
    """Every problem between documents: shared ids, unknown related ids (each once, see
    `_unknown_related`) and mentions. (PM214 needs the archive model: `fixes_not_held`.)

    Positions come from `cross_references`, kept when each document was released.
    """
    readable = sorted((d for d in documents if isinstance(d.data, dict)), key=lambda d: d.path)
    problems = list(_duplicate_ids(readable))
    holders: dict[str, list[Document]] = {}
    for document in readable:
        incident_id = (document.data or {}).get("id")
        if isinstance(incident_id, str):
            holders.setdefault(incident_id, []).append(document)
    problems.extend(_unknown_related(readable, holders, schema))
    problems.extend(_unknown_mentions(documents, schema, set(holders)))
    return problems


def fixes_not_held(archive: Archive, documents: Sequence[Document]) -> list[Diagnostic]:
    """A warning (PM214) at the later incident's `occurred` when it repeats a pattern
    after the earlier incident's matching action items were all finished (see
    `learning`), from the archive model the check built."""
    by_path = {document.path: document for document in documents}
    problems = []
    for entry in archive.not_held:
        pattern = entry.pattern
        pairs = f"{', '.join(pattern.modes)} in {', '.join(pattern.layers)}"
        categories = ", ".join(entry.pattern.categories)
        problems.append(
            problem_at(
                by_path[entry.later.path],
                "PM214",
                ["occurred"],
                f"repeats {entry.earlier.id} ({pairs}, {entry.pattern.subject}) after its"
                f" action items in {categories} were all finished: the fix of"
                f" {entry.earlier.id} may not have held",
            )
        )
    return problems


def cross_references(document: Document) -> list[Path]:
    """The places that `archive_problems` may point at in a document."""
    related = _list((document.data or {}).get("related"))
    paths: list[Path] = [["id"], ["occurred"]]
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
    yield from _action_items(document, data, schema, today)
    yield from _addressed_factors(document, data)
    yield from _taxonomy_ids(document, data, schema)
    yield from _taxonomy_hint(document, data, schema)
    yield from regulation_problems(document, data, schema, today)


def _duplicate_ids(documents: Sequence[Document]) -> Iterator[Diagnostic]:
    """PM201 in every file of a shared id, each naming the others: whichever of them a
    pull request adds, the annotation lands on a file it changes."""
    holders: dict[str, list[Document]] = {}
    for document in sorted(documents, key=lambda d: d.path):
        incident_id = (document.data or {}).get("id")
        if isinstance(incident_id, str):
            holders.setdefault(incident_id, []).append(document)
    for incident_id, sharing in holders.items():
        if len(sharing) < 2:
            continue
        for document in sharing:
            # The first three others, and how many more: linear however many share it.
            named = [other for other in sharing[:4] if other is not document][:3]
            others = _places(((other, ["id"]) for other in named), more=len(sharing) - 1)
            yield problem_at(
                document,
                "PM201",
                ["id"],
                f"id {incident_id!r} is also used by {others}; ids must be unique",
            )


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
    for name in LIFECYCLE_DATES:
        yield [name], data.get(name)
    for index, entry in enumerate(_list(data.get("timeline"))):
        if isinstance(entry, dict):
            yield ["timeline", index, "at"], entry.get("at")
    for index, item in enumerate(_list(data.get("action_items"))):
        if isinstance(item, dict):
            yield ["action_items", index, "due"], item.get("due")
    regulatory = data.get("regulatory")
    block = regulatory.get("eu_ai_act") if isinstance(regulatory, dict) else None
    if isinstance(block, dict):
        for key in ("aware", "initial_report", "complete_report"):
            yield ["regulatory", "eu_ai_act", key], block.get(key)
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
    moments = {name: parse_moment(data.get(name)) for name in LIFECYCLE_DATES}
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
                f"{later} {data[later]} is before {earlier} {data[earlier]}"
                + _utc_note((data[later], late), (data[earlier], early)),
            )


def _utc_note(*written: tuple[object, Moment]) -> str:
    """Why a time and a bare day compare as they do when the time's day in UTC is not
    the day written: a bare day is a day in UTC."""
    if not any(moment.instant is None for _, moment in written):
        return ""
    for text, moment in written:
        if moment.instant is not None and moment.utc_day != moment.day:
            return f" ({text} is {moment.utc_day} in UTC; a date without a time is a UTC day)"
    return ""


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
                f"(timeline[{previous[0]}]); keep the timeline in time order"
                + _utc_note((at, moment), (previous[2], previous[1])),
            )
        previous = (index, moment, str(at))


def _unknown_related(
    documents: Sequence[Document], holders: dict[str, list[Document]], schema: SchemaInForce
) -> Iterator[Diagnostic]:
    """One PM202 per unknown id, at its first reference (in file order), naming the other
    postmortems that list it and the id it most likely is: one mistyped id would
    otherwise bury its cause under an equal error in every postmortem that relates to it.
    """
    references: dict[str, list[tuple[Document, int]]] = {}
    referenced: set[str] = set()
    for document in documents:
        listed: set[str] = set()
        for index, related in enumerate(_list((document.data or {}).get("related"))):
            if not isinstance(related, str):
                continue
            referenced.add(related)
            if related not in holders and related not in listed:
                references.setdefault(related, []).append((document, index))
            listed.add(related)
    if not references:
        return
    near = _NearIds(holders, referenced, schema)
    for unknown, places in references.items():
        document, index = places[0]
        message = f"no postmortem in the archive has id {unknown!r}"
        others = places[1:]
        if others:
            message += f" (also listed by {_places((d, ['related', n]) for d, n in others)})"
        own = {i for d, _ in places if isinstance(i := (d.data or {}).get("id"), str)}
        meant = near.likely(unknown, own)
        if meant is not None:
            where = _places((d, ["id"]) for d in holders[meant])
            if others or not schema.accepts_id(meant):
                message += f"; {meant!r} in {where} looks like it: is that id mistyped?"
            else:
                message += f" (did you mean {meant!r}, the id of {where}?)"
        yield problem_at(document, "PM202", ["related", index], message)


class _NearIds:
    """The archive's ids, to find the one an unknown id is a near miss of: by difflib's
    ratio with the cutoff of `did_you_mean`, case and `_` for `-` aside."""

    def __init__(
        self, holders: dict[str, list[Document]], referenced: set[str], schema: SchemaInForce
    ) -> None:
        self.ids: dict[str, list[str]] = {}
        for incident_id in sorted(holders):
            self.ids.setdefault(_folded(incident_id), []).append(incident_id)
        self.all = sorted(self.ids)
        self.refused = [key for key in self.all if not all(map(schema.accepts_id, self.ids[key]))]
        self.referenced = referenced

    def likely(self, unknown: str, own: set[str]) -> str | None:
        """First among the ids the pattern refuses (their postmortems are left out of the
        archive), then among all; between ids as near, one that no postmortem lists as
        related (a mistyped id has lost its references). Never an id in `own` (the
        postmortems listing `unknown` do not mean themselves)."""
        word = _folded(unknown)
        for pool in (self.refused, self.all):
            keys = difflib.get_close_matches(word, pool, n=len(own) + 8, cutoff=0.6)
            ranked = [i for key in keys for i in self.ids[key] if i not in own]
            if ranked:
                best = _likeness(word, _folded(ranked[0]))
                tied = [i for i in ranked if _likeness(word, _folded(i)) == best]
                return next((i for i in tied if i not in self.referenced), tied[0])
        return None


def _folded(incident_id: str) -> str:
    return incident_id.lower().replace("_", "-")


def _likeness(word: str, key: str) -> float:
    """The ratio by which `difflib.get_close_matches` ranks `key` for `word`."""
    return difflib.SequenceMatcher(None, key, word).ratio()


def _places(where: Iterable[tuple[Document, Path]], shown: int = 3, more: int | None = None) -> str:
    """`a.md:8, b.md:8 and 2 more`: places as editors jump to them, the first few;
    `more` is the number of places when `where` holds only the first few."""
    texts = [f"{document.path}:{document.position(path)[0]}" for document, path in where]
    total = len(texts) if more is None else more
    if total > min(shown, len(texts)):
        shown = min(shown, len(texts))
        texts = [*texts[:shown], f"{total - shown} more"]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _action_items(
    document: Document, data: dict[str, Any], schema: SchemaInForce, today: dt.date
) -> Iterator[Diagnostic]:
    finished = schema.finished_item_statuses()
    closed = data.get("status") in schema.closed_statuses()
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
        status = item.get("status", schema.default_item_status())
        if not isinstance(status, str) or status in finished:
            continue
        if closed:
            where: Path = ["action_items", index]
            if "status" in item:
                where.append("status")
            yield problem_at(
                document, "PM206", where, _unfinished_in_closed(data["status"], status, schema)
            )
        due = parse_moment(item.get("due"))
        if due is not None and due.day < today:
            # Without an id, the item's place in the list, counted from 1 as people do.
            named = repr(item_id) if isinstance(item_id, str) else str(index + 1)
            yield problem_at(
                document,
                "PM207",
                ["action_items", index, "due"],
                f"action item {named}{_owned_by(item.get('owner'))} was due {item['due']}"
                f" ({_days_ago((today - due.day).days)}) and is still {status!r}",
            )


def _days_ago(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'} ago"


def _owned_by(owner: object) -> str:
    return f" of {shown(owner)}" if isinstance(owner, str) and owner.strip() else ""


def _addressed_factors(document: Document, data: dict[str, Any]) -> Iterator[Diagnostic]:
    """Factor ids are unique (PM211), and every id an action item `addresses` is one of
    them (PM210), reported at the value itself."""
    first_index: dict[str, int] = {}
    for index, factor in enumerate(_list(data.get("contributing_factors"))):
        factor_id = factor.get("id") if isinstance(factor, dict) else None
        if not isinstance(factor_id, str):
            continue
        if factor_id in first_index:
            yield problem_at(
                document,
                "PM211",
                ["contributing_factors", index, "id"],
                f"contributing factor id {factor_id!r} is already used by "
                f"contributing_factors[{first_index[factor_id]}]",
            )
        else:
            first_index[factor_id] = index
    known = sorted(first_index)
    for index, item in enumerate(_list(data.get("action_items"))):
        addresses = item.get("addresses") if isinstance(item, dict) else None
        for place, factor_id in enumerate(_list(addresses)):
            if not isinstance(factor_id, str) or factor_id in first_index:
                continue
            if known:
                listed = ", ".join(repr(k) for k in known)
                message = (
                    f"no contributing factor has id {factor_id!r}; the factors' ids are "
                    f"{listed}{did_you_mean(factor_id, known)}"
                )
            else:
                message = (
                    f"no contributing factor has id {factor_id!r}: this postmortem's "
                    "contributing factors have no ids; give the factor an `id` (e.g. F1)"
                )
            yield problem_at(
                document, "PM210", ["action_items", index, "addresses", place], message
            )


def _taxonomy_ids(
    document: Document, data: dict[str, Any], schema: SchemaInForce
) -> Iterator[Diagnostic]:
    """An id of the right form that its catalog does not have (PM212), at the value,
    with the entry it most likely is. A value of the wrong form is the schema's to
    report (PM102, PM104), with the same hint, so that no value is reported twice."""
    atlas = catalog("mitre_atlas")
    for index, entry in enumerate(_list(data.get("timeline"))):
        value = entry.get("atlas") if isinstance(entry, dict) else None
        if (
            isinstance(value, str)
            and atlas.get(value) is None
            and _well_formed_at(schema, ("timeline", "*", "atlas"), value)
        ):
            yield problem_at(
                document,
                "PM212",
                ["timeline", index, "atlas"],
                f"{value!r} is not in {atlas.title} {atlas.version}{atlas.hint(value)}",
            )
    taxonomy = data.get("taxonomy")
    if not isinstance(taxonomy, dict):
        return
    for scheme in schemes():
        known = catalog(scheme)
        for index, value in enumerate(_list(taxonomy.get(scheme))):
            if not isinstance(value, str) or known.get(value) is not None:
                continue
            if not _well_formed(schema, scheme, value):
                continue
            yield problem_at(
                document,
                "PM212",
                ["taxonomy", scheme, index],
                f"{value!r} is not in {known.title} {known.version}{known.hint(value)}",
            )


def _taxonomy_hint(
    document: Document, data: dict[str, Any], schema: SchemaInForce
) -> Iterator[Diagnostic]:
    """A postmortem without taxonomy values, whose failure modes suggest some: PM213,
    information, with the entries the schema's `x-taxonomy` maps them to (at
    `taxonomy` if written, else at `failure_modes`)."""
    taxonomy = data.get("taxonomy")
    if isinstance(taxonomy, dict) and any(_list(v) for v in taxonomy.values()):
        return
    if taxonomy is not None and not isinstance(taxonomy, dict):
        return  # the schema reports it
    modes = [m for m in _list(data.get("failure_modes")) if isinstance(m, str)]
    mapping = schema.schema.get("$defs", {}).get("failure_mode", {}).get("x-taxonomy", {})
    if not modes or not isinstance(mapping, dict):
        return
    suggested: dict[str, dict[str, str]] = {scheme: {} for scheme in schemes()}
    for mode in modes:
        entries = mapping.get(mode)
        if not isinstance(entries, dict):
            continue
        for scheme, ids in entries.items():
            if scheme not in suggested:
                continue
            for entry_id in _list(ids):
                entry = catalog(scheme).get(entry_id)
                if entry is not None:
                    suggested[scheme].setdefault(entry.id, entry.name)
    parts = [
        f"{scheme}: " + ", ".join(f"{i} ({name})" for i, name in ids.items())
        for scheme, ids in suggested.items()
        if ids
    ]
    if not parts:
        return
    yield problem_at(
        document,
        "PM213",
        ["taxonomy"] if taxonomy is not None else ["failure_modes"],
        "no taxonomy yet; the failure modes suggest " + "; ".join(parts),
    )


def _well_formed(schema: SchemaInForce, scheme: str, value: str) -> bool:
    """Whether `value` has the form the schema in force asks of `taxonomy.<scheme>` ids
    (its patterns and enums)."""
    return _well_formed_at(schema, ("taxonomy", scheme, "*"), value)


def _well_formed_at(schema: SchemaInForce, shape: tuple[str, ...], value: str) -> bool:
    """Whether `value` has the form the schema in force asks at `shape`."""
    for subschema in schema.applicable(shape):
        allowed = subschema.get("enum")
        if isinstance(allowed, list) and value not in allowed:
            return False
        pattern = subschema.get("pattern")
        if isinstance(pattern, str) and not re.search(pattern, value):
            return False
    return True


def _unfinished_in_closed(status: str, item_status: str, schema: SchemaInForce) -> str:
    """PM206's message, with the statuses of the schema in force that would fix it."""
    finished = " or ".join(schema.finished_item_statuses())
    reopen = " or ".join(
        s for s in schema.published_statuses() if s not in schema.closed_statuses()
    )
    return (
        f"the postmortem is {status} but this action item is {item_status!r}; "
        f"finish it{f' ({finished})' if finished else ''} or reopen the postmortem"
        + (f" ({reopen})" if reopen else "")
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
