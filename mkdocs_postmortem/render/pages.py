"""The archive's generated pages and the additions to each postmortem page.

Everything is HTML from autoescaped templates, so nothing from front-matter goes live.
The adapter puts it into the page content after Markdown has run (Markdown would only
re-parse it, at a cost that grows with the archive); being page content, it is indexed
by site search. Links are relative, computed by the adapter from where each page is
served.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup

from ..archive import ActionItem, Archive, Factor, Incident, ModelRef, in_order
from ..learning import MONTHS, fix_held_statistics, reason_texts
from ..regulation import deadlines
from ..search_form import search_form
from . import charts, interop, taxonomy
from .durations import human_duration
from .interop import Publisher
from .layout import Layout, slug
from .moments import MILESTONES, TimelineRow, duration, timeline_rows

Relative = Callable[[str, str], str]  # (from src_uri, to src_uri) -> relative URL
NO_SEVERITY = "(none)"  # the statistics' label for postmortems that give no severity


@dataclass(frozen=True)
class Planned:
    """A generated file known by its place and title before it is rendered, so that
    MkDocs can list it while its content is made (in another process, maybe)."""

    src_uri: str
    front_matter: str | None  # a page's, for MkDocs; None for a data file
    make: Callable[[], str]  # the page's HTML, or the data file's content
    in_nav: bool = False
    search: bool = False  # whether site search indexes the page
    # The one postmortem a data file is made of (an export of it), if it is made of one.
    incident: Incident | None = None

    @property
    def is_page(self) -> bool:
        return self.front_matter is not None


@dataclass(frozen=True)
class Additions:
    """What the plugin adds to a postmortem page, and the search forms of both."""

    card: str
    details: str
    card_search_form: str
    details_search_form: str
    headings: list[tuple[str, str]]  # the details' sections: (anchor, title)


@dataclass(frozen=True)
class _Facet:
    """A way to group the archive (failure mode, model, tag, year) and its pages."""

    name: str
    plural: str
    index_title: str
    index_uri: str
    groups: dict[Any, list[Incident]]
    uri_of: Callable[[Any], str]
    label_of: Callable[[Any], str]
    definition_of: Callable[[Any], str] = lambda key: ""
    enum: str = ""  # the schema's enum whose values the keys are, if any


@dataclass(frozen=True)
class RelatedLink:
    """A postmortem of the "Related" list, and which way the link goes."""

    incident: Incident
    direction: str  # "linked from here", "links here" or "both ways"


@dataclass(frozen=True)
class SimilarLink:
    """A postmortem of the "Similar incidents" list: its score, 0 to 1, and why."""

    incident: Incident
    score: float
    reasons: list[str]


class Hrefs:
    """Links from one page to the archive's other pages, for the templates.

    Every link climbs to the folder of the archive's index, then descends to its
    target (`../models/m/` from a postmortem page). Every page of the archive lies
    below that folder, so the link is the shortest one but for targets below the
    page's own folder (`../action-items/data/` from `action-items/`), and the way
    down from the index is worked out once per target for the whole archive.
    """

    def __init__(self, renderer: Renderer, page: str) -> None:
        self._renderer = renderer
        self._page = page
        self._up = _up_to_folder(renderer.relative(page, renderer.layout.index))

    def page(self, src_uri: str, anchor: str = "") -> str:
        url = self._up + self._renderer.from_index(src_uri)
        return f"{url}#{anchor}" if anchor else url

    def incident(self, incident: Incident, anchor: str = "") -> str:
        return self.page(self._renderer.incident_uris[incident.id], anchor)

    def item(self, item: ActionItem) -> str:
        return self.incident(item.incident, item.anchor)

    def category(self, name: str) -> str:
        return self.page(self._renderer.layout.category(name))

    def failure_mode(self, name: str) -> str:
        return self.page(self._renderer.layout.failure_mode(name))

    def model(self, model: ModelRef | str) -> str:
        """The page of a model, by name: every version of it shares one."""
        name = model if isinstance(model, str) else model.name
        return self.page(self._renderer.layout.model(name))

    def tag(self, name: str) -> str:
        return self.page(self._renderer.layout.tag(name))

    def incident_row(self, incident: Incident) -> Markup:
        """A listing's row for an incident, rendered once for all the listings as deep
        below the archive's index: every postmortem appears on several facet pages,
        whose links to it are all the same."""
        key = (incident.id, self._up)
        rows = self._renderer.rows
        if key not in rows:
            template = self._renderer.env.get_template("postmortem/incident-row.html")
            rows[key] = Markup(
                template.render(
                    incident=incident, href=self, archive=self._renderer.archive
                ).strip()
            )
        return rows[key]


def _up_to_folder(relative_url: str) -> str:
    """`../../` of `../../` or `../index.html`; nothing of `./` or `index.html`."""
    folder = relative_url[: relative_url.rfind("/") + 1]
    return "" if folder == "./" else folder


class Renderer:
    """Renders the archive once per build; page events only look up its results."""

    def __init__(
        self,
        archive: Archive,
        layout: Layout,
        env: jinja2.Environment,
        relative: Relative,
        incident_uris: dict[str, str],
        publisher: Publisher | None = None,
    ) -> None:
        self.archive = archive
        self.publisher = publisher or Publisher()
        self.layout = layout
        self.env = env
        self.relative = relative
        self.incident_uris = incident_uris
        self.rows: dict[tuple[str, str], Markup] = {}
        self._from_index: dict[str, str] = {}
        # `{{ incident.severity | label("severity") }}`: what readers see for a value.
        env.filters["label"] = archive.label
        # `{% if shows("action_items.*.owner") %}`: whether this edition shows a field.
        env.globals["shows"] = archive.shows

    def from_index(self, src_uri: str) -> str:
        """The link to a page from the archive's index."""
        if src_uri not in self._from_index:
            self._from_index[src_uri] = self.relative(self.layout.index, src_uri)
        return self._from_index[src_uri]

    def _render(self, template: str, page: str, **context: Any) -> str:
        return self.env.get_template(f"postmortem/{template}").render(
            href=Hrefs(self, page), layout=self.layout, archive=self.archive, **context
        )

    def _page(
        self,
        src_uri: str,
        title: str,
        template: str,
        in_nav: bool = False,
        toc: bool = False,
        search: bool = True,
        **context: Any,
    ) -> Planned:
        make = partial(self._body, template, src_uri, title=title, **context)
        return Planned(src_uri, _front_matter(title, toc, search), make, in_nav, search)

    def _body(self, template: str, page: str, **context: Any) -> str:
        return self._render(template, page, **context).strip() + "\n"

    def index_body(self) -> str:
        """The listing placed into the archive's landing page."""
        return self._render(
            "index.html", self.layout.index, title=None, options=self._filter_options()
        ).strip()

    def plan(self, index_title: str | None = "Postmortems") -> list[Planned]:
        """Every generated file, to be made later; the index only when the user wrote
        none."""
        planned: list[Planned] = []
        if index_title is not None:
            planned.append(
                self._page(
                    self.layout.index,
                    index_title,
                    "index.html",
                    in_nav=True,
                    options=self._filter_options(),
                )
            )
        planned += self._action_item_pages()
        planned += self._facet_pages(self._facets())
        planned += self._taxonomy_pages()
        planned.append(
            Planned(
                self.layout.statistics,
                _front_matter("Statistics", toc=True),
                self._statistics_body,
                in_nav=True,
                search=True,
            )
        )
        planned.append(
            self._page(
                self.layout.patterns,
                "Recurring patterns",
                "patterns.html",
                in_nav=True,
                toc=True,
                patterns=self.archive.patterns,
                # (earlier id, later id) where the earlier fix may not have held.
                not_held={(n.earlier.id, n.later.id) for n in self.archive.not_held},
            )
        )
        planned += self._regulatory_pages()
        planned.append(Planned(self.layout.incidents_json, None, self.incidents_json))
        planned.append(Planned(self.layout.incidents_schema, None, self.incidents_schema))
        planned.append(Planned(self.layout.action_items_csv, None, self.action_items_csv))
        planned += self._interop_files()
        return planned

    # The EU AI Act and the exports others read (see `interop`)

    def _regulatory_pages(self) -> list[Planned]:
        """The page of every serious incident's Art. 73 clock, in the navigation when
        there is one; and each one's report, as a printable page and as JSON."""
        serious = self.archive.serious_incidents()
        pages = [
            self._page(
                self.layout.regulatory,
                "EU AI Act serious incidents",
                "regulatory.html",
                in_nav=bool(serious),
                toc=False,
                incidents=serious,
                states=interop.STATE_LABELS,
                deadlines=deadlines(
                    self.archive.report_days,
                    self.archive.widespread_days,
                    lambda c: self.archive.labels.get("eu_ai_act_category", {}).get(c, c),
                ),
            )
        ]
        for incident in serious:
            page = self.layout.art73_report(incident.id)
            pages.append(
                Planned(
                    page,
                    _front_matter(f"Art. 73 report: {incident.id}", toc=True, search=False),
                    partial(self._art73_page, incident),
                )
            )
            data = self.layout.art73_report_json(incident.id)
            pages.append(Planned(data, None, partial(self._art73_json, incident)))
        return pages

    def _interop_files(self) -> list[Planned]:
        files = [
            Planned(self.layout.feed, None, self.atom_feed),
            Planned(self.layout.calendar, None, self.action_calendar),
        ]
        for incident in self._unique_incidents():
            # Records others read and may republish: a draft's story is not settled yet.
            if not incident.is_published:
                continue
            uri = self.layout.aiid_record(incident.id)
            files.append(Planned(uri, None, partial(self._aiid_json, incident), incident=incident))
            if interop.atlas_steps_possible(incident):
                uri = self.layout.atlas_case_study(incident.id)
                files.append(
                    Planned(uri, None, partial(self._atlas_json, incident), incident=incident)
                )
        return files

    def _unique_incidents(self) -> list[Incident]:
        """The archive's incidents, the first of each id (the one its links lead to)."""
        return [i for i in self.archive.incidents if self.archive.by_id[i.id] is i]

    def absolute(self, src_uri: str, at: str, anchor: str = "") -> str:
        """A page's URL for a file others read: absolute with `site_url`; without it,
        relative to the file at `at`, as `incidents.json` links."""
        if self.publisher.site_url:
            url = self.publisher.absolute(self.relative("index.md", src_uri))
        else:
            url = Hrefs(self, at).page(src_uri)
        return f"{url}#{anchor}" if anchor else url

    def _sources(self, incident: Incident, at: str) -> dict[str, Any]:
        page = self.incident_uris[incident.id]
        return interop.sources(
            incident,
            self.archive,
            Hrefs(self, at).incident(incident),
            self.absolute(page, at),
            self.publisher,
        )

    def _art73_page(self, incident: Incident) -> str:
        page = self.layout.art73_report(incident.id)
        report = interop.art73_report(self._sources(incident, page))
        return self._body(
            "art73-report.html",
            page,
            title=f"Art. 73 report: {incident.id}",
            incident=incident,
            report=report,
            json_href=self.relative(page, self.layout.art73_report_json(incident.id)),
        )

    def _art73_json(self, incident: Incident) -> str:
        uri = self.layout.art73_report_json(incident.id)
        return _json_text(interop.art73_report(self._sources(incident, uri)))

    def _aiid_json(self, incident: Incident) -> str:
        uri = self.layout.aiid_record(incident.id)
        return _json_text(interop.aiid_record(self._sources(incident, uri)))

    def _atlas_json(self, incident: Incident) -> str:
        page, at = self.incident_uris[incident.id], self.layout.atlas_case_study(incident.id)
        url = self.absolute(page, at)
        return _json_text(interop.atlas_case_study(incident, self.publisher, url))

    def atom_feed(self) -> str:
        """`feed.xml`: the published postmortems, newest first."""
        feed = self.layout.feed
        published = [
            (incident, self.absolute(self.incident_uris[incident.id], feed))
            for incident in self._unique_incidents()
            if incident.is_published
        ]
        return interop.atom_feed(
            published,
            self.publisher,
            self.absolute(feed, feed),
            self.absolute(self.layout.index, feed),
        )

    def action_calendar(self) -> str:
        """`action-items.ics`: an all-day event on each open action item's due date."""
        return interop.action_calendar(
            self.archive,
            self.publisher,
            lambda item: self.absolute(
                self.incident_uris[item.incident.id], self.layout.calendar, item.anchor
            ),
        )

    def _statistics_body(self) -> str:
        stats = self.statistics()
        return self._body(
            "statistics.html",
            self.layout.statistics,
            title="Statistics",
            stats=stats,
            charts=self.charts(stats),
            duration=lambda hours: human_duration(hours * 3600),
        )

    def _filter_options(self) -> dict[str, Any]:
        """The values in use, in the order of the schema in force, then the others; free
        texts (tags, models) as (slug, text), the slug being what rows carry."""
        archive = self.archive
        incidents = archive.incidents
        used_statuses = {i.status for i in incidents}
        used_severities = {i.severity for i in incidents}
        used_modes = {mode for i in incidents for mode in i.failure_modes}
        used_kinds = {i.kind for i in incidents}
        used_layers = {layer for i in incidents for layer in i.layers}
        return {
            "statuses": [s for s in archive.status_order() if s in used_statuses],
            "severities": [s for s in archive.severity_order() if s in used_severities],
            "failure_modes": [m for m in archive.by_failure_mode() if m in used_modes],
            "kinds": [k for k in archive.kind_order() if k in used_kinds],
            "layers": [
                layer for layer in in_order(used_layers, archive.layers) if layer in used_layers
            ],
            "tags": [(slug(tag), tag) for tag in archive.by_tag()],
            "models": [(slug(name), name) for name in archive.by_model()],
            "years": list(archive.by_year()),
        }

    def _action_item_pages(self) -> list[Planned]:
        groups = self.archive.items_by_category()
        items = self.archive.action_items
        counts = Counter(item.status for item in items)
        statuses = self.archive.item_status_order()
        pages = [
            self._page(
                self.layout.action_items,
                "Action items",
                "action-items.html",
                in_nav=True,
                toc=True,
                items=items,
                groups=groups,
                parts={name: _open_first(group) for name, group in groups.items() if group},
                statuses=statuses,
                status_counts={s: counts[s] for s in statuses if counts[s]},
                open=sum(not i.finished for i in items),
                overdue=sum(i.overdue for i in items),
            ),
        ]
        if self.archive.shows("action_items.*.owner"):  # not in the public edition
            pages.append(
                self._page(
                    self.layout.owners,
                    "Action items by owner",
                    "action-owners.html",
                    toc=True,
                    owners=_by_owner(items),
                )
            )
        for category, category_items in groups.items():
            if not category_items:
                continue
            pages.append(
                self._page(
                    self.layout.category(category),
                    f"Action items: {self.archive.label(category, 'action_category')}",
                    "action-category.html",
                    search=False,
                    category=category,
                    items=category_items,
                    part=_open_first(category_items),
                    open=sum(not i.finished for i in category_items),
                    overdue=sum(i.overdue for i in category_items),
                )
            )
        return pages

    def _facets(self) -> list[_Facet]:
        layout, archive = self.layout, self.archive
        return [
            _Facet(
                "Failure mode",
                "failure modes",
                "Failure modes",
                layout.failure_modes,
                archive.by_failure_mode(),
                layout.failure_mode,
                partial(archive.label, name="failure_mode"),
                partial(archive.description, name="failure_mode"),
                "failure_mode",
            ),
            _Facet(
                "Model",
                "models",
                "Models",
                layout.models,
                archive.by_model(),
                layout.model,
                str,
            ),
            _Facet("Tag", "tags", "Tags", layout.tags, archive.by_tag(), layout.tag, str),
            _Facet("Year", "years", "Years", layout.years, archive.by_year(), layout.year, str),
        ]

    def _facet_pages(self, facets: list[_Facet]) -> list[Planned]:
        pages: list[Planned] = []
        versions = self.archive.model_versions()
        for facet in facets:
            entries = [
                {
                    "label": facet.label_of(key),
                    "uri": facet.uri_of(key),
                    "count": len(incidents),
                    "definition": facet.definition_of(key),
                }
                for key, incidents in facet.groups.items()
            ]
            pages.append(
                self._page(
                    facet.index_uri,
                    facet.index_title,
                    "facet-index.html",
                    search=False,
                    facet=facet.name,
                    entries=entries,
                )
            )
            for key, incidents in facet.groups.items():
                pages.append(
                    self._page(
                        facet.uri_of(key),
                        f"{facet.name}: {facet.label_of(key)}",
                        "facet.html",
                        search=False,
                        incidents=incidents,
                        parent=facet.index_uri,
                        facet_plural=facet.plural,
                        definition=facet.definition_of(key),
                        versions=versions.get(key, {}) if facet.name == "Model" else {},
                        pattern=self._pattern(incidents),
                    )
                )
        return pages

    def _taxonomy_pages(self) -> list[Planned]:
        """The coverage page, and a page per catalog entry that postmortems name."""
        catalogs = taxonomy.coverage(self.archive, self.layout)
        categories = taxonomy.coverage_categories(self.archive)
        pages = [
            self._page(
                self.layout.taxonomy,
                "Taxonomy coverage",
                "taxonomy.html",
                in_nav=True,
                toc=True,
                search=False,
                catalogs=catalogs,
                categories=categories,
            )
        ]
        for scheme in catalogs:
            for hit in scheme.hits:
                pages.append(
                    self._page(
                        hit.page,
                        f"{scheme.catalog.title}: {hit.entry.label}",
                        "taxonomy-entry.html",
                        search=False,
                        catalog=scheme.catalog,
                        hit=hit,
                        parent_entry=scheme.catalog.entry(hit.entry.parent),
                        categories=categories,
                    )
                )
        return pages

    def _pattern(self, incidents: list[Incident], most: int = 3) -> dict[str, Any]:
        """What a facet's postmortems have in common: the commonest factor layers and
        action-item categories, and the severities, with counts."""
        layers = Counter(layer for i in incidents for layer in i.layers)
        categories = Counter(item.category for i in incidents for item in i.action_items)
        severities = Counter(i.severity for i in incidents if i.severity)
        return {
            "layers": _commonest(layers, self.archive.layers, most),
            "categories": _commonest(categories, self.archive.categories, most),
            "severities": [
                (s, severities[s]) for s in self.archive.severity_order() if severities[s]
            ],
        }

    # Postmortem pages

    def additions(self, incident: Incident, page: str) -> Additions:
        """The card (with its title, as most pages need it) and the details of a
        postmortem page, with their search forms: what a page asks for, made in one go
        so that it can be made ahead, in another process."""
        card = self.card(incident, page, with_title=True)
        details = self.details(incident, page)
        return Additions(card, details, search_form(card), search_form(details), headings(details))

    def additions_made_of(self, incident: Incident) -> tuple[Any, ...]:
        """What `additions` takes from the archive besides the settings: the incident and
        the others it links to, as they stand."""
        return (
            incident,
            self.related_links(incident),
            self.similar_links(incident),
            self.archive.not_held_of(incident),
        )

    def card(self, incident: Incident, page: str, with_title: bool) -> str:
        return self._render(
            "card.html",
            page,
            incident=incident,
            with_title=with_title,
            durations=durations(incident),
        ).strip()

    def details(self, incident: Incident, page: str) -> str:
        return self._render(
            "details.html",
            page,
            incident=incident,
            timeline=incident_timeline(incident),
            factor_groups=self.factor_groups(incident),
            related=self.related_links(incident),
            similar=self.similar_links(incident),
            not_held=self.archive.not_held_of(incident),
            taxonomy=taxonomy.refs(incident, self.layout),
            report_states=interop.STATE_LABELS,
        ).strip()

    def similar_links(self, incident: Incident) -> list[SimilarLink]:
        """The incidents like this one (never a related one), with the reasons as
        readers see them."""
        return [
            SimilarLink(other, entry.score, reason_texts(entry.reasons, self.archive.label))
            for other, entry in self.archive.similar_of(incident)
        ]

    def factor_groups(self, incident: Incident) -> list[tuple[str, list[Factor]]]:
        """The contributing factors by layer, in the layer order of the schema in force
        (then any other layer in use); in the order written within a layer."""
        layers = in_order((f.layer for f in incident.factors), self.archive.layers)
        groups = [(layer, [f for f in incident.factors if f.layer == layer]) for layer in layers]
        return [(layer, factors) for layer, factors in groups if factors]

    def related_links(self, incident: Incident) -> list[RelatedLink]:
        """One list of the postmortems this one names in `related` and those that name
        it, each once, saying which way the link goes: the author's order first."""
        named = {i.id: i for i in self.archive.related_of(incident)}
        naming = {i.id: i for i in self.archive.referenced_by.get(incident.id, [])}
        links = [
            RelatedLink(other, "both ways" if key in naming else "linked from here")
            for key, other in named.items()
        ]
        links += [
            RelatedLink(other, "links here") for key, other in naming.items() if key not in named
        ]
        return links

    # Statistics

    def statistics(self) -> dict[str, Any]:
        """The figures of the statistics page. Rows are dicts of `value` (as written),
        `label` (what readers see, from the schema in force) and `count`. Severities
        keep their order, a scale; the other groupings are sorted by count, the largest
        first, ties in the schema's order, and leave out what no postmortem has."""
        archive = self.archive
        incidents = archive.incidents
        items = archive.action_items
        severity = Counter(i.severity for i in incidents)
        severities = archive.severity_order()
        if severity[""]:  # a postmortem without one (a build that goes on despite errors)
            severities.append("")
        modes = Counter(m for i in incidents for m in i.failure_modes)
        layers = Counter(layer for i in incidents for layer in i.layers)
        quarters: dict[str, Counter[str]] = {q: Counter() for q in _quarters_between(incidents)}
        for incident in incidents:
            quarter = _quarter(incident.occurred)
            if quarter:
                quarters.setdefault(quarter, Counter())[incident.severity] += 1
        groups = {name: group for name, group in archive.items_by_category().items() if group}
        category_order = _by_count(
            Counter({name: len(group) for name, group in groups.items()}), list(groups)
        )
        severity_label = [self._severity_label(s) for s in severities]
        return {
            "incident_count": len(incidents),
            "item_count": len(items),
            "open_items": sum(not i.finished for i in items),
            "overdue_items": sum(i.overdue for i in items),
            "severities": severity_label,
            "severity": [
                _row(s, label, severity[s])
                for s, label in zip(severities, severity_label, strict=True)
            ],
            "failure_mode": [
                _row(m, archive.label(m, "failure_mode"), modes[m])
                for m in _by_count(modes, archive.failure_modes)
            ],
            "layer": [
                _row(layer, archive.label(layer, "factor_layer"), layers[layer])
                for layer in _by_count(layers, archive.layers)
            ],
            "category": [
                {
                    **_row(name, archive.label(name, "action_category"), len(groups[name])),
                    "open": sum(not i.finished for i in groups[name]),
                    "overdue": sum(i.overdue for i in groups[name]),
                }
                for name in category_order
            ],
            "quarter": [
                {"quarter": q, "counts": [c[s] for s in severities], "total": sum(c.values())}
                for q, c in quarters.items()
            ],
            "cross": self._modes_by_layer(),
            "months": MONTHS,
            "fix_held": [
                {
                    "label": archive.label(category, "action_category"),
                    "finished": finished,
                    "followed": followed,
                }
                for category, finished, followed in fix_held_statistics(
                    archive.patterns, archive.categories
                )
            ],
            "durations": [
                {
                    "key": key,
                    "name": name,
                    "span": span,
                    "empty": empty,
                    "hours": hours,
                    "figures": charts.describe(hours),
                }
                for key, name, span, empty, hours in self._durations()
            ],
        }

    def _severity_label(self, severity: str) -> str:
        return self.archive.label(severity, "severity") if severity else NO_SEVERITY

    def _durations(self) -> list[tuple[str, str, str, str, list[float]]]:
        """(key, name, what it spans, the sentence when none, hours of each postmortem)."""
        incidents = self.archive.incidents
        return [
            (
                "detect",
                "Time to detect",
                "from occurred to detected",
                "No postmortem gives both when it occurred and when it was detected yet.",
                _present(i.hours_to_detect for i in incidents),
            ),
            (
                "mitigate",
                "Time to mitigate",
                "from detected to mitigated",
                "No mitigated incidents yet.",
                _present(i.hours_between(i.detected or i.occurred, i.mitigated) for i in incidents),
            ),
            (
                "resolve",
                "Time to resolve",
                "from detected to resolved",
                "No resolved incidents yet.",
                _present(i.hours_to_resolve for i in incidents),
            ),
        ]

    def _modes_by_layer(self) -> dict[str, Any]:
        """How many postmortems have each failure mode together with each factor layer:
        rows and columns in the schema's order, only those in use."""
        archive = self.archive
        pairs: Counter[tuple[str, str]] = Counter()
        modes: Counter[str] = Counter()
        layers: Counter[str] = Counter()
        for incident in archive.incidents:
            incident_layers = [layer for layer in incident.layers if layer]
            if not incident.failure_modes or not incident_layers:
                continue
            modes.update(incident.failure_modes)
            layers.update(incident_layers)
            pairs.update((m, layer) for m in incident.failure_modes for layer in incident_layers)
        row_keys = _ordered(modes, archive.failure_modes)
        column_keys = _ordered(layers, archive.layers)
        return {
            "columns": [archive.label(layer, "factor_layer") for layer in column_keys],
            "rows": [
                {
                    "label": archive.label(m, "failure_mode"),
                    "counts": [pairs[m, layer] for layer in column_keys],
                }
                for m in row_keys
            ],
        }

    def charts(self, stats: dict[str, Any]) -> dict[str, Any]:
        def bars(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
            return [(row["label"], row["count"]) for row in rows]

        made = {
            "severity": charts.bar_chart(
                "pm-severity", "Postmortems by severity", bars(stats["severity"])
            ),
            "failure_mode": charts.bar_chart(
                "pm-failure-mode", "Postmortems by failure mode", bars(stats["failure_mode"])
            ),
            "layer": charts.bar_chart(
                "pm-layer", "Postmortems by contributing-factor layer", bars(stats["layer"])
            ),
            "category": charts.bar_chart(
                "pm-category", "Action items by category", bars(stats["category"])
            ),
            "quarter": charts.stacked_bar_chart(
                "pm-quarter",
                "Postmortems per quarter, by severity",
                [row["quarter"] for row in stats["quarter"]],
                [
                    (s, [row["counts"][n] for row in stats["quarter"]])
                    for n, s in enumerate(stats["severities"])
                ],
            ),
        }
        for stage in stats["durations"]:
            made[stage["key"]] = charts.histogram(
                f"pm-{stage['key']}",
                f"{stage['name']}, {stage['span']}",
                stage["hours"],
                charts.DURATION_BINS_HOURS,
            )
        return made

    # Exports

    def incidents_json(self) -> str:
        """`incidents.json`: the archive as data, every field of every postmortem, in
        the format `mkdocs-postmortem/incidents` version 2, described by the JSON Schema
        `incidents.schema.json` published beside it (docs/exports.md)."""
        href = Hrefs(self, self.layout.incidents_json)
        head = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "schema": self.relative(self.layout.incidents_json, self.layout.incidents_schema),
            "labels": self.archive.labels,
        }
        # One incident a line: written by json's C encoder, which `indent` would turn
        # off (five times slower), and still a file that diffs by incident.
        incidents = ",\n    ".join(
            _json_line(_exported(i, href, self.similar_links(i))) for i in self.archive.incidents
        )
        opened = json.dumps(head, indent=2, ensure_ascii=False)[:-2]
        if not incidents:
            return opened + ',\n  "incidents": []\n}\n'
        return opened + ',\n  "incidents": [\n    ' + incidents + "\n  ]\n}\n"

    def incidents_schema(self) -> str:
        """The JSON Schema of `incidents.json`, as shipped in the package."""
        return export_schema_text()

    def action_items_csv(self) -> str:
        import csv
        import io

        csv_uri = self.layout.action_items_csv
        buffer = io.StringIO()
        # Every cell in quotes: a line break inside a cell (a lone CR, U+2028, ...) can
        # then never start a row, whatever the Python version or the reader.
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(
            [
                "incident_id",
                "incident_title",
                "item_id",
                "title",
                "category",
                "status",
                "owner",
                "due",
                "overdue",
                "tracker",
                "url",
            ]
        )
        href = Hrefs(self, csv_uri)
        for item in self.archive.action_items:
            url = href.item(item)
            # Every column: an organisation's schema may loosen ids, categories, ...
            row = [
                item.incident.id,
                item.incident.title,
                item.id,
                item.title,
                item.category,
                item.status,
                item.owner,
                item.due,
                "yes" if item.overdue else "no",
                item.tracker,
                url,
            ]
            writer.writerow([_csv_safe(cell) for cell in row])
        return buffer.getvalue()


EXPORT_FORMAT = "mkdocs-postmortem/incidents"
EXPORT_VERSION = 2
# What the export writes for every incident, in this order, with the value for a key
# that the front-matter leaves out (or gives as the wrong kind of value). Keys the
# built-in format does not define (an organisation's extension) follow, as read.
_EXPORTED_FIELDS: dict[str, tuple[type, Any]] = {
    "detection": (str, None),
    "impact": (dict, None),
    "ai_system": (dict, None),
    "failure_modes": (list, []),
    "contributing_factors": (list, []),
    "timeline": (list, []),
    "attribution": (str, None),
    "no_action_rationale": (str, None),
    "taxonomy": (dict, {}),
    "open_questions": (list, []),
    "reviewers": (list, []),
    "tags": (list, []),
    "related": (list, []),
}
# An action item's fields that the build writes (a front-matter key of the same name
# does not replace them); its other keys follow, as read.
_ITEM_KEYS = ("id", "title", "category", "status", "owner", "due", "overdue", "tracker", "url")


def export_schema_text() -> str:
    """The JSON Schema of `incidents.json` (schemas/incidents-export.schema.json)."""
    from importlib.resources import files

    resource = files("mkdocs_postmortem").joinpath("schemas", "incidents-export.schema.json")
    return resource.read_text(encoding="utf-8")


def _exported(incident: Incident, href: Hrefs, similar: list[SimilarLink]) -> dict[str, Any]:
    """Every field of a postmortem as its front-matter gives it (dates as written, enum
    values as values), with what the build works out: `url`, `kind`'s default, `models`
    (the list of `ai_system.models` of version 1) and the action items' `status`
    default, `overdue` and `url`; and `similar`, the incidents like it. Cost: linear in
    the size of the front-matter."""
    raw = incident.data
    out: dict[str, Any] = {
        "id": incident.id,
        "title": incident.title,
        "url": href.incident(incident),
        "status": incident.status,
        "severity": incident.severity,
        "kind": incident.kind,
        "occurred": incident.occurred,
        "detected": incident.detected or None,
        "mitigated": incident.mitigated or None,
        "resolved": incident.resolved or None,
        "summary": incident.summary,
        "models": [
            {"name": m.name, "version": m.version or None, "provider": m.provider or None}
            for m in incident.models
        ],
    }
    for key, (kind, default) in _EXPORTED_FIELDS.items():
        value = raw.get(key)
        out[key] = value if isinstance(value, kind) else default
    for key in ("failure_modes", "tags", "related"):
        out[key] = getattr(incident, key)  # each once, as the pages show them
    listed = raw.get("action_items")
    raw_items = [i for i in listed if isinstance(i, dict)] if isinstance(listed, list) else []
    out["action_items"] = [
        {
            "id": item.id,
            "title": item.title,
            "category": item.category,
            "status": item.status,
            "owner": item.owner or None,
            "due": item.due or None,
            "overdue": item.overdue,
            "tracker": item.tracker or None,
            "url": href.item(item),
            **{key: value for key, value in source.items() if key not in _ITEM_KEYS},
        }
        for item, source in zip(incident.action_items, raw_items, strict=True)
    ]
    out["similar"] = [
        {"id": link.incident.id, "score": link.score, "reasons": link.reasons} for link in similar
    ]
    for key, value in raw.items():
        out.setdefault(key, value)
    return out


def _json_text(value: Any) -> str:
    """An export as indented JSON, ending with a line break; values as `_json_line`."""
    return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def _json_line(value: Any) -> str:
    """`value` as JSON on one line; a number JSON cannot write (`.inf`, `.nan`) as null,
    any key as text."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError):  # a key JSON cannot write is written as text
        return json.dumps(_plain(value), ensure_ascii=False, allow_nan=False)


def _plain(value: Any) -> Any:
    """A copy of front-matter values that JSON can hold: a number JSON cannot write
    (`.inf`, `.nan`) becomes null."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_H2_RE = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>')


def headings(html: str) -> list[tuple[str, str]]:
    """The sections of the plugin's HTML, as (anchor, title), for a page's table of
    contents."""
    return _H2_RE.findall(html)


def durations(incident: Incident) -> list[tuple[str, str]]:
    """(name, duration) of the lifecycle stages a page shows, each measured from
    `occurred`: time to detect, to mitigate and to resolve; those it can say."""
    names = {"detected": "detect", "mitigated": "mitigate", "resolved": "resolve"}
    spans = [
        (f"Time to {names[key]}", duration(incident.occurred, getattr(incident, key)))
        for key, _ in MILESTONES
        if key in names
    ]
    return [(name, said) for name, said in spans if said]


def incident_timeline(incident: Incident) -> list[TimelineRow]:
    milestones = {key: getattr(incident, key) for key, _ in MILESTONES}
    return timeline_rows([(e.at, e.event) for e in incident.timeline], milestones)


# What YAML cannot hold raw in a double-quoted scalar: characters outside its printable
# set, and those it reads as line breaks (U+0085, U+2028, U+2029) and would fold.
# A byte order mark too, which a reader may drop.
_YAML_UNSAFE_RE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar: JSON's escapes for quotes, backslashes and
    controls, every other character raw (an emoji stays one, not two escaped halves),
    except those YAML cannot hold raw, escaped as `\\uXXXX`."""
    return _YAML_UNSAFE_RE.sub(
        lambda match: f"\\u{ord(match.group()):04x}", json.dumps(text, ensure_ascii=False)
    )


def _front_matter(title: str, toc: bool = False, search: bool = True) -> str:
    # The title is written as it is: themes get it escaped (see `theme_view`).
    # Listings have no sections: Material's table of contents would only narrow them.
    # Facet pages repeat what the index and the postmortems hold: search skips them.
    return (
        f"---\ntitle: {_yaml_string(title)}\n"
        + ("" if toc else "hide: [toc]\n")
        + ("" if search else "search:\n  exclude: true\n")
        + "---\n"
    )


# A line of a cell that starts (after spaces) with one of these is read as a formula;
# the breaks are those of str.splitlines, since a spreadsheet may split on any of them.
_CSV_FORMULA_RE = re.compile(
    "(?:^|(?<=[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]))(?= *[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20])"
)


def _csv_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula: a `'` before the start of
    each line of it that could start one."""
    return _CSV_FORMULA_RE.sub("'", text)


def _quarter(moment: str) -> str:
    try:
        day = dt.date.fromisoformat(moment[:10])
    except ValueError:
        return ""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"  # sorts as text: 0999 < 2026


def _quarters_between(incidents: list[Incident], most: int = 200) -> list[str]:
    """Every quarter from the first incident's to the last one's, empty ones too."""
    days = sorted(q for q in (_quarter(i.occurred) for i in incidents) if q)
    if not days:
        return []
    first_year, first_q = int(days[0][:4]), int(days[0][-1])
    last_year, last_q = int(days[-1][:4]), int(days[-1][-1])
    count = (last_year - first_year) * 4 + last_q - first_q + 1
    if count > most:  # a typo'd year must not make a thousand-column chart
        return days
    return [
        f"{first_year + (first_q - 1 + n) // 4:04d}-Q{(first_q - 1 + n) % 4 + 1}"
        for n in range(count)
    ]


def _commonest(counter: Counter[str], order: list[str], most: int) -> list[tuple[str, int]]:
    """The `most` commonest keys with their counts; ties in the schema's order."""
    place = {key: n for n, key in enumerate(order)}
    keys = sorted(
        (k for k in counter if k), key=lambda k: (-counter[k], place.get(k, len(place)), k)
    )
    return [(key, counter[key]) for key in keys[:most]]


def _open_first(items: list[ActionItem]) -> tuple[list[ActionItem], list[ActionItem]]:
    """The open items, overdue first, then by due date (none last), and the finished
    ones in the archive's order (newest postmortem first)."""
    open_items = [item for item in items if not item.finished]
    open_items.sort(key=lambda i: (not i.overdue, i.due == "", i.due, i.incident.id, i.id))
    return open_items, [item for item in items if item.finished]


def _by_owner(items: list[ActionItem]) -> list[tuple[str, list[ActionItem]]]:
    """Each owner's open items, owners by name (case aside), items overdue first; the
    items without an owner last, under ""."""
    groups: dict[str, list[ActionItem]] = {}
    for item in items:
        if not item.finished:
            groups.setdefault(item.owner.strip(), []).append(item)
    owners = sorted(groups, key=lambda owner: (owner == "", owner.casefold(), owner))
    return [(owner, _open_first(groups[owner])[0]) for owner in owners]


def _ordered(counter: Counter[str], order: list[str]) -> list[str]:
    known = [key for key in order if counter[key]]
    return known + sorted(key for key in counter if key not in known)


def _by_count(counter: Counter[str], order: list[str]) -> list[str]:
    """The keys in use, the largest count first; ties in `order`, then the others by
    name (a value that the schema does not allow, in a build that goes on)."""
    return sorted(_ordered(counter, order), key=lambda key: -counter[key])


def _row(value: str, label: str, count: int) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count}


def _present(values: Any) -> list[float]:
    return [v for v in values if v is not None]
