"""The archive model: typed incidents, action items, links and facets.

Built once per build from the documents of a check. A document that is broken in
places still gives what it can (the build may go on under `serve`); a document
whose id does not pass the id pattern gives nothing, since ids become paths.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import collector
from .learning import (
    NotHeld,
    Pattern,
    Similar,
    fixes_not_held,
    recurring_patterns,
    similar_incidents,
)
from .reader import Document
from .regulation import GENERAL_DAYS, ReportClock, category_days, clock_of
from .schema import SchemaInForce, humanised
from .validation.dates import Moment, parse_moment


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _url(value: Any) -> str:
    """Only web links become links: never `javascript:` or a path, even in a broken file."""
    text = _text(value)
    return text if text.startswith(("https://", "http://")) and " " not in text else ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mappings(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True, order=True)
class ModelRef:
    """A model as named by a postmortem: name, and the version that was live."""

    name: str
    version: str = ""
    provider: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.version})" if self.version else self.name

    @property
    def short(self) -> str:
        """The name as listings show it: without a `provider/` prefix (`openai/gpt-4o`)."""
        return self.name.rsplit("/", 1)[-1].strip() or self.name


@dataclass(frozen=True)
class TimelineEntry:
    at: str
    event: str
    atlas: str = ""  # the MITRE ATLAS technique of this step, if named


@dataclass(frozen=True)
class Factor:
    layer: str
    description: str
    id: str = ""  # optional: what action items' `addresses` name

    @property
    def anchor(self) -> str:
        """`factor-<id>`, made safe as an action item's (see `anchor`); "" without an id."""
        return anchor("factor-", self.id) if self.id else ""


@dataclass(frozen=True)
class PromptChange:
    """An entry of the prompt's history."""

    version: str
    date: str = ""
    change: str = ""
    ref: str = ""

    @property
    def ref_url(self) -> str:
        return _url(self.ref)


@dataclass(frozen=True)
class Named:
    """A data source (`name`, `version` as `detail`) or a guardrail (`name`, `state`)."""

    name: str
    detail: str = ""


def anchor(prefix: str, identifier: str) -> str:
    """`<prefix><id>`. An id that an anchor cannot hold as it is (`A.1`) gets a hash of
    itself too, so that `A.1` and `A-1` do not share one; "--" is kept for that hash, so
    an id holding it is hashed as well."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in identifier)
    if safe == identifier and "--" not in safe:
        return prefix + safe
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}{safe}--{digest}"


@dataclass
class ActionItem:
    """One action item, addressable archive-wide as `<incident id>/<item id>`."""

    incident: Incident = field(repr=False, compare=False)
    id: str
    title: str
    category: str
    status: str
    owner: str = ""
    due: str = ""
    tracker: str = ""
    reason: str = ""
    overdue: bool = False
    finished: bool = False  # its status is one the schema in force calls finished
    addresses: list[str] = field(default_factory=list)  # ids of contributing factors

    @property
    def key(self) -> str:
        return f"{self.incident.id}/{self.id}"

    @functools.cached_property
    def anchor(self) -> str:
        """`action-<id>`, made safe (see `anchor`)."""
        return anchor("action-", self.id)


@dataclass
class Incident:
    """A postmortem as the archive shows it."""

    id: str
    path: str
    title: str
    status: str
    severity: str
    occurred: str
    summary: str = ""
    kind: str = ""
    detected: str = ""
    mitigated: str = ""
    resolved: str = ""
    detection: str = ""
    system: str = ""
    models: list[ModelRef] = field(default_factory=list)
    prompt_version: str = ""
    failure_modes: list[str] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    taxonomy: dict[str, list[Any]] = field(default_factory=dict)
    impact: str = ""
    users_affected: int | None = None
    harm_types: list[str] = field(default_factory=list)
    legal_review: str = ""
    prompt_history: list[PromptChange] = field(default_factory=list)
    inputs: str = ""
    data_sources: list[Named] = field(default_factory=list)  # name, version
    guardrails: list[Named] = field(default_factory=list)  # name, state
    human_oversight: str = ""
    attribution: str = ""
    no_action_rationale: str = ""
    open_questions: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    is_draft: bool = False  # its status is one the schema in force shows as a draft
    is_published: bool = False  # its status is one the schema in force calls published
    # A serious incident's EU AI Act Art. 73 clock, and its state on the build's day.
    eu_ai_act: ReportClock | None = None
    eu_ai_act_state: str = ""
    eu_ai_act_days_left: int = 0
    # The front-matter as read (JSON-shaped values, dates as text), for the export of
    # every field; shared with `Document.data`, not copied.
    data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def open_items(self) -> int:
        return sum(1 for item in self.action_items if not item.finished)

    @property
    def overdue_items(self) -> int:
        return sum(1 for item in self.action_items if item.overdue)

    @property
    def year(self) -> str:
        return self.occurred[:4]

    @property
    def layers(self) -> list[str]:
        return list(dict.fromkeys(factor.layer for factor in self.factors))

    @property
    def links_factors(self) -> bool:
        """Whether any action item names the factors it addresses: only then does a
        factor that none addresses stand out on the page."""
        return any(item.addresses for item in self.action_items)

    def items_addressing(self, factor: Factor) -> list[ActionItem]:
        """The action items whose `addresses` name the factor, in their order."""
        if not factor.id:
            return []
        return [item for item in self.action_items if factor.id in item.addresses]

    def factors_addressed_by(self, item: ActionItem) -> list[Factor]:
        """The factors an item addresses that the postmortem has, first of each id."""
        by_id: dict[str, Factor] = {}
        for factor in self.factors:
            if factor.id:
                by_id.setdefault(factor.id, factor)
        return [by_id[i] for i in dict.fromkeys(item.addresses) if i in by_id]

    def hours_between(self, start: str, end: str) -> float | None:
        """Hours from one lifecycle moment to another; None without both."""
        first, last = parse_moment(start), parse_moment(end)
        if first is None or last is None:
            return None
        return max(0.0, (_instant(last) - _instant(first)).total_seconds() / 3600)

    @property
    def hours_to_detect(self) -> float | None:
        return self.hours_between(self.occurred, self.detected)

    @property
    def hours_to_resolve(self) -> float | None:
        return self.hours_between(self.detected or self.occurred, self.resolved)


def _instant(moment: Moment) -> dt.datetime:
    if moment.instant is not None:
        return moment.instant
    return dt.datetime.combine(moment.day, dt.time(), tzinfo=dt.timezone.utc)


def incident_from(document: Document, today: dt.date, schema: SchemaInForce) -> Incident:
    """The incident of a document; what its values mean (a draft, a finished item, the
    defaults) comes from the schema in force."""
    data: dict[str, Any] = document.data or {}
    system = _mapping(data.get("ai_system"))
    prompt = _mapping(system.get("prompt"))
    impact = _mapping(data.get("impact"))
    taxonomy = _mapping(data.get("taxonomy"))
    users = impact.get("users_affected")
    incident = Incident(
        id=data["id"],
        path=document.path,
        title=_text(data.get("title")) or data["id"],
        status=_text(data.get("status")),
        severity=_text(data.get("severity")),
        occurred=_text(data.get("occurred")),
        summary=_text(data.get("summary")),
        kind=_text(data.get("kind")) or schema.default_kind(),
        detected=_text(data.get("detected")),
        mitigated=_text(data.get("mitigated")),
        resolved=_text(data.get("resolved")),
        detection=_text(data.get("detection")),
        system=_text(system.get("name")),
        models=[
            ModelRef(_text(m.get("name")), _text(m.get("version")), _text(m.get("provider")))
            for m in _mappings(system.get("models"))
            if _text(m.get("name"))
        ],
        prompt_version=_text(prompt.get("version")),
        failure_modes=list(dict.fromkeys(_texts(data.get("failure_modes")))),
        factors=[
            Factor(_text(f.get("layer")), _text(f.get("description")), _text(f.get("id")))
            for f in _mappings(data.get("contributing_factors"))
        ],
        timeline=[
            TimelineEntry(_text(e.get("at")), _text(e.get("event")), _text(e.get("atlas")))
            for e in _mappings(data.get("timeline"))
        ],
        related=list(dict.fromkeys(_texts(data.get("related")))),
        tags=list(dict.fromkeys(_texts(data.get("tags")))),
        taxonomy={
            key: [v for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
            for key, value in taxonomy.items()
            if isinstance(value, list)
        },
        impact=_text(impact.get("description")),
        users_affected=users if isinstance(users, int) and not isinstance(users, bool) else None,
        harm_types=list(dict.fromkeys(_texts(impact.get("harm_types")))),
        legal_review=_text(impact.get("legal_review")),
        prompt_history=[
            PromptChange(
                _text(h.get("version")),
                _text(h.get("date")),
                _text(h.get("change")),
                _text(h.get("ref")),
            )
            for h in _mappings(prompt.get("history"))
        ],
        inputs=_text(system.get("inputs")),
        data_sources=[
            Named(_text(d.get("name")), _text(d.get("version")))
            for d in _mappings(system.get("data_sources"))
            if _text(d.get("name"))
        ],
        guardrails=[
            Named(_text(g.get("name")), _text(g.get("state")))
            for g in _mappings(system.get("guardrails"))
            if _text(g.get("name"))
        ],
        human_oversight=_text(system.get("human_oversight")),
        attribution=_text(data.get("attribution")),
        no_action_rationale=_text(data.get("no_action_rationale")),
        open_questions=_texts(data.get("open_questions")),
        reviewers=_texts(data.get("reviewers")),
        data=data,
    )
    incident.is_draft = incident.status in schema.draft_statuses()
    incident.is_published = incident.status in schema.published_statuses()
    incident.eu_ai_act = clock_of(data, schema)
    if incident.eu_ai_act is not None:
        incident.eu_ai_act_state = incident.eu_ai_act.state(today)
        incident.eu_ai_act_days_left = incident.eu_ai_act.days_left(today)
    finished_statuses = schema.finished_item_statuses()
    for item in _mappings(data.get("action_items")):
        status = _text(item.get("status")) or schema.default_item_status()
        finished = status in finished_statuses
        due = _text(item.get("due"))
        due_moment = parse_moment(due)
        incident.action_items.append(
            ActionItem(
                incident=incident,
                id=_text(item.get("id")),
                title=_text(item.get("title")),
                category=_text(item.get("category")),
                status=status,
                owner=_text(item.get("owner")),
                due=due,
                tracker=_url(item.get("tracker")),
                reason=_text(item.get("reason")),
                overdue=not finished and due_moment is not None and due_moment.day < today,
                finished=finished,
                addresses=_texts(item.get("addresses")),
            )
        )
    return incident


@dataclass
class Archive:
    """Every postmortem that can be shown, with the links and groupings between them."""

    incidents: list[Incident]
    categories: list[str]
    failure_modes: list[str]
    layers: list[str]
    # The orders of the schema in force; values outside them come after, see `in_order`.
    severities: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    item_statuses: list[str] = field(default_factory=list)
    # What readers see for each value of each enum of the schema in force: name -> value -> label.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # What a value means (`x-descriptions`): name -> value -> one line, where given.
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)
    default_kind: str = ""  # listings mark the other kinds (a near miss)
    # The categories that address each factor layer besides its namesake (the schema's).
    addressed_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Each incident's similar ones (see `learning`): given, or worked out by
    # `find_similar`, which pages call and a check alone does not need.
    similar: dict[str, list[Similar]] | None = None
    # The fields this edition leaves out (`edition`), as `action_items.*.owner`.
    hidden: frozenset[str] = frozenset()
    # The days to report a serious incident (EU AI Act Art. 73), per category of the
    # schema in force, and for a widespread infringement: the schema's `x-report-days`.
    report_days: dict[str, int] = field(default_factory=dict)
    widespread_days: int = GENERAL_DAYS
    by_id: dict[str, Incident] = field(init=False)
    referenced_by: dict[str, list[Incident]] = field(init=False)
    _ranks: dict[str, dict[str, int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ranks = {}
        self.by_id = {}
        for incident in self.incidents:
            self.by_id.setdefault(incident.id, incident)
        self.referenced_by = defaultdict(list)
        for incident in self.incidents:
            for other in incident.related:
                if other in self.by_id and other != incident.id:
                    self.referenced_by[other].append(incident)

    def find_similar(self) -> None:
        """Work out each incident's similar ones, unless known (the pages need them; the
        check does not, so `validate` never pays for them)."""
        if self.similar is None:
            self.similar = similar_incidents(self.incidents)[0]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled without `by_id` and `referenced_by`, which the receiving process
        works out again: half the bytes and time for a worker's copy."""
        return (
            Archive,
            (
                self.incidents,
                self.categories,
                self.failure_modes,
                self.layers,
                self.severities,
                self.statuses,
                self.item_statuses,
                self.labels,
                self.descriptions,
                self.default_kind,
                self.addressed_by,
                self.similar,
                self.hidden,
                self.report_days,
                self.widespread_days,
            ),
        )

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        schema: SchemaInForce,
        today: dt.date,
        hidden: Iterable[tuple[str, ...]] = (),
        incident_of: Callable[[Document], Incident] | None = None,
    ) -> Archive:
        """The archive of the checked documents; `hidden`, the fields that this
        edition leaves out (see `edition`), which its pages then do not show;
        `incident_of`, each document's model where the caller keeps them (as
        `incident_from(document, today, schema)` makes it)."""
        if incident_of is None:
            incident_of = functools.partial(incident_from, today=today, schema=schema)
        report_days, widespread_days = category_days(schema)
        with collector.paused():
            incidents = [
                incident_of(document)
                for document in documents
                if document.data
                and isinstance(document.data.get("id"), str)
                and schema.accepts_id(document.data["id"])
            ]
            # Newest first; the id breaks ties so the order never depends on file names.
            incidents.sort(key=lambda i: i.id)
            incidents.sort(key=lambda i: i.occurred, reverse=True)
            return cls(
                incidents,
                categories=schema.enum("action_category"),
                failure_modes=schema.enum("failure_mode"),
                layers=schema.enum("factor_layer"),
                severities=list(schema.severities()),
                statuses=list(schema.lifecycle()),
                item_statuses=list(schema.item_statuses()),
                labels={
                    name: schema.labels(name)
                    for name, definition in schema.schema.get("$defs", {}).items()
                    if isinstance(definition, dict) and "enum" in definition
                },
                descriptions={
                    name: schema.descriptions(name)
                    for name, definition in schema.schema.get("$defs", {}).items()
                    if isinstance(definition, dict) and "x-descriptions" in definition
                },
                default_kind=schema.default_kind(),
                addressed_by=schema.addressed_by(),
                hidden=frozenset(".".join(shape) for shape in hidden),
                report_days=report_days,
                widespread_days=widespread_days,
            )

    def shows(self, shape: str) -> bool:
        """Whether this edition shows a field (`action_items.*.owner`): every field but
        those the public edition leaves out."""
        return shape not in self.hidden

    def label(self, value: str, name: str) -> str:
        """What readers see for `value` of the enum `$defs/<name>` (see
        `SchemaInForce.label`)."""
        found = self.labels.get(name, {}).get(value)
        return found if found is not None else humanised(value)

    def description(self, value: str, name: str) -> str:
        """What `value` of the enum `$defs/<name>` means, or nothing."""
        return self.descriptions.get(name, {}).get(value, "")

    def rank(self, value: str, name: str) -> int:
        """The place of `value` in its order (`status`: the lifecycle; `severity`: the
        worst first), for sorting: values outside the schema come last."""
        ranks = self._ranks.get(name)
        if ranks is None:
            order = {"status": self.status_order, "severity": self.severity_order}[name]()
            ranks = self._ranks[name] = {v: n for n, v in enumerate(order)}
        return ranks.get(value, len(ranks))

    def similar_of(self, incident: Incident) -> list[tuple[Incident, Similar]]:
        """The incidents like this one, the most similar first, with score and reasons;
        never a related one either way (shown apart)."""
        self.find_similar()
        return [
            (self.by_id[entry.id], entry)
            for entry in (self.similar or {}).get(incident.id, [])
            if entry.id in self.by_id
        ]

    @functools.cached_property
    def patterns(self) -> list[Pattern]:
        """Failure mode, layer and system (or model family) seen in two incidents or
        more (see `learning.recurring_patterns`); worked out when first asked for."""
        return recurring_patterns(self.incidents, self.addressed_by)

    @functools.cached_property
    def not_held(self) -> list[NotHeld]:
        """Later incidents of a pattern after an earlier one whose matching action
        items are all finished."""
        return fixes_not_held(self.patterns)

    @functools.cached_property
    def _not_held_by_id(self) -> dict[str, list[NotHeld]]:
        found: dict[str, list[NotHeld]] = defaultdict(list)
        for entry in self.not_held:
            found[entry.earlier.id].append(entry)
            found[entry.later.id].append(entry)
        return found

    def not_held_of(self, incident: Incident) -> list[NotHeld]:
        """What `not_held` says of an incident, as the earlier or the later one."""
        return self._not_held_by_id.get(incident.id, [])

    def related_of(self, incident: Incident) -> list[Incident]:
        return [self.by_id[i] for i in incident.related if i in self.by_id and i != incident.id]

    @property
    def action_items(self) -> list[ActionItem]:
        return [item for incident in self.incidents for item in incident.action_items]

    def serious_incidents(self) -> list[Incident]:
        """The incidents with an EU AI Act Art. 73 clock, the earliest due first."""
        found = [i for i in self.incidents if i.eu_ai_act is not None and self.by_id[i.id] is i]
        return sorted(found, key=lambda i: (i.eu_ai_act.due if i.eu_ai_act else dt.date.max, i.id))

    def items_by_category(self) -> dict[str, list[ActionItem]]:
        """Categories of the schema in force in its order, then any other in use."""
        groups: dict[str, list[ActionItem]] = {name: [] for name in self.categories}
        for item in self.action_items:
            if item.category:
                groups.setdefault(item.category, []).append(item)
        return groups

    def severity_order(self) -> list[str]:
        """Every severity: the schema's, the worst first, then any other in use."""
        return in_order((i.severity for i in self.incidents), self.severities)

    def status_order(self) -> list[str]:
        """Every status: the schema's lifecycle, then any other in use."""
        return in_order((i.status for i in self.incidents), self.statuses)

    def item_status_order(self) -> list[str]:
        """Every status of an action item: the schema's, then any other in use."""
        return in_order((item.status for item in self.action_items), self.item_statuses)

    def by_failure_mode(self) -> dict[str, list[Incident]]:
        return _group(self.incidents, lambda i: i.failure_modes, order=self.failure_modes)

    def kind_order(self) -> list[str]:
        """Every kind: the schema's, then any other in use."""
        return in_order((i.kind for i in self.incidents), list(self.labels.get("kind", {})))

    def by_model(self) -> dict[str, list[Incident]]:
        """Postmortems by model name, whatever the version: one page per model."""
        groups: dict[str, list[Incident]] = defaultdict(list)
        for incident in self.incidents:
            for name in dict.fromkeys(m.name for m in incident.models):
                groups[name].append(incident)
        return dict(sorted(groups.items()))

    def model_versions(self) -> dict[str, dict[str, int]]:
        """Each model name's versions, sorted, with how many postmortems name each;
        a model named without a version counts under ""."""
        versions: dict[str, dict[str, int]] = defaultdict(dict)
        for incident in self.incidents:
            for model in dict.fromkeys(ModelRef(m.name, m.version) for m in incident.models):
                counts = versions[model.name]
                counts[model.version] = counts.get(model.version, 0) + 1
        return {name: dict(sorted(counts.items())) for name, counts in versions.items()}

    def by_tag(self) -> dict[str, list[Incident]]:
        return _group(self.incidents, lambda i: i.tags)

    def by_year(self) -> dict[str, list[Incident]]:
        groups = _group(self.incidents, lambda i: [i.year] if i.year else [])
        return dict(sorted(groups.items(), reverse=True))


def _group(
    incidents: list[Incident], keys: Any, order: list[str] | None = None
) -> dict[str, list[Incident]]:
    groups: dict[str, list[Incident]] = defaultdict(list)
    for incident in incidents:
        for key in keys(incident):
            groups[key].append(incident)
    known = [key for key in (order or []) if key in groups]
    rest = sorted(key for key in groups if key not in known)
    return {key: groups[key] for key in known + rest}


def in_order(used: Iterable[str], order: list[str]) -> list[str]:
    """The values of an enum in its order, then the others in use, sorted: a value that
    the schema does not allow (a build that goes on despite errors) is still shown."""
    known = set(order)
    return order + sorted({value for value in used if value and value not in known})
